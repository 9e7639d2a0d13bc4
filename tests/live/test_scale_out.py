"""Two server processes sharing rooms through Redis: the visitor on one, the
agent on the other, and the whole core flow between them."""

import shutil
import threading
import time
from contextlib import contextmanager

import pytest
import requests

from tests.harness.api import ChatApi
from tests.harness.clients import WAIT
from tests.harness.credentials import AGENT_NAME
from tests.harness.logs import show_log_on_failure
from tests.harness.pool import ClientPool
from tests.harness.server import ServerProcess
from tests.harness.services import Redis
from tests.live.conftest import PRESENCE_GRACE, SERVER_ENV, TYPING_TIMEOUT

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        shutil.which("redis-server") is None,
        reason="Redis is not installed (apt-get install redis-server)",
    ),
]


@contextmanager
def two_processes(
    tmp_path_factory, name: str, share_limits: bool = False, agent: bool = True, **settings
):
    """Processes A and B on one database (with the agent, unless ``agent`` is
    false), with Redis as the message queue (and, with ``share_limits``, as the
    store of the rate limits); ``settings`` go into their environment. A
    traceback in either log fails the module."""
    redis = Redis()
    url = redis.start()
    env = {**SERVER_ENV, "SOCKETIO_MESSAGE_QUEUE": url, **settings}
    if share_limits:
        env["RATELIMIT_STORAGE_URI"] = url
    first = ServerProcess(tmp_path_factory.mktemp(f"{name}-a"), env=env)
    second = ServerProcess(
        tmp_path_factory.mktemp(f"{name}-b"), env=env, database_url=first.database_url
    )
    try:
        if agent:
            first.prepare()
        else:
            first.upgrade_database()
        first.start()
        second.start()
        yield first, second
    finally:
        for process in (first, second):
            process.stop()
        redis.stop()
    for process in (first, second):
        process.assert_clean_log()


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    """Processes A and B on one database, with Redis as the message queue."""
    with two_processes(tmp_path_factory, "process") as servers:
        yield servers


@pytest.fixture(params=["websocket", "polling"])
def clients(request, two_servers):
    """``open(server, label, **auth)`` connects a client over this test's transport."""
    for server in two_servers:
        show_log_on_failure(request.node, server)
    pool = ClientPool()

    def open_client(server, label, **auth):
        return pool.live(server.url, request.param, label, **auth)

    yield open_client
    pool.close_all()


def start_conversation(server, **details):
    with ChatApi(server.url) as api:
        return api.new_conversation(**details)


def agent_token(server):
    with ChatApi(server.url) as api:
        return api.agent_token


def test_core_flow_between_a_visitor_and_an_agent_on_different_processes(two_servers, clients):
    process_a, process_b = two_servers
    started = start_conversation(process_a, name="Ana")
    cid = started.conversation_id
    agent = clients(process_b, "agent", token=agent_token(process_b))
    visitor = clients(process_a, "visitor", visitor_token=started.token)

    # Presence crosses processes: the agent sees the visitor come online,
    # and the visitor was told an agent is online.
    agent.wait_for("presence", who="visitor", online=True, conversation_id=cid)
    visitor.wait_for("presence", who="agent", online=True)
    assert agent.call("join", {"conversation_id": cid})["ok"]

    # Typing, both ways.
    assert visitor.call("typing", {"is_typing": True}) == {"ok": True}
    agent.wait_for("typing", sender="visitor", is_typing=True)
    assert agent.call("typing", {"conversation_id": cid, "is_typing": True}) == {"ok": True}
    [typing] = visitor.wait_for("typing", sender="agent", is_typing=True)
    assert typing["name"] == AGENT_NAME

    # A message each way; sending ends the sender's typing.
    sent = visitor.call("send_message", {"client_id": "v-1", "body": "Hello from A"})
    assert sent["ok"] and sent["message"]["seq"] == 1
    [arrived] = agent.wait_for("message", seq=1)
    assert arrived == sent["message"]
    agent.wait_for("typing", sender="visitor", is_typing=False)
    reply = agent.call(
        "send_message", {"conversation_id": cid, "client_id": "a-1", "body": "Hi from B"}
    )
    assert reply["message"]["seq"] == 2
    visitor.wait_for("message", seq=2, body="Hi from B")
    visitor.wait_for("typing", sender="agent", is_typing=False)

    # Receipts, both ways.
    seen = {"conversation_id": cid, "status": "seen", "up_to_seq": 1}
    assert agent.call("receipt", seen) == {"ok": True}
    visitor.wait_for("receipt", by="agent", status="seen", up_to_seq=1)
    assert visitor.call("receipt", {"status": "seen", "up_to_seq": 2}) == {"ok": True}
    agent.wait_for("receipt", by="visitor", status="seen", up_to_seq=2)

    # Summaries reach the agent on B for changes made on A.
    agent.wait_until(
        lambda client: any(
            s["id"] == cid and s["unread"] == 0 for s in client.payloads("conversation")
        ),
        what="a summary with nothing unread",
    )

    # The visitor leaves A: the agent on B sees it offline after the grace.
    visitor.disconnect()
    agent.wait_for(
        "presence", who="visitor", online=False, conversation_id=cid, timeout=WAIT + PRESENCE_GRACE
    )

    # Nothing was stored twice.
    history = visitor_history(process_b, started.token, cid)
    assert [(m["seq"], m["client_id"]) for m in history] == [(1, "v-1"), (2, "a-1")]


