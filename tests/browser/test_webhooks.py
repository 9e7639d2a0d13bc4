"""The Webhooks admin page: an admin allows a receiver on this machine,
registers it, sees its secret, watches a delivery fail and sends it again.

A server of its own, whose outbox retries at once and gives up after two
attempts, and a real receiver on a loopback port.
"""

import hashlib
import hmac
import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import serving_chat
from tests.browser.test_admin import PHONE, admin_page
from tests.harness.logs import watching
from tests.harness.webhook_receiver import webhook_receiver

pytestmark = BROWSER_TESTS

SECRET = re.compile(r"^whsec_[A-Za-z0-9_-]{40,}$")
QUICK_OUTBOX = {
    "CHAT_OUTBOX_BACKOFF": "0.2",
    "CHAT_OUTBOX_MAX_ATTEMPTS": "2",
    "CHAT_OUTBOX_INTERVAL": "0.2",
}


@pytest.fixture(scope="module")
def webhook_server(tmp_path_factory):
    with serving_chat(tmp_path_factory.mktemp("webhooks-server"), QUICK_OUTBOX) as server:
        yield server


@pytest.fixture
def server(request, webhook_server):
    with watching(request.node, webhook_server.process):
        yield webhook_server


def allow_private_addresses(page: Page) -> None:
    page.get_by_role("link", name="Settings").click()
    switch = page.get_by_role("switch", name="Allow webhooks to private addresses")
    expect(switch).to_be_enabled()
    switch.check()
    expect(page.locator("#admin-toast")).to_contain_text("is on")


def register(page: Page, url: str, screenshots_dir) -> None:
    page.get_by_role("button", name="Add endpoint").click()
    dialog = page.get_by_role("dialog", name="Add an endpoint")
    expect(dialog.get_by_label("URL")).to_be_focused()
    dialog.get_by_label("URL").fill(url)
    dialog.get_by_label("Description").fill("CRM sync")
    for event in ["message.created", "conversation.assigned", "rating.received"]:
        dialog.get_by_role("checkbox", name=event).uncheck()
    assert_accessible(page)
    screen(page, screenshots_dir, "admin-webhooks-add")
    dialog.get_by_role("button", name="Add endpoint").click()
    expect(dialog).to_be_hidden()


def signed_with(secret: str, received) -> bool:
    timestamp = received.headers["Webhook-Timestamp"]
    mac = hmac.new(secret.encode(), f"{timestamp}.{received.body}".encode(), hashlib.sha256)
    return received.headers["Webhook-Signature"] == f"v1={mac.hexdigest()}"


def test_admin_registers_a_webhook_sees_its_log_and_sends_again(
    server, new_context, screenshots_dir
):
    page, _ = admin_page(server, new_context, bypass_csp=True)  # axe is let in
    with webhook_receiver() as receiver:
        receiver.mode = "fail"
        allow_private_addresses(page)
        page.get_by_role("link", name="Webhooks").click()
        expect(page.get_by_text("No endpoints yet.")).to_be_visible()
        assert_accessible(page)
        register(page, receiver.url, screenshots_dir)

        # The endpoint, its events and its secret, hidden until asked for.
        endpoint = page.get_by_role("listitem").filter(has_text="CRM sync")
        expect(endpoint).to_contain_text(receiver.url)
        events = endpoint.get_by_role("list", name="Events sent to CRM sync")
        expect(events.get_by_role("listitem")).to_have_text(
            ["conversation.created", "conversation.resolved", "conversation.reopened"]
        )
        secret = endpoint.locator(".webhook__secret")
        expect(secret).to_contain_text("whsec_•••")
        endpoint.get_by_role("button", name="Show secret of CRM sync").click()
        expect(secret).to_have_text(SECRET)
        shown = secret.text_content()

        # A visitor starts a chat: the receiver answers 500 twice, the log says so.
        server.new_conversation(name="Ana")
        log = page.locator("#delivery-rows")
        page.get_by_role("button", name="Refresh").click()
        row = log.get_by_role("row").filter(has_text="conversation.created")
        expect(row).to_contain_text("Failed", timeout=15_000)
        expect(row).to_contain_text("HTTP 500")
        expect(row.get_by_role("cell", name="2", exact=True)).to_be_visible()
        assert len(receiver.requests) == 2
        assert signed_with(shown, receiver.requests[0])
        screen(page, screenshots_dir, "admin-webhooks-failed")
        assert_accessible(page)

        # It answers again; "Send again" delivers the same event.
        receiver.mode = "ok"
        row.get_by_role("button", name="Send again").click()
        expect(page.locator("#admin-toast")).to_contain_text("on its way again")
        expect(row).to_contain_text("Delivered", timeout=15_000)
        expect(row).to_contain_text("204")
        ids = receiver.ids()
        assert len(ids) == 3 and len(set(ids)) == 1
        assert json.loads(receiver.requests[2].body)["data"]["conversation"]["visitor"] == {
            "name": "Ana",
            "email": None,
        }
        screen(page, screenshots_dir, "admin-webhooks-desktop")
        page.set_viewport_size(PHONE)
        screen(page, screenshots_dir, "admin-webhooks-phone")
        assert_accessible(page)
        page.set_viewport_size({"width": 1280, "height": 800})

        # Rolling the secret asks first, then shows a new one.
        endpoint.get_by_role("button", name="Roll secret of CRM sync").click()
        dialog = page.get_by_role("dialog", name="Roll secret of CRM sync?")
        assert_accessible(page)
        dialog.get_by_role("button", name="Roll secret").click()
        expect(dialog).to_be_hidden()
        endpoint.get_by_role("button", name="Show secret of CRM sync").click()
        expect(secret).not_to_have_text(shown)
        expect(secret).to_have_text(SECRET)

        endpoint.get_by_role("button", name="Delete CRM sync").click()
        page.get_by_role("dialog", name="Delete CRM sync?").get_by_role(
            "button", name="Delete"
        ).click()
        expect(page.get_by_text("No endpoints yet.")).to_be_visible()


def screen(page: Page, directory, name: str) -> None:
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)
