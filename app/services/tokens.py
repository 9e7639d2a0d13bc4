"""Agents' API tokens: named and scoped in the inbox, or exchanged for an
email and password; expiring or not, revocable. Only their hashes are stored."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app import db
from app.clock import utcnow
from app.errors import ChatError
from app.models import Agent, ApiToken
from app.services.keys import hash_secret, looks_like_secret, new_secret

READ_WRITE = "read-write"
# How stale "last used" may be: it is written at most once a minute per token,
# not on every request.
LAST_USED_STEP = timedelta(minutes=1)


def issue_token(agent: Agent) -> str:
    """A new read-write token of the agent's, expiring after
    ``CHAT_API_TOKEN_HOURS`` hours; only its hash is stored."""
    token = new_secret()
    hours = current_app.config["CHAT_API_TOKEN_HOURS"]
    db.session.add(
        ApiToken(
            agent=agent,
            token_hash=hash_secret(token),
            scope=READ_WRITE,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    db.session.commit()
    return token


def create_named_token(
    agent_id: int, name: str, scope: str, expires_in_days: int | None
) -> tuple[ApiToken, str]:
    """A token the agent named and scoped; ``expires_in_days=None`` never expires.

    Answers the stored row and the secret, which is not kept: this is the
    only time anyone sees it. ``409 conflict`` past ``CHAT_MAX_API_TOKENS``
    named tokens of one agent.
    """
    if _named_count(agent_id) >= current_app.config["CHAT_MAX_API_TOKENS"]:
        raise ChatError("conflict", "too many API tokens: revoke one you no longer use")
    token = new_secret()
    expires_at = None if expires_in_days is None else utcnow() + timedelta(days=expires_in_days)
    row = ApiToken(
        agent_id=agent_id,
        token_hash=hash_secret(token),
        name=name,
        scope=scope,
        expires_at=expires_at,
    )
    db.session.add(row)
    db.session.commit()
    return row, token


def _named_count(agent_id: int) -> int:
    query = sa.select(sa.func.count()).where(
        ApiToken.agent_id == agent_id, ApiToken.name.is_not(None), _unexpired()
    )
    return db.session.scalar(query)


def _unexpired():
    return sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow())


def tokens_of(agent_id: int) -> list[ApiToken]:
    """The agent's tokens that still work, newest first."""
    query = (
        sa.select(ApiToken)
        .where(ApiToken.agent_id == agent_id, _unexpired())
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(db.session.scalars(query))


def find_token(token: object) -> ApiToken | None:
    """The unexpired token of an active agent, if ``token`` is one."""
    if not looks_like_secret(token):
        return None
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(token)))
    if row is None or not row.agent.is_active:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        return None
    _note_use(row)
    return row


def _note_use(row: ApiToken) -> None:
    """Set ``last_used_at`` when it is a minute old or more.

    Called as a request or socket is authenticated, before it has changed
    anything, so committing here commits nothing else.
    """
    now = utcnow()
    stale = now - LAST_USED_STEP
    if row.last_used_at is not None and row.last_used_at > stale:
        return
    # Conditional, so that two processes noting the same minute write once.
    db.session.execute(
        sa.update(ApiToken)
        .where(
            ApiToken.id == row.id,
            sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= stale),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def revoke_token(token_id: int) -> None:
    db.session.execute(sa.delete(ApiToken).where(ApiToken.id == token_id))
    db.session.commit()


def revoke_own_token(agent_id: int, token_id: int) -> None:
    """Revoke one of the agent's tokens; ``404 not_found`` for any other."""
    deleted = db.session.execute(
        sa.delete(ApiToken).where(ApiToken.id == token_id, ApiToken.agent_id == agent_id)
    )
    if deleted.rowcount == 0:
        db.session.rollback()
        raise ChatError("not_found", "no such token of yours")
    db.session.commit()


def revoke_all(agent: Agent) -> None:
    """Delete every API token of the agent (not committed)."""
    db.session.execute(sa.delete(ApiToken).where(ApiToken.agent_id == agent.id))
