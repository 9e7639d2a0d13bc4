"""Resolve, reopen and snooze: by socket and API, what each side then sees,
the visitor's message that reopens, and snoozes that end by themselves."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app import db
from app.clock import iso, utcnow
from app.models import Activity, Conversation
from app.services import lifecycle, messages
from tests.conftest import database_state, events
from tests.harness.statements import statements_of
from tests.test_events import drain, error_code, wait_for

MISSING = 10_000


def in_hours(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def received(socket) -> dict[str, list]:
    """Every event a test client received since the last look, by name."""
    by_name: dict[str, list] = {}
    for event in socket.get_received():
        # The test client keeps a ``message`` event's payload unwrapped.
        payload = event["args"] if event["name"] == "message" else event["args"][0]
        by_name.setdefault(event["name"], []).append(payload)
    return by_name


def lines(conversation_id) -> list[Activity]:
    db.session.rollback()
    query = sa.select(Activity).where(Activity.conversation_id == conversation_id)
    return list(db.session.scalars(query.order_by(Activity.id)))


def state_of(conversation_id) -> tuple[str, datetime | None]:
    db.session.rollback()
    row = db.session.get(Conversation, conversation_id)
    return row.state, row.snoozed_until


@pytest.fixture
def chat(new_visitor, connect, agent_token):
    """A visitor who wrote once, its socket, and an agent socket."""
    cid, token = new_visitor(name="Ana")
    visitor = connect(visitor_token=token)
    assert visitor.emit("send_message", {"client_id": "v1", "body": "Hi"}, callback=True)["ok"]
    agent = connect(token=agent_token)
    drain(visitor, agent)
    return {"id": cid, "token": token, "visitor": visitor, "agent": agent}


def act(socket, event, cid, **extra):
    return socket.emit(event, {"conversation_id": cid, **extra}, callback=True)


# --- resolve, reopen, snooze ---------------------------------------------------


def test_resolve_tells_every_agent_and_the_visitor(chat, connect, agent_token):
    other_agent = connect(token=agent_token)
    drain(other_agent)

    ack = act(chat["agent"], "resolve", chat["id"])

    assert ack["ok"] and ack["conversation"]["state"] == "resolved", ack
    line = ack["activity"]
    assert line["kind"] == "resolved" and line["actor"] == {"name": "Tess"}
    assert line["after_seq"] == 1
    for socket in (chat["agent"], other_agent):
        got = received(socket)
        assert got["activity"] == [line]
        assert [summary["state"] for summary in got["conversation"]] == ["resolved"]
    to_visitor = received(chat["visitor"])
    assert [state["state"] for state in to_visitor["chat_state"]] == ["resolved"]
    assert "activity" not in to_visitor


def test_repeating_a_change_answers_ok_and_records_nothing(chat):
    assert act(chat["agent"], "resolve", chat["id"])["activity"] is not None
    drain(chat["agent"], chat["visitor"])

    again = act(chat["agent"], "resolve", chat["id"])

    assert again["ok"] and again["activity"] is None
    assert again["conversation"]["state"] == "resolved"
    assert [line.kind for line in lines(chat["id"])] == ["resolved"]
    assert events(chat["agent"], "activity") == []
    assert events(chat["visitor"], "chat_state") == []


def test_reopen_by_an_agent_names_the_agent(chat):
    act(chat["agent"], "resolve", chat["id"])

    ack = act(chat["agent"], "reopen", chat["id"])

    assert ack["conversation"]["state"] == "open"
    assert ack["activity"]["kind"] == "reopened" and ack["activity"]["actor"] == {"name": "Tess"}
    assert act(chat["agent"], "reopen", chat["id"])["activity"] is None


def test_snooze_stores_the_time_and_shows_it(chat):
    until = in_hours(2)

    ack = act(chat["agent"], "snooze", chat["id"], until=until)

    # The time, to the millisecond, in the protocol's format.
    expected = iso(datetime.fromisoformat(until).astimezone(UTC).replace(tzinfo=None))
    assert ack["conversation"]["state"] == "snoozed"
    assert ack["conversation"]["snoozed_until"] == expected
    assert ack["activity"]["kind"] == "snoozed" and ack["activity"]["body"] == expected
    assert act(chat["agent"], "snooze", chat["id"], until=until)["activity"] is None
    assert act(chat["agent"], "snooze", chat["id"], until=in_hours(3))["activity"] is not None


@pytest.mark.parametrize(
    "until",
    [
        pytest.param(in_hours(-1), id="an-hour-ago"),
        pytest.param(in_hours(24 * 91), id="in-91-days"),
        "2026-01-01T09:00:00",  # no offset
        "tomorrow",
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+14:00",
        "2" * 41,
        5,
        None,
    ],
)
def test_snooze_until_a_bad_time_is_invalid(chat, until):
    before = database_state()

    assert error_code(act(chat["agent"], "snooze", chat["id"], until=until)) == "invalid"
    assert database_state() == before


def test_snooze_up_to_the_limit_is_taken(chat):
    until = in_hours(24 * 90 - 0.1)

    assert act(chat["agent"], "snooze", chat["id"], until=until)["ok"]


def test_a_chat_the_visitor_ended_is_final(chat, client):
    headers = {"Authorization": f"Bearer {chat['token']}"}
    ended = client.post(f"/api/v1/conversations/{chat['id']}/end", headers=headers)
    assert ended.status_code == 204

    for event, extra in (("resolve", {}), ("reopen", {}), ("snooze", {"until": in_hours(1)})):
        assert error_code(act(chat["agent"], event, chat["id"], **extra)) == "conflict"
    assert lines(chat["id"]) == []


@pytest.mark.parametrize("event", ["resolve", "reopen", "snooze", "add_note"])
def test_visitors_may_not_change_the_state_or_write_notes(chat, event):
    payload = {"until": in_hours(1), "client_id": "n1", "body": "x"}

    assert error_code(act(chat["visitor"], event, chat["id"], **payload)) == "forbidden"
    assert state_of(chat["id"]) == ("open", None)
    assert lines(chat["id"]) == []


@pytest.mark.parametrize("event", ["resolve", "reopen", "snooze"])
def test_a_missing_conversation_is_not_found(chat, event):
    assert error_code(act(chat["agent"], event, MISSING, until=in_hours(1))) == "not_found"


def test_desk_events_are_rate_limited(app, chat):
    app.config["CHAT_DESK_RATE"] = "3 per minute"
    for event in ("resolve", "reopen", "resolve"):
        assert act(chat["agent"], event, chat["id"])["ok"]

    assert error_code(act(chat["agent"], "reopen", chat["id"])) == "rate_limited"
    assert state_of(chat["id"])[0] == "resolved"


# --- the visitor's next message -------------------------------------------------


@pytest.mark.parametrize("how", ["resolve", "snooze"])
def test_the_visitors_next_message_reopens(chat, how):
    act(chat["agent"], how, chat["id"], until=in_hours(1))
    drain(chat["agent"], chat["visitor"])

    ack = chat["visitor"].emit("send_message", {"client_id": "v2", "body": "Again"}, callback=True)

    assert ack["ok"]
    assert state_of(chat["id"]) == ("open", None)
    got = received(chat["agent"])
    [line] = got["activity"]
    assert line["kind"] == "reopened" and line["actor"] is None and line["after_seq"] == 2
    assert [summary["state"] for summary in got["conversation"]] == ["open"]
    assert [state["state"] for state in received(chat["visitor"])["chat_state"]] == ["open"]


def test_a_retried_visitor_message_reopens_nothing_twice(chat):
    act(chat["agent"], "resolve", chat["id"])
    payload = {"client_id": "v2", "body": "Again"}
    chat["visitor"].emit("send_message", payload, callback=True)
    act(chat["agent"], "resolve", chat["id"])

    assert chat["visitor"].emit("send_message", payload, callback=True)["ok"]

    assert state_of(chat["id"])[0] == "resolved"
    assert [line.kind for line in lines(chat["id"])] == ["resolved", "reopened", "resolved"]


def test_an_agents_message_leaves_a_resolved_chat_resolved(chat):
    act(chat["agent"], "resolve", chat["id"])

    reply = {"conversation_id": chat["id"], "client_id": "a1", "body": "Anything else?"}
    assert chat["agent"].emit("send_message", reply, callback=True)["ok"]

    assert state_of(chat["id"])[0] == "resolved"
    assert [line.kind for line in lines(chat["id"])] == ["resolved"]


# --- snoozes that end ------------------------------------------------------------


def snooze_then_pass(cid, agent_id=None, minutes=5):
    """Snooze a chat, then move its end into the past (as time would)."""
    lifecycle.snooze(cid, lifecycle.Actor(agent_id, "Tess"), utcnow() + timedelta(hours=1))
    db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == cid)
        .values(snoozed_until=utcnow() - timedelta(minutes=minutes))
    )
    db.session.commit()


def test_a_due_snooze_reopens_once(chat):
    snooze_then_pass(chat["id"])

    woken = lifecycle.wake_due_snoozes()

    assert [(line.kind, line.actor_name, line.body) for line in woken] == [
        ("reopened", None, "snooze ended")
    ]
    assert state_of(chat["id"]) == ("open", None)
    assert lifecycle.wake_due_snoozes() == []


def test_a_snooze_not_yet_due_sleeps_on(chat):
    act(chat["agent"], "snooze", chat["id"], until=in_hours(1))

    assert lifecycle.wake_due_snoozes() == []
    assert state_of(chat["id"])[0] == "snoozed"


def test_a_snooze_that_ended_reopens_while_the_server_runs(chat):
    snooze_then_pass(chat["id"])
    drain(chat["agent"], chat["visitor"])

    line = wait_for(chat["visitor"], "chat_state", state="open")

    got = received(chat["agent"])
    [line] = got["activity"]
    assert line["kind"] == "reopened" and line["body"] == "snooze ended" and line["actor"] is None
    assert [summary["state"] for summary in got["conversation"]] == ["open"]


def test_a_visitor_who_ended_a_snoozed_chat_is_not_woken(chat, client):
    snooze_then_pass(chat["id"])
    headers = {"Authorization": f"Bearer {chat['token']}"}
    client.post(f"/api/v1/conversations/{chat['id']}/end", headers=headers)

    assert lifecycle.wake_due_snoozes() == []


# --- the API -------------------------------------------------------------------


@pytest.fixture
def api(client, agent_token):
    def call(path, json=None, token=agent_token):
        headers = {"Authorization": f"Bearer {token}"}
        return client.post(f"/api/v1/conversations/{path}", json=json, headers=headers)

    return call


def test_api_resolve_reopen_snooze(chat, api):
    cid = chat["id"]
    resolved = api(f"{cid}/resolve")
    assert resolved.status_code == 200 and resolved.json["conversation"]["state"] == "resolved"
    assert events(chat["agent"], "activity")[-1]["kind"] == "resolved"
    assert api(f"{cid}/resolve").json["activity"] is None
    assert api(f"{cid}/reopen").json["conversation"]["state"] == "open"
    snoozed = api(f"{cid}/snooze", {"until": in_hours(1)})
    assert snoozed.status_code == 200 and snoozed.json["conversation"]["state"] == "snoozed"
    assert events(chat["visitor"], "chat_state")[-1]["state"] == "snoozed"


@pytest.mark.parametrize("body", [None, {}, {"until": in_hours(-1)}, {"until": 3}, []])
def test_api_snooze_with_a_bad_body_is_400(chat, api, body):
    response = api(f"{chat['id']}/snooze", body)

    assert response.status_code == 400 and response.json["error"]["code"] == "invalid"


def test_api_answers_404_409_and_403(chat, api, client):
    assert api(f"{MISSING}/resolve").status_code == 404
    assert api(f"{chat['id']}/resolve", token=chat["token"]).status_code == 403
    headers = {"Authorization": f"Bearer {chat['token']}"}
    client.post(f"/api/v1/conversations/{chat['id']}/end", headers=headers)
    response = api(f"{chat['id']}/resolve")
    assert response.status_code == 409 and response.json["error"]["code"] == "conflict"


def test_api_without_credentials_is_401(chat, client):
    response = client.post(f"/api/v1/conversations/{chat['id']}/resolve")

    assert response.status_code == 401
    assert state_of(chat["id"])[0] == "open"


def test_api_desk_changes_share_the_agents_rate(app, chat, api):
    app.config["CHAT_DESK_RATE"] = "2 per minute"
    assert act(chat["agent"], "resolve", chat["id"])["ok"]
    assert api(f"{chat['id']}/reopen").status_code == 200

    response = api(f"{chat['id']}/resolve")

    assert response.status_code == 429 and response.json["error"]["code"] == "rate_limited"


# --- the hot path ----------------------------------------------------------------


def test_a_message_to_an_open_chat_costs_what_it_did(chat):
    db.session.rollback()

    ran = statements_of(lambda: messages.post_message(chat["id"], "visitor", "Ana", "v9", "Hi"))

    # Reserve the seq (reading the state in the same statement), insert.
    assert ran == ["UPDATE", "INSERT"]


def test_a_visitor_message_to_a_resolved_chat_also_reopens_it(chat):
    act(chat["agent"], "resolve", chat["id"])
    db.session.rollback()

    ran = statements_of(lambda: messages.post_message(chat["id"], "visitor", "Ana", "v9", "Hi"))

    assert ran == ["UPDATE", "INSERT", "UPDATE", "SELECT", "INSERT"]
    assert state_of(chat["id"])[0] == "open"


def test_a_resolved_chat_no_longer_waits_for_an_answer(app):
    from app.services import conversations

    conversation, _token = conversations.create_conversation(name="Ana")
    messages.post_message(conversation.id, "visitor", "Ana", "c1", "hello?")
    tess = lifecycle.Actor(agent_id=None, name="Tess")

    lifecycle.resolve(conversation.id, tess)

    db.session.expire_all()
    assert db.session.get(Conversation, conversation.id).waiting_since is None
