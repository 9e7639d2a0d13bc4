"""Socket.IO events of the chat protocol.

Each handler reads like a paragraph: the payload was validated by
``chat_event``, the handler finds the conversation the identity may act on,
calls the service, broadcasts, and returns the acknowledgement.
"""

import functools
import logging

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, join_room, leave_room, rooms
from pydantic import ValidationError

from app import db, socketio
from app.chat import background, broadcast, presence, service
from app.chat.identity import Identity, current_identity, identify, remember
from app.chat.limits import check_rate
from app.chat.schemas import (
    ConversationRef,
    History,
    Payload,
    Receipt,
    SendMessage,
    Typing,
    describe,
)
from app.errors import ChatError
from app.fastjson import UNDECODABLE
from app.lifecycle import in_flight
from app.packets import RENAMED

log = logging.getLogger(__name__)


def error_ack(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


def chat_event(name: str, schema: type[Payload], agents_only: bool = False):
    """Register a handler that gets (identity, payload) and answers exactly once."""

    def register(handler):
        @functools.wraps(handler)
        def answer(*args):
            try:
                with in_flight():
                    if len(args) != 1 or not isinstance(args[0], dict):
                        raise ChatError("invalid", "the payload must be one JSON object")
                    payload = schema.model_validate(args[0])
                    identity = current_identity()
                    if agents_only and not identity.is_agent:
                        raise ChatError("forbidden", f"only agents may {name}")
                    return {"ok": True, **handler(identity, payload)}
            except ValidationError as exc:
                db.session.rollback()
                return error_ack("invalid", describe(exc))
            except ChatError as exc:
                db.session.rollback()
                return error_ack(exc.code, exc.message)
            except Exception:
                db.session.rollback()
                log.exception("%s failed", name)
                return error_ack("internal", "the server failed; try again")

        socketio.on_event(name, answer)
        return answer

    return register


@socketio.on("connect")
def on_connect(auth=None):
    """Authenticate the socket once, place it in its rooms, announce presence."""
    if "identity" in session:
        # Not a new connection: a client sent an event named "connect".
        return error_ack("invalid", "'connect' is a reserved event name")
    identity = identify(auth)
    if identity is None:
        raise ConnectionRefusedError("unauthorized")
    remember(identity)
    background.ensure_started(current_app._get_current_object())
    if identity.is_agent:
        join_room(broadcast.AGENTS_ROOM)
        if presence.add_connection(request.sid, identity):
            broadcast.agent_presence(True)
        return
    _connect_visitor(identity, auth.get("page_url"))


def _connect_visitor(identity: Identity, page_url: object) -> None:
    """Place a visitor socket in its conversation, noting the page it is on."""
    cid = identity.conversation_id
    most = current_app.config["CHAT_MAX_VISITOR_CONNECTIONS"]
    if presence.visitor_connection_count(cid) >= most:
        raise ConnectionRefusedError("rate_limited")
    join_room(broadcast.conversation_room(cid))
    moved = isinstance(page_url, str) and service.set_page_url(cid, page_url)
    if presence.add_connection(request.sid, identity):
        broadcast.visitor_presence(cid, True)
    elif moved:
        broadcast.summary(cid)
    online = presence.agents_announced_online()
    broadcast.agent_presence(online, to=request.sid, conversation_id=cid)


@socketio.on("disconnect")
def on_disconnect(reason=None, *_extra):
    """End the typist's typing state; announce offline after a short grace."""
    if socketio.server.manager.is_connected(request.sid, "/"):
        # Still connected: a client sent an event named "disconnect".
        return error_ack("invalid", "'disconnect' is a reserved event name")
    app = current_app._get_current_object()
    presence.remove_connection(request.sid)
    identity = current_identity()
    if identity.is_agent:
        for room in rooms():
            watched = broadcast.watched_conversation(room)
            if watched is not None:
                _end_typing(watched, identity)
        background.settle_agents_later(app)
        return
    _end_typing(identity.conversation_id, identity)
    background.settle_visitor_later(app, identity.conversation_id)


def _end_typing(conversation_id: int, identity: Identity) -> None:
    if service.end_typing(conversation_id, identity.role):
        broadcast.typing(conversation_id, identity.role, identity.name, False)
        if not identity.is_agent:
            broadcast.summary(conversation_id)


@socketio.on("*")
def unknown_event(event, *args):
    """Events outside the protocol get an answer too."""
    if event == UNDECODABLE:
        return error_ack("invalid", "the payload cannot be read: not JSON, or too deep or long")
    if event == RENAMED:
        return error_ack("invalid", "'*' is a reserved event name")
    return error_ack("invalid", f"unknown event {str(event)[:64]!r}")


@chat_event("send_message", SendMessage)
def send_message(identity: Identity, payload: SendMessage) -> dict:
    """Store a message (once per client_id) and deliver it to the other side."""
    check_rate(identity, "send_message", "CHAT_MESSAGE_RATE")
    cid = identity.conversation_for(payload.conversation_id)
    posted = service.post_message(
        cid, identity.role, identity.name, payload.client_id, payload.body
    )
    message = posted.message.to_dict()
    if posted.created:
        broadcast.message(message, skip_sid=request.sid)
        if posted.typing_ended:
            broadcast.typing(cid, identity.role, identity.name, False)
        broadcast.summary(cid)
    return {"message": message}


@chat_event("typing", Typing)
def typing(identity: Identity, payload: Typing) -> dict:
    """Start, refresh or end this side's typing state."""
    check_rate(identity, "typing", "CHAT_TYPING_RATE")
    cid = identity.conversation_for(payload.conversation_id)
    changed = service.set_typing(cid, identity.role, payload.is_typing, identity.name)
    if payload.is_typing or changed:
        broadcast.typing(cid, identity.role, identity.name, payload.is_typing)
    if changed and not identity.is_agent:
        broadcast.summary(cid)
    return {}


@chat_event("receipt", Receipt)
def receipt(identity: Identity, payload: Receipt) -> dict:
    """Mark the other side's messages delivered or seen, up to a seq."""
    cid = identity.conversation_for(payload.conversation_id)
    applied = service.apply_receipt(cid, identity.role, payload.status, payload.up_to_seq)
    if applied is not None:
        broadcast.receipt(applied.to_dict())
        broadcast.summary(cid)
    return {}


@chat_event("history", History)
def history(identity: Identity, payload: History) -> dict:
    """A page of the conversation's messages, oldest first."""
    check_rate(identity, "history", "CHAT_HISTORY_RATE")
    cid = identity.conversation_for(payload.conversation_id)
    messages, has_more = service.history(cid, payload.before_seq, payload.after_seq, payload.limit)
    return {"messages": [m.to_dict() for m in messages], "has_more": has_more}


@chat_event("join", ConversationRef, agents_only=True)
def join(identity: Identity, payload: ConversationRef) -> dict:
    """Open a conversation in the inbox: its room, summary and newest messages."""
    check_rate(identity, "join", "CHAT_JOIN_RATE")
    cid = identity.conversation_for(payload.conversation_id)
    conversation = service.summary_of(cid)
    join_room(broadcast.watchers_room(cid))
    messages, has_more = service.history(cid)
    return {
        "conversation": conversation,
        "messages": [m.to_dict() for m in messages],
        "has_more": has_more,
    }


@chat_event("leave", ConversationRef, agents_only=True)
def leave(identity: Identity, payload: ConversationRef) -> dict:
    """Stop following a conversation's typing events."""
    leave_room(broadcast.watchers_room(payload.conversation_id))
    return {}
