"""Agents' availability, and the roster every inbox shows: each enabled
agent's name, role, whether they are available or away, and whether they
are connected.

Availability decides whether visitors are told agents are online (see
``presence``) and who automatic assignment may pick (see ``autoassign``).
"""

import sqlalchemy as sa

from app import db
from app.database import changes
from app.models import Agent, Connection, Conversation
from app.services import connections


def set_available(agent_id: int, available: bool) -> bool:
    """Mark the agent available or away; True when that changed."""
    return changes(
        sa.update(Agent)
        .where(Agent.id == agent_id, Agent.available.is_(not available))
        .values(available=available)
    )


def mark_connected(agent_id: int) -> bool:
    """Record an agent's new socket; True when they were not connected.

    After their socket's row is committed (see ``presence.socket_opened``),
    so that settling them disconnected at this moment either sees it or is
    seen to have done so.
    """
    return changes(
        sa.update(Agent)
        .where(Agent.id == agent_id, Agent.connected.is_(False))
        .values(connected=True)
    )


def settle_disconnected(agent_id: int) -> bool:
    """Record the agent disconnected if no socket of theirs is left; True
    if that changed. Of several processes or timers, exactly one sees it."""
    return changes(
        sa.update(Agent)
        .where(Agent.id == agent_id, Agent.connected.is_(True), ~_has_socket())
        .values(connected=False)
    )


def connected_without_socket() -> set[int]:
    """Agents recorded connected who hold no socket: an inbox reloading, or
    a server process that died with their sockets."""
    query = sa.select(Agent.id).where(Agent.connected.is_(True), ~_has_socket())
    return set(db.session.scalars(query))


def _has_socket() -> sa.Exists:
    # Built per call: a live connection is one with a recent heartbeat.
    return sa.exists().where(
        Connection.agent_id == Agent.id, Connection.role == "agent", connections.live()
    )


def roster() -> list[sa.Row]:
    """Every enabled agent (id, name, role, available, online), by name:
    ``online`` as every inbox was last told."""
    query = _roster().where(Agent.disabled.is_(False))
    return list(db.session.execute(query.order_by(sa.func.lower(Agent.name), Agent.id)))


def roster_entry(agent_id: int) -> sa.Row:
    """One agent's line of the roster."""
    return db.session.execute(_roster().where(Agent.id == agent_id)).one()


def _roster() -> sa.Select:
    online = Agent.connected.label("online")
    return sa.select(Agent.id, Agent.name, Agent.role, Agent.available, online)


def open_chats_of(agent_id: int) -> list[int]:
    """The chats assigned to an agent that the visitor has not ended."""
    query = sa.select(Conversation.id).where(
        Conversation.assignee_id == agent_id, Conversation.status == "open"
    )
    return list(db.session.scalars(query))
