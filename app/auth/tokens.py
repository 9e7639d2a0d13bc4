"""Agents' API tokens: issued for HTTP Basic credentials, expiring, revocable."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app import db
from app.models import Agent, ApiToken, hash_secret, new_secret, utcnow


def issue_token(agent: Agent) -> str:
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
    if not isinstance(token, str) or not token or len(token) > 200 or not token.isascii():
        return None
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(token)))
    if row is None or row.expires_at <= utcnow() or not row.agent.is_active:
        return None
    return row


def revoke_token(row: ApiToken) -> None:
    db.session.delete(row)
    db.session.commit()
