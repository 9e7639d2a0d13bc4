"""The desk over HTTP: resolve, reopen and snooze a conversation, and add
private notes (agents). The answers are those of the socket events."""

from app.api import bp
from app.api import responses as answers
from app.api.auth import agent_caller
from app.api.conversations import json_body, validated
from app.api.description import described
from app.desk_schemas import NoteBody, SnoozeBody
from app.realtime import emit, payloads
from app.realtime.desk_events import actor, state_answer
from app.realtime.limits import check_rate
from app.services import lifecycle, notes

CONVERSATION = "/conversations/<int(max=2147483647):conversation_id>"
STATE_ERRORS = ("not_found", "conflict", "rate_limited")


@bp.route(f"{CONVERSATION}/resolve", methods=["POST"])
@described(
    tag="conversations", auth="agent", answers={200: answers.StateAnswer}, errors=STATE_ERRORS
)
def resolve_conversation(conversation_id: int):
    """Mark the conversation resolved. Answers ``{"conversation", "activity"}``
    (``activity`` is null when it already was); 409 for a chat the visitor ended."""
    identity = agent_caller()
    check_rate(identity, "desk", "CHAT_DESK_RATE")
    return state_answer(conversation_id, lifecycle.resolve(conversation_id, actor(identity)))


@bp.route(f"{CONVERSATION}/reopen", methods=["POST"])
@described(
    tag="conversations", auth="agent", answers={200: answers.StateAnswer}, errors=STATE_ERRORS
)
def reopen_conversation(conversation_id: int):
    """Open a resolved or snoozed conversation again; answers as ``resolve``."""
    identity = agent_caller()
    check_rate(identity, "desk", "CHAT_DESK_RATE")
    return state_answer(conversation_id, lifecycle.reopen(conversation_id, actor(identity)))


@bp.route(f"{CONVERSATION}/snooze", methods=["POST"])
@described(
    tag="conversations",
    auth="agent",
    body=SnoozeBody,
    answers={200: answers.StateAnswer},
    errors=STATE_ERRORS,
)
def snooze_conversation(conversation_id: int):
    """Snooze until ``{"until": "2026-05-04T09:00:00Z"}`` (in the future, at
    most 90 days ahead); answers as ``resolve``."""
    identity = agent_caller()
    check_rate(identity, "desk", "CHAT_DESK_RATE")
    until = validated(SnoozeBody, json_body()).until
    return state_answer(conversation_id, lifecycle.snooze(conversation_id, actor(identity), until))


@bp.route(f"{CONVERSATION}/notes", methods=["POST"])
@described(
    tag="notes",
    auth="agent",
    body=NoteBody,
    answers={201: answers.NoteAnswer, 200: answers.NoteAnswer},
    errors=("not_found", "too_large", "rate_limited"),
)
def add_note(conversation_id: int):
    """Add a private note ``{"client_id", "body"}``: agents only, never shown
    to the visitor. Answers ``201 {"activity"}``, or ``200`` with the stored
    note when the client_id was stored before (a retry)."""
    identity = agent_caller()
    check_rate(identity, "add_note", "CHAT_MESSAGE_RATE")
    note = validated(NoteBody, json_body())
    noted = notes.add_note(
        conversation_id, identity.agent_id, identity.name, note.client_id, note.body
    )
    line = payloads.activity(noted.line)
    if noted.created:
        emit.activity(line)
    return {"activity": line}, 201 if noted.created else 200
