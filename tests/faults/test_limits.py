"""Limits, enforced by a real server over the wire.

What the Flask-SocketIO test client already proves (the message rate, the
5,000-character body, history's ``limit``, the conversation rate per
address) is in tests/test_events.py and tests/test_api.py. Here: what needs
real sockets and frames: the typing rate, the sockets a visitor token may
hold, the Engine.IO packet limit, frames that are not UTF-8, bursts over
long-polling, and the body limit counted in characters after JSON escapes.
"""

import json
import time

import pytest
import requests
import socketio
import websocket

from tests.faults.helpers import chat_on_copy, wait_until
from tests.harness.clients import WAIT
from tests.harness.logs import watching

pytestmark = pytest.mark.live

TYPING_RATE = 5
MAX_SOCKETS = 3


@pytest.fixture(scope="module")
def limits_server(template_database, tmp_path_factory):
    """A server with small limits, for this module."""
    workdir = tmp_path_factory.mktemp("limits") / "server"
    env = {
        "CHAT_TYPING_RATE": f"{TYPING_RATE} per 2 seconds",
        "CHAT_MAX_VISITOR_CONNECTIONS": str(MAX_SOCKETS),
    }
    with chat_on_copy(template_database, workdir, "eventlet", env) as chat:
        yield chat


@pytest.fixture
def limited(request, limits_server):
    """The server with small limits; its log must stay free of tracebacks during the test."""
    with watching(request.node, limits_server.server):
        yield limits_server


def error_code(ack):
    assert ack["ok"] is False, ack
    return ack["error"]["code"]


def test_typing_is_rate_limited_per_visitor(limited, clients, transport):
    cid, token = limited.new_conversation(name="Ana")
    desk = clients.live(limited.url, transport, "desk", token=limited.agent_token)
    assert desk.call("join", {"conversation_id": cid})["ok"]
    tab = clients.live(limited.url, transport, "tab", visitor_token=token)
    other_tab = clients.live(limited.url, transport, "other tab", visitor_token=token)

    acks = [tab.call("typing", {"is_typing": True}) for _ in range(TYPING_RATE + 2)]

    assert [ack["ok"] for ack in acks] == [True] * TYPING_RATE + [False, False]
    assert error_code(acks[-1]) == "rate_limited"
    # Another connection of the same visitor draws on the same allowance.
    assert error_code(other_tab.call("typing", {"is_typing": False})) == "rate_limited"
    # Only the accepted events were passed on.
    time.sleep(0.3)
    assert len(desk.payloads("typing", is_typing=True)) == TYPING_RATE
    assert desk.payloads("typing", is_typing=False) == []
    # The window moves on.
    time.sleep(2.1)
    assert tab.call("typing", {"is_typing": True}) == {"ok": True}


def test_a_visitor_token_holds_at_most_the_configured_sockets(limited, clients, transport):
    _cid, token = limited.new_conversation(name="Ana")
    tabs = [
        clients.live(limited.url, transport, f"tab{n}", visitor_token=token)
        for n in range(MAX_SOCKETS)
    ]
    extra = clients.add(
        type(tabs[0])(limited.url, transport, {"visitor_token": token}, "one too many")
    )

    with pytest.raises(socketio.exceptions.ConnectionError):
        extra.connect()

    assert extra.connect_errors == [{"message": "rate_limited"}]
    assert all(tab.connected for tab in tabs)
    # A closed tab frees its place.
    tabs[0].disconnect()
    wait_until(lambda: _connects(extra), WAIT, "a free place")


def _connects(client) -> bool:
    try:
        client.connect()
    except socketio.exceptions.ConnectionError:
        return False
    return True


def test_body_limit_counts_characters_after_json_escapes(busy, clients, transport):
    """5,000 characters once trimmed, whatever their size on the wire: an
    emoji travels as a 12-byte surrogate-pair escape and counts as one."""
    cid, token = busy.new_conversation(name="Ana")
    tab = clients.live(busy.url, transport, "tab", visitor_token=token)
    smile = "\U0001f600"

    longest = tab.call("send_message", {"client_id": "c-1", "body": f" \n{smile * 5000}\t "})
    too_long = tab.call("send_message", {"client_id": "c-2", "body": smile * 5001})

    assert longest["ok"] and longest["message"]["body"] == smile * 5000
    assert error_code(too_long) == "too_large"
    assert [m["body"] for m in busy.stored(cid)] == [smile * 5000]


def test_frame_over_the_packet_limit_closes_only_that_connection(busy, clients, transport):
    cid, token = busy.new_conversation(name="Ana")
    desk = clients.live(busy.url, transport, "desk", token=busy.agent_token)
    sender = clients.live(busy.url, transport, "sender", visitor_token=token)
    other_tab = clients.live(busy.url, transport, "other tab", visitor_token=token)

    # 100,000 characters: above the server's 64 KiB packet limit.
    sender.sio.emit("send_message", {"client_id": "huge", "body": "x" * 100_000})

    wait_until(lambda: not sender.connected, WAIT, "the connection to close")
    ack = other_tab.call("send_message", {"client_id": "c-1", "body": "Still here"})
    assert ack["ok"], ack
    desk.wait_for("message", id=ack["message"]["id"])
    assert [m["client_id"] for m in desk.payloads("message")] == ["c-1"]
    assert [m["body"] for m in busy.stored(cid)] == ["Still here"]
    assert desk.connected and other_tab.connected


