"""Slow and silent clients must not hold the server's connection slots.

Against real server processes (eventlet and gevent): a request whose head
never completes is closed after the header timeout, a connection that
never authenticates after the connect timeout, and healthy clients, idle
or long-polling, outlive every timeout.
"""

import http.client
import socket
import threading
import time

import engineio
import pytest
import requests

from tests.faults.helpers import server_on_copy, wait_until
from tests.harness.clients import WAIT
from tests.harness.server import ServerError

pytestmark = pytest.mark.live

ASYNC_MODES = ["eventlet", "gevent"]
HEADER_TIMEOUT = 1.0


def open_socket(chat, first_bytes: bytes = b"") -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", chat.server.port), timeout=WAIT)
    if first_bytes:
        connection.sendall(first_bytes)
    return connection


def seconds_until_closed(connection: socket.socket, trickle: bytes = b"") -> float:
    """How long until the server closes the connection (it may answer first).

    With ``trickle``, one byte of it is sent every 0.2 s meanwhile.
    """
    started = time.monotonic()
    connection.settimeout(0.2)
    while time.monotonic() - started < WAIT:
        try:
            if not connection.recv(4096):
                return time.monotonic() - started
        except TimeoutError:
            if trickle:
                connection.sendall(trickle[:1])
                trickle = trickle[1:]
        except ConnectionResetError:
            return time.monotonic() - started
    raise AssertionError(f"the connection was still open after {WAIT}s")


HALF_OPEN = b"GET /api/v1/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\n"


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_requests_whose_head_does_not_arrive_in_time_are_closed(make_server, async_mode):
    chat = make_server(async_mode, CHAT_HEADER_TIMEOUT=str(HEADER_TIMEOUT))
    silent = open_socket(chat)
    half_open = open_socket(chat, HALF_OPEN)
    trickling = open_socket(chat, b"G")

    waited = [
        seconds_until_closed(silent),
        seconds_until_closed(half_open),
        seconds_until_closed(
            trickling, trickle=b"ET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"y" * 50
        ),
    ]

    # The three waited side by side: each was closed about a second after it opened.
    assert waited[0] < HEADER_TIMEOUT + 1.5, waited
    assert sum(waited) < HEADER_TIMEOUT + 2.5, waited
    for connection in (silent, half_open, trickling):
        connection.close()
    chat.assert_clean_log()


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_half_open_requests_on_every_slot_keep_nobody_out_for_long(make_server, async_mode):
    """With MAX_CONNECTIONS=50 and 50 half-open requests, a normal request is
    served once the header timeout frees their slots."""
    chat = make_server(async_mode, MAX_CONNECTIONS="50", CHAT_HEADER_TIMEOUT=str(HEADER_TIMEOUT))
    attackers = [open_socket(chat, HALF_OPEN) for _ in range(50)]

    started = time.monotonic()
    response = requests.get(f"{chat.url}/api/v1/conversations", timeout=10)
    waited = time.monotonic() - started

    assert response.status_code == 401  # served: no agent token
    assert waited < HEADER_TIMEOUT + 2, waited
    for attacker in attackers:
        attacker.close()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_a_connection_that_never_authenticates_is_closed(make_server, transport):
    """It answers every ping, yet is closed once the connect timeout passes."""
    chat = make_server(
        "eventlet", CHAT_CONNECT_TIMEOUT="4", CHAT_PING_INTERVAL="1", CHAT_PING_TIMEOUT="1"
    )
    closed = threading.Event()
    silent = engineio.Client()
    silent.on("disconnect", lambda *_reason: closed.set())

    started = time.monotonic()
    silent.connect(chat.url, transports=[transport], engineio_path="socket.io")

    assert closed.wait(WAIT + 4), "the connection was not closed"
    waited = time.monotonic() - started
    # A client that stopped answering pings would have been closed after 2 s.
    assert 4 <= waited < 6, waited
    silent.disconnect()
    chat.assert_clean_log()


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_healthy_clients_outlive_every_timeout(make_server, clients, async_mode):
    """Idle WebSocket and long-polling clients stay connected for longer than
    every timeout; a kept-alive HTTP connection may idle between requests for
    longer than the header timeout, up to the idle timeout."""
    chat = make_server(
        async_mode,
        CHAT_HEADER_TIMEOUT=str(HEADER_TIMEOUT),
        CHAT_CONNECT_TIMEOUT="1",
        CHAT_PING_INTERVAL="1",
        CHAT_PING_TIMEOUT="1",
        CHAT_IDLE_TIMEOUT="3",
    )
    _cid, token = chat.new_conversation(name="Ana")
    tabs = [
        clients.live(chat.url, transport, transport, visitor_token=token)
        for transport in ("websocket", "polling")
    ]
    kept_alive = http.client.HTTPConnection("127.0.0.1", chat.server.port, timeout=WAIT)

    kept_alive.request("GET", "/api/v1/conversations")
    first = kept_alive.getresponse().read()
    time.sleep(2)  # longer than the header timeout, shorter than the idle one
    kept_alive.request("GET", "/api/v1/conversations")
    second = kept_alive.getresponse().read()
    time.sleep(3)

    assert first == second
    for tab in tabs:
        assert tab.connected, tab
        assert tab.call("history", {})["ok"]
        assert [event for event, _payload in tab.events() if event == "disconnect"] == []
    # Past the idle timeout, the server let the idle HTTP connection go.
    wait_until(lambda: seconds_until_closed(kept_alive.sock) >= 0, WAIT, "the idle close")
    kept_alive.close()
    chat.assert_clean_log()


def test_an_idle_timeout_shorter_than_the_heartbeat_is_refused(template_database, tmp_path):
    """It would cut healthy clients between two pings: the server says so and
    does not start."""
    server = server_on_copy(
        template_database, tmp_path / "server", "eventlet", {"CHAT_IDLE_TIMEOUT": "30"}
    )

    with pytest.raises(ServerError, match="CHAT_IDLE_TIMEOUT"):
        server.start()
