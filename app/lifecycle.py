"""Graceful shutdown: on SIGTERM, finish the events in flight, then exit.

Every Socket.IO event runs inside ``in_flight()``. Once draining starts, new
events are answered ``internal`` (clients keep the message pending and retry
on the next server), and the process exits when the running ones are done,
so every acknowledged write is complete and its acknowledgement was sent.
"""

import logging
import os
from contextlib import contextmanager

from app import metrics, socketio
from app.errors import ChatError

log = logging.getLogger(__name__)
_state = {"in_flight": 0, "draining": False}
FLUSH_SECONDS = 0.5  # time for the last acknowledgements to reach the wire


@contextmanager
def in_flight():
    if _state["draining"]:
        raise ChatError("internal", "the server is restarting; try again")
    _state["in_flight"] += 1
    try:
        yield
    finally:
        _state["in_flight"] -= 1


def draining() -> bool:
    """Whether the process is shutting down (and refusing new events)."""
    return _state["draining"]


def drain_and_exit(timeout: float = 10.0) -> None:
    """Stop taking events, wait for those running, then end the process."""
    if _state["draining"]:
        return
    _state["draining"] = True
    log.warning("shutting down: waiting for %d events in flight", _state["in_flight"])
    waited = 0.0
    while _state["in_flight"] and waited < timeout:
        socketio.sleep(0.05)
        waited += 0.05
    socketio.sleep(FLUSH_SECONDS)
    metrics.process_ended()
    logging.shutdown()
    os._exit(0)
