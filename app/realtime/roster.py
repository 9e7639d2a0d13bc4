"""The ``agents`` event: every inbox's list of agents, sent again when an
agent connects, leaves, or turns available or away; and, then, the
``chat_state`` of that agent's chats to their visitors.

Like summaries, changes that come close together are sent once, after
``CHAT_SUMMARY_DELAY`` seconds (0 sends at once).
"""

import threading

from flask import Flask, current_app

from app import db, socketio
from app.realtime import emit, payloads
from app.realtime.rooms import AGENTS
from app.services import availability, history

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


def tell_visitors_of(agent_id: int) -> None:
    """The agent's availability or connection changed: tell the visitors of
    the open chats assigned to them whether their agent can answer now."""
    for cid in availability.open_chats_of(agent_id):
        emit.chat_state(payloads.chat_state(history.summary(cid).conversation))


def _send_later(app: Flask, delay: float) -> None:
    socketio.sleep(delay)
    with _pending_lock:
        _pending.clear()
    with app.app_context():
        try:
            send_now()
        finally:
            db.session.remove()
