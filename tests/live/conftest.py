"""Fixtures for tests against a real server process with real Socket.IO clients.

``live_server`` runs ``python wsgi.py`` once per async mode (eventlet, gevent)
for the whole session, on a database made by ``flask db upgrade`` with an
agent made by ``flask agents create``. Every test that uses ``live_client``
runs over WebSocket and over long-polling only.
"""

import pytest

from tests.harness.api import ChatApi, Visitor
from tests.harness.clients import (  # noqa: F401 (an autouse fixture)
    LiveClient,
    clients_read_long_polling_answers_of_any_length,
)
from tests.harness.logs import watching
from tests.harness.pool import ClientPool
from tests.harness.server import ServerProcess

# Short timings keep the typing and presence tests fast. Every test starts
# conversations from 127.0.0.1, more than the default rate allows, and the
# one agent of the session acts in every test, more than its default allowance.
TYPING_TIMEOUT = 1.0
PRESENCE_GRACE = 1.0  # a reload (disconnect, connect) fits in it on a busy machine
SERVER_ENV = {
    "CHAT_TYPING_TIMEOUT": str(TYPING_TIMEOUT),
    "CHAT_PRESENCE_GRACE": str(PRESENCE_GRACE),
    "CHAT_CONVERSATION_RATE": "10000 per minute",
    "CHAT_MESSAGE_RATE": "10000 per minute",
    "CHAT_TYPING_RATE": "10000 per minute",
    "CHAT_HISTORY_RATE": "10000 per minute",
    "CHAT_JOIN_RATE": "10000 per minute",
}


@pytest.fixture(scope="session", params=["eventlet", "gevent"])
def live_server(request, tmp_path_factory):
    """The chat server, started the way the quick start says, once per async mode."""
    server = ServerProcess(
        tmp_path_factory.mktemp(f"live-{request.param}"), request.param, SERVER_ENV
    )
    server.prepare().start()
    yield server
    server.stop()


@pytest.fixture
def server(request, live_server):
    """The live server; a traceback in its log during the test fails the test."""
    with watching(request.node, live_server) as server:
        yield server


@pytest.fixture(scope="session")
def live_api(live_server):
    """The live server's HTTP API."""
    api = ChatApi(live_server.url)
    yield api
    api.close()


@pytest.fixture(scope="session")
def agent_api_token(live_api):
    """An API token of the agent, from ``POST /api/v1/tokens`` with HTTP Basic."""
    return live_api.agent_token


@pytest.fixture
def start_conversation(server, live_api):
    """Start a conversation as a new visitor over HTTP; returns a ``Visitor``."""
    return live_api.new_conversation


@pytest.fixture
def live_client(server, transport):
    """Open clients of the live server over this test's transport.

    ``live_client(label, **auth)`` returns a connected ``LiveClient``; pass
    ``connect=False`` for one that has not connected yet, ``reconnection=True``
    for one that reconnects by itself (after a server restart). All are
    closed at the end.
    """
    pool = ClientPool()

    def open_client(label: str = "client", **options) -> LiveClient:
        return pool.live(server.url, transport, label, **options)

    yield open_client
    pool.close_all()


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
