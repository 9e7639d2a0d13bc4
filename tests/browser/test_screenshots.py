"""The screenshots in docs/screenshots/, taken from a real conversation.

A server of its own, so the inbox shows only this story: a desk with Tess
(an admin) and Ben, two earlier conversations (started over the API,
written with a Socket.IO client; one resolved, one given to Ben) and one
the visitor has in the widget on the demo site, which Tess claims and Ben
adds a private note to.
"""

import pytest
import socketio
from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import ChatServer, serving_chat
from tests.browser.pages import Widget
from tests.harness.api import expect_status
from tests.harness.credentials import AGENT_EMAIL
from tests.harness.logs import watching

pytestmark = BROWSER_TESTS

SHOT = {"animations": "disabled", "caret": "hide", "scale": "css"}


BEN = ("ben@example.com", "Ben", "another horse battery")
NOTE = "She bought an Aurora Desk in May: offer the 10% bundle discount"


@pytest.fixture(scope="module")
def screenshot_server(tmp_path_factory):
    with serving_chat(tmp_path_factory.mktemp("screenshot-server")) as server:
        server.process.flask("agents", "set-role", AGENT_EMAIL, "admin")
        server.process.create_agent(*BEN)
        yield server


@pytest.fixture
def server(request, screenshot_server):
    """This module's own server (overrides the session's)."""
    with watching(request.node, screenshot_server.process):
        yield screenshot_server


def earlier_conversation(server: ChatServer, name: str, email: str, lines: list[tuple[str, str]]):
    """A conversation written over the wire, as other clients would: the
    visitor with its token, the agent with an API token, reading each
    message before answering it."""
    conversation_id, visitor_token = server.new_conversation(name=name, email=email)
    auth = {
        "visitor": {"visitor_token": visitor_token},
        "agent": {"token": server.agent_token},
    }
    target = {"visitor": {}, "agent": {"conversation_id": conversation_id}}
    opened: dict[str, socketio.Client] = {}

    def call(sender: str, event: str, payload: dict):
        if sender not in opened:
            opened[sender] = socketio.Client(reconnection=False)
            opened[sender].connect(
                server.url, auth=auth[sender], transports=["polling"], wait_timeout=10
            )
        ack = opened[sender].call(event, {**target[sender], **payload}, timeout=10)
        assert ack["ok"], ack

    try:
        for seq, (sender, body) in enumerate(lines, start=1):
            if sender == "agent":
                call("agent", "receipt", {"status": "seen", "up_to_seq": seq - 1})
            call(sender, "send_message", {"client_id": f"{sender}-{seq}", "body": body})
    finally:
        for client in opened.values():
            client.disconnect()
    return conversation_id


def as_ben(server: ChatServer, method: str, path: str, **kwargs) -> dict:
    """Ben's call to the REST API, with his own token."""
    response = server.http.post(f"{server.url}/api/v1/tokens", auth=(BEN[0], BEN[2]))
    token = expect_status(response, 200).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    response = server.http.request(method, f"{server.url}/api/v1{path}", headers=headers, **kwargs)
    assert response.status_code < 300, response.text
    return response.json()


def quiet(page):
    """No hover effects in the picture."""
    page.mouse.move(640, 790)


def test_screenshots(server, new_context, agent, screenshots_dir):
    visitor_context = new_context()
    page = visitor_context.new_page()
    page.goto(server.url)
    widget = Widget(page).ready()
    expect(page.get_by_role("heading", name="Light that follows your day.")).to_be_visible()
    quiet(page)
    page.screenshot(path=screenshots_dir / "widget-closed.png", **SHOT)

    maja = earlier_conversation(
        server,
        "Maja Kovač",
        "maja@example.com",
        [
            ("visitor", "Do the Halo pendants ship to Norway?"),
            ("agent", "They do! Delivery takes 3 to 5 working days."),
            ("visitor", "Great, thanks"),
            ("agent", "You're welcome, enjoy the light!"),
        ],
    )
    jonas = earlier_conversation(
        server,
        "Jonas Berg",
        "jonas.berg@example.com",
        [
            ("visitor", "My Aurora Desk flickers at the lowest setting"),
            ("visitor", "Firmware is 2.4.1, if that helps"),
        ],
    )

    expect_status(server.api("POST", f"/conversations/{maja}/resolve"), 200)
    ben_id = next(a["id"] for a in as_ben(server, "GET", "/agents")["agents"] if a["name"] == "Ben")
    expect_status(
        server.api("POST", f"/conversations/{jonas}/assign", json={"agent_id": ben_id}), 200
    )

    inbox = agent()
    widget.open()
    widget.send("Hi! Can the Aurora 2 Floor wake me up gradually?")
    conversation_id = widget.conversation_id()
    inbox.open(conversation_id)
    inbox.pane.locator("[data-key-action=claim]").click()
    expect(inbox.page.locator(".assignment__status")).to_have_text("Assigned to you")
    inbox.send("Yes! Sunrise mode brightens it slowly over the 30 minutes before your alarm.")
    expect(
        widget.message(
            "Yes! Sunrise mode brightens it slowly over the 30 minutes before your alarm."
        )
    ).to_be_visible()
    widget.send("Lovely. Does it work without the app?")
    expect(widget.tick("Lovely. Does it work without the app?")).to_have_accessible_name("Seen")
    as_ben(
        server,
        "POST",
        f"/conversations/{conversation_id}/notes",
        json={"client_id": "note-1", "body": NOTE},
    )
    expect(inbox.page.locator("#conversation-scroll .note")).to_contain_text(NOTE)
    inbox.input.press_sequentially("It does: set the alarm")
    expect(widget.typing).to_have_text("Tess is typing…")
    expect(widget.page.locator(".lc-title")).to_have_text("Tess")
    expect(widget.presence).to_have_text("is answering")
    quiet(page)
    page.screenshot(path=screenshots_dir / "widget-open.png", **SHOT)

    expect(inbox.unread(conversation_id)).to_have_count(0)
    expect(inbox.page.locator('[data-count="mine"]')).to_have_text("1")
    expect(inbox.page.locator('[data-count="resolved"]')).to_have_text("1")
    quiet(inbox.page)
    inbox.page.screenshot(path=screenshots_dir / "inbox.png", **SHOT)
    inbox.page.set_viewport_size({"width": 390, "height": 844})
    inbox.page.screenshot(path=screenshots_dir / "inbox-phone.png", **SHOT)
    inbox.page.set_viewport_size({"width": 1280, "height": 800})

    # The same visitor on a phone (same storage, so the same conversation).
    phone = new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        storage_state=visitor_context.storage_state(),
    ).new_page()
    phone.goto(server.url)
    phone_widget = Widget(phone).ready().open()
    expect(phone_widget.bodies()).to_have_count(3)
    expect(phone_widget.tick("Lovely. Does it work without the app?")).to_have_accessible_name(
        "Seen"
    )
    phone.screenshot(path=screenshots_dir / "widget-phone.png", **SHOT)

    for name in ("widget-closed", "widget-open", "inbox", "inbox-phone", "widget-phone"):
        assert (screenshots_dir / f"{name}.png").stat().st_size < 400_000
