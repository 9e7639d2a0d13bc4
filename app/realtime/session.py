"""Who a socket is: identified once, at connect, and kept in its own session."""

from dataclasses import asdict

from flask import request, session
from flask_login import current_user

from app.errors import ChatError
from app.services.access import Credentials, Identity, identify
from app.web.origins import is_own_origin_request


def identify_socket(auth: object) -> Identity | None:
    """Identify a new socket from its ``auth`` object or the agent's session cookie.

    A visitor token in ``auth`` decides alone, then an agent token. The
    cookie counts only on the server's own pages: a site that shares the
    chat's domain sends it too (SameSite=Lax), and must not act as the agent.
    """
    auth = auth if isinstance(auth, dict) else {}
    if "visitor_token" in auth:
        return identify(Credentials(visitor_token=_offered(auth["visitor_token"])))
    if "token" in auth:
        return identify(Credentials(agent_token=_offered(auth["token"])))
    if is_own_origin_request(request.environ) and current_user.is_authenticated:
        return identify(Credentials(login=current_user))
    return None


def _offered(token: object) -> object:
    """A token given with no value is an empty one, which proves nothing."""
    return "" if token is None else token


def remember(identity: Identity) -> None:
    """Keep the identity in this socket's own session."""
    session["identity"] = asdict(identity)


def current_identity() -> Identity:
    data = session.get("identity")
    if data is None:
        raise ChatError("unauthorized", "not authenticated")
    return Identity(**data)
