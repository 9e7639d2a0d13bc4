"""The database engine's settings, and SQLite's write-ahead log."""

import sqlite3

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from app import db

# Shorter than a client's 10 s acknowledgement timeout, so a locked SQLite
# database answers "internal" before the client gives up and retries.
SQLITE_BUSY_TIMEOUT_MS = 5000
# A server copies the log into the database every second, off the event loop
# (``app/realtime/wal_loop.py``); a commit does it only past this many pages
# (40 MB): in a process without that loop, or when it falls behind. SQLite's
# default, 1,000 pages, makes one commit in a few hundred wait for the copy
# and the file's sync: the slowest 1% of messages.
SQLITE_AUTOCHECKPOINT_PAGES = 10_000


def tune_sqlite(engine: sa.Engine) -> None:
    """Write-ahead logging and a busy timeout, so writers wait, not fail;
    deleted data zeroed."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted rows are overwritten with zeros, not just unlinked, so a
        # deleted conversation cannot be read back from the file's free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


def changes(statement: sa.Update) -> bool:
    """Run a conditional update and commit; True when it changed a row.

    Of several processes running the same one at once, exactly one sees the
    change: the way each state change is announced once.
    """
    changed = db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return bool(changed)


def truncate_log() -> bool:
    """Copy SQLite's write-ahead log into the database and empty it; True if done.

    Never waits: while another connection reads or writes, the log cannot be
    emptied, and waiting for it would hold up the server (an eventlet or
    gevent hub stops while SQLite's busy handler sleeps).
    """
    if db.engine.dialect.name != "sqlite":
        return True
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            busy, _frames, _copied = connection.exec_driver_sql(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).one()
        except OperationalError:  # "database is locked": a writer is busy
            busy = True
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return not busy


def checkpoint_log(path: str) -> int:
    """Copy what SQLite's write-ahead log holds into the database file,
    without waiting for anyone; the log's frames not yet copied.

    Meant for a thread of its own (``blocking.run_in_thread``): it opens its
    own connection, and the copy and the file's sync happen there instead of
    inside whichever commit crossed ``wal_autocheckpoint``.
    """
    connection = sqlite3.connect(path, timeout=0)
    try:
        _busy, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    except sqlite3.OperationalError:  # "database is locked": try next time
        return -1
    finally:
        connection.close()
    return max(frames - copied, 0)
