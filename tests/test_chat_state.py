"""What a visitor is told of where their chat stands (``chat_state``)."""

from app import db
from app.models import Conversation
from app.realtime import emit, payloads
from app.services import history
from tests.conftest import events
from tests.harness.credentials import AGENT_NAME


def announce(conversation_id):
    """Send the state as the server does after a change."""
    db.session.expire_all()
    emit.chat_state(payloads.chat_state(history.summary(conversation_id).conversation))


def test_each_visitor_socket_is_told_on_connect(new_visitor, connect):
    conversation_id, token = new_visitor()

    socket = connect(visitor_token=token)

    assert events(socket, "chat_state") == [
        {
            "conversation_id": conversation_id,
            "state": "open",
            "agent": None,
            "hours": {"open": True, "closes_at": None, "opens_at": None},
            "email": None,
            "mail": False,
        }
    ]


def test_a_change_reaches_the_visitor_with_the_agents_name_only(
    new_visitor, connect, agent, agent_token
):
    conversation_id, token = new_visitor()
    other_id, other_token = new_visitor()
    socket, other = connect(visitor_token=token), connect(visitor_token=other_token)
    agents = connect(token=agent_token)
    for opened in (socket, other, agents):
        opened.get_received()

    conversation = db.session.get(Conversation, conversation_id)
    conversation.state, conversation.assignee_id = "resolved", agent.id
    db.session.commit()
    announce(conversation_id)

    assert events(socket, "chat_state") == [
        {
            "conversation_id": conversation_id,
            "state": "resolved",
            "agent": {"name": AGENT_NAME, "available": True},
            "hours": {"open": True, "closes_at": None, "opens_at": None},
            "email": None,
            "mail": False,
        }
    ]
    assert events(other, "chat_state") == []
    assert events(agents, "chat_state") == []


def test_an_ended_chat_says_ended(new_visitor, connect):
    conversation_id, token = new_visitor()
    socket = connect(visitor_token=token)
    socket.get_received()

    conversation = db.session.get(Conversation, conversation_id)
    conversation.status = "closed"
    db.session.commit()
    announce(conversation_id)

    assert events(socket, "chat_state")[0]["state"] == "ended"


def test_the_visitor_hears_whether_their_agent_can_answer_now(
    new_visitor, connect, agent, agent_token
):
    conversation_id, token = new_visitor()
    conversation = db.session.get(Conversation, conversation_id)
    conversation.assignee_id = agent.id
    db.session.commit()
    visitor = connect(visitor_token=token)
    assert events(visitor, "chat_state")[-1]["agent"] == {"name": AGENT_NAME, "available": False}

    agents = connect(token=agent_token)  # the agent connects: they can answer
    assert events(visitor, "chat_state")[-1]["agent"] == {"name": AGENT_NAME, "available": True}

    agents.emit("set_availability", {"available": False}, callback=True)
    assert events(visitor, "chat_state")[-1]["agent"] == {"name": AGENT_NAME, "available": False}

    agents.emit("set_availability", {"available": True}, callback=True)
    assert events(visitor, "chat_state")[-1]["agent"] == {"name": AGENT_NAME, "available": True}
