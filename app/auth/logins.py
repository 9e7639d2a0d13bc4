"""Agents' logins, kept on the server so that ending one really ends it.

Flask-Login's user (``current_user``) is an ``AgentLogin`` row, and the id
that the session and remember-me cookies carry is its random id: each login
gets a new one, logging out revokes it, and a password change or disabling
the agent revokes them all (with the agent's API tokens). A copied cookie
then opens nothing. The agent is ``current_user.agent``.
"""

import secrets

import sqlalchemy as sa
from flask import current_app

from app import db, login
from app.models import Agent, AgentLogin, ApiToken, utcnow


def start_login(agent: Agent) -> AgentLogin:
    """A new login of the agent, to be passed to ``login_user``.

    It lasts as long as the remember-me cookie (``CHAT_LOGIN_DAYS``).
    """
    now = utcnow()
    db.session.execute(
        sa.delete(AgentLogin).where(AgentLogin.agent_id == agent.id, AgentLogin.expires_at <= now)
    )
    row = AgentLogin(
        id=secrets.token_hex(16),
        agent=agent,
        created_at=now,
        expires_at=now + current_app.config["REMEMBER_COOKIE_DURATION"],
    )
    db.session.add(row)
    return row


@login.user_loader
def load_login(login_id: str) -> AgentLogin | None:
    """The login, unless it was revoked, expired or its agent disabled."""
    row = db.session.scalar(
        sa.select(AgentLogin).where(
            AgentLogin.id == login_id,
            AgentLogin.revoked_at.is_(None),
            AgentLogin.expires_at > utcnow(),
        )
    )
    if row is None or not row.is_active:
        return None
    return row


def end_login(login_id: str) -> None:
    """Revoke one login (logging out)."""
    db.session.execute(
        sa.update(AgentLogin)
        .where(AgentLogin.id == login_id, AgentLogin.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_everything(agent: Agent) -> None:
    """Revoke every login and API token of the agent.

    Their sockets are closed by each server process's maintenance loop
    (``presence.revoked_sids``), within a second.
    """
    db.session.execute(
        sa.update(AgentLogin)
        .where(AgentLogin.agent_id == agent.id, AgentLogin.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.execute(sa.delete(ApiToken).where(ApiToken.agent_id == agent.id))
