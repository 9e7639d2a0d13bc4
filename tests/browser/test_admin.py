"""The admin pages: admins add, disable and reset agents and change settings
in the browser; plain agents see no way in."""

import uuid

from playwright.sync_api import Page, expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import log_in
from tests.browser.pages import Inbox
from tests.harness.credentials import AGENT_PASSWORD

pytestmark = BROWSER_TESTS

PHONE = {"width": 390, "height": 844}


def new_email(who: str) -> str:
    return f"{who}-{uuid.uuid4().hex[:8]}@example.com"


def log_in_as(page: Page, url: str, email: str, password: str, next_path: str = "/agent"):
    page.goto(f"{url}/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}{next_path}")


def admin_page(server, new_context, **context_options) -> tuple[Page, str]:
    """A new admin (made with the CLI), logged in, on the Agents page
    reached from the inbox's top bar; returns the page and the admin's name."""
    name = f"Ada {uuid.uuid4().hex[:4]}"
    email = new_email("ada")
    server.process.flask(
        "agents", "create", email, "--name", name, "--password", AGENT_PASSWORD, "--admin"
    )
    page = new_context(**context_options).new_page()
    log_in_as(page, server.url, email, AGENT_PASSWORD)
    Inbox(page).ready()
    page.get_by_role("link", name="Admin").click()
    page.wait_for_url(f"{server.url}/admin/agents")
    expect(page.get_by_role("row", name=name)).to_be_visible()
    return page, name


def add_agent(page: Page, name: str, email: str, password: str) -> None:
    page.get_by_role("button", name="Add agent").click()
    dialog = page.get_by_role("dialog", name="Add an agent")
    expect(dialog.get_by_label("Name")).to_be_focused()
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Email").fill(email)
    dialog.get_by_label("Password").fill(password)
    dialog.get_by_role("button", name="Add agent").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#admin-toast")).to_contain_text(f"{name} was added")


def test_admin_adds_an_agent_who_logs_in_then_disables_them(server, new_context):
    page, _ = admin_page(server, new_context)
    name, email = f"Bo {uuid.uuid4().hex[:4]}", new_email("bo")
    add_agent(page, name, email, "bo's own password")
    row = page.get_by_role("row", name=name)
    expect(row).to_contain_text(email)
    expect(row.get_by_role("combobox", name=f"Role of {name}")).to_have_value("agent")
    expect(row).to_contain_text("Active")

    # The new agent logs in and has the inbox open, without an admin link.
    bo = new_context().new_page()
    log_in_as(bo, server.url, email, "bo's own password")
    Inbox(bo).ready()
    expect(bo.get_by_role("link", name="Admin")).to_have_count(0)

    # Disabling asks first; Cancel keeps them.
    row.get_by_role("button", name=f"Disable {name}").click()
    dialog = page.get_by_role("dialog", name="Disable this agent?")
    expect(dialog).to_contain_text(f"{name} will be logged out")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    row.get_by_role("button", name=f"Disable {name}").click()
    dialog.get_by_role("button", name="Disable").click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text("Disabled")
    expect(row.get_by_role("button", name=f"Enable {name}")).to_be_visible()

    # Their open inbox is logged out at once, and the login form refuses them.
    bo.wait_for_url(f"{server.url}/login**", timeout=10_000)
    log_in_page = new_context().new_page()
    log_in_page.goto(f"{server.url}/login")
    log_in_page.get_by_label("Email").fill(email)
    log_in_page.get_by_label("Password").fill("bo's own password")
    log_in_page.get_by_role("button", name="Log in").click()
    expect(log_in_page.get_by_text("Wrong email or password.")).to_be_visible()


