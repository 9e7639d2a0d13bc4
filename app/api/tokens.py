"""API tokens for agents' programs."""

from flask import request

from app import db
from app.api import bp
from app.api.auth import agent_caller, bearer_token
from app.auth import tokens
from app.auth.passwords import authenticate, limit_attempts
from app.chat import presence
from app.chat.broadcast import disconnect_all
from app.errors import ChatError
from app.models import ApiToken


@bp.route("/tokens", methods=["POST"])
@limit_attempts
def create_token():
    """Exchange an agent's email and password (HTTP Basic) for a token.

    Answers ``{"token": SECRET}``; the token expires after
    ``CHAT_API_TOKEN_HOURS`` hours. Attempts are limited like the login
    form's (``CHAT_LOGIN_RATE``, ``CHAT_LOGIN_ACCOUNT_RATE``): past them,
    ``429 rate_limited``.
    """
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        raise ChatError("unauthorized", "HTTP Basic credentials required")
    agent = authenticate(credentials.username or "", credentials.password or "")
    if agent is None:
        raise ChatError("unauthorized", "wrong email or password")
    return {"token": tokens.issue_token(agent)}


@bp.route("/tokens", methods=["DELETE"])
def revoke_token():
    """Revoke the bearer token of this request. Answers 204.

    Sockets opened with the token are disconnected.
    """
    identity = agent_caller()
    if bearer_token() is None:
        raise ChatError("invalid", "send the token to revoke as a Bearer token")
    row = db.session.get(ApiToken, identity.api_token_id)
    sids = presence.sids_of(api_token_id=row.id)
    tokens.revoke_token(row)
    disconnect_all(sids)
    return "", 204
