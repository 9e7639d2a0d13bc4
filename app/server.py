"""The production server behind ``python wsgi.py``: eventlet or gevent.

Slow clients must not hold connection slots: a connection must begin its
first request within ``CHAT_HEADER_TIMEOUT`` seconds and a kept-alive one its
next within ``CHAT_IDLE_TIMEOUT``; once a request has begun, its request line
and headers must all arrive within ``CHAT_HEADER_TIMEOUT``. Any other read or
write may wait ``CHAT_IDLE_TIMEOUT``, longer than Engine.IO's ping interval
plus timeout, so that healthy long-polling and WebSocket clients, which hear
from the server at least once per ping interval, are never cut.
"""

import gc
import signal
import socket
from dataclasses import dataclass

from flask import Flask

from app import lifecycle, socketio


class SlowRequest(TimeoutError, ValueError):
    """A request's head did not arrive in time.

    Both kinds, so that each server closes the connection quietly: eventlet
    expects a timeout, gevent a ValueError for bad client input.
    """


@dataclass(frozen=True)
class Timeouts:
    header: float
    idle: float

    @classmethod
    def of(cls, config) -> "Timeouts":
        timeouts = cls(config["CHAT_HEADER_TIMEOUT"], config["CHAT_IDLE_TIMEOUT"])
        heartbeat = config["CHAT_PING_INTERVAL"] + config["CHAT_PING_TIMEOUT"]
        if timeouts.idle <= heartbeat:
            raise SystemExit(
                f"CHAT_IDLE_TIMEOUT ({timeouts.idle:g} s) must be longer than "
                f"CHAT_PING_INTERVAL + CHAT_PING_TIMEOUT ({heartbeat:g} s)"
            )
        return timeouts

    def to_begin(self, earlier_requests: int) -> float:
        """How long a connection may wait before its next request begins."""
        return self.idle if earlier_requests else self.header


class HeadDeadline:
    """Mixed into a server's request handler: the deadline on reading one
    request's head (``head_deadline``, a timeout of eventlet or gevent)
    ends with the head, or with the request."""

    requests = 0
    head_deadline = None

    def handle_one_request(self):
        try:
            return super().handle_one_request()
        finally:
            self._end_head()

    def _end_head(self):
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None


def listen(host: str, port: int) -> socket.socket:
    """A listening socket whose connections send small frames at once.

    Nagle's algorithm would hold each small Socket.IO frame back until the
    peer's delayed ACK; accepted sockets inherit TCP_NODELAY on Linux.
    """
    listener = socket.create_server((host, port), backlog=2048)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return listener


def serve(app: Flask, host: str, port: int, max_connections: int) -> None:
    mode = socketio.async_mode
    timeouts = Timeouts.of(app.config)
    # What start-up made lives as long as the process: frozen, the garbage
    # collector's full passes, which stop the event loop, skip it.
    gc.collect()
    gc.freeze()
    if mode in ("eventlet", "gevent"):
        signal.signal(signal.SIGTERM, _on_sigterm)
        socketio.start_background_task(_watch_for_shutdown)
    if mode == "eventlet":
        _serve_eventlet(app, listen(host, port), max_connections, timeouts)
    elif mode == "gevent":
        _serve_gevent(app, listen(host, port), max_connections, timeouts)
    else:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)


def _serve_eventlet(app: Flask, listener, max_connections: int, timeouts: Timeouts) -> None:
    import eventlet
    import eventlet.wsgi

    class Protocol(HeadDeadline, eventlet.wsgi.HttpProtocol):
        """Reads each request's head against a deadline (see the module's doc)."""

        # Buffers of the connection's HTTP reads and writes. A WebSocket uses
        # them once, for its upgrade, and keeps them while it is open:
        # eventlet's 8 and 16 KiB were a tenth of what an idle visitor costs.
        # Bigger reads and writes bypass them.
        rbufsize = 1024
        wbufsize = 1024

        def _read_request_line(self):
            if self.rfile.closed:
                return super()._read_request_line()
            self.connection.settimeout(timeouts.to_begin(self.requests))
            self.requests += 1
            if not self.rfile.peek(1):
                return ""  # the client closed the connection
            self.head_deadline = eventlet.Timeout(timeouts.header, SlowRequest())
            return super()._read_request_line()

        def parse_request(self):
            try:
                return super().parse_request()
            finally:
                self._end_head()

    eventlet.wsgi.server(
        listener,
        app,
        max_size=max_connections,
        log_output=False,
        protocol=Protocol,
        socket_timeout=timeouts.idle,
    )


def _serve_gevent(app: Flask, listener, max_connections: int, timeouts: Timeouts) -> None:
    import gevent
    from gevent import pywsgi
    from gevent.pool import Pool

    class Handler(HeadDeadline, pywsgi.WSGIHandler):
        """Reads each request's head against a deadline (see the module's doc),
        and closes the TCP connection once a WebSocket on it has ended.

        The WebSocket runs on a duplicate of the socket; without this,
        pywsgi would read the client's closing frames as a new request.
        """

        def read_requestline(self):
            self.socket.settimeout(timeouts.to_begin(self.requests))
            self.requests += 1
            if not self.rfile.peek(1):
                return ""  # the client closed the connection
            self.head_deadline = gevent.Timeout.start_new(timeouts.header, SlowRequest())
            return super().read_requestline()

        def read_request(self, raw_requestline):
            try:
                return super().read_request(raw_requestline)
            finally:
                self._end_head()
                self.socket.settimeout(timeouts.idle)

        def run_application(self):
            try:
                super().run_application()
            finally:
                if self.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
                    self.close_connection = True

    server = pywsgi.WSGIServer(
        listener, app, log=None, handler_class=Handler, spawn=Pool(max_connections)
    )
    server.serve_forever()


_shutdown_requested = []


def _on_sigterm(*_args) -> None:
    # A signal handler may interrupt any greenlet: it only sets a flag.
    _shutdown_requested.append(True)


def _watch_for_shutdown() -> None:
    while not _shutdown_requested:
        socketio.sleep(0.2)
    lifecycle.drain_and_exit()
