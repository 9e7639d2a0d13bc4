"""Open Socket.IO connections, as rows every server process can see.

Each process refreshes the heartbeat of its own rows; rows whose heartbeat
stops (their process died) expire.
"""

import uuid
from datetime import timedelta

import sqlalchemy as sa

from app import db
from app.clock import utcnow
from app.models import Agent, AgentLogin, ApiToken, Connection, Conversation
from app.services.access import Identity

PROCESS_ID = uuid.uuid4().hex
HEARTBEAT_SECONDS = 15
EXPIRY = timedelta(seconds=HEARTBEAT_SECONDS * 4)


def add(sid: str, identity: Identity) -> None:
    """Record a new socket and the credential it connected with (not committed)."""
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


def remove(sid: str) -> None:
    """Forget a closed socket."""
    db.session.execute(sa.delete(Connection).where(Connection.sid == sid))
    db.session.commit()


def live() -> sa.ColumnElement[bool]:
    """Rows whose process is alive (its heartbeat is recent)."""
    return Connection.heartbeat_at >= utcnow() - EXPIRY


def visitor_count(conversation_id: int) -> int:
    """Sockets the conversation's visitor holds."""
    query = sa.select(sa.func.count()).where(Connection.conversation_id == conversation_id, live())
    return db.session.scalar(query)


def agent_connected() -> bool:
    query = sa.select(Connection.sid).where(Connection.role == "agent", live()).limit(1)
    return db.session.scalar(query) is not None


def conversations_connected() -> set[int]:
    """Conversations whose visitor has a socket."""
    query = sa.select(Connection.conversation_id).distinct()
    return {cid for cid in db.session.scalars(query) if cid is not None}


def sids_of(**credential) -> list[str]:
    """Sockets opened with a credential: ``api_token_id``, ``login_id`` or
    ``conversation_id`` (a visitor's)."""
    ((column, value),) = credential.items()
    query = sa.select(Connection.sid).where(getattr(Connection, column) == value)
    return list(db.session.scalars(query))


def heartbeat(single_process: bool) -> set[int]:
    """Refresh this process's rows and drop expired ones.

    Returns the conversations whose rows expired. With a single process,
    rows of any other process are leftovers of an earlier run and are
    dropped at once.
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
    return conversation_ids


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
