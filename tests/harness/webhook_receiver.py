"""A real HTTP server on a loopback port that receives webhooks, for tests.

``mode`` says how it answers each POST: "ok" (204), "fail" (500), "hang"
(answers nothing for ``hang_seconds``) or "redirect" (302 to the cloud's
metadata address). Every request is kept, received or
not, with its headers and body.
"""

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    headers: dict
    body: str


class Receiver:
    def __init__(self, server: ThreadingHTTPServer):
        self.server = server
        self.mode = "ok"
        self.hang_seconds = 2.0
        self.requests: list[Received] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks"

    def ids(self) -> list[str]:
        with self.lock:
            return [request.headers["Webhook-Id"] for request in self.requests]

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.02)
        raise TimeoutError(f"{len(self.requests)} requests, not {count}")


def _handler(receiver_of):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            receiver = receiver_of()
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            with receiver.lock:
                receiver.requests.append(Received(dict(self.headers), body))
            if receiver.mode == "hang":
                time.sleep(receiver.hang_seconds)
            try:
                self.send_response({"fail": 500, "redirect": 302}.get(receiver.mode, 204))
                if receiver.mode == "redirect":
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data")
                self.end_headers()
            except OSError:  # the sender gave up waiting
                pass

        def log_message(self, *args):
            pass

    return Handler


@contextmanager
def webhook_receiver():
    """Start a receiver on a free loopback port; stopped at the end."""
    holder = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(lambda: holder["receiver"]))
    server.daemon_threads = True
    holder["receiver"] = receiver = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
