"""Availability and automatic assignment across two server processes sharing
rooms through Redis: the visitor's "We're online" follows agents who turn
away or back on another process, and new chats arriving on both processes
at once are shared out in turn, each once."""

import sqlite3
import threading
import time
from collections import Counter

import pytest
import requests

from tests.harness.api import ChatApi
from tests.harness.clients import WAIT
from tests.harness.logs import show_log_on_failure
from tests.harness.pool import ClientPool
from tests.live.conftest import PRESENCE_GRACE
from tests.live.test_scale_out import pytestmark as scale_out_marks
from tests.live.test_scale_out import two_processes

pytestmark = scale_out_marks

BEN = ("ben@example.com", "Ben", "another horse battery")


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    """Processes A and B on one database with Tess and Ben, desk assigning
    automatically."""
    with two_processes(tmp_path_factory, "availability") as (first, second):
        first.create_agent(*BEN)
        with sqlite3.connect(first.database_path) as database:
            database.execute("INSERT INTO settings (key, value) VALUES ('auto_assign', 'true')")
        yield first, second


@pytest.fixture
def clients(request, two_servers):
    for server in two_servers:
        show_log_on_failure(request.node, server)
    pool = ClientPool()
    yield lambda server, label, **auth: pool.live(server.url, "websocket", label, **auth)
    pool.close_all()


def token_of(server, email=None, password=None) -> str:
    if email is None:
        with ChatApi(server.url) as api:
            return api.agent_token
    response = requests.post(f"{server.url}/api/v1/tokens", auth=(email, password), timeout=WAIT)
    return response.json()["token"]


def set_available(server, token, available: bool) -> None:
    response = requests.put(
        f"{server.url}/api/v1/agents/me/availability",
        json={"available": available},
        headers={"Authorization": f"Bearer {token}"},
        timeout=WAIT,
    )
    assert response.status_code == 200, response.text


def test_visitors_hear_an_agent_turn_away_and_back_once_across_processes(two_servers, clients):
    process_a, process_b = two_servers
    tess_token = token_of(process_a)
    ben_token = token_of(process_a, BEN[0], BEN[2])
    set_available(process_a, ben_token, False)  # only Tess answers in this test
    try:
        with ChatApi(process_a.url) as api:
            started = api.new_conversation()
        tess = clients(process_b, "tess", token=tess_token)
        visitor = clients(process_a, "visitor", visitor_token=started.token)
        visitor.wait_for("presence", who="agent", online=True)

        set_available(process_a, tess_token, False)  # over HTTP, on the other process

        visitor.wait_for("presence", who="agent", online=False, timeout=WAIT + PRESENCE_GRACE)
        tess.call("set_availability", {"available": True})
        visitor.wait_for("presence", who="agent", online=True, count=2)
        time.sleep(PRESENCE_GRACE * 3)  # time for any duplicate, from either process
        visitor.call("history", {})
        assert len(visitor.payloads("presence", who="agent", online=False)) == 1
        assert len(visitor.payloads("presence", who="agent", online=True)) == 2
        roster = tess.wait_for("agents")[-1]["agents"]
        assert {agent["name"]: agent["available"] for agent in roster}["Tess"] is True
    finally:
        set_available(process_a, tess_token, True)
        set_available(process_a, ben_token, True)


def test_new_chats_on_both_processes_at_once_are_shared_out_in_turn(two_servers, clients):
    process_a, process_b = two_servers
    tess = clients(process_a, "tess", token=token_of(process_a))
    clients(process_b, "ben", token=token_of(process_b, BEN[0], BEN[2]))
    with ChatApi(process_a.url) as api:
        started = [api.new_conversation() for _ in range(8)]
    visitors = [
        clients((process_a, process_b)[n % 2], f"visitor {n}", visitor_token=chat.token)
        for n, chat in enumerate(started)
    ]
    barrier = threading.Barrier(len(visitors))

    def first_message(visitor):
        barrier.wait()
        assert visitor.call("send_message", {"client_id": "c-1", "body": "Hi"})["ok"]

    threads = [threading.Thread(target=first_message, args=(v,)) for v in visitors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with ChatApi(process_a.url) as api:
        summaries = {summary["id"]: summary for summary in api.summaries()}
        assignees = [summaries[chat.conversation_id]["assignee"] for chat in started]
    lines = tess.wait_for("activity", count=len(started), kind="assigned")
    time.sleep(PRESENCE_GRACE)  # time for any second line
    assert len(tess.payloads("activity")) == len(started)
    assert {line["conversation_id"] for line in lines} == {c.conversation_id for c in started}
    assert Counter(assignee["name"] for assignee in assignees) == {"Tess": 4, "Ben": 4}
    for n, visitor in enumerate(visitors):
        name = assignees[n]["name"]
        visitor.wait_for("chat_state", agent={"name": name, "available": True})
