"""Live counts of the inbox's views, sent to agents once per burst of changes.

Every change an agent sees ends in a conversation summary
(``summaries.send_now``), and each asks for fresh counts here. The counts
are read once per ``CHAT_COUNTS_DELAY`` seconds at most, whatever the number
of changes (0 reads them at once), off the path of the change itself, and
sent only when they differ from what this process sent last: a message or a
receipt changes no count and sends nothing. That holds for one process only:
with several (a message queue), another may have sent other counts since,
so each burst's counts are sent.
"""

import threading

from flask import Flask, current_app

from app import db, socketio
from app.realtime.rooms import AGENTS
from app.services import views

_lock = threading.Lock()


def counts_payload(counts: views.Counts, agent_id: int | None = None) -> dict:
    """The ``counts`` object: each view's count; ``mine`` for one agent, and
    ``by_assignee`` (agent id, as text, to open chats) for every agent to
    find its own."""
    payload = {
        "unassigned": counts.unassigned,
        "open": counts.open,
        "snoozed": counts.snoozed,
        "resolved": counts.resolved,
        "all": counts.all,
        "by_assignee": {str(agent): number for agent, number in counts.by_assignee},
    }
    if agent_id is not None:
        payload["mine"] = counts.mine(agent_id)
    return payload


def _state(app: Flask) -> dict:
    return app.extensions.setdefault("chat_counts", {"pending": False, "sent": None})


def send_soon() -> None:
    """Send agents the views' counts, if they changed, once the burst is over."""
    app = current_app._get_current_object()
    delay = app.config["CHAT_COUNTS_DELAY"]
    if not delay:
        send_if_changed(app)
        return
    state = _state(app)
    with _lock:
        if state["pending"]:
            return
        state["pending"] = True
    socketio.start_background_task(_send_later, app, delay)


def send_if_changed(app: Flask) -> None:
    """Count (one statement) and send the counts unless this process sent them."""
    payload = counts_payload(views.counts())
    state = _state(app)
    alone = not app.config["SOCKETIO_MESSAGE_QUEUE"]
    with _lock:
        if alone and payload == state["sent"]:
            return
        state["sent"] = payload
    socketio.emit("counts", payload, to=AGENTS)


def _send_later(app: Flask, delay: float) -> None:
    socketio.sleep(delay)
    with _lock:
        _state(app)["pending"] = False
    with app.app_context():
        try:
            send_if_changed(app)
        finally:
            db.session.remove()
