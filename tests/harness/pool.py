"""The clients a test opens against a real server, closed together at the end."""

import threading

from tests.harness.clients import LiveClient
from tests.harness.reliable_client import ReliableClient


class ClientPool:
    """Opens ``LiveClient``s and ``ReliableClient``s; ``close_all`` closes them in parallel."""

    def __init__(self):
        self.opened: list = []

    def add(self, client):
        self.opened.append(client)
        return client

    def live(
        self,
        url: str,
        transport: str,
        label: str = "client",
        connect: bool = True,
        reconnection: bool = False,
        **auth,
    ) -> LiveClient:
        """A ``LiveClient`` of ``url``, connected unless ``connect`` is false."""
        client = self.add(LiveClient(url, transport, auth or None, label, reconnection))
        return client.connect() if connect else client

    def visitor(
        self, url: str, transport: str, conversation_id: int, token: str, label="tab", **options
    ) -> ReliableClient:
        """A visitor's tab with the chat on screen: it sends delivered and seen
        receipts. Not started yet."""
        options.setdefault("receipts", ("delivered", "seen"))
        return self.add(
            ReliableClient(
                url,
                transport,
                visitor_token=token,
                conversation_id=conversation_id,
                label=label,
                **options,
            )
        )

    def agent(
        self, url: str, transport: str, token: str, follow: tuple, label="desk", **options
    ) -> ReliableClient:
        """An agent following the conversations ``follow``. Not started yet."""
        return self.add(
            ReliableClient(
                url, transport, agent_token=token, follow=tuple(follow), label=label, **options
            )
        )

    def close_all(self) -> None:
        # In parallel: a client's close handshake may wait for the server.
        closing = [threading.Thread(target=client.close) for client in self.opened]
        for thread in closing:
            thread.start()
        for thread in closing:
            thread.join(10)
