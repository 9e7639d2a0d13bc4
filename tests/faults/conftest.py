"""Fixtures for fault-injection tests: chat servers of their own.

A test that kills, stops, locks or cuts off a server gets one of its own
(``make_server``), started on a copy of a database prepared once per session
(``flask db upgrade`` and ``flask agents create``). Tests that only need a
server that takes a lot of traffic share ``busy_server``, one per async mode.
"""

import gc
import shutil
import warnings

import pytest

from tests.faults.helpers import Chat
from tests.live.conftest import (  # noqa: F401 (an autouse fixture)
    AGENT_EMAIL,
    AGENT_NAME,
    AGENT_PASSWORD,
    clients_read_long_polling_answers_of_any_length,
)
from tests.live.server import ServerProcess

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
ASYNC_MODES = ["eventlet", "gevent"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the tail of each server's log to the report of a failing test."""
    report = yield
    if report.failed:
        for server in getattr(item, "chat_servers", []):
            report.sections.append((f"server log ({server.log_path})", server.log_tail(60)))
    return report


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
    server = ServerProcess(tmp_path_factory.mktemp("template"))
    server.upgrade_database()
    server.create_agent(AGENT_EMAIL, AGENT_NAME, AGENT_PASSWORD)
    return server.workdir


def _new_server(template, workdir, async_mode, env) -> ServerProcess:
    workdir.mkdir(parents=True)
    for path in template.glob("chat.db*"):
        shutil.copy(path, workdir / path.name)
    return ServerProcess(workdir, async_mode, {**BASE_ENV, **env})


@pytest.fixture
def make_server(request, template_database, tmp_path):
    """Start a server of this test's own: ``make_server(async_mode, **env)``.

    Returns a ``Chat`` (the server, its agent's API token and HTTP helpers).
    Servers still running at the end are killed.
    """
    chats: list[Chat] = []
    request.node.chat_servers = []

    def make(async_mode: str = "eventlet", **env: str) -> Chat:
        server = _new_server(template_database, tmp_path / f"server-{len(chats)}", async_mode, env)
        request.node.chat_servers.append(server)
        server.start()
        chat = Chat(server)
        chats.append(chat)
        return chat

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
    server = _new_server(
        template_database, workdir, request.param, {"CHAT_MAX_PACKET_BYTES": "65536"}
    )
    server.start()
    chat = Chat(server)
    yield chat
    chat.close()
    server.stop()


@pytest.fixture
def busy(request, busy_server):
    """The shared busy server; its log must stay free of tracebacks during the test."""
    request.node.chat_servers = [busy_server.server]
    offset = busy_server.server.log_size()
    yield busy_server
    assert busy_server.server.running, busy_server.server.log_tail()
    busy_server.assert_clean_log(since=offset)


@pytest.fixture(params=["websocket", "polling"])
def transport(request):
    return request.param


@pytest.fixture
def clients():
    """Open ``ReliableClient``s and ``LiveClient``s; all are closed at the end."""
    from tests.faults.helpers import ClientPool

    pool = ClientPool()
    yield pool
    pool.close_all()
