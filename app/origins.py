"""Which browser origins may talk to the chat server."""

from collections.abc import Callable


def own_origin(environ: dict) -> str | None:
    """The origin this request was addressed to, e.g. ``http://host:5000``."""
    host = environ.get("HTTP_HOST")
    if not host:
        return None
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"


def is_own_origin_request(environ: dict) -> bool:
    """Whether a browser sent this request from the server's own pages.

    Browsers name the origin of every request another site could read the
    answer of or change something with (CORS requests, POSTs, WebSocket
    handshakes); a request without one is a same-origin read or a program's.
    """
    origin = environ.get("HTTP_ORIGIN")
    return origin is None or origin == own_origin(environ)


def origin_checker(allowed: list[str]) -> Callable[[str | None, dict], bool]:
    """Build the check used by Socket.IO and the API for cross-origin calls.

    The server's own origin is always allowed; others only when listed in
    ``CHAT_ALLOWED_ORIGINS`` (``*`` allows any).
    """
    allowed_set = {origin.rstrip("/") for origin in allowed}

    def is_allowed(origin: str | None, environ: dict) -> bool:
        if origin is None:
            return True  # not a browser cross-origin request
        if "*" in allowed_set or origin in allowed_set:
            return True
        return origin == own_origin(environ)

    return is_allowed
