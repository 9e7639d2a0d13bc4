"""Reverse proxies in front of the app: which forwarded headers to believe."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxies(app: Flask) -> None:
    """Take the client's address, scheme and host from the trusted proxies' headers.

    With ``CHAT_TRUSTED_PROXIES=N``, the last N values of X-Forwarded-For,
    -Proto and -Host replace what the connection shows (the proxy's address,
    ``http``): the origin check, the per-address rate limits and HTTPS-only
    checks then see the browser's side. Call it after ``socketio.init_app``,
    which wraps ``app.wsgi_app`` itself: Engine.IO's origin check must run
    inside this middleware, on the fixed environ.
    """
    count = app.config["CHAT_TRUSTED_PROXIES"]
    if count < 0:
        raise ValueError(f"CHAT_TRUSTED_PROXIES must be 0 or more, not {count}")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
