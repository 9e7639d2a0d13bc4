"""The outbox's background loop: one per process and app.

It runs the due jobs of app/services/outbox.py (webhook deliveries, emails)
and, once an hour, deletes the jobs finished longer ago than
``CHAT_OUTBOX_KEEP_DAYS``. It starts with the process's first request
(``CHAT_OUTBOX_AUTOSTART``; ``python wsgi.py`` starts it at once) and ends
with the app's other background work (``background.stop``).
"""

import logging
import time
from datetime import timedelta

from flask import Flask

from app import db, socketio
from app.realtime.tasks import start_once
from app.services import outbox

log = logging.getLogger(__name__)
PURGE_SECONDS = 3600


def init_app(app: Flask) -> None:
    if app.config["CHAT_OUTBOX_AUTOSTART"]:
        app.before_request(lambda: ensure_started(app))


def ensure_started(app: Flask) -> None:
    """Start the loop of this app, unless it runs already."""
    start_once(app, "outbox_started", _loop)


def _loop(app: Flask, state: dict) -> None:
    interval = app.config["CHAT_OUTBOX_INTERVAL"]
    keep = timedelta(days=app.config["CHAT_OUTBOX_KEEP_DAYS"])
    purged_at = None
    while not state.get("stop"):
        with app.app_context():
            try:
                if purged_at is None or time.monotonic() - purged_at > PURGE_SECONDS:
                    purged_at = time.monotonic()
                    outbox.purge_finished(keep)
                outbox.run_until_idle(lambda: state.get("stop"))
            except Exception:
                log.exception("the outbox loop failed")
                db.session.rollback()
            finally:
                db.session.remove()
        socketio.sleep(interval)
