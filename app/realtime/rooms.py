"""Socket.IO rooms, named by the server from what it knows, never by clients.

``conversation:<id>`` holds the visitor's sockets, ``conversation:<id>:agents``
the agent sockets that joined the conversation, and ``agents`` every agent
socket. Emitting to several rooms at once reaches each socket once.
"""

AGENTS = "agents"


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
    return [conversation_room(conversation_id), AGENTS]
