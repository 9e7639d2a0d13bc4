"""A visitor nobody can answer now leaves an email address (``set_email``)."""

import pytest

from app import db
from app.models import Conversation
from tests.conftest import events


def test_the_email_is_stored_and_agents_see_it(new_visitor, connect, agent_token):
    conversation_id, token = new_visitor()
    visitor, agents = connect(visitor_token=token), connect(token=agent_token)
    visitor.get_received()
    agents.get_received()

    ack = visitor.emit("set_email", {"email": "  Ana@Example.COM "}, callback=True)

    assert ack == {"ok": True, "email": "Ana@example.com"}
    assert db.session.get(Conversation, conversation_id).visitor_email == "Ana@example.com"
    summary = events(agents, "conversation")[-1]
    assert summary["visitor"]["email"] == "Ana@example.com"
    assert events(visitor, "chat_state")[-1]["email"] == "Ana@example.com"


@pytest.mark.parametrize(
    "email", ["ana", "ana@", "@example.com", "ana@example", "a b@example.com", "ana@@x.com"]
)
def test_an_address_that_is_not_one_is_invalid(new_visitor, connect, email):
    conversation_id, token = new_visitor()
    ack = connect(visitor_token=token).emit("set_email", {"email": email}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"
    assert db.session.get(Conversation, conversation_id).visitor_email is None


@pytest.mark.parametrize("payload", [{}, {"email": 3}, {"email": ""}, {"email": "a" * 255}])
def test_bad_payloads_are_invalid(new_visitor, connect, payload):
    _cid, token = new_visitor()
    ack = connect(visitor_token=token).emit("set_email", payload, callback=True)
    assert ack["error"]["code"] == "invalid"


def test_agents_may_not_set_a_visitors_email(new_visitor, connect, agent_token):
    conversation_id, _token = new_visitor()
    ack = connect(token=agent_token).emit(
        "set_email", {"conversation_id": conversation_id, "email": "x@example.com"}, callback=True
    )
    assert ack["error"]["code"] == "forbidden"


@pytest.mark.parametrize("app", [{"CHAT_EMAIL_RATE": "2 per minute"}], indirect=True)
def test_set_email_is_rate_limited(new_visitor, connect):
    _cid, token = new_visitor()
    socket = connect(visitor_token=token)
    answers = [
        socket.emit("set_email", {"email": f"ana{n}@example.com"}, callback=True)["ok"]
        for n in range(3)
    ]
    assert answers == [True, True, False]