def test_admin_resets_a_password_shown_once_and_changes_a_role(server, new_context):
    page, _ = admin_page(server, new_context)
    name, email = f"Cy {uuid.uuid4().hex[:4]}", new_email("cy")
    add_agent(page, name, email, "cy's first password")
    row = page.get_by_role("row", name=name)
    cy = new_context().new_page()
    log_in_as(cy, server.url, email, "cy's first password")
    Inbox(cy).ready()

    row.get_by_role("button", name=f"Reset password for {name}").click()
    dialog = page.get_by_role("dialog", name="Reset password")
    generated = dialog.get_by_label("New password").input_value()
    assert len(generated) == 16
    dialog.get_by_role("button", name="Generate").click()
    password = dialog.get_by_label("New password").input_value()
    assert password != generated and len(password) == 16
    dialog.get_by_role("button", name="Set password").click()
    expect(dialog.locator("#password-shown-value")).to_have_text(password)
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    row.get_by_role("button", name=f"Reset password for {name}").click()
    expect(dialog.locator("#password-shown-value")).to_be_hidden()  # shown once only
    page.keyboard.press("Escape")

    cy.wait_for_url(f"{server.url}/login**", timeout=10_000)
    log_in_as(cy, server.url, email, password)
    Inbox(cy).ready()

    # Made an admin, their open inbox reconnects and they may open the pages.
    row.get_by_role("combobox", name=f"Role of {name}").select_option("admin")
    expect(page.locator("#admin-toast")).to_contain_text(f"{name} is now an admin")
    cy.goto(f"{server.url}/admin/agents")
    expect(cy.get_by_role("row", name=name)).to_be_visible()


def test_the_auto_assign_switch_holds_across_reloads(server, new_context):
    page, _ = admin_page(server, new_context)
    page.get_by_role("link", name="Settings").click()
    switch = page.get_by_role("switch", name="Assign new conversations automatically")
    expect(switch).to_be_enabled()
    expect(switch).not_to_be_checked()

    switch.click()
    expect(page.locator("#admin-toast")).to_contain_text("is on")
    page.reload()
    expect(switch).to_be_checked()

    switch.click()  # off again: other tests share this server
    expect(page.locator("#admin-toast")).to_contain_text("is off")
    expect(switch).not_to_be_checked()


def test_a_plain_agent_has_no_admin_link_and_gets_403(server, agent):
    inbox = agent()
    expect(inbox.page.get_by_role("link", name="Admin")).to_have_count(0)

    for path in ("/admin", "/admin/agents", "/admin/settings"):
        response = inbox.page.goto(f"{server.url}{path}")
        assert response.status == 403
        expect(inbox.page.get_by_role("heading", name="This page is for admins")).to_be_visible()
    inbox.page.get_by_role("link", name="Back to the inbox").click()
    Inbox(inbox.page).ready()


def test_admin_pages_screenshots(server, new_context, screenshots_dir):
    for width, options in (("desktop", {}), ("phone", {"viewport": PHONE, "is_mobile": True})):
        page, _ = admin_page(server, new_context, **options)
        add_agent(page, f"Ben {width}", new_email("ben"), AGENT_PASSWORD)
        page.screenshot(path=screenshots_dir / f"admin-agents-{width}.png", full_page=True)
        page.get_by_role("button", name="Add agent").click()
        page.screenshot(path=screenshots_dir / f"admin-add-agent-{width}.png")
        page.keyboard.press("Escape")
        page.get_by_role("button", name=f"Reset password for Ben {width}").click()
        page.get_by_role("button", name="Set password", exact=True).click()
        expect(page.get_by_role("button", name="Done")).to_be_visible()
        page.screenshot(path=screenshots_dir / f"admin-password-shown-{width}.png")
        page.keyboard.press("Escape")
        page.get_by_role("link", name="Inbox").click()
        Inbox(page).ready()
        page.get_by_role("link", name="Admin").click()
        page.get_by_role("link", name="Settings").click()
        expect(
            page.get_by_role("switch", name="Show agents what visitors are typing")
        ).to_be_enabled()
        page.screenshot(path=screenshots_dir / f"admin-settings-{width}.png", full_page=True)
    forbidden = new_context().new_page()
    log_in(forbidden, server.url)
    forbidden.goto(f"{server.url}/admin")
    forbidden.screenshot(path=screenshots_dir / "admin-forbidden.png")
