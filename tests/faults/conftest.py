"""Fixtures for fault-injection tests: chat servers of their own.

A test that kills, stops, locks or cuts off a server gets one of its own
(``make_server``), started on a copy of a database prepared once per session
(``flask db upgrade`` and ``flask agents create``). Tests that only need a
server that takes a lot of traffic share ``busy_server``, one per async mode.
"""

import gc
import warnings

import pytest

from tests.faults.helpers import Chat, chat_on_copy, server_on_copy
from tests.harness.clients import (  # noqa: F401 (an autouse fixture)
    clients_read_long_polling_answers_of_any_length,
)
from tests.harness.logs import show_log_on_failure, watching
from tests.harness.pool import ClientPool
from tests.harness.server import ServerProcess

ASYNC_MODES = ["eventlet", "gevent"]


@pytest.fixture(autouse=True)
def sockets_of_lost_connections_are_collected_here():
    """When a server dies, python-engineio's client drops sockets without
    closing them; they are collected at the end of the test that lost them,
    not in whichever test the garbage collector happens to run next."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """A migrated database with one agent, copied for every server."""
    return ServerProcess(tmp_path_factory.mktemp("template")).prepare().workdir


@pytest.fixture
def make_server(request, template_database, tmp_path):
    """Start a server of this test's own: ``make_server(async_mode, **env)``.

    Returns a ``Chat`` (the server, its agent's API token and HTTP helpers).
    Servers still running at the end are killed.
    """
    chats: list[Chat] = []

    def make(async_mode: str = "eventlet", **env: str) -> Chat:
        workdir = tmp_path / f"server-{len(chats)}"
        server = server_on_copy(template_database, workdir, async_mode, env)
        show_log_on_failure(request.node, server)
        chats.append(Chat(server.start()))
        return chats[-1]

    yield make
    for chat in chats:
        chat.close()
        chat.server.kill()


@pytest.fixture(scope="session", params=ASYNC_MODES)
def busy_server(request, template_database, tmp_path_factory):
    """A shared server with generous limits, once per async mode.

    Packets are limited to 64 KiB, so that a test can send a frame that is
    too large without megabytes of traffic.
    """
    workdir = tmp_path_factory.mktemp(f"busy-{request.param}") / "server"
    env = {"CHAT_MAX_PACKET_BYTES": "65536"}
    with chat_on_copy(template_database, workdir, request.param, env) as chat:
        yield chat


@pytest.fixture
def busy(request, busy_server):
    """The shared busy server; its log must stay free of tracebacks during the test."""
    with watching(request.node, busy_server.server):
        yield busy_server


@pytest.fixture
def clients():
    """Open ``ReliableClient``s and ``LiveClient``s; all are closed at the end."""
    pool = ClientPool()
    yield pool
    pool.close_all()
