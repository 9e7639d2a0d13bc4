"""Assignment and agents' availability over HTTP (agents only)."""

from app.api import bp
from app.api import responses as answers
from app.api.auth import agent_caller
from app.api.conversations import json_body, validated
from app.api.description import described
from app.realtime import payloads
from app.realtime.assignment_events import assigned, availability_set
from app.realtime.limits import check_rate
from app.schemas import Assignee, Availability
from app.services import assignment, availability


@bp.route("/conversations/<int(max=2147483647):conversation_id>/assign", methods=["POST"])
@described(
    tag="conversations",
    auth="agent",
    body=Assignee,
    answers={200: answers.ConversationAnswer},
    errors=("not_found", "conflict", "rate_limited"),
)
def assign_conversation(conversation_id: int):
    """Assign a conversation to an agent (``{"agent_id": ID}``, oneself to
    claim it) or to nobody (``{"agent_id": null}``).

    Answers ``{"conversation": summary}``; a change is recorded as an
    activity line and told to every inbox and to the visitor (the agent's
    name). An unknown agent is 404, a disabled one 400, a chat the visitor
    ended 409; repeating a request changes and records nothing.
    """
    identity = agent_caller()
    body = validated(Assignee, json_body())
    check_rate(identity, "assign", "CHAT_ASSIGN_RATE")
    if body.agent_id is None:
        line = assignment.unassign(conversation_id, identity)
    else:
        line = assignment.assign(conversation_id, body.agent_id, identity)
    return assigned(conversation_id, line)


@bp.route("/agents", methods=["GET"])
@described(tag="agents", auth="agent", answers={200: answers.Roster})
def agents_roster():
    """Every enabled agent: ``{"agents": [{id, name, role, available, online}]}``,
    ``online`` meaning connected to the inbox (or the API's socket)."""
    agent_caller()
    return {"agents": payloads.agents(availability.roster())}


@bp.route("/agents/me/availability", methods=["PUT"])
@described(
    tag="agents",
    auth="agent",
    body=Availability,
    answers={200: answers.RosterEntry},
    errors=("rate_limited",),
)
def set_own_availability():
    """Turn oneself available or away (``{"available": true|false}``).

    Answers ``{"agent": {id, name, role, available, online}}``. Visitors
    are told agents are online only while an available agent is connected.
    """
    identity = agent_caller()
    body = validated(Availability, json_body())
    check_rate(identity, "set_availability", "CHAT_AVAILABILITY_RATE")
    return availability_set(identity, body.available)
