"""Socket.IO clients for tests against a real server: events recorded in arrival order.

``LiveClient`` records every event the server sends it and waits for the
ones a test expects.
"""

import threading

import engineio
import engineio.payload
import pytest
import requests
import socketio

WAIT = 5.0  # seconds a client waits for an event before the test fails


@pytest.fixture(autouse=True)
def clients_read_long_polling_answers_of_any_length(monkeypatch):
    """python-engineio's client drops the connection when one long-polling
    answer holds more than 16 packets, which the server sends whenever more
    than 16 events wait for a client; browsers' Engine.IO client takes any
    number. Clients in the test process are made to take any number too.

    An autouse fixture of the directories that use these clients (imported
    into their conftest.py)."""
    monkeypatch.setattr(engineio.payload.Payload, "max_decode_packets", 100_000)


class InOrderEngineIOClient(engineio.Client):
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


class InOrderClient(socketio.Client):
    """A python-socketio client whose handlers run in the order packets arrived."""

    def _engineio_client_class(self):
        return InOrderEngineIOClient


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
        self.sio = InOrderClient(
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
