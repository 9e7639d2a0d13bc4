"""Copying SQLite's write-ahead log into the database, off the event loop.

SQLite copies the log at the commit that finds it past ``wal_autocheckpoint``
pages, and syncs the database file meanwhile: under eventlet or gevent every
socket waits for that commit. Here a background task asks a real thread to
copy it every ``CHAT_SQLITE_CHECKPOINT_SECONDS`` (0 turns this off), so the
log stays short and commits never copy. Nothing to do on PostgreSQL.

It starts with the process's first request or socket (``python wsgi.py``
starts it at once) and ends with the app's other background work.
"""

import logging
import threading

from flask import Flask

from app import db, socketio
from app.blocking import run_in_thread
from app.database import checkpoint_log

log = logging.getLogger(__name__)
_lock = threading.Lock()


def init_app(app: Flask) -> None:
    app.before_request(lambda: ensure_started(app))


def ensure_started(app: Flask) -> None:
    """Start the loop of this app, unless it runs already or has nothing to do."""
    state = app.extensions.setdefault("chat_background", {"stop": False})
    if state.get("wal_started"):  # every request asks: no lock once it runs
        return
    with _lock:
        if state.get("wal_started"):
            return
        state["wal_started"] = True
    interval = app.config["CHAT_SQLITE_CHECKPOINT_SECONDS"]
    with app.app_context():
        path = db.engine.url.database if db.engine.dialect.name == "sqlite" else None
    if interval and path and path != ":memory:":
        socketio.start_background_task(_loop, app, state, path, interval)


def _loop(app: Flask, state: dict, path: str, interval: float) -> None:
    while not state.get("stop"):
        socketio.sleep(interval)
        with app.app_context():
            try:
                run_in_thread(checkpoint_log, path)
            except Exception:
                log.exception("copying the database log failed")
