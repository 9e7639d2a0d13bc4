"""Fixtures for tests against a real server process with real Socket.IO clients.

``live_server`` runs ``python wsgi.py`` once per async mode (eventlet, gevent)
for the whole session, on a database made by ``flask db upgrade`` with an
agent made by ``flask agents create``. Every test that uses ``live_client``
runs over WebSocket and over long-polling only.
"""

import threading
from dataclasses import dataclass

import engineio
import engineio.payload
import pytest
import requests
import socketio

from tests.live.server import ServerProcess

AGENT_EMAIL = "live-agent@example.com"
AGENT_NAME = "Tess"
AGENT_PASSWORD = "correct horse battery"

# Short timings keep the typing and presence tests fast. Every test starts
# conversations from 127.0.0.1, more than the default rate allows, and the
# one agent of the session acts in every test, more than its default allowance.
TYPING_TIMEOUT = 1.0
PRESENCE_GRACE = 0.3
SERVER_ENV = {
    "CHAT_TYPING_TIMEOUT": str(TYPING_TIMEOUT),
    "CHAT_PRESENCE_GRACE": str(PRESENCE_GRACE),
    "CHAT_CONVERSATION_RATE": "10000 per minute",
    "CHAT_MESSAGE_RATE": "10000 per minute",
    "CHAT_TYPING_RATE": "10000 per minute",
    "CHAT_HISTORY_RATE": "10000 per minute",
    "CHAT_JOIN_RATE": "10000 per minute",
}

