"""Who is online, from connection rows that every server process can see.

A visitor is online while any of its sockets is connected; agents are online
while any agent socket is. Each process refreshes the heartbeat of its own
rows; rows whose heartbeat stops (their process died) expire.
"""

import uuid
from datetime import timedelta

import sqlalchemy as sa

from app import db
from app.models import Connection, Conversation, utcnow

PROCESS_ID = uuid.uuid4().hex
HEARTBEAT_SECONDS = 15
EXPIRY = timedelta(seconds=HEARTBEAT_SECONDS * 4)


def add_connection(sid: str, role: str, conversation_id: int | None, agent_id: int | None) -> bool:
    """Record a new socket; True when its side just came online."""
    first_agent = role == "agent" and not agents_online()
    db.session.add(
        Connection(
            sid=sid,
            role=role,
            conversation_id=conversation_id,
            agent_id=agent_id,
            process_id=PROCESS_ID,
        )
    )
    came_online = first_agent
    if role == "visitor":
        came_online = bool(
            db.session.execute(
                sa.update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.visitor_online.is_(False))
                .values(visitor_online=True)
                .execution_options(synchronize_session=False)
            ).rowcount
        )
    db.session.commit()
    return came_online


def remove_connection(sid: str) -> Connection | None:
    """Forget a closed socket; returns its row (detached) if it was known."""
    connection = db.session.get(Connection, sid)
    if connection is None:
        return None
    db.session.delete(connection)
    db.session.commit()
    return connection


def _live() -> sa.ColumnElement[bool]:
    return Connection.heartbeat_at >= utcnow() - EXPIRY


def agents_online() -> bool:
    query = sa.select(Connection.sid).where(Connection.role == "agent", _live()).limit(1)
    return db.session.scalar(query) is not None


def visitor_connected(conversation_id: int) -> bool:
    query = (
        sa.select(Connection.sid)
        .where(Connection.conversation_id == conversation_id, _live())
        .limit(1)
    )
    return db.session.scalar(query) is not None


def settle_visitor_offline(conversation_id: int) -> bool:
    """Mark the visitor offline if no socket of theirs is left; True if it changed."""
    if visitor_connected(conversation_id):
        return False
    changed = db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.visitor_online.is_(True))
        .values(visitor_online=False)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(changed)


def online_conversation_ids() -> list[int]:
    query = sa.select(Conversation.id).where(Conversation.visitor_online.is_(True))
    return list(db.session.scalars(query))


def heartbeat(single_process: bool) -> list[int]:
    """Refresh this process's rows and drop expired ones.

    Returns the conversations whose visitor may have gone offline. With a
    single process, rows of any other process id are leftovers of an earlier
    run and are dropped at once.
    """
    now = utcnow()
    db.session.execute(
        sa.update(Connection)
        .where(Connection.process_id == PROCESS_ID)
        .values(heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    dead = Connection.heartbeat_at < now - EXPIRY
    if single_process:
        dead = sa.or_(dead, Connection.process_id != PROCESS_ID)
    gone = db.session.execute(
        sa.delete(Connection).where(dead).returning(Connection.conversation_id)
    ).scalars()
    conversation_ids = {cid for cid in gone if cid is not None}
    db.session.commit()
    stale_online = set(online_conversation_ids()) - {
        cid
        for cid in db.session.scalars(sa.select(Connection.conversation_id).distinct())
        if cid is not None
    }
    return sorted(conversation_ids | stale_online)
