"""The SQL statements a piece of test code sends to the database."""

import threading

import sqlalchemy as sa

from app import db


def statements_of(action) -> list[str]:
    """The first word of each SQL statement ``action`` runs (not the server's
    own threads', such as the maintenance loop's, which share the engine)."""
    seen = []
    caller = threading.get_ident()

    def record(_conn, _cursor, statement, *_args):
        if threading.get_ident() == caller:
            seen.append(statement.split()[0].upper())

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen
