"""Agents' API tokens: issued for an email and password, expiring, revocable."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app import db
from app.clock import utcnow
from app.models import Agent, ApiToken
from app.services.keys import hash_secret, looks_like_secret, new_secret


def issue_token(agent: Agent) -> str:
    """A new token of the agent's; only its hash is stored."""
    token = new_secret()
    hours = current_app.config["CHAT_API_TOKEN_HOURS"]
    db.session.add(
        ApiToken(
            agent=agent,
            token_hash=hash_secret(token),
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    db.session.commit()
    return token


def find_token(token: object) -> ApiToken | None:
    """The unexpired token of an active agent, if ``token`` is one."""
    if not looks_like_secret(token):
        return None
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(token)))
    if row is None or row.expires_at <= utcnow() or not row.agent.is_active:
        return None
    return row


def revoke_token(token_id: int) -> None:
    db.session.execute(sa.delete(ApiToken).where(ApiToken.id == token_id))
    db.session.commit()


def revoke_all(agent: Agent) -> None:
    """Delete every API token of the agent (not committed)."""
    db.session.execute(sa.delete(ApiToken).where(ApiToken.agent_id == agent.id))
