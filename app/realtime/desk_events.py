"""Socket.IO events of the desk: resolve, reopen and snooze a conversation,
and add a private note (agents only).

What follows a change is the same for an event, an API request and the
snooze that ends by itself, so it is here once: ``announce``.
"""

from app.desk_schemas import AddNote, Snooze
from app.models import Activity
from app.realtime import emit, payloads, summaries
from app.realtime.answers import chat_event
from app.realtime.limits import check_rate
from app.schemas import ConversationRef
from app.services import history, lifecycle, notes
from app.services.access import Identity


def actor(identity: Identity) -> lifecycle.Actor:
    return lifecycle.Actor(identity.agent_id, identity.name)


def announce(conversation_id: int, line: Activity | None) -> None:
    """Tell every agent of a change of state (its line and the summary) and
    the visitor where the chat stands now; nothing when nothing changed."""
    if line is None:
        return
    emit.activity(payloads.activity(line))
    summaries.send_soon(conversation_id)
    emit.chat_state(payloads.chat_state(history.summary(conversation_id).conversation))


def state_answer(conversation_id: int, line: Activity | None) -> dict:
    """The answer to a change of state: the fresh summary, and the line
    recorded (None when the chat already stood so)."""
    answer = {
        "conversation": payloads.summary(history.summary(conversation_id)),
        "activity": None if line is None else payloads.activity(line),
    }
    announce(conversation_id, line)
    return answer


@chat_event("resolve", ConversationRef, agents_only=True)
def resolve(identity: Identity, payload: ConversationRef) -> dict:
    """Mark a conversation resolved."""
    check_rate(identity, "desk", "CHAT_DESK_RATE")
    cid = payload.conversation_id
    return state_answer(cid, lifecycle.resolve(cid, actor(identity)))


@chat_event("reopen", ConversationRef, agents_only=True)
def reopen(identity: Identity, payload: ConversationRef) -> dict:
    """Open a resolved or snoozed conversation again."""
    check_rate(identity, "desk", "CHAT_DESK_RATE")
    cid = payload.conversation_id
    return state_answer(cid, lifecycle.reopen(cid, actor(identity)))


@chat_event("snooze", Snooze, agents_only=True)
def snooze(identity: Identity, payload: Snooze) -> dict:
    """Put a conversation aside until a time; it reopens by itself then."""
    check_rate(identity, "desk", "CHAT_DESK_RATE")
    cid = payload.conversation_id
    return state_answer(cid, lifecycle.snooze(cid, actor(identity), payload.until))


@chat_event("add_note", AddNote, agents_only=True)
def add_note(identity: Identity, payload: AddNote) -> dict:
    """Store a private note (once per client_id) and show it to every agent."""
    check_rate(identity, "add_note", "CHAT_MESSAGE_RATE")
    noted = notes.add_note(
        payload.conversation_id, identity.agent_id, identity.name, payload.client_id, payload.body
    )
    line = payloads.activity(noted.line)
    if noted.created:
        emit.activity(line)
    return {"activity": line}
