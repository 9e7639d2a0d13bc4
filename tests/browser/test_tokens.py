"""Agents make, copy, see listed and revoke their API tokens in the browser;
the secret is shown once, and a read token can read but not write."""

import re
import uuid

import requests
from playwright.sync_api import Page, expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.pages import Inbox
from tests.browser.test_admin import admin_page, log_in_as, new_email
from tests.harness.credentials import AGENT_PASSWORD

pytestmark = BROWSER_TESTS

PHONE = {"width": 390, "height": 844}


def tokens_page(server, new_context, **context_options) -> Page:
    """A new agent (made with the CLI, not an admin), logged in, on the API
    tokens page reached from the inbox's top bar: only their tokens are listed."""
    name, email = f"Tom {uuid.uuid4().hex[:4]}", new_email("tom")
    server.process.flask("agents", "create", email, "--name", name, "--password", AGENT_PASSWORD)
    page = new_context(**context_options).new_page()
    log_in_as(page, server.url, email, AGENT_PASSWORD)
    Inbox(page).ready()
    page.get_by_role("link", name="API tokens").click()
    page.wait_for_url(f"{server.url}/agent/tokens")
    expect(page.locator("#tokens-rows")).to_have_attribute("aria-busy", "false")
    return page


def make_token(page: Page, name: str, scope: str, expiry: str) -> str:
    """Fill the new-token form; returns the secret the dialog shows."""
    page.get_by_role("button", name="New token").click()
    dialog = page.get_by_role("dialog", name="New API token")
    expect(dialog.get_by_label("Name")).to_be_focused()
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_role("radio", name=scope, exact=True).check()
    dialog.get_by_label("Expires").select_option(label=expiry)
    dialog.get_by_role("button", name="Create token").click()
    shown = dialog.get_by_label("The new token")
    expect(shown).to_have_text(re.compile(r"^[A-Za-z0-9_-]{40,}$"))
    return shown.text_content()


def api(server, method: str, path: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    response = requests.request(method, f"{server.url}/api/v1{path}", headers=headers, timeout=10)
    return response.status_code


def test_a_token_is_made_shown_once_copied_listed_and_revoked(server, new_context, screenshots_dir):
    page = tokens_page(server, new_context, permissions=["clipboard-read", "clipboard-write"])
    expect(page.get_by_text("No tokens yet.")).to_be_visible()

    secret = make_token(page, "Opening hours bot", "Read", "In 30 days")
    dialog = page.get_by_role("dialog", name="New API token")
    expect(dialog).to_contain_text("shown only this once")
    page.screenshot(path=screenshots_dir / "tokens-shown-once.png")
    dialog.get_by_role("button", name="Copy").click()
    expect(dialog.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret

    # The token reads, and being a read token, changes nothing.
    assert api(server, "GET", "/conversations", secret) == 200
    assert api(server, "POST", "/conversations/1/resolve", secret) == 403

    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    row = page.get_by_role("row", name="Opening hours bot")
    expect(row).to_contain_text("Read")
    expect(row.locator("td[data-label=Expires] time")).to_be_visible()
    expect(page.get_by_text("No tokens yet.")).to_be_hidden()
    # Shown once: gone from the page, and not in a fresh load of it either.
    assert secret not in page.content()
    page.reload()
    row = page.get_by_role("row", name="Opening hours bot")
    expect(row.locator("td[data-label='Last used'] time")).to_be_visible()
    assert secret not in page.content()
    page.screenshot(path=screenshots_dir / "tokens-listed.png")

    row.get_by_role("button", name="Revoke Opening hours bot").click()
    confirm = page.get_by_role("dialog", name="Revoke this token?")
    expect(confirm).to_contain_text("stops working at once")
    confirm.get_by_role("button", name="Revoke").click()
    expect(page.locator("#tokens-toast")).to_contain_text("was revoked")
    expect(page.get_by_role("row", name="Opening hours bot")).to_have_count(0)
    assert api(server, "GET", "/conversations", secret) == 401


def test_a_read_write_token_that_never_expires_at_phone_width(server, new_context, screenshots_dir):
    page = tokens_page(server, new_context, viewport=PHONE, is_mobile=True, has_touch=True)
    secret = make_token(page, "CRM sync", "Read and write", "Never")
    page.screenshot(path=screenshots_dir / "tokens-shown-once-phone.png")
    page.get_by_role("button", name="Done").click()
    row = page.get_by_role("row", name="CRM sync")
    expect(row).to_contain_text("Read and write")
    expect(row.locator("td[data-label=Expires]")).to_contain_text("Never")
    page.screenshot(path=screenshots_dir / "tokens-listed-phone.png", full_page=True)
    assert api(server, "GET", "/tokens", secret) == 200


def test_the_inbox_top_bar_keeps_every_button_on_screen_at_any_width(server, new_context):
    """An admin's bar holds the most: API tokens and Admin beside the rest."""
    page, _ = admin_page(server, new_context)
    page.goto(f"{server.url}/agent")
    Inbox(page).ready()
    bar = page.locator(".topbar")
    controls = [
        bar.get_by_role("link", name="API tokens"),
        bar.get_by_role("link", name="Admin"),
        bar.get_by_role("button", name="Log out"),
    ]
    for width in (1600, 1440, 1366, 1280, 1100, 1024, 900, 800, 761, 390):
        page.set_viewport_size({"width": width, "height": 800})
        for control in controls:
            expect(control).to_be_in_viewport(ratio=1)
        assert bar.evaluate("e => e.scrollWidth - e.clientWidth") <= 0, width
