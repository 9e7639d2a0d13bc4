"""Every Socket.IO event of the protocol, through Flask-SocketIO's test client."""

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import db, socketio
from app.clock import utcnow
from app.models import ApiToken, Connection, Message
from app.realtime import payloads
from app.services import connections, history, messages
from tests.conftest import database_state, events, socket_clients
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

ISO_UTC_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
MESSAGE_KEYS = {
    "id",
    "conversation_id",
    "seq",
    "client_id",
    "sender",
    "author",
    "body",
    "created_at",
    "delivered_at",
    "seen_at",
    "status",
    "file",  # null, or the message's file (docs/protocol.md, "Files")
}
MISSING = 10_000  # a conversation id nobody has


# --- helpers ------------------------------------------------------------------


def drain(*sockets):
    for socket in sockets:
        socket.get_received()


def wait_for(socket, name, timeout=3.0, **expected):
    """The first ``name`` event whose payload has ``expected`` items.

    For events the server sends from a background thread (typing expiry,
    presence after the grace period).
    """
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        seen += events(socket, name)
        for payload in seen:
            if all(payload.get(key) == value for key, value in expected.items()):
                return payload
        if time.monotonic() > deadline:
            raise AssertionError(f"no {name!r} event with {expected} in {timeout} s: {seen}")
        time.sleep(0.02)


def error_code(ack) -> str:
    assert ack["ok"] is False, ack
    assert set(ack["error"]) == {"code", "message"} and ack["error"]["message"]
    return ack["error"]["code"]


def stored(conversation_id) -> list[Message]:
    db.session.rollback()
    query = sa.select(Message).where(Message.conversation_id == conversation_id)
    return list(db.session.scalars(query.order_by(Message.seq)))


def summary_of(conversation_id) -> dict:
    db.session.rollback()
    return payloads.summary(history.summary(conversation_id))


def post(conversation_id, sender, body="hello", client_id=None):
    """Store a message through the service, as if the other side had sent it."""
    client_id = client_id or f"svc-{time.monotonic_ns()}"
    name = "Ana" if sender == "visitor" else "Tess"
    return messages.post_message(conversation_id, sender, name, client_id, body).message


@pytest.fixture
def visitor(new_visitor, connect):
    """Open a visitor's conversation and socket: returns (conversation_id, token, socket)."""

    def open_visitor(name="Ana"):
        conversation_id, token = new_visitor(name=name)
        return conversation_id, token, connect(visitor_token=token)

    return open_visitor


@pytest.fixture
def agent_socket(connect, agent_token):
    """Open an agent socket, joined to the given conversation's room if any."""

    def open_agent(join=None):
        socket = connect(token=agent_token)
        if join is not None:
            assert socket.emit("join", {"conversation_id": join}, callback=True)["ok"]
        return socket

    return open_agent


@pytest.fixture
def cookie_socket(app, client, agent):
    """Log in through the form, then open sockets that carry the session cookie."""
    response = client.post("/login", data={"email": AGENT_EMAIL, "password": AGENT_PASSWORD})
    assert response.status_code == 302
    with socket_clients(app) as open_socket:
        yield lambda: open_socket(flask_test_client=client)


# --- connect ------------------------------------------------------------------


def test_visitor_connects_with_its_token(visitor):
    conversation_id, _token, socket = visitor()

    assert socket.is_connected()
    ack = socket.emit("history", {}, callback=True)
    assert ack == {"ok": True, "messages": [], "has_more": False}


def test_page_url_of_a_connect_keeps_only_origin_and_path(new_visitor, connect, agent_socket):
    """The page a visitor moves to is noted without its query string or #fragment."""
    conversation_id, token = new_visitor(page_url="https://shop.example/start")
    agent = agent_socket()
    drain(agent)

    connect(visitor_token=token, page_url="https://shop.example/reset?token=s3cret#code=s3cret")

    assert summary_of(conversation_id)["page_url"] == "https://shop.example/reset"
    assert "s3cret" not in repr(events(agent, "conversation"))
    assert "s3cret" not in repr(database_state())


def assert_joins(socket, conversation_id):
    """The socket is connected as an agent: it may open the conversation."""
    assert socket.is_connected()
    ack = socket.emit("join", {"conversation_id": conversation_id}, callback=True)
    assert ack["ok"] and ack["conversation"]["id"] == conversation_id


def test_agent_connects_with_api_token(agent_socket, visitor):
    conversation_id, _token, _socket = visitor()

    socket = agent_socket()

    assert_joins(socket, conversation_id)


def test_agent_connects_with_session_cookie_after_login(cookie_socket, visitor):
    conversation_id, _token, visitor_socket = visitor()

    socket = cookie_socket()

    assert_joins(socket, conversation_id)
    reply = socket.emit(
        "send_message",
        {"conversation_id": conversation_id, "client_id": "a1", "body": "Hi"},
        callback=True,
    )
    assert reply["message"]["sender"] == "agent"
    assert reply["message"]["author"] == {"name": "Tess"}


def test_session_cookie_without_login_is_refused(app, client):
    socket = socketio.test_client(app, flask_test_client=client)

    assert not socket.is_connected()


def test_session_cookie_after_logout_is_refused(app, client, agent):
    client.post("/login", data={"email": AGENT_EMAIL, "password": AGENT_PASSWORD})
    client.post("/logout")

    socket = socketio.test_client(app, flask_test_client=client)

    assert not socket.is_connected()


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {"visitor_token": "forged"},
        {"visitor_token": ""},
        {"visitor_token": None},
        {"visitor_token": 12345},
        {"visitor_token": "x" * 5000},
        {"token": "forged"},
        {"token": ""},
        {"token": ["list"]},
        {"something": "else"},
    ],
)
def test_connect_without_valid_credentials_is_refused(app, new_visitor, agent_token, auth):
    new_visitor()

    socket = socketio.test_client(app, auth=auth)

    assert not socket.is_connected()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Connection)) == 0


def test_visitor_token_is_not_an_agent_token_and_back(app, new_visitor, agent_token):
    _conversation_id, visitor_token = new_visitor()

    as_agent = socketio.test_client(app, auth={"token": visitor_token})
    as_visitor = socketio.test_client(app, auth={"visitor_token": agent_token})

    assert not as_agent.is_connected()
    assert not as_visitor.is_connected()


def test_expired_agent_token_is_refused(app, agent_token):
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()

    assert not socketio.test_client(app, auth={"token": agent_token}).is_connected()


