"""Private notes: stored once per client_id, shown to every agent, and never
sent to the visitor by any path (docs/security.md, "Private notes").

Each path a visitor reads the conversation by has its own test: socket
events, the history ack, the REST messages and transcript, the summary's
last message, unread counts and receipts, and chat_state.
"""

import pytest
import sqlalchemy as sa

from app import db
from app.models import Activity, Conversation
from tests.message_bodies import BLANK, SENDABLE, TOO_LONG
from tests.test_events import drain, error_code
from tests.test_lifecycle import received

SECRET = "Refund approved; do not tell the customer yet"
MISSING = 10_000


def notes_of(conversation_id) -> list[Activity]:
    db.session.rollback()
    query = sa.select(Activity).where(
        Activity.conversation_id == conversation_id, Activity.kind == "note"
    )
    return list(db.session.scalars(query.order_by(Activity.id)))


def note(socket, cid, body=SECRET, client_id="n1"):
    payload = {"conversation_id": cid, "client_id": client_id, "body": body}
    return socket.emit("add_note", payload, callback=True)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def chat(new_visitor, connect, agent_token):
    """A conversation of two messages, its visitor's socket and an agent's."""
    cid, token = new_visitor(name="Ana")
    visitor = connect(visitor_token=token)
    assert visitor.emit("send_message", {"client_id": "v1", "body": "Hi"}, callback=True)["ok"]
    agent = connect(token=agent_token)
    reply = {"conversation_id": cid, "client_id": "a1", "body": "Hello"}
    assert agent.emit("send_message", reply, callback=True)["ok"]
    drain(visitor, agent)
    return {"id": cid, "token": token, "visitor": visitor, "agent": agent}


def assert_no_secret(value):
    assert SECRET not in repr(value), value


# --- agents ----------------------------------------------------------------------


def test_a_note_reaches_every_agent_after_the_newest_message(chat, connect, agent_token):
    other_agent = connect(token=agent_token)
    drain(other_agent)

    ack = note(chat["agent"], chat["id"])

    line = ack["activity"]
    assert ack["ok"] and line["kind"] == "note" and line["body"] == SECRET
    assert line["actor"] == {"name": "Tess"} and line["after_seq"] == 2
    assert received(other_agent)["activity"] == [line]
    joined = other_agent.emit("join", {"conversation_id": chat["id"]}, callback=True)
    assert joined["activities"] == [line]
    page = other_agent.emit("history", {"conversation_id": chat["id"]}, callback=True)
    assert page["activities"] == [line]


def test_a_retried_note_is_stored_once_and_sent_once(chat):
    first = note(chat["agent"], chat["id"])
    drain(chat["agent"])

    again = note(chat["agent"], chat["id"], body="a different text, same client_id")

    assert again["activity"] == first["activity"]
    assert len(notes_of(chat["id"])) == 1
    assert "activity" not in received(chat["agent"])


def test_the_same_client_id_in_two_conversations_is_two_notes(chat, new_visitor):
    other, _ = new_visitor()

    assert note(chat["agent"], chat["id"])["ok"] and note(chat["agent"], other)["ok"]
    assert len(notes_of(chat["id"])) == len(notes_of(other)) == 1


@pytest.mark.parametrize("body", BLANK.values(), ids=BLANK.keys())
def test_a_blank_note_is_invalid(chat, body):
    assert error_code(note(chat["agent"], chat["id"], body)) == "invalid"
    assert notes_of(chat["id"]) == []


@pytest.mark.parametrize("body", TOO_LONG.values(), ids=TOO_LONG.keys())
def test_a_too_long_note_is_too_large(chat, body):
    assert error_code(note(chat["agent"], chat["id"], body)) == "too_large"
    assert notes_of(chat["id"]) == []


@pytest.mark.parametrize(("body", "kept"), SENDABLE.values(), ids=SENDABLE.keys())
def test_a_note_is_trimmed_as_a_message_is(chat, body, kept):
    assert note(chat["agent"], chat["id"], body)["activity"]["body"] == kept


def test_a_note_on_a_missing_conversation_is_not_found(chat):
    assert error_code(note(chat["agent"], MISSING)) == "not_found"


def test_a_chat_the_visitor_ended_still_takes_notes(chat, client):
    client.post(f"/api/v1/conversations/{chat['id']}/end", headers=bearer(chat["token"]))

    assert note(chat["agent"], chat["id"])["ok"]


def test_notes_are_rate_limited(app, chat):
    app.config["CHAT_MESSAGE_RATE"] = "2 per minute"
    assert note(chat["agent"], chat["id"], client_id="n1")["ok"]
    assert note(chat["agent"], chat["id"], client_id="n2")["ok"]

    assert error_code(note(chat["agent"], chat["id"], client_id="n3")) == "rate_limited"


