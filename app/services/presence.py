"""Who is online, as visitors and agents were told.

A visitor is online while any of its sockets is connected; agents are online
while an available agent (not away, not disabled) has a socket. What each
side was last told is stored
(``Conversation.visitor_online``, the one ``AgentPresence`` row) and changed
only by conditional updates, so each change is announced once, however many
sockets or server processes notice it.
"""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import db
from app.database import changes
from app.models import Agent, AgentPresence, Connection, Conversation
from app.services import connections
from app.services.access import Identity


def socket_opened(sid: str, identity: Identity) -> bool:
    """Record a new socket; True when its side just came online."""
    connections.add(sid, identity)
    if identity.is_agent:
        db.session.commit()
        # After the commit, so that a process settling agents offline at
        # this moment either sees this socket or is seen to have done so.
        return mark_agents_online()
    return changes(_set_visitor_online(identity.conversation_id, True))


def settle_visitor_offline(conversation_id: int) -> bool:
    """Mark the visitor offline if no socket of theirs is left; True if it changed."""
    if connections.visitor_count(conversation_id):
        return False
    return changes(_set_visitor_online(conversation_id, False))


def _set_visitor_online(conversation_id: int, online: bool) -> sa.Update:
    """Mark the visitor online or offline, where it was the other."""
    return (
        sa.update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.visitor_online.is_(not online))
        .values(visitor_online=online)
    )


def online_conversation_ids() -> list[int]:
    """Conversations whose visitor was announced online."""
    query = sa.select(Conversation.id).where(Conversation.visitor_online.is_(True))
    return list(db.session.scalars(query))


def visitors_online_without_socket() -> set[int]:
    """Conversations announced online whose visitor holds no socket: a page
    reload in progress, or a process that died before announcing it."""
    return set(online_conversation_ids()) - connections.conversations_connected()


def mark_agents_online() -> bool:
    """Record agents online if an available agent has a socket; True if
    visitors were last told they were not.

    On an agent's new socket and when an agent becomes available.
    """
    _ensure_agent_presence()
    return changes(_set_agents_online(True).where(_available_agent_socket()))


def _available_agent_socket() -> sa.Exists:
    """A live socket of an agent who is available and enabled."""
    return (
        sa.exists()
        .where(Connection.role == "agent", connections.live())
        .where(Agent.id == Connection.agent_id, Agent.available.is_(True))
        .where(Agent.disabled.is_(False))
    )


def agents_announced_online() -> bool:
    """Whether visitors were last told that agents are online.

    What a newly connected visitor is told, so that it hears the same as
    every other visitor: an agent who left less than the grace period ago
    still counts, and the offline comes for everyone when the grace ends.
    """
    query = sa.select(AgentPresence.online).where(AgentPresence.id == 1)
    return bool(db.session.scalar(query))


def agents_online_without_socket() -> bool:
    """Agents announced online, yet no available agent has a socket."""
    if not agents_announced_online():
        return False
    return not db.session.scalar(sa.select(_available_agent_socket()))


def settle_agents_offline() -> bool:
    """Record agents offline if no available agent has a socket; True if that changed.

    One statement checks and changes, so of several processes (or grace
    timers) settling at once, exactly one sees the change and announces it.
    """
    _ensure_agent_presence()
    return changes(_set_agents_online(False).where(~_available_agent_socket()))


def _set_agents_online(online: bool) -> sa.Update:
    """Record agents online or offline, where they were the other."""
    return (
        sa.update(AgentPresence)
        .where(AgentPresence.id == 1, AgentPresence.online.is_(not online))
        .values(online=online)
    )


def _ensure_agent_presence() -> None:
    """Create the agent presence row if it is missing (a new or emptied database)."""
    if db.session.get(AgentPresence, 1) is not None:
        return
    db.session.add(AgentPresence(id=1, online=False))
    try:
        db.session.commit()
    except IntegrityError:  # another process created it meanwhile
        db.session.rollback()
