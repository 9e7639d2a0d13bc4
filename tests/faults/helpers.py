"""What fault-injection tests share: servers on a copy of one database, waiting, comparing."""

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.harness.api import HTTP_TIMEOUT, ChatApi
from tests.harness.server import ServerProcess

# Every test starts many conversations from 127.0.0.1; none of them is about
# the event limits unless it sets them itself.
BASE_ENV = {
    "CHAT_CONVERSATION_RATE": "100000 per minute",
    "CHAT_MESSAGE_RATE": "100000 per second",
    "CHAT_TYPING_RATE": "100000 per second",
    "CHAT_HISTORY_RATE": "100000 per second",
    "CHAT_JOIN_RATE": "100000 per second",
    "CHAT_PRESENCE_GRACE": "0.3",
}


def wait_until(condition, timeout: float, what: str, interval: float = 0.02):
    """Poll ``condition()`` until it is true; returns its value or fails."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}")
        time.sleep(interval)


def view(messages) -> list[tuple]:
    """What a conversation looks like on screen: order, identity, text, ticks."""
    return [(m["seq"], m["sender"], m["client_id"], m["body"], m["status"]) for m in messages]


class Chat(ChatApi):
    """A running server, its agent's API token, and its HTTP API."""

    def __init__(self, server: ServerProcess):
        super().__init__(server.url)
        self.server = server

    def assert_clean_log(self, since: int = 0, allowed: tuple[str, ...] = ()) -> None:
        """No traceback in the server log since ``since``, except for ``allowed`` errors."""
        self.server.assert_clean_log(since, allowed)


def server_on_copy(template: Path, workdir: Path, async_mode: str, env: dict) -> ServerProcess:
    """A server (not started yet) on a copy of the database in ``template``."""
    workdir.mkdir(parents=True)
    for path in template.glob("chat.db*"):
        shutil.copy(path, workdir / path.name)
    return ServerProcess(workdir, async_mode, {**BASE_ENV, **env})


@contextmanager
def chat_on_copy(template: Path, workdir: Path, async_mode: str, env: dict) -> Iterator[Chat]:
    """A server on a copy of the database in ``template``, running while in use."""
    chat = Chat(server_on_copy(template, workdir, async_mode, env).start())
    try:
        yield chat
    finally:
        chat.close()
        chat.server.stop()


def assert_gapless(messages: list[dict]) -> None:
    """``seq`` runs 1..N and each (sender, client_id) is stored once."""
    seqs = [m["seq"] for m in messages]
    assert seqs == list(range(1, len(messages) + 1)), f"gaps or duplicates: {seqs}"
    keys = [(m["sender"], m["client_id"]) for m in messages]
    assert len(set(keys)) == len(keys), "a client_id is stored twice"


def assert_converged(chat: Chat, conversation_id: int, everyone: list, timeout: float = 30.0):
    """Every client settles and shows exactly what is stored: the same
    messages in the same order with the same statuses, each received once.

    Settled means connected, caught up, the outbox empty and every receipt
    sent; both must hold at once, and still a moment later. Returns the
    stored messages.
    """

    def converged() -> bool:
        if not all(client.settled() for client in everyone):
            return False
        stored = view(chat.stored(conversation_id))
        return all(view(client.messages(conversation_id)) == stored for client in everyone)

    try:
        wait_until(converged, timeout, "every client to settle on what is stored", 0.2)
        time.sleep(0.3)
        wait_until(converged, 5, "every client to stay settled", 0.2)
    except AssertionError:
        stored = view(chat.stored(conversation_id))
        for client in everyone:
            mine = view(client.messages(conversation_id))
            assert mine == stored, f"{client!r} differs: {sorted(set(mine) ^ set(stored))}"
            assert client.settled(), f"{client!r} has not settled; outbox {client.pending()}"
        raise
    stored = chat.stored(conversation_id)
    assert_gapless(stored)
    for client in everyone:
        assert client.duplicate_events() == 0, client
        assert client.conflicts() == [], client
        assert client.failed == {}, client
    return stored


class RawPolling:
    """An Engine.IO long-polling session spoken by hand: any body can be POSTed,
    and nothing is read unless the test asks."""

    def __init__(self, url: str, timeout: float = HTTP_TIMEOUT):
        self.http = requests.Session()
        self.timeout = timeout
        base = f"{url}/socket.io/?EIO=4&transport=polling"
        opened = self.http.get(base, timeout=timeout)
        assert opened.status_code == 200, opened.text
        self.url = f"{base}&sid={json.loads(opened.text[1:])['sid']}"

    def connect(self, auth: dict) -> None:
        """Send the Socket.IO CONNECT and read its answer."""
        self.post("40" + json.dumps(auth))
        assert "40{" in self.get().text

    def post(self, body: str | bytes) -> requests.Response:
        return self.http.post(self.url, data=body, timeout=self.timeout)

    def get(self) -> requests.Response:
        return self.http.get(self.url, timeout=self.timeout)

    def close(self) -> None:
        self.http.close()


def event_packets(event: str, payload: dict, count: int, first_id: int = 1) -> str:
    """``count`` Socket.IO events with ack ids, as one long-polling body."""
    data = json.dumps([event, payload])
    return "\x1e".join(f"42{first_id + n}{data}" for n in range(count))


def resident_bytes(pid: int) -> int:
    """A process's resident memory (VmRSS), in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for process {pid}")
