"""The composers offer Send for exactly the bodies the server stores.

The bodies come from one table (tests/message_bodies.py) that the server's
own tests use too; here the same bodies are also sent to the real server.
"""

import socketio
from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS
from tests.message_bodies import BLANK, EMOJI, SENDABLE, TOO_LONG

pytestmark = BROWSER_TESTS


def server_stores(server, visitor_token: str, bodies: list[str]) -> list[bool]:
    """Whether the server stores each body, sent as the visitor over the wire."""
    client = socketio.Client(reconnection=False)
    client.connect(
        server.url, auth={"visitor_token": visitor_token}, transports=["polling"], wait_timeout=10
    )
    try:
        acks = [
            client.call("send_message", {"client_id": f"table-{i}", "body": body}, timeout=10)
            for i, body in enumerate(bodies)
        ]
    finally:
        client.disconnect()
    return [ack["ok"] for ack in acks]


def test_widget_composer_refuses_and_accepts_what_the_server_does(server, visitor):
    widget = visitor().open()
    send = widget.page.get_by_role("button", name="Send message")
    limit_notice = widget.page.locator(".lc-limit")
    expect(send).to_be_disabled()
    widget.send("Hello")
    conversation_id = widget.conversation_id()

    for body in BLANK.values():
        widget.input.fill(body)
        expect(send).to_be_disabled()
        widget.input.press("Enter")
        expect(limit_notice).to_be_hidden()
    for body in TOO_LONG.values():
        widget.input.fill(body)
        expect(send).to_be_disabled()
        expect(limit_notice).to_have_text("Too long: 5,001 characters, 5,000 at most.")
    for body, _stored in SENDABLE.values():
        widget.input.fill(body)
        expect(widget.input).to_have_value(body.replace("\r\n", "\n"))
        expect(send).to_be_enabled()
        expect(limit_notice).to_be_hidden()
    expect(widget.bodies()).to_have_text(["Hello"])  # Enter sent none of the blank ones

    widget.send(EMOJI * 5000)
    assert server.bodies(conversation_id) == ["Hello", EMOJI * 5000]

    token = widget.session()["visitor_token"]
    refused = [*BLANK.values(), *TOO_LONG.values()]
    accepted = [body for body, _stored in SENDABLE.values()]
    assert server_stores(server, token, refused + accepted) == (
        [False] * len(refused) + [True] * len(accepted)
    )


def test_inbox_composer_refuses_blank_looking_text_and_takes_5000_emoji(server, visitor, agent):
    widget = visitor().open()
    widget.send("Hello")
    inbox = agent().open(widget.conversation_id())
    send = inbox.page.get_by_role("button", name="Send", exact=True)

    for body in ["", "\ufeff", "\u200b\u200d", "\u0301", "\x1f", EMOJI * 5001]:
        inbox.input.fill(body)
        expect(send).to_be_disabled()
    inbox.input.fill(EMOJI * 5001)
    expect(inbox.page.locator("#composer-limit")).to_be_visible()

    inbox.send(EMOJI * 5000)

    expect(widget.message(EMOJI * 5000)).to_be_visible()
    assert server.bodies(widget.conversation_id()) == ["Hello", EMOJI * 5000]