def test_typing_started_on_one_process_expires_for_the_other(two_servers, clients):
    process_a, process_b = two_servers
    started = start_conversation(process_a)
    cid = started.conversation_id
    agent = clients(process_b, "agent", token=agent_token(process_b))
    visitor = clients(process_a, "visitor", visitor_token=started.token)
    assert agent.call("join", {"conversation_id": cid})["ok"]

    assert visitor.call("typing", {"is_typing": True}) == {"ok": True}
    agent.wait_for("typing", sender="visitor", is_typing=True)

    # Nobody refreshes it: one of the two processes ends it, exactly once.
    agent.wait_for("typing", sender="visitor", is_typing=False, timeout=TYPING_TIMEOUT + WAIT)
    visitor.call("history", {})  # a round trip, so that any duplicate has arrived
    agent.call("history", {"conversation_id": cid})
    assert len(agent.payloads("typing", sender="visitor", is_typing=False)) == 1


def test_agents_leaving_both_processes_together_are_announced_offline_once(two_servers, clients):
    process_a, process_b = two_servers
    started = start_conversation(process_a)
    agents = [
        clients(process, "agent", token=agent_token(process))
        for process in (process_a, process_b, process_a, process_b)
    ]
    visitor = clients(process_a, "visitor", visitor_token=started.token)
    visitor.wait_for("presence", who="agent", online=True)

    leaving = [threading.Thread(target=agent.disconnect) for agent in agents]
    for thread in leaving:
        thread.start()
    for thread in leaving:
        thread.join()

    visitor.wait_for("presence", who="agent", online=False, timeout=WAIT + PRESENCE_GRACE)
    time.sleep(PRESENCE_GRACE * 3)  # time for any duplicate, from either process
    visitor.call("history", {})
    assert len(visitor.payloads("presence", who="agent", online=False)) == 1


def visitor_history(server, token, cid):
    response = requests.get(
        f"{server.url}/api/v1/conversations/{cid}/messages",
        headers={"Authorization": f"Bearer {token}"},
        timeout=WAIT,
    )
    return response.json()["messages"]


MESSAGE_RATE = 5


@pytest.fixture(scope="module")
def limited_servers(tmp_path_factory):
    """Processes A and B counting their limits in one Redis (RATELIMIT_STORAGE_URI)."""
    settings = {"CHAT_MESSAGE_RATE": f"{MESSAGE_RATE} per minute"}
    with two_processes(
        tmp_path_factory, "limited", share_limits=True, agent=False, **settings
    ) as servers:
        yield servers


def test_a_visitor_has_one_message_allowance_across_processes(limited_servers, clients):
    first, second = limited_servers
    visitor = start_conversation(first, name="Ana")
    token = visitor.token
    tabs = [
        clients(server, f"tab on {server.port}", visitor_token=token) for server in (first, second)
    ]

    acks = [
        tabs[n % 2].call("send_message", {"client_id": f"c-{n}", "body": "Hi"})
        for n in range(MESSAGE_RATE + 2)
    ]

    assert [ack["ok"] for ack in acks] == [True] * MESSAGE_RATE + [False, False]
    assert {ack["error"]["code"] for ack in acks[MESSAGE_RATE:]} == {"rate_limited"}
    # Another visitor's allowance is its own.
    other = start_conversation(second, name="Bo")
    stranger = clients(second, "stranger", visitor_token=other.token)
    assert stranger.call("send_message", {"client_id": "c-1", "body": "Hi"})["ok"]