def test_api_note_201_then_200_for_a_retry(chat, client, agent_token):
    path = f"/api/v1/conversations/{chat['id']}/notes"
    body = {"client_id": "n1", "body": SECRET}

    created = client.post(path, json=body, headers=bearer(agent_token))
    again = client.post(path, json=body, headers=bearer(agent_token))

    assert created.status_code == 201 and created.json["activity"]["body"] == SECRET
    assert again.status_code == 200 and again.json == created.json
    assert [line["body"] for line in received(chat["agent"])["activity"]] == [SECRET]


@pytest.mark.parametrize(
    "body", [None, {}, {"client_id": "n1"}, {"client_id": "", "body": "x"}, {"client_id": 1}]
)
def test_api_note_with_a_bad_body_is_400(chat, client, agent_token, body):
    path = f"/api/v1/conversations/{chat['id']}/notes"

    response = client.post(path, json=body, headers=bearer(agent_token))

    assert response.status_code == 400 and response.json["error"]["code"] == "invalid"


# --- never the visitor's --------------------------------------------------------


def test_visitors_may_not_write_notes(chat, client):
    path = f"/api/v1/conversations/{chat['id']}/notes"

    body = {"client_id": "n1", "body": "x"}

    response = client.post(path, json=body, headers=bearer(chat["token"]))

    assert response.status_code == 403
    assert error_code(note(chat["visitor"], chat["id"])) == "forbidden"
    assert notes_of(chat["id"]) == []


def test_visitor_sockets_never_receive_activity_or_notes(chat, client, agent_token):
    """Notes by socket and by API, and state changes: not one event of them."""
    note(chat["agent"], chat["id"])
    path = f"/api/v1/conversations/{chat['id']}/notes"
    client.post(path, json={"client_id": "n2", "body": SECRET}, headers=bearer(agent_token))
    chat["agent"].emit("resolve", {"conversation_id": chat["id"]}, callback=True)

    got = received(chat["visitor"])

    assert "activity" not in got
    assert_no_secret(got)
    assert [state["state"] for state in got["chat_state"]] == ["resolved"]


def test_the_visitors_history_has_no_notes(chat):
    note(chat["agent"], chat["id"])

    for query in ({}, {"after_seq": 0}, {"before_seq": 3}):
        page = chat["visitor"].emit("history", query, callback=True)
        assert page["ok"] and "activities" not in page
        assert_no_secret(page)
        assert [message["seq"] for message in page["messages"]] == [1, 2]


def test_the_visitors_rest_messages_have_no_notes(chat, client):
    note(chat["agent"], chat["id"])

    response = client.get(
        f"/api/v1/conversations/{chat['id']}/messages", headers=bearer(chat["token"])
    )

    assert response.status_code == 200 and "activities" not in response.json
    assert_no_secret(response.json)
    assert [message["seq"] for message in response.json["messages"]] == [1, 2]


def test_the_transcript_has_notes_for_agents_and_never_for_the_visitor(chat, client, agent_token):
    note(chat["agent"], chat["id"])
    chat["agent"].emit("resolve", {"conversation_id": chat["id"]}, callback=True)
    path = f"/api/v1/conversations/{chat['id']}/transcript"

    agents = client.get(path, headers=bearer(agent_token)).json
    visitors = client.get(path, headers=bearer(chat["token"])).json

    assert [line["kind"] for line in agents["activities"]] == ["note", "resolved"]
    assert agents["activities"][0]["body"] == SECRET
    assert "activities" not in visitors
    assert_no_secret(visitors)
    assert len(visitors["messages"]) == 2


def test_a_summarys_last_message_is_never_a_note(chat, client, agent_token):
    note(chat["agent"], chat["id"])

    listed = client.get("/api/v1/conversations", headers=bearer(agent_token)).json
    joined = chat["agent"].emit("join", {"conversation_id": chat["id"]}, callback=True)

    for summary in (listed["conversations"][0], joined["conversation"]):
        assert summary["last_message"]["body"] == "Hello"
        assert_no_secret(summary)


def test_a_note_leaves_unread_counts_seqs_and_receipts_alone(chat):
    db.session.rollback()
    columns = Conversation.__table__.c
    watched = sa.select(
        columns.last_seq,
        columns.unread_count,
        columns.visitor_delivered_seq,
        columns.visitor_seen_seq,
        columns.agent_delivered_seq,
        columns.agent_seen_seq,
        columns.last_activity_at,
        columns.waiting_since,
    ).where(columns.id == chat["id"])
    before = db.session.execute(watched).one()

    note(chat["agent"], chat["id"])

    db.session.rollback()
    assert db.session.execute(watched).one() == before
    got = received(chat["visitor"])
    assert "receipt" not in got and "message" not in got
    assert "receipt" not in received(chat["agent"])


def test_chat_state_carries_no_note(chat, connect):
    note(chat["agent"], chat["id"])
    chat["agent"].emit("resolve", {"conversation_id": chat["id"]}, callback=True)
    another_tab = connect(visitor_token=chat["token"])

    for socket in (chat["visitor"], another_tab):
        for state in received(socket)["chat_state"]:
            assert set(state) == {"conversation_id", "state", "agent", "hours", "email", "mail"}
            assert_no_secret(state)
