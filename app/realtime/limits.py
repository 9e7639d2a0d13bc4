"""Rate limits for Socket.IO events, counted per credential.

A visitor's allowance belongs to its conversation (its token), an agent's to
the agent: every socket of theirs draws on it, so opening more sockets or
reconnecting buys nothing. A limit is written "N per M seconds".

Where the count lives follows Flask-Limiter's storage (``RATELIMIT_STORAGE_URI``):

- ``memory://`` (one process): a token bucket per credential and event in a
  dict of the app: a burst of N, then N every M seconds. (The ``limits``
  library's memory storage walks its keys to expire them, which cost a sixth
  of the server's time under load.)
- anything shared (Redis): the ``limits`` library counts in that storage,
  in a moving window where the storage has one, so every process draws on
  the same allowance.
"""

import threading
import time
from functools import lru_cache

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, MovingWindowSupport, Storage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from app import metrics
from app.errors import ChatError
from app.services.access import Identity


@lru_cache(maxsize=32)
def _rate(text: str) -> RateLimitItem:
    return parse(text)


class TokenBuckets:
    """Token buckets in this process, keyed by credential and event."""

    PRUNE_AT = 10_000  # keys kept before full buckets are dropped

    def __init__(self):
        self._buckets: dict[str, tuple[float, float, float]] = {}
        self._lock = threading.Lock()
        self._prune_at = self.PRUNE_AT

    def hit(self, key: str, rate: RateLimitItem) -> bool:
        """Take one token; False when the bucket is empty."""
        amount, seconds = rate.amount, rate.get_expiry()
        now = time.monotonic()
        with self._lock:
            tokens, last, _full_at = self._buckets.get(key, (amount, now, now))
            tokens = min(amount, tokens + (now - last) * amount / seconds)
            taken = tokens >= 1
            if taken:
                tokens -= 1
            self._buckets[key] = (tokens, now, now + (amount - tokens) * seconds / amount)
            if len(self._buckets) > self._prune_at:
                self._prune(now)
        return taken

    def _prune(self, now: float) -> None:
        """Forget buckets that have filled up again: they hold nothing to remember."""
        self._buckets = {k: b for k, b in self._buckets.items() if b[2] > now}
        self._prune_at = max(self.PRUNE_AT, 2 * len(self._buckets))


class SharedWindows:
    """Counts kept in a storage every process shares, by the ``limits`` library."""

    def __init__(self, storage: Storage):
        if isinstance(storage, MovingWindowSupport):
            self._limiter = MovingWindowRateLimiter(storage)
        else:
            self._limiter = FixedWindowRateLimiter(storage)

    def hit(self, key: str, rate: RateLimitItem) -> bool:
        return self._limiter.hit(rate, "chat", key)


def init_app(app: Flask, storage: Storage) -> None:
    """Count this app's event limits beside Flask-Limiter's (``storage``)."""
    shared = not isinstance(storage, MemoryStorage)
    app.extensions["chat_rates"] = SharedWindows(storage) if shared else TokenBuckets()


def credential(identity: Identity) -> str:
    """Whose allowance an identity draws on."""
    if identity.is_agent:
        return f"agent:{identity.agent_id}"
    return f"visitor:{identity.conversation_id}"


def check_rate(identity: Identity, event: str, setting: str) -> None:
    """Count one ``event`` of this credential; ``rate_limited`` past the limit."""
    rate = _rate(current_app.config[setting])
    if not current_app.extensions["chat_rates"].hit(f"{credential(identity)}:{event}", rate):
        metrics.rate_limited(event)
        raise ChatError("rate_limited", f"too many {event} events; at most {rate}")
