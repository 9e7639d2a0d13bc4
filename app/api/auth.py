"""Who is calling the API: an agent (token or inbox cookie) or a visitor."""

from flask import current_app, request
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from app.errors import ChatError
from app.services.access import Credentials, Identity, identify
from app.web.origins import is_own_origin_request

# Methods that change nothing: a read-only API token may call them.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def open_to_read_tokens(view):
    """Let a read-only API token reach a view that changes something (the
    view checks what such a token may do there, e.g. revoke itself)."""
    view.open_to_read_tokens = True
    return view


def _check_scope(identity: Identity) -> None:
    """``forbidden`` when a read-only token asks for a change."""
    if identity.can_write or request.method in READING_METHODS:
        return
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "open_to_read_tokens", False):
        identity.check_can_write()


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def caller() -> Identity:
    """The agent or visitor making this request, or 401.

    A bearer token is an agent's API token or a visitor's token. Without
    one, the inbox's cookie counts, but only on the chat's own pages: a site
    that shares the chat's domain sends it too.
    """
    token = bearer_token()
    if token is not None:
        identity = identify(Credentials(visitor_token=token, agent_token=token))
        if identity is None:
            raise ChatError("unauthorized", "the token is missing, wrong, expired or revoked")
        _check_scope(identity)
        return identity
    if not current_user.is_authenticated:
        raise ChatError("unauthorized", "authentication required")
    if not is_own_origin_request(request.environ):
        raise ChatError("unauthorized", "the session cookie counts only on the chat's pages")
    return identify(Credentials(login=current_user))


def agent_caller() -> Identity:
    identity = caller()
    if not identity.is_agent:
        raise ChatError("forbidden", "only agents may do this")
    return identity


def admin_caller() -> Identity:
    identity = agent_caller()
    if not identity.admin:
        raise ChatError("forbidden", "only admins may do this")
    return identity


def admin_changer() -> Identity:
    """An admin changing agents or settings.

    With the inbox's cookie, beyond the same-origin check, the request must
    carry the page's CSRF token in ``X-CSRFToken``: a page that shares the
    chat's site cannot make an admin's browser change anything.
    """
    return _csrf_checked(admin_caller())


def agent_changer() -> Identity:
    """An agent changing their own things (API tokens): with the inbox's
    cookie, the page's CSRF token is required, as for ``admin_changer``."""
    return _csrf_checked(agent_caller())


def _csrf_checked(identity: Identity) -> Identity:
    if identity.login_id is not None and current_app.config["WTF_CSRF_ENABLED"]:
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except ValidationError as exc:
            raise ChatError("forbidden", f"CSRF check failed: {exc}") from None
    return identity
