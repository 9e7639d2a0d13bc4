"""Checking an agent's email and password, and limiting guesses.

The login form and ``POST /api/v1/tokens`` both go through here.
"""

import functools
import secrets
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app, request
from werkzeug.security import check_password_hash, generate_password_hash

from app import db, limiter
from app.blocking import run_in_thread
from app.models import Agent

MAX_EMAIL_CHARS = 254


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(email: str, password: str) -> Agent | None:
    """The active agent with this email and password, or None.

    An unknown email is checked against a stand-in hash, so that the answer
    takes as long as for a known one and timing does not list the accounts.
    """
    agent = _find_agent(normalise_email(email))
    password_hash = agent.password_hash if agent is not None else _stand_in_hash()
    matches = run_in_thread(check_password_hash, password_hash, password)
    if agent is None or not matches or not agent.is_active:
        return None
    return agent


def _find_agent(email: str) -> Agent | None:
    if "\x00" in email or len(email) > MAX_EMAIL_CHARS:
        return None  # no agent has one (and PostgreSQL refuses NUL in text)
    return db.session.scalar(sa.select(Agent).where(Agent.email == email))


@functools.cache
def _stand_in_hash() -> str:
    """A hash of nobody's password, made like a real agent's."""
    return run_in_thread(generate_password_hash, secrets.token_urlsafe(16))


def _address_rate() -> str:
    return current_app.config["CHAT_LOGIN_RATE"]


def _account_rate() -> str:
    return current_app.config["CHAT_LOGIN_ACCOUNT_RATE"]


def _attempted_account() -> str:
    """The account a login attempt names: HTTP Basic's user, or the form's email."""
    credentials = request.authorization
    if credentials is not None and credentials.type == "basic":
        email = credentials.username or ""
    else:
        email = request.form.get("email", "")
    return "account:" + normalise_email(email)[:MAX_EMAIL_CHARS]


def _failed(response) -> bool:
    return response.status_code == 401


def limit_attempts(view: Callable) -> Callable:
    """Limit a view's password attempts per client address, and failed ones
    per account from any address; both doors (form and API) count together."""
    per_account = limiter.shared_limit(
        _account_rate,
        scope="password-per-account",
        key_func=_attempted_account,
        deduct_when=_failed,
        methods=["POST"],
    )
    per_address = limiter.shared_limit(
        _address_rate, scope="password-per-address", methods=["POST"]
    )
    return per_address(per_account(view))
