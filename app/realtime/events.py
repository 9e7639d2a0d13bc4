"""Socket.IO events of the chat protocol.

Each handler reads like a paragraph: the payload was validated by
``chat_event``, the handler finds the conversation the identity may act on,
calls the service, emits, and returns the acknowledgement.
"""

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, join_room, leave_room, rooms

from app import metrics, socketio
from app.realtime import (
    assignment_events,
    background,
    desk_events,
    emit,
    payloads,
    roster,
    summaries,
)
from app.realtime.answers import chat_event
from app.realtime.jsonpackets import UNDECODABLE
from app.realtime.lanes import typing_lane
from app.realtime.limits import check_rate
from app.realtime.packets import RENAMED
from app.realtime.rooms import AGENTS, conversation_room, watched_conversation, watchers_room
from app.realtime.session import current_identity, identify_socket, remember
from app.schemas import ConversationRef, History, Receipt, SendMessage, Typing
from app.services import (
    activity,
    availability,
    connections,
    files,
    history,
    messages,
    presence,
    receipts,
    typing,
    visitor_context,
)
from app.services.access import Identity
from app.services.conversations import set_page_url


@socketio.on("connect")
def on_connect(auth=None):
    """Authenticate the socket once, place it in its rooms, announce presence."""
    if "identity" in session:
        # Not a new connection: a client sent an event named "connect".
        return payloads.failed("invalid", "'connect' is a reserved event name")
    identity = identify_socket(auth)
    if identity is None:
        raise ConnectionRefusedError("unauthorized")
    remember(identity)
    background.ensure_started(current_app._get_current_object())
    if identity.is_agent:
        join_room(AGENTS)
        if presence.socket_opened(request.sid, identity):
            emit.agent_presence(True, presence.online_conversation_ids())
        if availability.mark_connected(identity.agent_id):
            roster.send_soon()
            roster.tell_visitors_of(identity.agent_id)
    else:
        _connect_visitor(identity, auth.get("page_url"))
        visitor_context.note_connect(
            identity.conversation_id, auth.get("context"), request.headers.get("User-Agent")
        )
    metrics.socket_connected(identity.role)


def _connect_visitor(identity: Identity, page_url: object) -> None:
    """Place a visitor socket in its conversation, noting the page it is on."""
    cid = identity.conversation_id
    if connections.visitor_count(cid) >= current_app.config["CHAT_MAX_VISITOR_CONNECTIONS"]:
        metrics.rate_limited("visitor_connections")
        raise ConnectionRefusedError("rate_limited")
    join_room(conversation_room(cid))
    moved = isinstance(page_url, str) and set_page_url(cid, page_url)
    if presence.socket_opened(request.sid, identity):
        emit.visitor_presence(cid, True)
        summaries.send_soon(cid)
    elif moved:
        summaries.send_soon(cid)
    emit.agent_presence_to(request.sid, cid, presence.agents_announced_online())
    emit.chat_state(payloads.chat_state(history.summary(cid).conversation), to=request.sid)


@socketio.on("disconnect")
def on_disconnect(reason=None, *_extra):
    """End the typist's typing state; announce offline after a short grace."""
    if socketio.server.manager.is_connected(request.sid, "/"):
        # Still connected: a client sent an event named "disconnect".
        return payloads.failed("invalid", "'disconnect' is a reserved event name")
    app = current_app._get_current_object()
    connections.remove(request.sid)
    identity = current_identity()
    metrics.socket_disconnected(identity.role)
    if identity.is_agent:
        for room in rooms():
            watched = watched_conversation(room)
            if watched is not None:
                _end_typing(watched, identity)
        background.settle_agents_later(app, identity.agent_id)
        return
    _end_typing(identity.conversation_id, identity)
    background.settle_visitor_later(app, identity.conversation_id)


def _end_typing(conversation_id: int, identity: Identity) -> None:
    if typing.end_typing(conversation_id, identity.role):
        emit.typing(conversation_id, identity.role, identity.name, False)
        if not identity.is_agent:
            summaries.send_soon(conversation_id)


