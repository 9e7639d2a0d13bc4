"""Losing the network, and running on HTTP long-polling only."""

import pytest
from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS

pytestmark = BROWSER_TESTS


@pytest.mark.parametrize("query", ["", "?transport=polling"], ids=["websocket", "polling"])
def test_messages_written_offline_arrive_once_in_order(server, visitor, agent, query):
    widget = visitor(query).open()
    widget.send("Before going offline")
    expect(widget.tick("Before going offline")).to_have_accessible_name("Sent")
    conversation_id = widget.conversation_id()
    inbox = agent().open(conversation_id)
    expect(inbox.message("Before going offline")).to_be_visible()

    widget.page.context.set_offline(True)
    expect(widget.connection).to_have_text("Reconnecting…")
    widget.send("Written offline, first", stored=False)
    widget.send("Written offline, second", stored=False)
    for text in ("Written offline, first", "Written offline, second"):
        expect(widget.tick(text)).to_have_accessible_name("Sending")
    if not query:
        # A closed WebSocket tells the server at once; a long-polling client
        # that stops polling is noticed only at the ping timeout.
        expect(inbox.presence).to_have_text("Offline")
    assert server.bodies(conversation_id) == ["Before going offline"]

    widget.page.context.set_offline(False)
    expect(widget.connection).to_be_hidden()
    for text in ("Written offline, first", "Written offline, second"):
        expect(widget.tick(text)).to_have_accessible_name("Seen")
    expected = ["Before going offline", "Written offline, first", "Written offline, second"]
    expect(widget.bodies()).to_have_text(expected)
    expect(inbox.bodies()).to_have_text(expected)
    assert server.bodies(conversation_id) == expected

    # A reload shows each message once, and nothing is left to resend.
    widget.page.reload()
    expect(widget.bodies()).to_have_text(expected)
    assert (
        widget.page.evaluate("() => Object.keys(localStorage).filter((k) => k.endsWith(':outbox'))")
        == []
    )


def test_long_polling_only_carries_the_whole_chat(server, visitor, agent):
    websockets = []
    widget = visitor("?transport=polling")
    widget.page.on("websocket", lambda ws: websockets.append(ws.url))
    # The page may have opened its socket before the listener: load it again.
    widget.page.reload()
    widget.ready().open()
    widget.send("Hello over long-polling")
    conversation_id = widget.conversation_id()

    inbox = agent("?transport=polling")
    inbox.page.on("websocket", lambda ws: websockets.append(ws.url))
    inbox.page.reload()
    inbox.ready().open(conversation_id)
    expect(inbox.message("Hello over long-polling")).to_be_visible()
    expect(widget.tick("Hello over long-polling")).to_have_accessible_name("Seen")
    expect(widget.presence).to_have_text("We're online")

    widget.input.press_sequentially("Still there")
    expect(inbox.typing).to_be_visible()
    widget.input.press("Enter")
    expect(inbox.message("Still there")).to_be_visible()
    expect(inbox.typing).to_be_hidden()

    inbox.input.press_sequentially("Yes, ")
    expect(widget.typing).to_have_text("Tess is typing…")
    inbox.input.press_sequentially("right here.")
    inbox.input.press("Enter")
    expect(widget.message("Yes, right here.")).to_be_visible()
    expect(widget.typing).to_be_hidden()
    expect(inbox.tick("Yes, right here.")).to_have_accessible_name("Seen")

    assert server.bodies(conversation_id) == [
        "Hello over long-polling",
        "Still there",
        "Yes, right here.",
    ]
    assert websockets == [], "only long-polling was asked for"


def test_widget_claims_nobody_online_while_its_connection_is_down(visitor, agent):
    agent()  # an agent is online
    widget = visitor().open()
    widget.send("Hello?")
    expect(widget.presence).to_have_text("We're online")

    widget.page.context.set_offline(True)

    expect(widget.connection).to_have_text("Reconnecting…")
    expect(widget.presence).not_to_contain_text("online")
    expect(widget.presence).to_have_text("We're here to help")

    widget.page.context.set_offline(False)
    expect(widget.connection).to_be_hidden()
    expect(widget.presence).to_have_text("We're online")
