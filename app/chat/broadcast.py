"""What the server tells clients, and to which rooms.

Rooms are named here, from what the server knows: ``conversation:<id>`` holds
the visitor's sockets and the agents who joined it; ``agents`` holds every
agent socket. Emitting to both rooms at once reaches each socket once.
"""

from app import socketio
from app.chat import presence, service

AGENTS_ROOM = "agents"


def disconnect_all(sids: list[str]) -> None:
    """Close sockets, whichever server process holds them."""
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")


def conversation_room(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def everyone_in(conversation_id: int) -> list[str]:
    """Every socket that may see a conversation: its room and all agents."""
    return [conversation_room(conversation_id), AGENTS_ROOM]


def message(payload: dict, skip_sid: str | None) -> None:
    socketio.emit("message", payload, to=everyone_in(payload["conversation_id"]), skip_sid=skip_sid)


def receipt(payload: dict) -> None:
    socketio.emit("receipt", payload, to=everyone_in(payload["conversation_id"]))


def typing(
    conversation_id: int, sender: str, name: str, is_typing: bool, skip_sid: str | None = None
) -> None:
    payload = {
        "conversation_id": conversation_id,
        "sender": sender,
        "name": name,
        "is_typing": is_typing,
    }
    socketio.emit("typing", payload, to=conversation_room(conversation_id), skip_sid=skip_sid)


def summary(conversation_id: int) -> None:
    """Send agents the conversation's fresh summary."""
    conversation = service.find_conversation(conversation_id)
    if conversation is not None:
        socketio.emit("conversation", service.summary(conversation), to=AGENTS_ROOM)


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
