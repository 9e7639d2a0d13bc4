"""The ``agents`` event: every inbox's list of agents, sent again when an
agent connects, leaves, or turns available or away.

Like summaries, changes that come close together are sent once, after
``CHAT_SUMMARY_DELAY`` seconds (0 sends at once).
"""

import threading

from flask import Flask, current_app

from app import db, socketio
from app.realtime import payloads
from app.realtime.rooms import AGENTS
from app.services import availability

# Whether a send is scheduled in this process.
_pending = threading.Event()
_pending_lock = threading.Lock()


def send_soon() -> None:
    """Send every agent the fresh list of agents, soon."""
    app = current_app._get_current_object()
    delay = app.config["CHAT_SUMMARY_DELAY"]
    if not delay:
        send_now()
        return
    with _pending_lock:
        schedule = not _pending.is_set()
        _pending.set()
    if schedule:
        socketio.start_background_task(_send_later, app, delay)


def send_now() -> None:
    socketio.emit("agents", {"agents": payloads.agents(availability.roster())}, to=AGENTS)


def _send_later(app: Flask, delay: float) -> None:
    socketio.sleep(delay)
    with _pending_lock:
        _pending.clear()
    with app.app_context():
        try:
            send_now()
        finally:
            db.session.remove()