@socketio.on("*")
def unknown_event(event, *args):
    """Events outside the protocol get an answer too."""
    if event == UNDECODABLE:
        return payloads.failed(
            "invalid", "the payload cannot be read: not JSON, or too deep or long"
        )
    if event == RENAMED:
        return payloads.failed("invalid", "'*' is a reserved event name")
    return payloads.failed("invalid", f"unknown event {str(event)[:64]!r}")


@chat_event("send_message", SendMessage)
def send_message(identity: Identity, payload: SendMessage) -> dict:
    """Store a message (once per client_id) and deliver it to the other side."""
    check_rate(identity, "send_message", "CHAT_MESSAGE_RATE")
    cid = identity.conversation_for(payload.conversation_id)
    file = files.attachment(cid, identity.role, payload.file_id) if payload.file_id else None
    body = payload.body if payload.body is not None else file["name"]
    posted = messages.post_message(cid, identity.role, identity.name, payload.client_id, body, file)
    message = payloads.message(posted.message)
    if posted.created:
        metrics.message_stored()
        emit.message(message, skip_sid=request.sid)
        if posted.typing_ended:
            emit.typing(cid, identity.role, identity.name, False)
        if posted.reopened is not None:
            desk_events.announce(cid, posted.reopened)
        else:
            summaries.send_soon(cid)
        assignment_events.assign_if_new(cid, posted.first_from_visitor)
    return {"message": message}


@chat_event("typing", Typing)
def typing_event(identity: Identity, payload: Typing) -> dict:
    """Start, refresh or end this side's typing state."""
    check_rate(identity, "typing", "CHAT_TYPING_RATE")
    cid = identity.conversation_for(payload.conversation_id)
    with typing_lane():
        changed = typing.set_typing(cid, identity.role, payload.is_typing, identity.name)
        if payload.is_typing or changed:
            emit.typing(cid, identity.role, identity.name, payload.is_typing)
    if changed and not identity.is_agent:
        summaries.send_soon(cid)
    return {}


@chat_event("receipt", Receipt)
def receipt(identity: Identity, payload: Receipt) -> dict:
    """Mark the other side's messages delivered or seen, up to a seq."""
    cid = identity.conversation_for(payload.conversation_id)
    applied = receipts.apply_receipt(cid, identity.role, payload.status, payload.up_to_seq)
    if applied is not None:
        emit.receipt(payloads.receipt(applied))
        summaries.send_soon(cid)
    return {}


@chat_event("history", History, reads=True)
def history_event(identity: Identity, payload: History) -> dict:
    """A page of the conversation's messages, oldest first."""
    check_rate(identity, "history", "CHAT_HISTORY_RATE")
    cid = identity.conversation_for(payload.conversation_id)
    page = history.page(cid, payload.before_seq, payload.after_seq, payload.limit)
    answer = {"messages": payloads.messages(page.messages), "has_more": page.has_more}
    if identity.is_agent:
        answer["activities"] = payloads.activities(_lines_of(cid, page))
    return answer


def _lines_of(cid: int, page: history.Page) -> list:
    """The activity lines that go with a page of messages (agents only)."""
    if not page.messages:
        return activity.among(cid, 1, 0)
    return activity.among(cid, page.messages[0].seq, page.messages[-1].seq)


@chat_event("join", ConversationRef, agents_only=True, reads=True)
def join(identity: Identity, payload: ConversationRef) -> dict:
    """Open a conversation in the inbox: its room, summary and newest messages."""
    check_rate(identity, "join", "CHAT_JOIN_RATE")
    cid = identity.conversation_for(payload.conversation_id)
    summary = payloads.summary(history.summary(cid))
    join_room(watchers_room(cid))
    page = history.page(cid)
    return {
        "conversation": summary,
        "messages": payloads.messages(page.messages),
        "has_more": page.has_more,
        "activities": payloads.activities(_lines_of(cid, page)),
    }


@chat_event("leave", ConversationRef, agents_only=True, reads=True)
def leave(identity: Identity, payload: ConversationRef) -> dict:
    """Stop following a conversation's typing events."""
    leave_room(watchers_room(payload.conversation_id))
    return {}