def test_revoked_agent_token_is_refused(app, client, agent_token):
    response = client.delete("/api/v1/tokens", headers={"Authorization": f"Bearer {agent_token}"})
    assert response.status_code == 204

    assert not socketio.test_client(app, auth={"token": agent_token}).is_connected()


def test_disabled_agents_token_is_refused(app, agent, agent_token):
    agent.disabled = True
    db.session.commit()

    assert not socketio.test_client(app, auth={"token": agent_token}).is_connected()


def test_visitor_cannot_open_more_than_the_configured_sockets(app, new_visitor, connect):
    app.config["CHAT_MAX_VISITOR_CONNECTIONS"] = 2
    _conversation_id, token = new_visitor()

    first, second = connect(visitor_token=token), connect(visitor_token=token)
    third = connect(visitor_token=token)

    assert first.is_connected() and second.is_connected()
    assert not third.is_connected()


# --- send_message -------------------------------------------------------------


def test_send_message_acks_the_stored_message(visitor):
    conversation_id, _token, socket = visitor()

    ack = socket.emit("send_message", {"client_id": "c-1", "body": "  Hello  "}, callback=True)

    assert ack["ok"] is True and set(ack) == {"ok", "message"}
    message = ack["message"]
    assert set(message) == MESSAGE_KEYS
    assert message["conversation_id"] == conversation_id
    assert message["seq"] == 1
    assert message["client_id"] == "c-1"
    assert message["sender"] == "visitor"
    assert message["author"] == {"name": "Ana"}
    assert message["body"] == "Hello"
    assert ISO_UTC_MS.match(message["created_at"])
    assert message["delivered_at"] is None and message["seen_at"] is None
    assert message["status"] == "sent"
    assert [(m.id, m.body) for m in stored(conversation_id)] == [(message["id"], "Hello")]


def test_visitor_without_a_name_is_called_visitor(new_visitor, connect):
    _conversation_id, token = new_visitor()
    socket = connect(visitor_token=token)

    ack = socket.emit("send_message", {"client_id": "c-1", "body": "Hi"}, callback=True)

    assert ack["message"]["author"] == {"name": "Visitor"}


def test_visitor_message_reaches_every_agent_and_other_tabs_once_but_not_the_sender(
    visitor, connect, agent_socket
):
    conversation_id, token, sender = visitor()
    other_tab = connect(visitor_token=token)
    joined = agent_socket(join=conversation_id)
    not_joined = agent_socket()
    _other_id, _other_token, stranger = visitor(name="Bo")
    drain(sender, other_tab, joined, not_joined, stranger)

    ack = sender.emit("send_message", {"client_id": "c-1", "body": "Hello"}, callback=True)

    message = ack["message"]
    assert events(sender, "message") == []
    assert events(other_tab, "message") == [message]
    assert events(joined, "message") == [message]
    assert events(not_joined, "message") == [message]
    assert stranger.get_received() == []


def test_agent_message_reaches_visitor_tabs_and_other_agents_once(visitor, connect, agent_socket):
    conversation_id, token, first_tab = visitor()
    second_tab = connect(visitor_token=token)
    sender = agent_socket(join=conversation_id)
    colleague = agent_socket(join=conversation_id)
    elsewhere = agent_socket()
    _other_id, _other_token, stranger = visitor(name="Bo")
    drain(first_tab, second_tab, sender, colleague, elsewhere, stranger)

    ack = sender.emit(
        "send_message",
        {"conversation_id": conversation_id, "client_id": "a-1", "body": "How can I help?"},
        callback=True,
    )

    message = ack["message"]
    assert message["sender"] == "agent" and message["author"] == {"name": "Tess"}
    assert events(first_tab, "message") == [message]
    assert events(second_tab, "message") == [message]
    assert events(colleague, "message") == [message]
    assert events(elsewhere, "message") == [message]
    assert events(sender, "message") == []
    assert stranger.get_received() == []


