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

from flask import Flask

from app import db, socketio
from app.blocking import run_in_thread
from app.database import checkpoint_log
from app.realtime.tasks import start_once

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Note the SQLite file whose log to copy (none: nothing to do)."""
    with app.app_context():
        path = db.engine.url.database if db.engine.dialect.name == "sqlite" else None
    if app.config["CHAT_SQLITE_CHECKPOINT_SECONDS"] and path and path != ":memory:":
        app.extensions["chat_wal_path"] = path
        app.before_request(lambda: ensure_started(app))


def ensure_started(app: Flask) -> None:
    """Start the loop of this app, unless it runs already or has nothing to do."""
    path = app.extensions.get("chat_wal_path")
    if path:
        interval = app.config["CHAT_SQLITE_CHECKPOINT_SECONDS"]
        start_once(app, "wal_started", _loop, path, interval)


def _loop(app: Flask, state: dict, path: str, interval: float) -> None:
    while not state.get("stop"):
        socketio.sleep(interval)
        with app.app_context():
            try:
                run_in_thread(checkpoint_log, path)
            except Exception:
                log.exception("copying the database log failed")
