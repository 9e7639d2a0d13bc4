"""Long-polling carries bursts: a client sends everything it buffered in one
POST, and none of it may be lost."""

import threading

import pytest

from tests.harness.clients import WAIT, LiveClient

pytestmark = pytest.mark.live


@pytest.mark.parametrize("transport", ["polling"], indirect=True)
def test_a_burst_of_events_in_one_post_is_answered_whole(
    server, start_conversation, connect_visitor, transport
):
    client = connect_visitor(start_conversation())
    answers = []
    all_answered = threading.Event()
    # Far more packets than python-engineio takes in one POST by default (16),
    # as many as the server takes (CHAT_MAX_POST_PACKETS).
    burst = 200

    def answered(answer):
        answers.append(answer)
        if len(answers) == burst:
            all_answered.set()

    # Emitted without waiting, they leave in as few POSTs as the client can.
    for number in range(burst):
        client.sio.emit("history", {"limit": 1 + number % 100}, callback=answered)

    assert all_answered.wait(WAIT * 4), f"{len(answers)} of {burst} answered"
    assert all(answer["ok"] for answer in answers)
    assert "Too many packets" not in server.log_text()


@pytest.mark.parametrize("transport", ["polling"], indirect=True)
def test_a_long_polling_connection_upgrades_to_websocket(server, start_conversation, transport):
    """As browsers connect: long-polling first, then the WebSocket upgrade
    (whose probe packets are not JSON)."""
    visitor = start_conversation()
    client = LiveClient(server.url, "polling", {"visitor_token": visitor.token}, "browser-like")
    client.sio.connect(
        server.url, auth=client.auth, transports=["polling", "websocket"], wait_timeout=WAIT
    )
    try:
        assert client.sio.transport() == "websocket"
        assert client.call("history", {})["ok"]
    finally:
        client.close()
