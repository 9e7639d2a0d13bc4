"""What the server tells clients, and to which rooms.

Rooms are named here, from what the server knows: ``conversation:<id>`` holds
the visitor's sockets, ``conversation:<id>:agents`` the agent sockets that
joined the conversation, and ``agents`` every agent socket. Emitting to
several rooms at once reaches each socket once.
"""

import threading

from flask import Flask, current_app

from app import db, socketio
from app.chat import presence, service
from app.errors import ChatError

AGENTS_ROOM = "agents"


def disconnect_all(sids: list[str]) -> None:
    """Close sockets, whichever server process holds them."""
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")


def conversation_room(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def watchers_room(conversation_id: int) -> str:
    """The agents who have the conversation open."""
    return f"conversation:{conversation_id}:agents"


def watched_conversation(room: str) -> int | None:
    """The conversation a watchers room is for, or None for any other room."""
    prefix, _, rest = room.partition(":")
    number, _, suffix = rest.partition(":")
    if prefix == "conversation" and suffix == "agents" and number.isdigit():
        return int(number)
    return None


def everyone_in(conversation_id: int) -> list[str]:
    """Every socket that may see a conversation: its room and all agents."""
    return [conversation_room(conversation_id), AGENTS_ROOM]


def message(payload: dict, skip_sid: str | None) -> None:
    socketio.emit("message", payload, to=everyone_in(payload["conversation_id"]), skip_sid=skip_sid)


def receipt(payload: dict) -> None:
    socketio.emit("receipt", payload, to=everyone_in(payload["conversation_id"]))


def typing(conversation_id: int, sender: str, name: str, is_typing: bool) -> None:
    """Tell the other side: a visitor's typing goes to the agents who have the
    conversation open, an agent's to the visitor's sockets."""
    payload = {
        "conversation_id": conversation_id,
        "sender": sender,
        "name": name,
        "is_typing": is_typing,
    }
    if sender == "visitor":
        to = watchers_room(conversation_id)
    else:
        to = conversation_room(conversation_id)
    socketio.emit("typing", payload, to=to)


def summary(conversation_id: int) -> None:
    """Send agents the conversation's fresh summary, soon.

    Changes that come close together (a message, its receipts, typing) are
    sent as one summary after ``CHAT_SUMMARY_DELAY`` seconds; 0 sends at once.
    """
    app = current_app._get_current_object()
    delay = app.config["CHAT_SUMMARY_DELAY"]
    if not delay:
        _send_summary(conversation_id)
        return
    with _pending_lock:
        schedule = not _pending_summaries
        _pending_summaries.add(conversation_id)
    if schedule:
        socketio.start_background_task(_send_pending_summaries, app, delay)


# Summaries this process owes agents; sent by one task after the delay.
_pending_summaries: set[int] = set()
_pending_lock = threading.Lock()


def _send_pending_summaries(app: Flask, delay: float) -> None:
    socketio.sleep(delay)
    with _pending_lock:
        conversation_ids = sorted(_pending_summaries)
        _pending_summaries.clear()
    with app.app_context():
        try:
            for conversation_id in conversation_ids:
                _send_summary(conversation_id)
        finally:
            db.session.remove()


def _send_summary(conversation_id: int) -> None:
    try:
        payload = service.summary_of(conversation_id)
    except ChatError:
        return  # deleted meanwhile
    socketio.emit("conversation", payload, to=AGENTS_ROOM)


def deleted(conversation_id: int) -> None:
    socketio.emit("conversation_deleted", {"conversation_id": conversation_id}, to=AGENTS_ROOM)


def visitor_presence(conversation_id: int, online: bool) -> None:
    payload = {"conversation_id": conversation_id, "who": "visitor", "online": online}
    socketio.emit("presence", payload, to=AGENTS_ROOM)
    summary(conversation_id)


def agent_presence(online: bool, to: str | None = None, conversation_id: int | None = None) -> None:
    """Tell visitors whether an agent is online: one socket, or every online visitor."""
    if to is not None:
        payload = {"conversation_id": conversation_id, "who": "agent", "online": online}
        socketio.emit("presence", payload, to=to)
        return
    for cid in presence.online_conversation_ids():
        payload = {"conversation_id": cid, "who": "agent", "online": online}
        socketio.emit("presence", payload, to=conversation_room(cid))
