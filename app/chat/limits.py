"""Per-connection rate limits for Socket.IO events.

A token bucket per connection and event kind, kept in the socket's own
session: a connection may send a burst of N, then N every M seconds, for a
limit written "N per M seconds". (A shared in-memory store with expiring
keys cost a sixth of the server's time under load.)
"""

import time
from functools import lru_cache

from flask import current_app, session
from limits import parse

from app.errors import ChatError


@lru_cache(maxsize=32)
def _rate(text: str) -> tuple[int, float, str]:
    """``"30 per 10 seconds"`` as (amount, seconds, the text to show)."""
    rate = parse(text)
    return rate.amount, float(rate.get_expiry()), str(rate)


def check_rate(event: str, setting: str) -> None:
    """Count one ``event`` for this connection; ``rate_limited`` past the limit."""
    amount, seconds, shown = _rate(current_app.config[setting])
    now = time.monotonic()
    key = f"rate:{event}"
    tokens, last = session.get(key, (amount, now))
    tokens = min(amount, tokens + (now - last) * amount / seconds)
    if tokens < 1:
        session[key] = (tokens, now)
        raise ChatError("rate_limited", f"too many {event} events; at most {shown}")
    session[key] = (tokens - 1, now)
