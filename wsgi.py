"""The production server: ``python wsgi.py``.

Runs the app on eventlet by default (``SOCKETIO_ASYNC_MODE=gevent`` selects
gevent). Monkey patching must happen before anything else is imported, so
that sockets opened by Redis and database drivers cooperate with the server.
"""

import os

ASYNC_MODE = os.environ.setdefault("SOCKETIO_ASYNC_MODE", "eventlet")
if ASYNC_MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
    # psycopg waits for PostgreSQL in C, stopping every socket, unless told
    # to wait with select(), which eventlet made cooperative (gevent's
    # patching it finds by itself).
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import sys  # noqa: E402

from app import create_app  # noqa: E402
from config import DEFAULT_SECRET_KEY  # noqa: E402

app = create_app()
if app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
    sys.exit(
        "Refusing to start: set SECRET_KEY to a long random value, e.g. "
        'SECRET_KEY=$(python -c "import secrets; print(secrets.token_hex(32))")'
    )

if __name__ == "__main__":
    from app.realtime import outbox_loop, wal_loop
    from app.server import serve

    # Jobs left by the last run go out without waiting for a request.
    outbox_loop.ensure_started(app)
    wal_loop.ensure_started(app)

    serve(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", 5000)),
        # eventlet accepts 1,024 connections by default; a chat holds idle ones.
        max_connections=int(os.environ.get("MAX_CONNECTIONS", 10000)),
    )
