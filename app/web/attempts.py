"""Limits on password attempts: per client address, and per account.

The login form and ``POST /api/v1/tokens`` both take passwords, and count
together: a guesser gains nothing by switching doors.
"""

from collections.abc import Callable

from flask import current_app, request

from app import limiter
from app.services.agents import MAX_EMAIL_CHARS, normalise_email


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


def limit_attempts(view: Callable | None = None, *, unless: Callable | None = None):
    """Limit a view's password attempts per client address, and failed ones
    per account from any address; ``unless()`` is true for a request that
    offers no password (and is not counted)."""
    if view is None:
        return lambda view: limit_attempts(view, unless=unless)
    per_account = limiter.shared_limit(
        _account_rate,
        scope="password-per-account",
        key_func=_attempted_account,
        deduct_when=_failed,
        methods=["POST"],
        exempt_when=unless,
    )
    per_address = limiter.shared_limit(
        _address_rate, scope="password-per-address", methods=["POST"], exempt_when=unless
    )
    return per_address(per_account(view))
