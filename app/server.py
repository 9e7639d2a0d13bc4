"""The production server behind ``python wsgi.py``: eventlet or gevent."""

import signal
import socket

from flask import Flask

from app import lifecycle, socketio


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
    if mode in ("eventlet", "gevent"):
        signal.signal(signal.SIGTERM, _on_sigterm)
        socketio.start_background_task(_watch_for_shutdown)
    if mode == "eventlet":
        import eventlet.wsgi

        eventlet.wsgi.server(listen(host, port), app, max_size=max_connections, log_output=False)
    elif mode == "gevent":
        from gevent import pywsgi

        class Handler(pywsgi.WSGIHandler):
            """Close the TCP connection once a WebSocket on it has ended.

            The WebSocket runs on a duplicate of the socket; without this,
            pywsgi would read the client's closing frames as a new request.
            """

            def run_application(self):
                try:
                    super().run_application()
                finally:
                    if self.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
                        self.close_connection = True

        server = pywsgi.WSGIServer(listen(host, port), app, log=None, handler_class=Handler)
        server.serve_forever()
    else:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)


_shutdown_requested = []


def _on_sigterm(*_args) -> None:
    # A signal handler may interrupt any greenlet: it only sets a flag.
    _shutdown_requested.append(True)


def _watch_for_shutdown() -> None:
    while not _shutdown_requested:
        socketio.sleep(0.2)
    lifecycle.drain_and_exit()
