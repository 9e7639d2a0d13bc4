"""Who is calling the API: an agent (token or inbox cookie) or a visitor."""

from flask import request
from flask_login import current_user

from app.auth import tokens
from app.chat import service
from app.chat.identity import Identity
from app.errors import ChatError
from app.origins import is_own_origin_request


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def caller() -> Identity:
    """The agent or visitor making this request, or 401."""
    token = bearer_token()
    if token is not None:
        row = tokens.find_token(token)
        if row is not None:
            return Identity.of_agent(row.agent, api_token_id=row.id)
        conversation = service.conversation_for_token(token)
        if conversation is not None:
            return Identity.of_visitor(conversation)
        raise ChatError("unauthorized", "the token is missing, wrong, expired or revoked")
    if current_user.is_authenticated:
        if not is_own_origin_request(request.environ):
            # Another site's request carrying the agent's cookie (same domain).
            raise ChatError("unauthorized", "the session cookie counts only on the chat's pages")
        return Identity.of_agent(current_user.agent)
    raise ChatError("unauthorized", "authentication required")


def agent_caller() -> Identity:
    identity = caller()
    if not identity.is_agent:
        raise ChatError("forbidden", "only agents may do this")
    return identity
