"""The API reference page (/api/docs): the description, readable in a
browser under the app's Content-Security-Policy, at desktop and phone width."""

import uuid

from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.chromium import BROWSER_TESTS
from tests.browser.test_admin import log_in_as
from tests.harness.credentials import AGENT_PASSWORD

pytestmark = BROWSER_TESTS


def open_reference(server, new_context, **options):
    page = new_context(**options).new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text or message.type == "error"
            else None
        ),
    )
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{server.url}/api/docs")
    return page, refused, requests


def test_the_reference_lists_every_operation_with_its_schemas(server, new_context, screenshots_dir):
    page, refused, requests = open_reference(server, new_context)

    expect(page.get_by_role("heading", name="Live chat API reference")).to_be_visible()
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    description = page.request.get(f"{server.url}/api/v1/openapi.json").json()
    count = sum(len(item) for item in description["paths"].values())
    expect(operations).to_have_count(count)
    page.screenshot(path=screenshots_dir / "api-reference.png")

    assign = page.locator(".opblock", has_text="/conversations/{conversation_id}/assign")
    assign.locator(".opblock-summary-control").click()
    expect(assign.get_by_text("Refused: not_found")).to_be_visible()
    expect(assign.locator(".parameters").get_by_text("conversation_id")).to_be_visible()
    assign.scroll_into_view_if_needed()
    page.screenshot(path=screenshots_dir / "api-reference-operation.png")
    assert refused == []
    assert all(url.startswith(server.url) for url in requests), requests


def test_the_reference_reads_at_phone_width(server, new_context, screenshots_dir):
    page, refused, _ = open_reference(
        server, new_context, viewport={"width": 390, "height": 844}, is_mobile=True
    )

    expect(page.locator(".opblock").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=screenshots_dir / "api-reference-phone.png")
    assert refused == []


def test_the_reference_passes_axe_with_an_operation_open(server, new_context):
    page = new_context(bypass_csp=True).new_page()
    page.goto(f"{server.url}/api/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    assert_accessible(page)

    assign = page.locator(".opblock", has_text="/conversations/{conversation_id}/assign")
    assign.locator(".opblock-summary-control").click()
    expect(assign.get_by_text("Refused: not_found")).to_be_visible()
    assert_accessible(page)


def test_a_logged_in_admin_tries_a_change_from_the_reference(server, new_context):
    """Try it out, on the chat's own page carries the login and the CSRF token."""
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    server.process.flask(
        "agents", "create", email, "--name", "Ada", "--password", AGENT_PASSWORD, "--admin"
    )
    page = new_context().new_page()
    log_in_as(page, server.url, email, AGENT_PASSWORD, next_path="/api/docs")
    change = page.locator(".opblock-patch", has_text="/settings")
    change.locator(".opblock-summary-control").click()
    change.get_by_role("button", name="Try it out").click()
    change.locator("textarea.body-param__text").fill('{"auto_assign": false}')
    change.get_by_role("button", name="Execute").click()

    answer = change.locator(".live-responses-table tbody .response-col_status").first
    expect(answer).to_have_text("200")
    expect(change.locator(".live-responses-table")).to_contain_text('"auto_assign": false')
