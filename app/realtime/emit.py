"""What the server tells clients, and to which rooms (see ``rooms``).

Every function here only sends what it is given, except
``sockets_of_closed_after``, which looks up the sockets of a credential.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from app import socketio
from app.realtime import payloads
from app.realtime.rooms import AGENTS, conversation_room, everyone_in, watchers_room
from app.services import connections


def message(payload: dict, skip_sid: str | None) -> None:
    socketio.emit("message", payload, to=everyone_in(payload["conversation_id"]), skip_sid=skip_sid)


def receipt(payload: dict) -> None:
    socketio.emit("receipt", payload, to=everyone_in(payload["conversation_id"]))


def typing(conversation_id: int, sender: str, name: str, is_typing: bool) -> None:
    """Tell the other side: a visitor's typing goes to the agents who have the
    conversation open, an agent's to the visitor's sockets."""
    payload = payloads.typing(conversation_id, sender, name, is_typing)
    if sender == "visitor":
        to = watchers_room(conversation_id)
    else:
        to = conversation_room(conversation_id)
    socketio.emit("typing", payload, to=to)


def summary(payload: dict) -> None:
    """A conversation's summary, to every agent."""
    socketio.emit("conversation", payload, to=AGENTS)


def activity(payload: dict) -> None:
    """An activity line or a note, to every agent and never to a visitor."""
    socketio.emit("activity", payload, to=AGENTS)


def chat_state(payload: dict, to: str | None = None) -> None:
    """Where the chat stands, to its visitor's sockets (or one of them)."""
    socketio.emit("chat_state", payload, to=to or conversation_room(payload["conversation_id"]))


def settings(payload: dict) -> None:
    """The desk's settings after an admin changed them, to every agent."""
    socketio.emit("settings", payload, to=AGENTS)


def deleted(conversation_id: int) -> None:
    socketio.emit("conversation_deleted", {"conversation_id": conversation_id}, to=AGENTS)


def canned_changed() -> None:
    """The canned responses changed: every inbox fetches them again."""
    socketio.emit("canned_changed", {}, to=AGENTS)


def visitor_presence(conversation_id: int, online: bool) -> None:
    socketio.emit("presence", payloads.presence(conversation_id, "visitor", online), to=AGENTS)


def agent_presence(online: bool, conversation_ids: Iterable[int]) -> None:
    """Tell the visitors of these conversations whether an agent is online."""
    for cid in conversation_ids:
        payload = payloads.presence(cid, "agent", online)
        socketio.emit("presence", payload, to=conversation_room(cid))


def agent_presence_to(sid: str, conversation_id: int, online: bool) -> None:
    """Tell one visitor socket whether an agent is online."""
    socketio.emit("presence", payloads.presence(conversation_id, "agent", online), to=sid)


def disconnect(sids: Iterable[str]) -> None:
    """Close sockets, whichever server process holds them."""
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")


@contextmanager
def sockets_of_closed_after(**credential) -> Iterator[None]:
    """Close every socket opened with a credential (``login_id``,
    ``api_token_id`` or a visitor's ``conversation_id``) once the block,
    which revokes or deletes it, has succeeded."""
    sids = connections.sids_of(**credential)
    yield
    disconnect(sids)
