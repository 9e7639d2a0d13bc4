"""Per-connection rate limits for Socket.IO events.

A connection lives in one server process, so its counters do too.
"""

from flask import current_app, request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.errors import ChatError

_limiter = MovingWindowRateLimiter(MemoryStorage())


def check_rate(event: str, setting: str) -> None:
    """Count one ``event`` for this connection; ``rate_limited`` past the limit."""
    rate = parse(current_app.config[setting])
    if not _limiter.hit(rate, event, request.sid):
        raise ChatError("rate_limited", f"too many {event} events; at most {rate}")
