"""Who is online, from connection rows that every server process can see.

A visitor is online while any of its sockets is connected; agents are online
while any agent socket is. Each process refreshes the heartbeat of its own
rows; rows whose heartbeat stops (their process died) expire.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import db
from app.models import (
    Agent,
    AgentLogin,
    AgentPresence,
    ApiToken,
    Connection,
    Conversation,
    utcnow,
)

if TYPE_CHECKING:
    from app.chat.identity import Identity

PROCESS_ID = uuid.uuid4().hex
HEARTBEAT_SECONDS = 15
EXPIRY = timedelta(seconds=HEARTBEAT_SECONDS * 4)


def add_connection(sid: str, identity: Identity) -> bool:
    """Record a new socket; True when its side just came online."""
    db.session.add(
        Connection(
            sid=sid,
            role=identity.role,
            conversation_id=identity.conversation_id,
            agent_id=identity.agent_id,
            api_token_id=identity.api_token_id,
            login_id=identity.login_id,
            process_id=PROCESS_ID,
        )
    )
    came_online = False
    if not identity.is_agent:
        came_online = bool(
            db.session.execute(
                sa.update(Conversation)
                .where(
                    Conversation.id == identity.conversation_id,
                    Conversation.visitor_online.is_(False),
                )
                .values(visitor_online=True)
                .execution_options(synchronize_session=False)
            ).rowcount
        )
    db.session.commit()
    if identity.is_agent:
        # After the commit, so that a process settling agents offline at
        # this moment either sees this socket or is seen to have done so.
        came_online = _mark_agents_online()
    return came_online


def _mark_agents_online() -> bool:
    """Record agents online; True if visitors were last told they were not."""
    _ensure_agent_presence()
    changed = db.session.execute(
        sa.update(AgentPresence)
        .where(AgentPresence.id == 1, AgentPresence.online.is_(False))
        .values(online=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(changed)


def agents_announced_online() -> bool:
    """Whether visitors were last told that agents are online.

    What a newly connected visitor is told, so that it hears the same as
    every other visitor: an agent who left less than the grace period ago
    still counts, and the offline comes for everyone when the grace ends.
    """
    query = sa.select(AgentPresence.online).where(AgentPresence.id == 1)
    return bool(db.session.scalar(query))


def settle_agents_offline() -> bool:
    """Record agents offline if no agent socket is left; True if that changed.

    One statement checks and changes, so of several processes (or grace
    timers) settling at once, exactly one sees the change and announces it.
    """
    _ensure_agent_presence()
    no_agent_socket = ~sa.exists().where(Connection.role == "agent", _live())
    changed = db.session.execute(
        sa.update(AgentPresence)
        .where(AgentPresence.id == 1, AgentPresence.online.is_(True), no_agent_socket)
        .values(online=False)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(changed)


def _ensure_agent_presence() -> None:
    """Create the agent presence row if it is missing (a new or emptied database)."""
    if db.session.get(AgentPresence, 1) is not None:
        return
    db.session.add(AgentPresence(id=1, online=False))
    try:
        db.session.commit()
    except IntegrityError:  # another process created it meanwhile
        db.session.rollback()


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


def visitor_connected(conversation_id: int) -> bool:
    return visitor_connection_count(conversation_id) > 0


def visitor_connection_count(conversation_id: int) -> int:
    query = sa.select(sa.func.count()).where(Connection.conversation_id == conversation_id, _live())
    return db.session.scalar(query)


def sids_of(**credential) -> list[str]:
    """Sockets opened with a credential: ``api_token_id``, ``login_id`` or
    ``conversation_id`` (a visitor's)."""
    ((column, value),) = credential.items()
    query = sa.select(Connection.sid).where(getattr(Connection, column) == value)
    return list(db.session.scalars(query))


def revoked_sids() -> list[str]:
    """This process's sockets whose credential is no longer valid.

    An agent disabled, a login or an API token revoked or expired, a visitor
    token revoked (the visitor ended the chat).
    """
    now = utcnow()
    agent_revoked = sa.and_(
        Connection.role == "agent",
        sa.or_(
            Agent.disabled.is_(True),
            sa.and_(
                Connection.api_token_id.is_not(None),
                sa.or_(ApiToken.id.is_(None), ApiToken.expires_at <= now),
            ),
            sa.and_(
                Connection.login_id.is_not(None),
                sa.or_(
                    AgentLogin.id.is_(None),
                    AgentLogin.revoked_at.is_not(None),
                    AgentLogin.expires_at <= now,
                ),
            ),
        ),
    )
    visitor_revoked = sa.and_(
        Connection.role == "visitor", Conversation.visitor_token_hash.is_(None)
    )
    query = (
        sa.select(Connection.sid)
        .outerjoin(Agent, Agent.id == Connection.agent_id)
        .outerjoin(ApiToken, ApiToken.id == Connection.api_token_id)
        .outerjoin(AgentLogin, AgentLogin.id == Connection.login_id)
        .outerjoin(Conversation, Conversation.id == Connection.conversation_id)
        .where(Connection.process_id == PROCESS_ID, sa.or_(agent_revoked, visitor_revoked))
    )
    return list(db.session.scalars(query))


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


def heartbeat(single_process: bool, grace: float) -> list[int]:
    """Refresh this process's rows and drop expired ones.

    Returns the conversations whose visitor may have gone offline: those
    whose rows expired, and those marked online with no socket for longer
    than the grace period (the process that would have announced it died
    during the grace period; a shorter gap is a page reload). With a single process, rows of any
    other process id are leftovers of an earlier run and are dropped at once.
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
    now_seconds = time.monotonic()
    for cid in set(_stale_since) - stale_online:
        del _stale_since[cid]
    for cid in stale_online:
        _stale_since.setdefault(cid, now_seconds)
    overdue = {cid for cid, since in _stale_since.items() if now_seconds - since > grace}
    return sorted(conversation_ids | overdue)


# Conversations this process saw marked online with no socket, and since when.
_stale_since: dict[int, float] = {}


def agents_overdue(grace: float) -> bool:
    """True when visitors were told agents are online, yet no agent socket
    has been connected for longer than the grace period: the process that
    would have announced it died (or its agents' rows expired)."""
    global _agents_stale_since
    query = sa.select(Connection.sid).where(Connection.role == "agent", _live()).limit(1)
    no_agent_socket = db.session.scalar(query) is None
    if not (no_agent_socket and agents_announced_online()):
        _agents_stale_since = None
        return False
    now_seconds = time.monotonic()
    if _agents_stale_since is None:
        _agents_stale_since = now_seconds
    return now_seconds - _agents_stale_since > grace


# When this process first saw agents announced online with no agent socket.
_agents_stale_since: float | None = None
