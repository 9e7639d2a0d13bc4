"""Bounds on the work one Engine.IO connection can give the server.

python-engineio takes whatever a connection sends and keeps whatever it has
to send until the client reads it. Here, per connection:

- A long-polling POST holds at most ``CHAT_MAX_POST_PACKETS`` packets, in
  UTF-8. Any other POST is answered ``400`` with a one-line reason, and the
  connection is closed (python-engineio would log a traceback, answer 200
  and drop the packets, or decode hundreds of events for one request).
- What waits to be sent to a connection adds up to at most
  ``CHAT_MAX_QUEUED_BYTES`` (counted in characters of the encoded packets):
  a client that asks and does not read is disconnected, and what was waiting
  for it is dropped, instead of the server growing.
- A connection that has not completed the Socket.IO CONNECT (authenticated)
  within ``CHAT_CONNECT_TIMEOUT`` seconds of opening is closed, although it
  may answer every ping.

Flask-SocketIO builds its Engine.IO server itself and takes no class for it,
so ``install`` gives that server the behaviour of ``BoundedServer`` by
setting its class: the subclass adds methods and sets its own state in
``install``, nothing in ``__init__``.
"""

import io
import logging
import time
import urllib.parse
from functools import lru_cache

import engineio
import socketio
from engineio import payload

log = logging.getLogger(__name__)


def install(server: socketio.Server, config) -> None:
    """Bound the Engine.IO connections of a Socket.IO ``server``."""
    engine = server.eio
    engine.__class__ = BoundedServer
    engine.max_post_packets = config["CHAT_MAX_POST_PACKETS"]
    engine.max_queued_bytes = config["CHAT_MAX_QUEUED_BYTES"]
    engine.connect_timeout = config["CHAT_CONNECT_TIMEOUT"]
    engine.is_attached = lambda eio_sid: server.manager.sid_from_eio_sid(eio_sid, "/") is not None
    engine.closing_sids = set()
    engine.watching = False
    # Decoding refuses a POST of more packets; python-engineio's own bound
    # (16) is too small for a browser that sends what it has buffered.
    payload.Payload.max_decode_packets = engine.max_post_packets


class CountingQueue:
    """A connection's outgoing queue that knows its size and its age.

    Mixed into the async mode's own queue class (see ``_counting``).
    """

    queued_bytes = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.opened_at = time.monotonic()  # the queue is made with its socket

    def put(self, item, *args, **kwargs):
        self.queued_bytes += _size(item)
        return super().put(item, *args, **kwargs)

    def get(self, *args, **kwargs):
        item = super().get(*args, **kwargs)
        self.queued_bytes -= _size(item)
        return item


def _size(item) -> int:
    data = getattr(item, "data", None)
    return len(data) if isinstance(data, str | bytes) else 0


@lru_cache(maxsize=8)
def _counting(queue_class: type) -> type:
    return type(f"Counting{queue_class.__name__}", (CountingQueue, queue_class), {})


class BoundedServer(engineio.Server):
    """An Engine.IO server that bounds what each connection may queue."""

    def create_queue(self, *args, **kwargs):
        # Called as a socket is made: the time to start watching it.
        if not self.watching and self.connect_timeout > 0:
            self.watching = True
            self.start_background_task(self._close_unattached)
        return _counting(self._async["queue"])(*args, **kwargs)

    def send_packet(self, sid, pkt):
        if sid in self.closing_sids:
            return
        super().send_packet(sid, pkt)
        socket = self.sockets.get(sid)
        if socket is not None and socket.queue.queued_bytes > self.max_queued_bytes:
            log.warning("closing a connection that does not read what it asked for")
            self.close_soon(socket)

    def handle_request(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            reason = self._refuse_post(environ)
            if reason:
                refused = self._bad_request(reason)
                start_response(refused["status"], refused["headers"] + self._cors_headers(environ))
                return [refused["response"]]
        return super().handle_request(environ, start_response)

    def _refuse_post(self, environ) -> str | None:
        """Why a long-polling POST is refused (closing its connection), if it is.

        The body is read here and handed on to python-engineio unchanged.
        """
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        socket = self.sockets.get(query.get("sid", [""])[0])
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if socket is None or length > self.max_http_buffer_size:
            return None  # python-engineio answers these itself
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            payload.Payload(encoded_payload=body.decode("utf-8"))
        except UnicodeDecodeError:
            reason = "the request body is not UTF-8"
        except ValueError:
            reason = f"a request may hold at most {self.max_post_packets} valid packets"
        else:
            return None
        self._drop_queue(socket)
        self._close(socket)
        return reason

    def close_soon(self, socket) -> None:
        """Drop what waits for a connection now, and close it in a task of its own.

        The disconnect handlers must not run inside the handler of whichever
        event made the queue overflow (it may be another client's).
        """
        self._drop_queue(socket)
        self.start_background_task(self._close, socket)

    def _drop_queue(self, socket) -> None:
        self.closing_sids.add(socket.sid)
        empty = self.get_queue_empty_exception()
        while True:
            try:
                socket.queue.get(block=False)
            except empty:
                break
            socket.queue.task_done()

    def _close(self, socket) -> None:
        try:
            # Not waiting: the client may never read the CLOSE packet.
            socket.close(wait=False, reason=self.reason.SERVER_DISCONNECT)
        finally:
            self.sockets.pop(socket.sid, None)
            self.closing_sids.discard(socket.sid)

    def _close_unattached(self) -> None:
        """Close connections that have not authenticated in time, while there are any."""
        interval = min(1.0, self.connect_timeout / 4)
        while True:
            self.sleep(interval)
            if not self.sockets:
                break
            try:
                self._close_overdue()
            except Exception:
                log.exception("closing unauthenticated connections failed")
        self.watching = False

    def _close_overdue(self) -> None:
        now = time.monotonic()
        for sid, socket in list(self.sockets.items()):
            overdue = now - socket.queue.opened_at > self.connect_timeout
            if overdue and sid not in self.closing_sids and not self.is_attached(sid):
                log.info("closing a connection that did not authenticate in time")
                self.close_soon(socket)
