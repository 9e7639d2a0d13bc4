"""A TCP proxy on 127.0.0.1 that can lose the network between a client and the server.

Clients connect to the proxy's port instead of the server's. ``drop()`` makes
the network vanish without any close: the open connections stay open but
the bytes in one or both directions are thrown away, and new connections
are refused, so both ends find out only through their own timeouts (the
Engine.IO heartbeat). ``restore()`` lets new connections through again.
"""

import socket
import threading

BUFFER = 65536


class _Link:
    """One client connection and its connection to the server."""

    def __init__(self, downstream: socket.socket, upstream: socket.socket):
        self.downstream = downstream  # to the client
        self.upstream = upstream  # to the server
        self.drop_up = False  # client -> server bytes are thrown away
        self.drop_down = False  # server -> client bytes are thrown away

    def close(self) -> None:
        for sock in (self.downstream, self.upstream):
            _abort(sock)


def _abort(sock: socket.socket) -> None:
    """Close with a reset rather than a FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class TcpProxy:
    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.links: list[_Link] = []
        self.lock = threading.Lock()
        self.refusing = False
        self.closed = False
        self.accepted = 0
        threading.Thread(target=self._accept, name="proxy-accept", daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def drop(self, up: bool = True, down: bool = True) -> None:
        """Lose the network: bytes of open connections in the given
        directions vanish, and new connections are refused until ``restore()``."""
        with self.lock:
            self.refusing = True
            for link in self.links:
                link.drop_up = link.drop_up or up
                link.drop_down = link.drop_down or down

    def restore(self) -> None:
        """New connections go through again (the lost ones stay lost)."""
        with self.lock:
            self.refusing = False

    def close(self) -> None:
        with self.lock:
            self.closed = True
            links, self.links = self.links, []
        _abort(self.listener)
        for link in links:
            link.close()

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                refusing = self.refusing or self.closed
            if refusing:
                _abort(downstream)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                _abort(downstream)
                continue
            for sock in (downstream, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(downstream, upstream)
            with self.lock:
                self.links.append(link)
                self.accepted += 1
            threading.Thread(target=self._pump, args=(link, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(link, False), daemon=True).start()

    def _pump(self, link: _Link, up: bool) -> None:
        source, target = (
            (link.downstream, link.upstream) if up else (link.upstream, link.downstream)
        )
        while True:
            try:
                data = source.recv(BUFFER)
            except OSError:
                data = b""
            dropping = link.drop_up if up else link.drop_down
            if not data:
                # A closed end: pass the close on, unless the network is gone.
                if not dropping:
                    try:
                        target.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                return
            if dropping:
                continue
            try:
                target.sendall(data)
            except OSError:
                return
