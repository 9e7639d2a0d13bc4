"""Agents: created and managed by admins, logging in with email and password.

A login in a browser is a row (``AgentLogin``): Flask-Login's user, named in
the session and remember-me cookies by its random id, so that each login
gets a new one, logging out revokes it, and a password change or disabling
the agent revokes them all (with the agent's API tokens). A copied cookie
then opens nothing.
"""

import functools
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from app import db
from app.blocking import run_in_thread
from app.clock import utcnow
from app.errors import ChatError
from app.models import ROLES, Agent, AgentLogin
from app.services import tokens

MAX_EMAIL_CHARS = 254
MIN_PASSWORD_CHARS = 8


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_agent(email: str) -> Agent | None:
    email = normalise_email(email)
    if "\x00" in email or len(email) > MAX_EMAIL_CHARS:
        return None  # no agent has one (and PostgreSQL refuses NUL in text)
    return db.session.scalar(sa.select(Agent).where(Agent.email == email))


def all_agents() -> list[Agent]:
    return list(db.session.scalars(sa.select(Agent).order_by(Agent.id)))


def get_agent(agent_id: int) -> Agent:
    agent = db.session.get(Agent, agent_id)
    if agent is None:
        raise ChatError("not_found", "no such agent")
    return agent


def agents_with_last_login() -> list[tuple[Agent, datetime | None]]:
    """Every agent, with when they last logged in to the inbox (None if never,
    or if that login has been cleaned up since)."""
    last_login = sa.func.max(AgentLogin.created_at)
    query = (
        sa.select(Agent, last_login)
        .outerjoin(AgentLogin, AgentLogin.agent_id == Agent.id)
        .group_by(Agent.id)
        .order_by(Agent.id)
    )
    return [(agent, at) for agent, at in db.session.execute(query)]


def create_agent(email: str, name: str, password: str, role: str = "agent") -> Agent:
    """A new agent (or admin) who can log in to the inbox."""
    email = normalise_email(email)
    if "@" not in email:
        raise ChatError("invalid", "that is not an email address")
    _check_role(role)
    _check_password(password)
    if find_agent(email) is not None:
        raise ChatError("conflict", f"an agent with email {email} exists already")
    agent = Agent(email=email, name=name.strip()[:64], role=role)
    run_in_thread(agent.set_password, password)  # off the event loop: scrypt is slow
    db.session.add(agent)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # created at the same moment by another request
        raise ChatError("conflict", f"an agent with email {email} exists already") from None
    return agent


def set_password(agent: Agent, password: str) -> None:
    """Change the agent's password, ending every login and API token of theirs."""
    _check_password(password)
    run_in_thread(agent.set_password, password)  # off the event loop: scrypt is slow
    end_everything(agent)
    db.session.commit()


def set_disabled(agent: Agent, disabled: bool) -> None:
    """Disable an agent (every login and API token ends, and stays ended if
    the agent is enabled again), or enable one. The last enabled admin
    cannot be disabled: nobody could manage the desk any more."""
    _apply_disabled(agent, disabled)
    db.session.commit()


def set_role(agent: Agent, role: str) -> None:
    """Make an agent an admin or a plain agent. The last enabled admin
    cannot be made a plain agent. Their open sockets keep the role they
    connected with: the caller closes them (``sockets_of_closed_after``)."""
    _apply_role(agent, role)
    db.session.commit()


def update_agent(
    agent: Agent, name: str | None = None, role: str | None = None, disabled: bool | None = None
) -> None:
    """Change what is given of an agent's name, role and being disabled: all
    of it or, when one change is refused, none."""
    if role is not None:
        _apply_role(agent, role)
    if disabled is not None:
        _apply_disabled(agent, disabled)
    if name is not None:
        agent.name = name.strip()[:64]
    db.session.commit()


def _apply_disabled(agent: Agent, disabled: bool) -> None:
    if disabled:
        _keep_an_admin(agent, "disable")
        end_everything(agent)
    agent.disabled = disabled


def _apply_role(agent: Agent, role: str) -> None:
    _check_role(role)
    if role != "admin":
        _keep_an_admin(agent, "demote")
    agent.role = role


def _keep_an_admin(agent: Agent, action: str) -> None:
    """Refuse to take the last enabled admin away.

    The enabled admins' rows are locked (on PostgreSQL) until the commit, so
    that two admins demoting each other at once cannot both succeed.
    """
    if not agent.is_admin or agent.disabled:
        return
    enabled_admins = sa.select(Agent.id).where(Agent.role == "admin", Agent.disabled.is_(False))
    admins = db.session.scalars(enabled_admins.with_for_update())
    if not set(admins) - {agent.id}:
        raise ChatError("conflict", f"cannot {action} the last enabled admin; make another first")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ChatError("invalid", f"the role must be one of {', '.join(ROLES)}")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ChatError(
            "invalid", f"the password must have at least {MIN_PASSWORD_CHARS} characters"
        )


def authenticate(email: str, password: str) -> Agent | None:
    """The active agent with this email and password, or None.

    An unknown email is checked against a stand-in hash, so that the answer
    takes as long as for a known one and timing does not list the accounts.
    Hashing runs off the event loop, which keeps serving meanwhile.
    """
    agent = find_agent(email)
    password_hash = agent.password_hash if agent is not None else _stand_in_hash()
    matches = run_in_thread(check_password_hash, password_hash, password)
    if agent is None or not matches or not agent.is_active:
        return None
    return agent


@functools.cache
def _stand_in_hash() -> str:
    """A hash of nobody's password, made like a real agent's."""
    return run_in_thread(generate_password_hash, secrets.token_urlsafe(16))


def start_login(agent: Agent) -> AgentLogin:
    """A new login of the agent, to be passed to ``login_user`` (committed).

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
    db.session.commit()
    return row


def active_login(login_id: str) -> AgentLogin | None:
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
    db.session.commit()


def end_everything(agent: Agent) -> None:
    """Revoke every login and API token of the agent (not committed).

    Their sockets are closed by each server process's maintenance loop
    (``connections.revoked_sids``), within a second.
    """
    db.session.execute(
        sa.update(AgentLogin)
        .where(AgentLogin.agent_id == agent.id, AgentLogin.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    tokens.revoke_all(agent)