WAIT = 5.0  # seconds a client waits for an event before the test fails


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the tail of the server log to the report of a failing live test."""
    report = yield
    server = getattr(item, "funcargs", {}).get("live_server")
    if report.failed and isinstance(server, ServerProcess):
        report.sections.append((f"server log ({server.log_path})", server.log_tail(80)))
    return report


@pytest.fixture(autouse=True)
def clients_read_long_polling_answers_of_any_length(monkeypatch):
    """python-engineio's client drops the connection when one long-polling
    answer holds more than 16 packets, which the server sends whenever more
    than 16 events wait for a client; browsers' Engine.IO client takes any
    number. Clients in the test process are made to take any number too."""
    monkeypatch.setattr(engineio.payload.Payload, "max_decode_packets", 100_000)


@pytest.fixture(scope="session", params=["eventlet", "gevent"])
def live_server(request, tmp_path_factory):
    """The chat server, started the way the quick start says, once per async mode."""
    server = ServerProcess(
        tmp_path_factory.mktemp(f"live-{request.param}"), request.param, SERVER_ENV
    )
    server.upgrade_database()
    server.create_agent(AGENT_EMAIL, AGENT_NAME, AGENT_PASSWORD)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(live_server):
    """The live server; a traceback in its log during the test fails the test."""
    offset = live_server.log_size()
    yield live_server
    assert live_server.running, f"the server died:\n{live_server.log_tail()}"
    logged = live_server.log_text(offset)
    if "Traceback" in logged:
        pytest.fail(f"the server logged an error during the test:\n{logged[-4000:]}")


@pytest.fixture(scope="session")
def agent_api_token(live_server):
    """An API token of the agent, from ``POST /api/v1/tokens`` with HTTP Basic."""
    response = requests.post(
        f"{live_server.url}/api/v1/tokens", auth=(AGENT_EMAIL, AGENT_PASSWORD), timeout=WAIT
    )
    assert response.status_code == 200, response.text
    return response.json()["token"]


@dataclass(frozen=True)
class Visitor:
    conversation_id: int
    token: str


@pytest.fixture
def start_conversation(server):
    """Start a conversation as a new visitor over HTTP; returns a ``Visitor``."""

    def start(**details) -> Visitor:
        response = requests.post(
            f"{server.url}/api/v1/conversations", json=details or None, timeout=WAIT
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return Visitor(body["conversation_id"], body["visitor_token"])

    return start


@pytest.fixture(params=["websocket", "polling"])
def transport(request):
    return request.param


class _InOrderEngineIOClient(engineio.Client):
    """An Engine.IO client that hands packets over in order and disconnects cleanly.

    ``engineio.Client`` runs the handler of each message in a new thread, so
    two events the server sent in order may be recorded in the other order.
    The tests reason about order (seq, "nothing arrived before this"), so
    messages are handled on the read loop instead. A Socket.IO DISCONNECT
    packet keeps its own thread: its handler closes the transport, which
    joins the read loop.

    Its write loop ends as soon as the client is disconnecting, so packets
    queued behind a request still in flight (the DISCONNECT and CLOSE) are
    never sent: the server keeps the socket, and a polling client waits for
    the next ping (25 s). ``disconnect`` lets the queue drain first (bounded,
    because the count of unfinished packets is lost after a failed send).
    """

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message" and not (isinstance(args[0], str) and args[0].startswith("1")):
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)

    def disconnect(self, abort=False, reason=None):
        if self.state == "connected" and not abort:
            queue = self.queue
            with queue.all_tasks_done:
                queue.all_tasks_done.wait_for(lambda: not queue.unfinished_tasks, 1.0)
        return super().disconnect(abort=abort, reason=reason)


class _InOrderClient(socketio.Client):
    def _engineio_client_class(self):
        return _InOrderEngineIOClient


class LiveClient:
    """A python-socketio client that records every event the server sends it."""

    def __init__(
        self, url: str, transport: str, auth: dict | None, label: str, reconnection: bool = False
    ):
        self.url = url
        self.transport = transport
        self.auth = auth
        self.label = label
        self._http = requests.Session()
        self.sio = _InOrderClient(
            reconnection=reconnection, handle_sigint=False, http_session=self._http
        )
        self._changed = threading.Condition()
        self._events: list[tuple[str, object]] = []
        self.connect_errors: list[object] = []
        self.sio.on("*", self._record)
        self.sio.on("connect_error", self._refused)

    def __repr__(self):
        return f"<LiveClient {self.label} over {self.transport}>"

    def _record(self, event, *args):
        with self._changed:
            self._events.append((event, args[0] if len(args) == 1 else list(args)))
            self._changed.notify_all()

    def _refused(self, data=None):
        with self._changed:
            self.connect_errors.append(data)
            self._changed.notify_all()

    @property
    def connected(self) -> bool:
        return self.sio.connected

    @property
    def sid(self) -> str | None:
        return self.sio.get_sid()

    def connect(self) -> "LiveClient":
        """Connect (again); raises ``socketio.exceptions.ConnectionError`` if refused."""
        self.sio.connect(self.url, auth=self.auth, transports=[self.transport], wait_timeout=WAIT)
        return self

    def disconnect(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()

    def close(self) -> None:
        self.disconnect()
        self.sio.shutdown()
        self._http.close()

    def call(self, event: str, payload: object = None, timeout: float = WAIT):
        """Emit an event and return the server's acknowledgement."""
        return self.sio.call(event, payload, timeout=timeout)

    # What arrived.

    def events(self) -> list[tuple[str, object]]:
        """Every (event, payload) received so far, in arrival order."""
        with self._changed:
            return list(self._events)

    def payloads(self, name: str, **where) -> list:
        """Payloads of the events called ``name`` whose fields equal ``where``."""
        return [
            payload
            for event, payload in self.events()
            if event == name and all(payload.get(k) == v for k, v in where.items())
        ]

    def wait_for(self, name: str, count: int = 1, timeout: float = WAIT, **where) -> list:
        """Wait until ``count`` matching events arrived; returns all that match."""
        with self._changed:
            arrived = self._changed.wait_for(
                lambda: len(self.payloads(name, **where)) >= count, timeout
            )
            if not arrived:
                raise AssertionError(
                    f"{self!r} waited {timeout}s for {count} {name!r} event(s) with {where}; "
                    f"got {self._events}"
                )
            return self.payloads(name, **where)

    def wait_until(self, condition, timeout: float = WAIT, what: str = "a condition"):
        """Wait until ``condition(self)`` is true; returns its value."""
        with self._changed:
            value = self._changed.wait_for(lambda: condition(self), timeout)
            if not value:
                raise AssertionError(f"{self!r} waited {timeout}s for {what}; got {self._events}")
            return value

    def forget(self) -> None:
        """Drop what was recorded so far."""
        with self._changed:
            self._events.clear()


@pytest.fixture
def live_client(server, transport):
    """Open clients of the live server over this test's transport.

    ``live_client(label, **auth)`` returns a connected ``LiveClient``; pass
    ``connect=False`` for one that has not connected yet, ``reconnection=True``
    for one that reconnects by itself (after a server restart). All are
    closed at the end.
    """
    opened: list[LiveClient] = []

    def open_client(
        label: str = "client", connect: bool = True, reconnection: bool = False, **auth
    ) -> LiveClient:
        client = LiveClient(server.url, transport, auth or None, label, reconnection)
        opened.append(client)
        return client.connect() if connect else client

    yield open_client
    # In parallel: a client's close handshake may wait for the server.
    closing = [threading.Thread(target=client.close) for client in opened]
    for thread in closing:
        thread.start()
    for thread in closing:
        thread.join()


@pytest.fixture
def connect_visitor(live_client):
    """Connect a visitor socket of a conversation."""

    def connect(visitor: Visitor, label: str = "visitor") -> LiveClient:
        return live_client(label, visitor_token=visitor.token)

    return connect


@pytest.fixture
def connect_agent(live_client, agent_api_token):
    """Connect an agent socket with the agent's API token."""

    def connect(label: str = "agent") -> LiveClient:
        return live_client(label, token=agent_api_token)

    return connect
