"""A read-only API token reads everything its agent may read and changes
nothing, over REST and sockets; a read-write one (and every token exchanged
for a password) does all its agent may."""

import re

import pytest
import sqlalchemy as sa

from app import db
from app.models import ApiToken, Message
from app.realtime.answers import READS
from app.services import tokens
from tests.conftest import events

WRITE_EVENTS = {
    "send_message",
    "typing",
    "receipt",
    "resolve",
    "reopen",
    "snooze",
    "add_note",
    "claim",
    "assign",
    "unassign",
    "set_availability",
}
READ_EVENTS = {"history", "join", "leave"}


def named_token(agent, scope: str) -> str:
    return tokens.create_named_token(agent.id, f"{scope} bot", scope, None)[1]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def chat(new_visitor, connect):
    """A visitor's conversation with one message."""
    cid, visitor_token = new_visitor(name="Ana")
    visitor = connect(visitor_token=visitor_token)
    assert visitor.emit("send_message", {"client_id": "v1", "body": "Hi"}, callback=True)["ok"]
    return cid


def stored_messages() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Message.body).order_by(Message.id)))


# --- sockets ------------------------------------------------------------------


def test_every_event_that_changes_something_is_forbidden_to_a_read_token(agent, chat, connect):
    reader = connect(token=named_token(agent, "read"))
    writes = {name for name, reads in READS.items() if not reads}
    assert WRITE_EVENTS <= writes and READ_EVENTS.isdisjoint(writes)

    for event in sorted(writes):
        ack = reader.emit(event, {"conversation_id": chat}, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden", (event, ack)
    # Even a well-formed message is refused, and nothing is stored.
    ack = reader.emit(
        "send_message", {"conversation_id": chat, "client_id": "r1", "body": "no"}, callback=True
    )
    assert ack["error"]["code"] == "forbidden"
    assert stored_messages() == ["Hi"]


def test_a_read_token_joins_and_reads_history_and_receives_messages(agent, chat, connect):
    reader = connect(token=named_token(agent, "read"))

    joined = reader.emit("join", {"conversation_id": chat}, callback=True)
    assert joined["ok"] and [m["body"] for m in joined["messages"]] == ["Hi"]
    page = reader.emit("history", {"conversation_id": chat}, callback=True)
    assert page["ok"] and [m["body"] for m in page["messages"]] == ["Hi"]
    assert reader.emit("leave", {"conversation_id": chat}, callback=True) == {"ok": True}

    writer = connect(token=named_token(agent, "read-write"))
    sent = writer.emit(
        "send_message", {"conversation_id": chat, "client_id": "a1", "body": "Hello"}, callback=True
    )
    assert sent["ok"]
    assert [m["body"] for m in events(reader, "message")] == ["Hello"]


@pytest.mark.parametrize("scope", ["read-write", "exchanged"])
def test_read_write_and_exchanged_tokens_still_write(agent, chat, connect, scope):
    token = tokens.issue_token(agent) if scope == "exchanged" else named_token(agent, scope)
    writer = connect(token=token)
    for event, extra in [
        ("send_message", {"client_id": "a1", "body": "Hello"}),
        ("typing", {"is_typing": True}),
        ("receipt", {"status": "seen", "up_to_seq": 1}),
        ("resolve", {}),
    ]:
        ack = writer.emit(event, {"conversation_id": chat, **extra}, callback=True)
        assert ack["ok"], (event, ack)


# --- REST ---------------------------------------------------------------------


def _changing_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every API route that changes something, ids filled in."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
            routes.append((method, path))
    return routes


# Visitors' own endpoints, which take no agent's token: starting a chat,
# identifying as the site's signed user, resuming a chat from an email link.
ANONYMOUS = {
    ("POST", "/api/v1/conversations"),
    ("POST", "/api/v1/identify"),
    ("POST", "/api/v1/resume"),
}
# A read token may revoke itself (checked below).
SELF_REVOKE = {("DELETE", "/api/v1/tokens"), ("DELETE", "/api/v1/tokens/1")}


def test_every_rest_change_is_forbidden_to_a_read_token(app, client, agent, chat):
    agent.role = "admin"  # so that the scope, not the role, is what refuses
    db.session.commit()
    token = named_token(agent, "read")
    routes = set(_changing_routes(app)) - ANONYMOUS - SELF_REVOKE
    assert {("POST", "/api/v1/conversations/1/resolve"), ("PATCH", "/api/v1/settings")} <= routes

    for method, path in sorted(routes):
        response = client.open(path, method=method, json={}, headers=bearer(token))
        assert response.status_code == 403, (method, path, response.json)
        assert response.json["error"]["message"] == "this API token may only read"


def test_a_read_token_reads_over_rest(client, agent, chat):
    token = named_token(agent, "read")
    listed = client.get("/api/v1/conversations", headers=bearer(token))
    assert listed.status_code == 200 and [c["id"] for c in listed.json["conversations"]] == [chat]
    messages = client.get(f"/api/v1/conversations/{chat}/messages", headers=bearer(token))
    assert [m["body"] for m in messages.json["messages"]] == ["Hi"]
    assert client.get("/api/v1/tokens", headers=bearer(token)).status_code == 200


def test_a_read_token_may_resolve_nothing_but_a_read_write_token_may(client, agent, chat):
    path = f"/api/v1/conversations/{chat}/resolve"
    assert client.post(path, headers=bearer(named_token(agent, "read"))).status_code == 403
    assert client.post(path, headers=bearer(tokens.issue_token(agent))).status_code == 200


def test_a_read_token_revokes_itself_but_no_other_token(client, agent, connect):
    reader = named_token(agent, "read")
    other_id, _ = tokens.create_named_token(agent.id, "other", "read-write", None)
    other_id = other_id.id
    own_id = tokens.find_token(reader).id
    socket = connect(token=reader)

    refused = client.delete(f"/api/v1/tokens/{other_id}", headers=bearer(reader))
    assert refused.status_code == 403
    assert client.delete(f"/api/v1/tokens/{own_id}", headers=bearer(reader)).status_code == 204
    assert not socket.is_connected()
    assert client.get("/api/v1/tokens", headers=bearer(reader)).status_code == 401
    db.session.rollback()
    assert db.session.get(ApiToken, other_id) is not None


def test_a_read_token_revokes_itself_with_delete_tokens(client, agent):
    reader = named_token(agent, "read")
    assert client.delete("/api/v1/tokens", headers=bearer(reader)).status_code == 204
    assert client.get("/api/v1/conversations", headers=bearer(reader)).status_code == 401
