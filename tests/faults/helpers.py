"""What fault-injection tests share: a server's HTTP API, waiting, comparing."""

import json
import threading
import time

import requests

from tests.live.conftest import AGENT_EMAIL, AGENT_PASSWORD, LiveClient
from tests.live.server import ServerProcess

HTTP_TIMEOUT = 10.0


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


class Chat:
    """A running server, its agent's API token, and its HTTP API."""

    def __init__(self, server: ServerProcess):
        self.server = server
        self.http = requests.Session()
        self._token: str | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def close(self) -> None:
        self.http.close()

    @property
    def agent_token(self) -> str:
        if self._token is None:
            response = self.http.post(
                f"{self.url}/api/v1/tokens",
                auth=(AGENT_EMAIL, AGENT_PASSWORD),
                timeout=HTTP_TIMEOUT,
            )
            assert response.status_code == 200, response.text
            self._token = response.json()["token"]
        return self._token

    def new_conversation(self, **details) -> tuple[int, str]:
        """Start a conversation as a new visitor: (conversation_id, visitor_token)."""
        response = self.http.post(
            f"{self.url}/api/v1/conversations", json=details or None, timeout=HTTP_TIMEOUT
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return body["conversation_id"], body["visitor_token"]

    def stored(self, conversation_id: int) -> list[dict]:
        """Every stored message of a conversation, read page by page over the API."""
        messages: list[dict] = []
        after = 0
        while True:
            response = self.http.get(
                f"{self.url}/api/v1/conversations/{conversation_id}/messages",
                params={"after_seq": after, "limit": 100},
                headers={"Authorization": f"Bearer {self.agent_token}"},
                timeout=HTTP_TIMEOUT,
            )
            assert response.status_code == 200, response.text
            page = response.json()
            messages += page["messages"]
            if not page["has_more"] or not page["messages"]:
                return messages
            after = page["messages"][-1]["seq"]

    def summary(self, conversation_id: int) -> dict:
        response = self.http.get(
            f"{self.url}/api/v1/conversations",
            params={"limit": 200},
            headers={"Authorization": f"Bearer {self.agent_token}"},
            timeout=HTTP_TIMEOUT,
        )
        assert response.status_code == 200, response.text
        for summary in response.json()["conversations"]:
            if summary["id"] == conversation_id:
                return summary
        raise AssertionError(f"conversation {conversation_id} is not in the inbox")

    def assert_clean_log(self, since: int = 0, allowed: tuple[str, ...] = ()) -> None:
        """No traceback in the server log since ``since``, except for ``allowed`` errors."""
        logged = self.server.log_text(since)
        blocks = logged.split("Traceback (most recent call last):")[1:]
        unexpected = [block for block in blocks if not any(snippet in block for snippet in allowed)]
        assert not unexpected, "the server logged an error:\n" + logged[-4000:]


def assert_gapless(messages: list[dict]) -> None:
    """``seq`` runs 1..N and each (sender, client_id) is stored once."""
    seqs = [m["seq"] for m in messages]
    assert seqs == list(range(1, len(messages) + 1)), f"gaps or duplicates: {seqs}"
    keys = [(m["sender"], m["client_id"]) for m in messages]
    assert len(set(keys)) == len(keys), "a client_id is stored twice"


class ClientPool:
    """Clients a test opened; closed together (in parallel) at the end."""

    def __init__(self):
        self.opened: list = []

    def add(self, client):
        self.opened.append(client)
        return client

    def live(self, url: str, transport: str, label: str, **auth) -> LiveClient:
        """A connected ``LiveClient`` (records events; no reconnection)."""
        client = self.add(LiveClient(url, transport, auth or None, label))
        return client.connect()

    def close_all(self) -> None:
        closing = [threading.Thread(target=client.close) for client in self.opened]
        for thread in closing:
            thread.start()
        for thread in closing:
            thread.join(10)


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
