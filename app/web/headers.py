"""Security headers for every response."""

from flask import Response, current_app, request

from app.web.origins import own_origin

# blob: images are the files of a chat the widget read with the visitor's
# token (common/attachments.js), on the demo page as on any site.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: blob:; connect-src {connect_src}; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)
# A year, for this host only: other hosts under the same name may still serve
# plain HTTP, so includeSubDomains (and preload) are the proxy's to add.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def connect_sources() -> str:
    """The page's own origin, for fetch and Socket.IO's polling, and its
    WebSocket form (``wss://`` behind HTTPS), which 'self' may not cover."""
    origin = own_origin(request.environ)
    if origin is None:
        return "'self'"
    return f"'self' {origin.replace('http', 'ws', 1)}"


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    if request.path.startswith("/static/"):
        # The widget's modules are imported by pages of other origins.
        headers.setdefault("Access-Control-Allow-Origin", "*")
    headers.setdefault(
        "Content-Security-Policy", CONTENT_SECURITY_POLICY.format(connect_src=connect_sources())
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    if current_app.config["CHAT_HTTPS"]:
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response
