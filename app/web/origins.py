"""Which browser origins may talk to the chat server."""

from collections.abc import Callable

from werkzeug.wsgi import get_host


def own_origin(environ: dict) -> str | None:
    """The origin this request was addressed to, e.g. ``http://host:5000``.

    Behind trusted proxies the scheme and host are the browser's (see
    app/web/proxies.py). A default port is left out, as browsers do in ``Origin``;
    a Host header with characters no host has gives no origin.
    """
    if not environ.get("HTTP_HOST"):
        return None
    host = get_host(environ)
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
