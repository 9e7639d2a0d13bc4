"""Socket.IO events of assignment and availability (agents only): claim,
assign, unassign, set_availability; and what every inbox and the visitor
are told after each change, over sockets or REST.
"""

import logging

from flask import current_app

from app import db
from app.models import Activity
from app.realtime import background, emit, payloads, roster, summaries
from app.realtime.answers import chat_event
from app.realtime.limits import check_rate
from app.schemas import AssignTo, Availability, ConversationRef
from app.services import assignment, autoassign, availability, history, presence
from app.services.access import Identity

log = logging.getLogger(__name__)


@chat_event("claim", ConversationRef, agents_only=True)
def claim(identity: Identity, payload: ConversationRef) -> dict:
    """Assign the conversation to oneself, from nobody or from another agent."""
    check_rate(identity, "assign", "CHAT_ASSIGN_RATE")
    cid = payload.conversation_id
    return assigned(cid, assignment.assign(cid, identity.agent_id, identity))


@chat_event("assign", AssignTo, agents_only=True)
def assign(identity: Identity, payload: AssignTo) -> dict:
    """Assign the conversation to an enabled agent."""
    check_rate(identity, "assign", "CHAT_ASSIGN_RATE")
    cid = payload.conversation_id
    return assigned(cid, assignment.assign(cid, payload.agent_id, identity))


@chat_event("unassign", ConversationRef, agents_only=True)
def unassign(identity: Identity, payload: ConversationRef) -> dict:
    """Leave the conversation to nobody."""
    check_rate(identity, "assign", "CHAT_ASSIGN_RATE")
    cid = payload.conversation_id
    return assigned(cid, assignment.unassign(cid, identity))


@chat_event("set_availability", Availability, agents_only=True)
def set_availability(identity: Identity, payload: Availability) -> dict:
    """Turn oneself available or away."""
    check_rate(identity, "set_availability", "CHAT_AVAILABILITY_RATE")
    return availability_set(identity, payload.available)


def assigned(conversation_id: int, line: Activity | None) -> dict:
    """Tell everyone of a change (when there was one); the answer: the
    conversation's summary."""
    if line is not None:
        announce_assignment(line)
    return {"conversation": payloads.summary(history.summary(conversation_id))}


def announce_assignment(line: Activity) -> None:
    """The activity line and summary to every inbox; the agent's name to the visitor."""
    cid = line.conversation_id
    emit.activity(payloads.activity(line))
    summaries.send_soon(cid)
    emit.chat_state(payloads.chat_state(history.summary(cid).conversation))


def availability_set(identity: Identity, available: bool) -> dict:
    """Store the agent's availability and tell whoever it concerns; the
    answer: the agent's line of the roster."""
    if availability.set_available(identity.agent_id, available):
        roster.send_soon()
        roster.tell_visitors_of(identity.agent_id)
        if not available:
            # The offline, if no available agent is left, after the grace
            # period: an agent coming back at once makes no flicker.
            background.settle_agents_later(current_app._get_current_object())
        elif presence.mark_agents_online():
            emit.agent_presence(True, presence.online_conversation_ids())
    return {"agent": payloads.agent(availability.roster_entry(identity.agent_id))}


def assign_if_new(conversation_id: int, first_from_visitor: bool) -> None:
    """After a visitor's message: the desk's automatic assignment, at their first.

    The message is stored already: a failure here is logged, and the chat
    stays unassigned, rather than failing the message's acknowledgement.
    """
    if not first_from_visitor:
        return
    try:
        line = autoassign.assign_new(conversation_id)
    except Exception:
        db.session.rollback()
        log.exception("automatic assignment of conversation %s failed", conversation_id)
        return
    if line is not None:
        announce_assignment(line)
