"""API tokens for agents' programs: exchanged for a password, or made,
named and scoped in the inbox; listed without their secrets; revoked."""

from typing import Annotated, Literal

from flask import request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.api import bp
from app.api import responses as answers
from app.api.auth import agent_caller, agent_changer, bearer_token, open_to_read_tokens
from app.api.conversations import json_body, validated
from app.api.description import described
from app.clock import iso
from app.errors import ChatError
from app.models import ApiToken
from app.realtime.emit import sockets_of_closed_after
from app.schemas import Text
from app.services import tokens
from app.services.agents import authenticate
from app.web.attempts import limit_attempts

TOKEN_ID = "<int(max=2147483647):token_id>"


def _named(name: str) -> str:
    if not name:
        raise ValueError("give the token a name")
    return name


class NewToken(BaseModel):
    """A named token: what it is for, what it may do, how long it lasts."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    name: Annotated[
        Text, StringConstraints(strip_whitespace=True, max_length=100), AfterValidator(_named)
    ]
    scope: Literal["read", "read-write"]
    # None (or absent): the token never expires.
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class TokenDetails(answers.Answer):
    """An API token, without its secret."""

    id: int
    name: str | None = Field(description="null for a token exchanged for a password")
    scope: Literal["read", "read-write"]
    created_at: answers.Timestamp
    last_used_at: answers.Timestamp | None = Field(description="kept to the minute")
    expires_at: answers.Timestamp | None = Field(description="null: it never expires")
    current: bool = Field(description="whether it is the token of this request")


class NamedToken(TokenDetails):
    """A new named token and its secret, shown this once."""

    token: str


class TokenList(answers.Answer):
    """The caller's API tokens that still work, newest first."""

    tokens: list[TokenDetails]


def token_details(row: ApiToken, current_id: int | None = None) -> dict:
    """A token as the API lists it: everything but the secret."""
    return {
        "id": row.id,
        "name": row.name,
        "scope": row.scope,
        "created_at": iso(row.created_at),
        "last_used_at": iso(row.last_used_at),
        "expires_at": iso(row.expires_at),
        "current": row.id == current_id,
    }


def _offers_no_password() -> bool:
    credentials = request.authorization
    return credentials is None or credentials.type != "basic"


@bp.route("/tokens", methods=["POST"])
@described(
    tag="tokens",
    auth="password_or_inbox",
    body=NewToken,
    body_required=False,
    answers={200: answers.Token, 201: NamedToken},
    errors=("conflict", "rate_limited"),
)
@limit_attempts(unless=_offers_no_password)
def create_token():
    """Exchange an agent's email and password (HTTP Basic) for a token, or
    make a named one from the inbox.

    With HTTP Basic and no body: answers ``{"token": SECRET}``, a read-write token that
    expires after ``CHAT_API_TOKEN_HOURS`` hours. Attempts are limited like
    the login form's (``CHAT_LOGIN_RATE``, ``CHAT_LOGIN_ACCOUNT_RATE``): past
    them, ``429 rate_limited``.

    From the inbox (its cookie and CSRF token), body ``{"name", "scope":
    "read" | "read-write", "expires_in_days": 1..3650 | null}``: answers
    ``201`` with the token's details and ``token``, its secret, shown this
    once. A token cannot make tokens (``403 forbidden``).
    """
    if not _offers_no_password():
        if request.get_data().strip():
            raise ChatError("invalid", "the password exchange takes no body")
        return {"token": tokens.issue_token(_password_agent())}
    identity = agent_changer()
    if identity.login_id is None:
        raise ChatError("forbidden", "API tokens are made in the inbox, not with a token")
    details = validated(NewToken, json_body())
    row, secret = tokens.create_named_token(
        identity.agent_id, details.name, details.scope, details.expires_in_days
    )
    return {**token_details(row), "token": secret}, 201


def _password_agent():
    credentials = request.authorization
    agent = authenticate(credentials.username or "", credentials.password or "")
    if agent is None:
        raise ChatError("unauthorized", "wrong email or password")
    return agent


@bp.route("/tokens", methods=["GET"])
@described(tag="tokens", auth="agent", answers={200: TokenList})
def list_tokens():
    """The calling agent's tokens that still work, newest first, without
    their secrets: ``{"tokens": [{id, name, scope, created_at, last_used_at,
    expires_at, current}]}`` (``current``: the token of this request)."""
    identity = agent_caller()
    rows = tokens.tokens_of(identity.agent_id)
    return {"tokens": [token_details(row, identity.api_token_id) for row in rows]}


@bp.route("/tokens", methods=["DELETE"])
@described(tag="tokens", auth="agent", answers={204: None}, errors=("invalid",))
@open_to_read_tokens
def revoke_token():
    """Revoke the bearer token of this request, whatever its scope. Answers 204.

    Sockets opened with the token are disconnected.
    """
    identity = agent_caller()
    if bearer_token() is None:
        raise ChatError("invalid", "send the token to revoke as a Bearer token")
    with sockets_of_closed_after(api_token_id=identity.api_token_id):
        tokens.revoke_token(identity.api_token_id)
    return "", 204


@bp.route(f"/tokens/{TOKEN_ID}", methods=["DELETE"])
@described(tag="tokens", auth="agent", answers={204: None}, errors=("not_found",))
@open_to_read_tokens
def revoke_token_by_id(token_id: int):
    """Revoke one of the calling agent's tokens. Answers 204; ``404
    not_found`` for a token that is not theirs. A read-only token may
    revoke only itself. Sockets opened with the token are disconnected."""
    identity = agent_changer()
    if token_id != identity.api_token_id:
        identity.check_can_write()
    with sockets_of_closed_after(api_token_id=token_id):
        tokens.revoke_own_token(identity.agent_id, token_id)
    return "", 204