def test_retried_client_id_answers_the_stored_message_and_broadcasts_nothing(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    first = socket.emit("send_message", {"client_id": "c-1", "body": "Hello"}, callback=True)
    drain(socket, agent)

    retry = socket.emit("send_message", {"client_id": "c-1", "body": "Hello"}, callback=True)

    assert retry == first
    assert agent.get_received() == []
    assert len(stored(conversation_id)) == 1


def test_same_client_id_from_visitor_and_agent_is_two_messages(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)

    mine = socket.emit("send_message", {"client_id": "same", "body": "Hi"}, callback=True)
    theirs = agent.emit(
        "send_message",
        {"conversation_id": conversation_id, "client_id": "same", "body": "Hello"},
        callback=True,
    )

    assert (mine["message"]["seq"], theirs["message"]["seq"]) == (1, 2)
    assert len(stored(conversation_id)) == 2


def test_seq_counts_up_without_gaps_over_sockets(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket()
    seqs = []
    for number in range(6):
        if number % 2:
            payload = {"conversation_id": conversation_id, "client_id": f"a{number}", "body": "x"}
            seqs.append(agent.emit("send_message", payload, callback=True)["message"]["seq"])
        else:
            payload = {"client_id": f"v{number}", "body": "x"}
            seqs.append(socket.emit("send_message", payload, callback=True)["message"]["seq"])
        socket.emit("send_message", {"client_id": "v0", "body": "x"}, callback=True)  # retry

    assert seqs == [1, 2, 3, 4, 5, 6]


def test_message_updates_the_summary_agents_see(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket()
    drain(socket, agent)

    ack = socket.emit("send_message", {"client_id": "c-1", "body": "Hello"}, callback=True)

    [summary] = events(agent, "conversation")
    assert summary["id"] == conversation_id
    assert summary["last_message"] == ack["message"]
    assert summary["unread"] == 1
    assert summary["visitor"] == {"name": "Ana", "email": None}
    assert summary["status"] == "open"
    assert summary["visitor_online"] is True
    assert events(socket, "conversation") == []


@pytest.mark.parametrize("body", ["", "   ", "\n\t"])
def test_blank_message_is_invalid(visitor, agent_socket, body):
    _conversation_id, _token, socket = visitor()
    agent = agent_socket()
    before = database_state()
    drain(agent)

    ack = socket.emit("send_message", {"client_id": "c-1", "body": body}, callback=True)

    assert error_code(ack) == "invalid"
    assert database_state() == before
    assert agent.get_received() == []


def test_too_long_message_is_too_large(app, visitor, agent_socket):
    _conversation_id, _token, socket = visitor()
    agent = agent_socket()
    before = database_state()
    drain(agent)
    limit = app.config["CHAT_MAX_BODY_CHARS"]

    ack = socket.emit(
        "send_message", {"client_id": "c-1", "body": "x" * (limit + 1)}, callback=True
    )

    assert error_code(ack) == "too_large"
    assert database_state() == before
    assert agent.get_received() == []


def test_message_of_exactly_the_limit_after_trimming_is_stored(app, visitor):
    _conversation_id, _token, socket = visitor()
    body = "x" * app.config["CHAT_MAX_BODY_CHARS"]

    ack = socket.emit("send_message", {"client_id": "c-1", "body": f"  {body}\n"}, callback=True)

    assert ack["ok"] and ack["message"]["body"] == body


def test_unknown_fields_are_ignored(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket()
    drain(agent)
    payload = {
        "client_id": "c-1",
        "body": "Hi",
        "sender": "agent",
        "seq": 99,
        "room": "agents",
        "author": {"name": "Boss"},
    }

    ack = socket.emit("send_message", payload, callback=True)

    assert ack["ok"]
    message = ack["message"]
    assert (message["sender"], message["seq"], message["author"]) == ("visitor", 1, {"name": "Ana"})
    assert events(agent, "message") == [message]


# --- a visitor acts on its own conversation only -----------------------------


def test_visitor_naming_another_conversation_sends_to_its_own(visitor, agent_socket):
    own_id, _token, socket = visitor()
    other_id, _other_token, other = visitor(name="Bo")
    drain(socket, other)

    ack = socket.emit(
        "send_message",
        {"conversation_id": other_id, "client_id": "c-1", "body": "Hi"},
        callback=True,
    )

    assert ack["message"]["conversation_id"] == own_id
    assert len(stored(own_id)) == 1 and stored(other_id) == []
    assert other.get_received() == []


def test_visitor_naming_another_conversation_reads_its_own_history(visitor):
    own_id, _token, socket = visitor()
    other_id, _other_token, _other = visitor(name="Bo")
    post(other_id, "agent", "secret for Bo")
    post(own_id, "agent", "for Ana")

    ack = socket.emit("history", {"conversation_id": other_id}, callback=True)

    assert [m["body"] for m in ack["messages"]] == ["for Ana"]


def test_visitor_naming_another_conversation_receipts_its_own(visitor):
    own_id, _token, socket = visitor()
    other_id, _other_token, other = visitor(name="Bo")
    post(other_id, "agent", "for Bo")
    post(own_id, "agent", "for Ana")
    drain(other)

    ack = socket.emit(
        "receipt", {"conversation_id": other_id, "status": "seen", "up_to_seq": 1}, callback=True
    )

    assert ack == {"ok": True}
    assert [payloads.message_status(m) for m in stored(own_id)] == ["seen"]
    assert [payloads.message_status(m) for m in stored(other_id)] == ["sent"]
    assert other.get_received() == []


def test_visitor_naming_another_conversation_types_in_its_own(visitor, agent_socket):
    own_id, _token, socket = visitor()
    other_id, _other_token, other = visitor(name="Bo")
    watching_other = agent_socket(join=other_id)
    watching_own = agent_socket(join=own_id)
    drain(other, watching_other, watching_own)

    ack = socket.emit("typing", {"conversation_id": other_id, "is_typing": True}, callback=True)

    assert ack == {"ok": True}
    assert [t["conversation_id"] for t in events(watching_own, "typing")] == [own_id]
    assert events(watching_other, "typing") == []
    assert other.get_received() == []


@pytest.mark.parametrize("event", ["join", "leave"])
def test_visitor_may_not_join_or_leave(visitor, event):
    conversation_id, _token, socket = visitor()
    other_id, _other_token, _other = visitor(name="Bo")

    for target in (conversation_id, other_id):
        ack = socket.emit(event, {"conversation_id": target}, callback=True)
        assert error_code(ack) == "forbidden"


def test_visitor_who_tried_to_join_still_sees_nothing_of_another_conversation(
    visitor, agent_socket
):
    _own_id, _token, socket = visitor()
    other_id, _other_token, other = visitor(name="Bo")
    agent = agent_socket(join=other_id)
    socket.emit("join", {"conversation_id": other_id}, callback=True)
    drain(socket)

    other.emit("send_message", {"client_id": "b1", "body": "Hi"}, callback=True)
    other.emit("typing", {"is_typing": True}, callback=True)
    agent.emit(
        "receipt", {"conversation_id": other_id, "status": "seen", "up_to_seq": 1}, callback=True
    )

    assert socket.get_received() == []


# --- typing -------------------------------------------------------------------


def test_visitor_typing_reaches_joined_agents_and_summary_reaches_all(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    joined = agent_socket(join=conversation_id)
    not_joined = agent_socket()
    _other_id, _other_token, stranger = visitor(name="Bo")
    drain(socket, joined, not_joined, stranger)

    ack = socket.emit("typing", {"is_typing": True}, callback=True)

    assert ack == {"ok": True}
    expected = {
        "conversation_id": conversation_id,
        "sender": "visitor",
        "name": "Ana",
        "is_typing": True,
    }
    received = joined.get_received()
    assert [e["args"][0] for e in received if e["name"] == "typing"] == [expected]
    [summary] = [e["args"][0] for e in received if e["name"] == "conversation"]
    assert summary["id"] == conversation_id and summary["visitor_typing"] is True
    [summary] = events(not_joined, "conversation")
    assert summary["visitor_typing"] is True
    assert events(socket, "typing") == []
    assert stranger.get_received() == []


def test_agent_typing_reaches_the_visitor(visitor, connect, agent_socket):
    conversation_id, token, socket = visitor()
    second_tab = connect(visitor_token=token)
    agent = agent_socket(join=conversation_id)
    drain(socket, second_tab, agent)

    ack = agent.emit(
        "typing", {"conversation_id": conversation_id, "is_typing": True}, callback=True
    )

    assert ack == {"ok": True}
    expected = {
        "conversation_id": conversation_id,
        "sender": "agent",
        "name": "Tess",
        "is_typing": True,
    }
    assert events(socket, "typing") == [expected]
    assert events(second_tab, "typing") == [expected]
    assert events(agent, "typing") == []


def test_typing_stop_reaches_the_other_side(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    socket.emit("typing", {"is_typing": True}, callback=True)
    drain(agent)

    assert socket.emit("typing", {"is_typing": False}, callback=True) == {"ok": True}

    [stopped] = events(agent, "typing")
    assert stopped["is_typing"] is False and stopped["sender"] == "visitor"
    assert summary_of(conversation_id)["visitor_typing"] is False


def test_typing_stop_when_not_typing_tells_nobody(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    drain(agent)

    assert socket.emit("typing", {"is_typing": False}, callback=True) == {"ok": True}

    assert agent.get_received() == []


def test_sending_a_message_ends_typing(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    socket.emit("typing", {"is_typing": True}, callback=True)
    drain(agent)

    socket.emit("send_message", {"client_id": "c-1", "body": "Hi"}, callback=True)

    received = agent.get_received()
    typing = [e["args"][0] for e in received if e["name"] == "typing"]
    assert [t["is_typing"] for t in typing] == [False]
    assert [e["name"] for e in received].index("message") < [e["name"] for e in received].index(
        "typing"
    )
    assert summary_of(conversation_id)["visitor_typing"] is False


def test_agent_sending_a_message_ends_agent_typing(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    agent.emit("typing", {"conversation_id": conversation_id, "is_typing": True}, callback=True)
    drain(socket)

    agent.emit(
        "send_message",
        {"conversation_id": conversation_id, "client_id": "a", "body": "Hi"},
        callback=True,
    )

    assert [t["is_typing"] for t in events(socket, "typing")] == [False]


def test_visitor_disconnect_ends_typing(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    socket.emit("typing", {"is_typing": True}, callback=True)
    drain(agent)

    socket.disconnect()

    stopped = wait_for(agent, "typing", is_typing=False)
    assert stopped["conversation_id"] == conversation_id and stopped["sender"] == "visitor"
    assert summary_of(conversation_id)["visitor_typing"] is False


def test_agent_disconnect_ends_typing(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    agent.emit("typing", {"conversation_id": conversation_id, "is_typing": True}, callback=True)
    drain(socket)

    agent.disconnect()

    stopped = wait_for(socket, "typing", is_typing=False)
    assert stopped["sender"] == "agent" and stopped["name"] == "Tess"


def test_visitor_typing_expires_without_refresh(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    joined = agent_socket(join=conversation_id)
    not_joined = agent_socket()
    socket.emit("typing", {"is_typing": True}, callback=True)
    drain(joined, not_joined)

    stopped = wait_for(joined, "typing", is_typing=False)

    assert stopped == {
        "conversation_id": conversation_id,
        "sender": "visitor",
        "name": "Ana",
        "is_typing": False,
    }
    wait_for(not_joined, "conversation", id=conversation_id, visitor_typing=False)


def test_agent_typing_expires_without_refresh(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    agent.emit("typing", {"conversation_id": conversation_id, "is_typing": True}, callback=True)
    drain(socket)

    stopped = wait_for(socket, "typing", is_typing=False)

    assert stopped["sender"] == "agent" and stopped["name"] == "Tess"


def test_refreshed_typing_does_not_expire(app, visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    timeout = app.config["CHAT_TYPING_TIMEOUT"]

    deadline = time.monotonic() + timeout * 2
    while time.monotonic() < deadline:
        socket.emit("typing", {"is_typing": True}, callback=True)
        time.sleep(timeout / 5)

    assert [t["is_typing"] for t in events(agent, "typing")].count(False) == 0
    assert summary_of(conversation_id)["visitor_typing"] is True


def test_left_agent_gets_no_typing_but_still_messages_once(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)

    assert agent.emit("leave", {"conversation_id": conversation_id}, callback=True) == {"ok": True}
    drain(agent)
    socket.emit("typing", {"is_typing": True}, callback=True)
    ack = socket.emit("send_message", {"client_id": "c-1", "body": "Hi"}, callback=True)

    received = agent.get_received()
    assert [e["name"] for e in received if e["name"] == "typing"] == []
    assert [e["args"] for e in received if e["name"] == "message"] == [ack["message"]]


# --- receipt ------------------------------------------------------------------


def test_agent_seen_receipt_reaches_everyone_once(visitor, connect, agent_socket):
    conversation_id, token, socket = visitor()
    second_tab = connect(visitor_token=token)
    sender = agent_socket(join=conversation_id)
    colleague = agent_socket()
    _other_id, _other_token, stranger = visitor(name="Bo")
    socket.emit("send_message", {"client_id": "c-1", "body": "Hi"}, callback=True)
    socket.emit("send_message", {"client_id": "c-2", "body": "Anyone?"}, callback=True)
    drain(socket, second_tab, sender, colleague, stranger)

    ack = sender.emit(
        "receipt",
        {"conversation_id": conversation_id, "status": "seen", "up_to_seq": 2},
        callback=True,
    )

    assert ack == {"ok": True}
    receipts = [events(s, "receipt") for s in (socket, second_tab, sender, colleague)]
    for received in receipts:
        assert len(received) == 1
    receipt = receipts[0][0]
    assert set(receipt) == {"conversation_id", "status", "up_to_seq", "by", "at"}
    assert receipt["conversation_id"] == conversation_id
    assert (receipt["status"], receipt["up_to_seq"], receipt["by"]) == ("seen", 2, "agent")
    assert ISO_UTC_MS.match(receipt["at"])
    assert all(received == [receipt] for received in receipts)
    assert stranger.get_received() == []
    assert [payloads.message_status(m) for m in stored(conversation_id)] == ["seen", "seen"]


def test_agent_seen_receipt_resets_unread_in_summary(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket()
    socket.emit("send_message", {"client_id": "c-1", "body": "Hi"}, callback=True)
    drain(agent)

    agent.emit(
        "receipt",
        {"conversation_id": conversation_id, "status": "seen", "up_to_seq": 1},
        callback=True,
    )

    [summary] = events(agent, "conversation")
    assert summary["unread"] == 0
    assert summary["last_message"]["status"] == "seen"


def test_visitor_delivered_receipt_reaches_agents_and_shows_in_history(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    agent.emit(
        "send_message",
        {"conversation_id": conversation_id, "client_id": "a", "body": "Hi"},
        callback=True,
    )
    drain(socket, agent)

    ack = socket.emit("receipt", {"status": "delivered", "up_to_seq": 1}, callback=True)

    assert ack == {"ok": True}
    [receipt] = events(agent, "receipt")
    assert (receipt["status"], receipt["up_to_seq"], receipt["by"]) == ("delivered", 1, "visitor")
    [message] = agent.emit("history", {"conversation_id": conversation_id}, callback=True)[
        "messages"
    ]
    assert message["status"] == "delivered" and ISO_UTC_MS.match(message["delivered_at"])
    assert message["seen_at"] is None


def test_receipt_that_changes_nothing_is_ok_and_not_broadcast(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    post(conversation_id, "agent")
    post(conversation_id, "agent")
    socket.emit("receipt", {"status": "seen", "up_to_seq": 2}, callback=True)
    before = database_state()
    drain(socket, agent)

    for status, up_to_seq in [("seen", 2), ("seen", 1), ("delivered", 2), ("seen", 0)]:
        ack = socket.emit("receipt", {"status": status, "up_to_seq": up_to_seq}, callback=True)
        assert ack == {"ok": True}

    assert database_state() == before
    assert agent.get_received() == []
    assert socket.get_received() == []


def test_receipt_of_own_messages_is_ok_and_not_broadcast(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    socket.emit("send_message", {"client_id": "c-1", "body": "Hi"}, callback=True)
    drain(agent)

    assert socket.emit("receipt", {"status": "seen", "up_to_seq": 1}, callback=True) == {"ok": True}

    assert agent.get_received() == []
    assert [payloads.message_status(m) for m in stored(conversation_id)] == ["sent"]


def test_receipt_broadcast_carries_the_high_water_mark(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    for _ in range(3):
        post(conversation_id, "agent")
    socket.emit("receipt", {"status": "delivered", "up_to_seq": 3}, callback=True)
    drain(agent)

    socket.emit("receipt", {"status": "seen", "up_to_seq": 2}, callback=True)
    socket.emit("receipt", {"status": "delivered", "up_to_seq": 1}, callback=True)

    assert [(r["status"], r["up_to_seq"]) for r in events(agent, "receipt")] == [("seen", 2)]


@pytest.mark.parametrize("status", ["delivered", "seen"])
def test_receipt_beyond_the_last_message_is_invalid(visitor, agent_socket, status):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    post(conversation_id, "agent")
    before = database_state()
    drain(agent)

    ack = socket.emit("receipt", {"status": status, "up_to_seq": 2}, callback=True)

    assert error_code(ack) == "invalid"
    assert database_state() == before
    assert agent.get_received() == []


# --- history ------------------------------------------------------------------


@pytest.fixture
def seven_messages(visitor):
    conversation_id, _token, socket = visitor()
    for number in range(1, 8):
        post(conversation_id, "visitor" if number % 2 else "agent", f"m{number}")
    return conversation_id, socket


@pytest.mark.parametrize(
    ("query", "seqs", "has_more"),
    [
        ({}, [1, 2, 3, 4, 5, 6, 7], False),
        ({"limit": 3}, [5, 6, 7], True),
        ({"before_seq": 5, "limit": 3}, [2, 3, 4], True),
        ({"before_seq": 3, "limit": 3}, [1, 2], False),
        ({"after_seq": 0, "limit": 3}, [1, 2, 3], True),
        ({"after_seq": 4, "limit": 3}, [5, 6, 7], False),
        ({"after_seq": 7}, [], False),
        ({"limit": 100}, [1, 2, 3, 4, 5, 6, 7], False),
        ({"limit": 1}, [7], True),
    ],
)
def test_history_pages_for_visitor_and_agent(seven_messages, agent_socket, query, seqs, has_more):
    conversation_id, socket = seven_messages
    agent = agent_socket()

    mine = socket.emit("history", query, callback=True)
    theirs = agent.emit("history", {"conversation_id": conversation_id, **query}, callback=True)

    assert theirs.pop("activities") == []  # agents also get the page's activity lines
    assert mine == theirs
    assert set(mine) == {"ok", "messages", "has_more"}
    assert [m["seq"] for m in mine["messages"]] == seqs
    assert mine["has_more"] is has_more
    assert all(set(m) == MESSAGE_KEYS for m in mine["messages"])


def test_history_default_limit_is_fifty(visitor):
    conversation_id, _token, socket = visitor()
    for number in range(55):
        post(conversation_id, "agent", f"m{number}")

    ack = socket.emit("history", {}, callback=True)

    assert [m["seq"] for m in ack["messages"]] == list(range(6, 56))
    assert ack["has_more"] is True


# --- join and leave -----------------------------------------------------------


def test_join_answers_summary_and_newest_messages(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    for number in range(52):
        post(conversation_id, "visitor", f"m{number}")
    agent = agent_socket()

    ack = agent.emit("join", {"conversation_id": conversation_id}, callback=True)

    assert ack["ok"] is True
    assert ack["conversation"]["id"] == conversation_id
    assert ack["conversation"]["unread"] == 52
    assert ack["conversation"]["visitor_online"] is True
    assert [m["seq"] for m in ack["messages"]] == list(range(3, 53))
    assert ack["has_more"] is True


def test_join_is_idempotent_and_messages_still_arrive_once(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    assert agent.emit("join", {"conversation_id": conversation_id}, callback=True)["ok"]
    drain(agent)

    ack = socket.emit("send_message", {"client_id": "c-1", "body": "Hi"}, callback=True)

    assert events(agent, "message") == [ack["message"]]


# --- an ended chat -------------------------------------------------------------


@pytest.fixture
def ended_chat(client, visitor, agent_socket):
    """A chat the visitor ended after one message each way; returns (id, agent socket)."""
    conversation_id, token, socket = visitor()
    agent = agent_socket(join=conversation_id)
    assert socket.emit("send_message", {"client_id": "v-1", "body": "Thanks!"}, callback=True)["ok"]
    reply = {"conversation_id": conversation_id, "client_id": "a-1", "body": "Bye"}
    assert agent.emit("send_message", reply, callback=True)["ok"]
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/end",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 204
    drain(agent)
    return conversation_id, agent


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("send_message", {"client_id": "a-2", "body": "Are you still there?"}),
        ("typing", {"is_typing": True}),
    ],
)
def test_agent_cannot_write_in_a_chat_the_visitor_ended(ended_chat, agent_socket, event, payload):
    conversation_id, agent = ended_chat
    other_agent = agent_socket()
    before = database_state()

    ack = agent.emit(event, {"conversation_id": conversation_id, **payload}, callback=True)

    assert error_code(ack) == "conflict"
    assert database_state() == before
    assert agent.get_received() == [] and other_agent.get_received() == []


def test_ended_chat_still_takes_receipts_typing_stops_and_retries(ended_chat):
    """Reading an ended chat clears its unread count; a lost ack's retry finds its message."""
    conversation_id, agent = ended_chat
    cid = {"conversation_id": conversation_id}

    seen = agent.emit("receipt", {**cid, "status": "seen", "up_to_seq": 1}, callback=True)
    stop = agent.emit("typing", {**cid, "is_typing": False}, callback=True)
    retry = agent.emit("send_message", {**cid, "client_id": "a-1", "body": "Bye"}, callback=True)

    assert seen == {"ok": True} and stop == {"ok": True}
    assert retry["ok"] and retry["message"]["seq"] == 2
    assert summary_of(conversation_id)["unread"] == 0
    assert [m.body for m in stored(conversation_id)] == ["Thanks!", "Bye"]


# --- presence -----------------------------------------------------------------


def test_visitor_online_is_announced_to_agents(new_visitor, connect, agent_socket):
    agent = agent_socket()
    conversation_id, token = new_visitor()
    drain(agent)

    connect(visitor_token=token)

    received = agent.get_received()
    presence = [e["args"][0] for e in received if e["name"] == "presence"]
    assert presence == [{"conversation_id": conversation_id, "who": "visitor", "online": True}]
    summaries = [e["args"][0] for e in received if e["name"] == "conversation"]
    assert summaries and summaries[-1]["visitor_online"] is True


def test_visitor_offline_is_announced_after_the_grace_period(visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    agent = agent_socket()
    drain(agent)

    socket.disconnect()

    offline = wait_for(agent, "presence", who="visitor", online=False)
    assert offline["conversation_id"] == conversation_id
    assert summary_of(conversation_id)["visitor_online"] is False


@pytest.mark.parametrize("heartbeat_during_reload", [False, True])
def test_visitor_reload_within_grace_does_not_flicker(
    app, monkeypatch, new_visitor, connect, agent_socket, heartbeat_during_reload
):
    conversation_id, token = new_visitor()
    socket = connect(visitor_token=token)
    agent = agent_socket()
    app.config["CHAT_PRESENCE_GRACE"] = 1.5
    if not heartbeat_during_reload:
        time.sleep(0.3)  # the maintenance loop's first round, with a heartbeat, is over
    else:
        # The loop's periodic heartbeat (every 15 s in production) comes
        # round while the page reloads.
        monkeypatch.setattr(connections, "HEARTBEAT_SECONDS", 0)
    drain(agent)

    socket.disconnect()
    time.sleep(0.3)  # the page reloads, well within the grace period
    connect(visitor_token=token)
    time.sleep(1.5)  # past the grace period

    assert events(agent, "presence") == []
    assert summary_of(conversation_id)["visitor_online"] is True


def test_visitor_stays_online_while_a_tab_is_open(app, new_visitor, connect, agent_socket):
    conversation_id, token = new_visitor()
    first, second = connect(visitor_token=token), connect(visitor_token=token)
    agent = agent_socket()
    drain(agent)

    first.disconnect()
    time.sleep(app.config["CHAT_PRESENCE_GRACE"] * 2.5)
    assert events(agent, "presence") == []

    second.disconnect()
    wait_for(agent, "presence", conversation_id=conversation_id, who="visitor", online=False)


def test_visitor_learns_agents_are_offline_on_connect(new_visitor, connect):
    conversation_id, token = new_visitor()

    socket = connect(visitor_token=token)

    assert events(socket, "presence") == [
        {"conversation_id": conversation_id, "who": "agent", "online": False}
    ]


def test_visitor_learns_agents_are_online_on_connect(new_visitor, connect, agent_socket):
    agent_socket()
    conversation_id, token = new_visitor()

    socket = connect(visitor_token=token)

    assert events(socket, "presence") == [
        {"conversation_id": conversation_id, "who": "agent", "online": True}
    ]


def test_agent_online_and_offline_reach_visitors(app, visitor, agent_socket):
    conversation_id, _token, socket = visitor()
    other_id, _other_token, other = visitor(name="Bo")
    drain(socket, other)

    first = agent_socket()
    second = agent_socket()
    assert events(socket, "presence") == [
        {"conversation_id": conversation_id, "who": "agent", "online": True}
    ]
    assert events(other, "presence") == [
        {"conversation_id": other_id, "who": "agent", "online": True}
    ]

    first.disconnect()
    time.sleep(app.config["CHAT_PRESENCE_GRACE"] * 2.5)
    assert events(socket, "presence") == []

    second.disconnect()
    offline = wait_for(socket, "presence", who="agent", online=False)
    assert offline["conversation_id"] == conversation_id


def test_agents_leaving_together_are_announced_offline_once(app, visitor, agent_socket):
    """One online-to-offline change, one announcement, however many sockets closed."""
    conversation_id, _token, socket = visitor()
    agents = [agent_socket() for _ in range(4)]
    drain(socket)

    for agent in agents:
        agent.disconnect()
    time.sleep(app.config["CHAT_PRESENCE_GRACE"] * 4)

    assert events(socket, "presence") == [
        {"conversation_id": conversation_id, "who": "agent", "online": False}
    ]


def test_visitor_arriving_while_an_agent_reconnects_is_told_online_only(
    app, new_visitor, connect, agent_socket
):
    """A newcomer hears what every visitor was told: an agent who left less
    than the grace period ago and came back never went offline."""
    app.config["CHAT_PRESENCE_GRACE"] = 1.5
    agent_socket().disconnect()  # the inbox reloads...
    conversation_id, token = new_visitor()
    socket = connect(visitor_token=token)  # ...as a visitor arrives
    agent_socket()
    time.sleep(2.0)

    assert events(socket, "presence") == [
        {"conversation_id": conversation_id, "who": "agent", "online": True}
    ]


def test_agents_of_a_process_that_died_are_announced_offline_once(
    app, monkeypatch, visitor, agent_socket
):
    monkeypatch.setattr(connections, "HEARTBEAT_SECONDS", 0)
    conversation_id, _token, socket = visitor()
    agent_socket()
    drain(socket)

    # The agent's server process dies: its row is left behind, no disconnect
    # is ever handled, and the surviving process clears the row.
    db.session.execute(
        sa.update(Connection).where(Connection.role == "agent").values(process_id="died")
    )
    db.session.commit()

    wait_for(socket, "presence", who="agent", online=False)
    time.sleep(app.config["CHAT_PRESENCE_GRACE"] * 3)
    assert events(socket, "presence") == []


def test_agent_presence_is_never_sent_to_agents(visitor, agent_socket):
    visitor()
    watcher = agent_socket()
    drain(watcher)

    agent_socket()

    assert events(watcher, "presence") == []


# --- conversation summaries ---------------------------------------------------


def test_new_conversation_is_announced_to_agents(client, agent_socket, connect, new_visitor):
    agent = agent_socket()
    _id, token = new_visitor()
    bystander = connect(visitor_token=token)
    drain(agent, bystander)

    response = client.post("/api/v1/conversations", json={"name": "Cy", "email": "cy@example.com"})

    [summary] = events(agent, "conversation")
    assert summary["id"] == response.json["conversation_id"]
    assert summary["visitor"] == {"name": "Cy", "email": "cy@example.com"}
    assert summary["last_message"] is None and summary["unread"] == 0
    assert summary["visitor_online"] is False
    assert bystander.get_received() == []


# --- errors -------------------------------------------------------------------


EVENTS = ["send_message", "typing", "receipt", "history", "join", "leave"]
NOT_AN_OBJECT = [(), ("hello",), (["c-1", "Hi"],), (None,), (5,), ({"body": "x"}, {"x": 1})]


@pytest.mark.parametrize("event", EVENTS)
def test_payload_that_is_not_one_object_is_invalid(visitor, agent_socket, event):
    _conversation_id, _token, socket = visitor()
    agent = agent_socket()
    before = database_state()
    drain(agent, socket)

    for args in NOT_AN_OBJECT:
        for sender in (socket, agent):
            assert error_code(sender.emit(event, *args, callback=True)) == "invalid", args

    assert database_state() == before
    assert agent.get_received() == [] and socket.get_received() == []


WRONG_SHAPE = {
    "send_message": [
        {},
        {"client_id": "c-1"},
        {"body": "Hi"},
        {"client_id": 1, "body": "Hi"},
        {"client_id": None, "body": "Hi"},
        {"client_id": "", "body": "Hi"},
        {"client_id": "x" * 65, "body": "Hi"},
        {"client_id": "c-1", "body": 5},
        {"client_id": "c-1", "body": None},
        {"client_id": "c-1", "body": ["Hi"]},
        {"client_id": "c-1", "body": {"text": "Hi"}},
    ],
    "typing": [
        {},
        {"is_typing": "true"},
        {"is_typing": 1},
        {"is_typing": 0},
        {"is_typing": None},
    ],
    "receipt": [
        {},
        {"status": "seen"},
        {"up_to_seq": 1},
        {"status": "read", "up_to_seq": 1},
        {"status": "SEEN", "up_to_seq": 1},
        {"status": None, "up_to_seq": 1},
        {"status": "seen", "up_to_seq": "1"},
        {"status": "seen", "up_to_seq": True},
        {"status": "seen", "up_to_seq": 1.0},
        {"status": "seen", "up_to_seq": 0.5},
        {"status": "seen", "up_to_seq": None},
        {"status": "seen", "up_to_seq": -1},
        {"status": "seen", "up_to_seq": 2**53},
        {"status": "seen", "up_to_seq": 2},  # beyond the last message
    ],
    "history": [
        {"limit": 0},
        {"limit": 101},
        {"limit": -1},
        {"limit": "10"},
        {"limit": True},
        {"limit": 10.0},
        {"before_seq": "3"},
        {"before_seq": False},
        {"before_seq": -1},
        {"before_seq": 2.5},
        {"after_seq": "0"},
        {"after_seq": -1},
        {"after_seq": 2**53},
        {"before_seq": 5, "after_seq": 1},
        {"before_seq": 0, "after_seq": 0},
    ],
}


@pytest.mark.parametrize("event", sorted(WRONG_SHAPE))
def test_payload_of_wrong_shape_is_invalid(visitor, agent_socket, event):
    conversation_id, _token, socket = visitor()
    post(conversation_id, "agent", "Hello")
    agent = agent_socket(join=conversation_id)
    before = database_state()
    drain(agent, socket)

    for payload in WRONG_SHAPE[event]:
        ack = socket.emit(event, payload, callback=True)
        assert error_code(ack) == "invalid", payload
        as_agent = agent.emit(event, {"conversation_id": conversation_id, **payload}, callback=True)
        assert error_code(as_agent) == "invalid", payload

    assert database_state() == before
    assert agent.get_received() == []
    assert socket.get_received() == []


BAD_CONVERSATION_IDS = ["absent", "1", True, 1.0, 0, -1, 2**53, None, [1]]


@pytest.mark.parametrize("event", EVENTS)
def test_agent_without_a_valid_conversation_id_is_invalid(visitor, agent_socket, event):
    real_id, _token, socket = visitor()
    post(real_id, "visitor", "Hello")
    agent = agent_socket(join=real_id)
    before = database_state()
    drain(agent, socket)

    for conversation_id in BAD_CONVERSATION_IDS:
        payload = {
            "client_id": "a-1",
            "body": "Hi",
            "is_typing": True,
            "status": "seen",
            "up_to_seq": 1,
        }
        if conversation_id != "absent":
            payload["conversation_id"] = conversation_id
        ack = agent.emit(event, payload, callback=True)
        assert error_code(ack) == "invalid", conversation_id

    assert database_state() == before
    assert agent.get_received() == []
    assert socket.get_received() == []


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("send_message", {"client_id": "a-1", "body": "Hi"}),
        ("typing", {"is_typing": True}),
        ("typing", {"is_typing": False}),
        ("receipt", {"status": "seen", "up_to_seq": 0}),
        ("history", {}),
        ("join", {}),
    ],
)
def test_agent_naming_a_missing_conversation_gets_not_found(visitor, agent_socket, event, payload):
    real_id, _token, socket = visitor()
    agent = agent_socket(join=real_id)
    before = database_state()
    drain(agent, socket)

    ack = agent.emit(event, {"conversation_id": MISSING, **payload}, callback=True)

    assert error_code(ack) == "not_found"
    assert database_state() == before
    assert agent.get_received() == [] and socket.get_received() == []


@pytest.mark.parametrize("event", ["subscribe", "send", "delete_message", "message", "json", ""])
def test_unknown_event_is_invalid(visitor, agent_socket, event):
    _conversation_id, _token, socket = visitor()
    agent = agent_socket()
    before = database_state()
    drain(agent)

    for sender in (socket, agent):
        assert error_code(sender.emit(event, {"body": "x"}, callback=True)) == "invalid"

    assert database_state() == before
    assert agent.get_received() == []


def test_every_request_gets_exactly_one_answer(visitor):
    _conversation_id, _token, socket = visitor()

    answers = [
        socket.emit("send_message", {"client_id": "c-1", "body": "Hi"}, callback=True),
        socket.emit("typing", {"is_typing": True}, callback=True),
        socket.emit("receipt", {"status": "seen", "up_to_seq": 1}, callback=True),
        socket.emit("history", {}, callback=True),
        socket.emit("join", {"conversation_id": 1}, callback=True),
        socket.emit("nope", callback=True),
    ]

    assert [a["ok"] for a in answers] == [True, True, True, True, False, False]


def test_message_rate_limit_per_visitor_across_its_sockets(app, visitor, connect):
    """Every socket of a visitor draws on one allowance: another tab, or a
    socket opened again after closing one, buys no more messages."""
    app.config["CHAT_MESSAGE_RATE"] = "3 per minute"
    conversation_id, token, socket = visitor()
    other_tab = connect(visitor_token=token)

    acks = [
        tab.emit("send_message", {"client_id": f"c-{n}", "body": "Hi"}, callback=True)
        for n, tab in enumerate([socket, other_tab, socket, other_tab])
    ]
    socket.disconnect()
    reopened = connect(visitor_token=token)
    again = reopened.emit("send_message", {"client_id": "c-9", "body": "Hi"}, callback=True)

    assert [a["ok"] for a in acks] == [True, True, True, False]
    assert error_code(acks[-1]) == "rate_limited"
    assert error_code(again) == "rate_limited"
    assert len(stored(conversation_id)) == 3
    # Another visitor has an allowance of its own.
    _cid, _token, stranger = visitor(name="Bo")
    assert stranger.emit("send_message", {"client_id": "c-1", "body": "Hi"}, callback=True)["ok"]


def test_message_rate_limit_per_agent_across_its_sockets(app, visitor, agent_socket):
    app.config["CHAT_MESSAGE_RATE"] = "2 per minute"
    conversation_id, _token, _socket = visitor()
    desks = [agent_socket(), agent_socket(), agent_socket()]

    acks = [
        desk.emit(
            "send_message",
            {"conversation_id": conversation_id, "client_id": f"a-{n}", "body": "Hello"},
            callback=True,
        )
        for n, desk in enumerate(desks)
    ]

    assert [a["ok"] for a in acks] == [True, True, False]
    assert error_code(acks[-1]) == "rate_limited"
    assert len(stored(conversation_id)) == 2


@pytest.mark.parametrize("event", ["history", "join"])
def test_history_and_join_are_rate_limited_per_credential(app, visitor, agent_socket, event):
    app.config["CHAT_HISTORY_RATE"] = "3 per minute"
    app.config["CHAT_JOIN_RATE"] = "3 per minute"
    conversation_id, _token, _socket = visitor()
    desks = [agent_socket(), agent_socket()]
    payload = {"conversation_id": conversation_id}

    acks = [desks[n % 2].emit(event, payload, callback=True) for n in range(4)]

    assert [a["ok"] for a in acks] == [True, True, True, False]
    assert error_code(acks[-1]) == "rate_limited"
    # The other event has an allowance of its own.
    other = "join" if event == "history" else "history"
    assert desks[0].emit(other, payload, callback=True)["ok"]


def test_visitor_history_is_rate_limited(app, visitor, connect):
    app.config["CHAT_HISTORY_RATE"] = "2 per minute"
    _cid, token, socket = visitor()
    other_tab = connect(visitor_token=token)

    acks = [tab.emit("history", {"limit": 100}, callback=True) for tab in (socket, other_tab)]
    refused = socket.emit("history", {"limit": 100}, callback=True)

    assert all(a["ok"] for a in acks)
    assert error_code(refused) == "rate_limited"


# --- values the database cannot hold ------------------------------------------
# SQLite stores them; PostgreSQL (the production database) refuses NUL in text
# and integers past 2**31 - 1 in INTEGER columns. Either way the client must get
# a protocol answer, never "internal".

BIG = [2**31]  # one past the largest PostgreSQL INTEGER


@pytest.mark.parametrize("number", BIG)
def test_receipt_far_beyond_the_last_message_is_invalid(visitor, number):
    conversation_id, _token, socket = visitor()
    post(conversation_id, "agent")
    before = database_state()

    ack = socket.emit("receipt", {"status": "seen", "up_to_seq": number}, callback=True)

    assert error_code(ack) == "invalid"
    assert database_state() == before


@pytest.mark.parametrize("number", BIG)
@pytest.mark.parametrize("field", ["before_seq", "after_seq"])
def test_history_with_huge_seq_answers_a_page_or_invalid(visitor, field, number):
    conversation_id, _token, socket = visitor()
    post(conversation_id, "agent")

    ack = socket.emit("history", {field: number}, callback=True)

    assert ack["ok"] or error_code(ack) == "invalid"
    if ack["ok"]:
        expected = [1] if field == "before_seq" else []
        assert [m["seq"] for m in ack["messages"]] == expected


@pytest.mark.parametrize("number", BIG)
@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("send_message", {"client_id": "a-1", "body": "Hi"}),
        ("typing", {"is_typing": True}),
        ("receipt", {"status": "seen", "up_to_seq": 0}),
        ("history", {}),
        ("join", {}),
    ],
)
def test_agent_naming_a_huge_conversation_id_gets_not_found(
    visitor, agent_socket, event, payload, number
):
    visitor()
    agent = agent_socket()
    before = database_state()

    ack = agent.emit(event, {"conversation_id": number, **payload}, callback=True)

    assert error_code(ack) in ("not_found", "invalid")
    assert database_state() == before


@pytest.mark.parametrize(
    "payload",
    [
        {"client_id": "c-1", "body": "a\x00b"},
        {"client_id": "c\x00", "body": "Hi"},
    ],
)
def test_message_with_nul_character_is_stored_or_invalid(visitor, payload):
    conversation_id, _token, socket = visitor()

    ack = socket.emit("send_message", payload, callback=True)

    assert ack["ok"] or error_code(ack) == "invalid"
    assert len(stored(conversation_id)) == (1 if ack["ok"] else 0)


@pytest.mark.parametrize("app", [{"CHAT_SUMMARY_DELAY": 0.5}], indirect=True)
def test_a_burst_of_changes_sends_each_conversation_one_fresh_summary(visitor, agent_socket):
    ana_id, _token, ana = visitor()
    bo_id, _token, bo = visitor(name="Bo")
    agent = agent_socket()
    agent.get_received()

    for n in range(3):
        ana.emit("send_message", {"client_id": f"a-{n}", "body": f"Ana {n}"}, callback=True)
    bo.emit("send_message", {"client_id": "b-0", "body": "Bo here"}, callback=True)
    time.sleep(1.0)

    summaries = events(agent, "conversation")
    assert sorted(s["id"] for s in summaries) == [ana_id, bo_id]
    by_id = {s["id"]: s for s in summaries}
    assert by_id[ana_id]["last_message"]["body"] == "Ana 2"
    assert by_id[ana_id]["unread"] == 3
    assert by_id[bo_id]["last_message"]["body"] == "Bo here"
