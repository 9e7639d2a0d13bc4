"""API tokens for agents' programs."""

from flask import request

from app.api import bp
from app.api import responses as answers
from app.api.auth import agent_caller, bearer_token
from app.api.description import described
from app.errors import ChatError
from app.realtime.emit import sockets_of_closed_after
from app.services import tokens
from app.services.agents import authenticate
from app.web.attempts import limit_attempts


@bp.route("/tokens", methods=["POST"])
@described(tag="tokens", auth="basic", answers={200: answers.Token}, errors=("rate_limited",))
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
@described(tag="tokens", auth="agent", answers={204: None}, errors=("invalid",))
def revoke_token():
    """Revoke the bearer token of this request. Answers 204.

    Sockets opened with the token are disconnected.
    """
    identity = agent_caller()
    if bearer_token() is None:
        raise ChatError("invalid", "send the token to revoke as a Bearer token")
    with sockets_of_closed_after(api_token_id=identity.api_token_id):
        tokens.revoke_token(identity.api_token_id)
    return "", 204