def _raw_websocket(chat, token) -> websocket.WebSocket:
    """A Socket.IO connection spoken by hand, so that any bytes can be sent."""
    url = f"ws://127.0.0.1:{chat.server.port}/socket.io/?EIO=4&transport=websocket"
    ws = websocket.create_connection(url, timeout=WAIT)
    assert ws.recv().startswith("0{")  # Engine.IO open
    ws.send("40" + json.dumps({"visitor_token": token}))
    while not (packet := ws.recv()).startswith("40"):
        assert packet.startswith("42"), packet  # an event (presence) may come first
    return ws


def _closed_by_server(ws: websocket.WebSocket) -> bool:
    try:
        while True:
            opcode, _data = ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return True
    except websocket.WebSocketConnectionClosedException:
        return True
    except websocket.WebSocketTimeoutException:
        return False


INVALID_UTF8 = b'421["send_message",{"client_id":"bad","body":"caf\xe9 \xff\xfe"}]'


def test_frame_of_invalid_utf8_closes_only_that_websocket(busy, clients):
    cid, token = busy.new_conversation(name="Ana")
    desk = clients.live(busy.url, "websocket", "desk", token=busy.agent_token)
    other_tab = clients.live(busy.url, "websocket", "other tab", visitor_token=token)
    ws = _raw_websocket(busy, token)

    ws.send(INVALID_UTF8, opcode=websocket.ABNF.OPCODE_TEXT)

    assert _closed_by_server(ws)
    ws.close()
    ack = other_tab.call("send_message", {"client_id": "c-1", "body": "Still here"})
    assert ack["ok"], ack
    desk.wait_for("message", id=ack["message"]["id"])
    assert [m["client_id"] for m in busy.stored(cid)] == ["c-1"]


def test_request_of_invalid_utf8_is_refused_and_harms_nothing(busy_server, clients):
    """A long-polling POST whose body is not UTF-8 carries no event to answer:
    it is answered 400 and its connection closed, nothing is stored, and
    every other client goes on."""
    busy, offset = busy_server, busy_server.server.log_size()
    cid, token = busy.new_conversation(name="Ana")
    desk = clients.live(busy.url, "polling", "desk", token=busy.agent_token)
    other_tab = clients.live(busy.url, "polling", "other tab", visitor_token=token)
    with requests.Session() as http:
        base = f"{busy.url}/socket.io/?EIO=4&transport=polling"
        opened = http.get(base, timeout=WAIT)
        session = f"{base}&sid={json.loads(opened.text[1:])['sid']}"
        http.post(session, data="40" + json.dumps({"visitor_token": token}), timeout=WAIT)
        assert "40{" in http.get(session, timeout=WAIT).text

        refused = http.post(session, data=INVALID_UTF8, timeout=WAIT)
        # A pong is answered at once, where a poll could wait 25 s.
        after = http.post(session, data="3", timeout=WAIT)

    ack = other_tab.call("send_message", {"client_id": "c-1", "body": "Still here"})
    assert ack["ok"], ack
    desk.wait_for("message", id=ack["message"]["id"])
    assert [m["client_id"] for m in busy.stored(cid)] == ["c-1"]
    assert refused.status_code == 400, refused.text
    assert "not UTF-8" in refused.text
    assert after.status_code == 400, after.text  # the connection is closed
    busy.assert_clean_log(since=offset)


def _polling_session(http, chat, auth) -> str:
    """Open a long-polling Engine.IO session and connect it; returns its URL."""
    base = f"{chat.url}/socket.io/?EIO=4&transport=polling"
    opened = http.get(base, timeout=WAIT)
    session = f"{base}&sid={json.loads(opened.text[1:])['sid']}"
    http.post(session, data="40" + json.dumps(auth), timeout=WAIT)
    assert "40{" in http.get(session, timeout=WAIT).text
    return session


def test_burst_of_events_over_long_polling_is_answered_in_full(busy_server):
    """A long-polling client sends what it has queued in one request (as
    browsers' Engine.IO client does): 40 events in one POST each get an answer."""
    busy, offset = busy_server, busy_server.server.log_size()
    cid, token = busy.new_conversation(name="Ana")
    with requests.Session() as http:
        session = _polling_session(http, busy, {"visitor_token": token})
        packets = [
            f"42{n}" + json.dumps(["send_message", {"client_id": f"c-{n}", "body": "Hi"}])
            for n in range(40)
        ]

        posted = http.post(session, data="\x1e".join(packets), timeout=WAIT)
        answered: set[int] = set()
        for marker in range(100, 110):
            # One more event, so that the poll has something to bring at once.
            http.post(session, data=f"42{marker}" + json.dumps(["history", {}]), timeout=WAIT)
            polled = http.get(session, timeout=WAIT).text.split("\x1e")
            answered |= {int(p[2:].split("[", 1)[0]) for p in polled if p.startswith("43")}
            if answered >= set(range(40)):
                break
        answered -= set(range(100, 110))
        http.post(session, data="41", timeout=WAIT)  # leave

    assert posted.status_code == 200, posted.text
    assert len(answered) == 40, f"{40 - len(answered)} of 40 events were never answered"
    assert len(busy.stored(cid)) == 40
    busy.assert_clean_log(since=offset)
