"""The desk's lifecycle against two real server processes on one database:
snoozes end exactly once, whichever process notices first, and a real
visitor client never receives an activity line or a note."""

import shutil
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.harness.api import ChatApi
from tests.harness.clients import WAIT
from tests.harness.logs import show_log_on_failure
from tests.harness.pool import ClientPool
from tests.live.test_scale_out import agent_token, start_conversation, two_processes

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        shutil.which("redis-server") is None,
        reason="Redis is not installed (apt-get install redis-server)",
    ),
]

SNOOZED_CHATS = 12
SECRET = "Refund approved; do not tell the customer yet"


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    with two_processes(tmp_path_factory, "lifecycle", CHAT_DESK_RATE="10000 per minute") as pair:
        yield pair


@pytest.fixture
def clients(request, two_servers):
    for server in two_servers:
        show_log_on_failure(request.node, server)
    pool = ClientPool()

    def open_client(server, label, **auth):
        return pool.live(server.url, "websocket", label, **auth)

    yield open_client
    pool.close_all()


def test_snoozes_that_end_together_reopen_once_each(two_servers, clients):
    """Both processes' maintenance loops race for the same due snoozes."""
    process_a, process_b = two_servers
    # A socket on each process starts its maintenance loop.
    agents = [clients(p, f"agent-{p.url}", token=agent_token(p)) for p in two_servers]
    chats = [start_conversation(process_a).conversation_id for _ in range(SNOOZED_CHATS)]
    until = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    for index, cid in enumerate(chats):
        acting = agents[index % 2]
        assert acting.call("snooze", {"conversation_id": cid, "until": until})["ok"]

    for agent in agents:
        agent.wait_for("activity", count=SNOOZED_CHATS, kind="reopened", timeout=WAIT + 3)
    time.sleep(2.5)  # both loops pass again (once a second): time for any duplicate

    for agent in agents:
        woken = agent.payloads("activity", kind="reopened")
        assert sorted(line["conversation_id"] for line in woken) == chats
        assert all(line["body"] == "snooze ended" and line["actor"] is None for line in woken)
    with ChatApi(process_b.url) as api:
        for cid in chats:
            transcript = api.api("GET", f"/conversations/{cid}/transcript").json()
            kinds = [line["kind"] for line in transcript["activities"]]
            assert kinds == ["snoozed", "reopened"], (cid, kinds)
            assert transcript["conversation"]["state"] == "open"


def test_a_real_visitor_receives_state_but_no_note_or_activity(two_servers, clients):
    process_a, process_b = two_servers
    started = start_conversation(process_a, name="Ana")
    cid = started.conversation_id
    visitor = clients(process_a, "visitor", visitor_token=started.token)
    agent = clients(process_b, "agent", token=agent_token(process_b))
    assert visitor.call("send_message", {"client_id": "v-1", "body": "Hi"})["ok"]
    agent.wait_for("message", conversation_id=cid)

    note = {"conversation_id": cid, "client_id": "n-1", "body": SECRET}
    assert agent.call("add_note", note)["ok"]
    assert agent.call("resolve", {"conversation_id": cid})["ok"]
    visitor.wait_for("chat_state", state="resolved")
    assert visitor.call("send_message", {"client_id": "v-2", "body": "One more thing"})["ok"]
    visitor.wait_for("chat_state", state="open")
    agent.wait_for("activity", kind="reopened", conversation_id=cid)
    page = visitor.call("history", {})

    assert page["ok"] and "activities" not in page
    names = {name for name, _payload in visitor.events()}
    assert "activity" not in names
    assert SECRET not in repr(visitor.events())
    kinds = [line["kind"] for line in agent.payloads("activity", conversation_id=cid)]
    assert kinds == ["note", "resolved", "reopened"]
