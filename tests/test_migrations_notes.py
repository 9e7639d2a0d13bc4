"""`flask db upgrade` gives stored activity lines a client_id column: the
lines are kept, and a note's client_id is unique within its conversation."""

import logging

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from app import db
from app.models import Activity

# The head before notes took a client_id.
BEFORE_NOTE_IDS = "56a210313da2"


def _fresh_database_at(revision: str) -> None:
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision=revision)


def _add_line(connection, kind: str, body: str | None, client_id: str | None = None) -> None:
    columns = "conversation_id, after_seq, kind, body, created_at"
    values = ":cid, 0, :kind, :body, '2026-03-01'"
    if client_id is not None:
        columns, values = f"{columns}, client_id", f"{values}, :client_id"
    connection.execute(
        sa.text(f"INSERT INTO activities ({columns}) VALUES ({values})"),
        {"cid": 1, "kind": kind, "body": body, "client_id": client_id},
    )


def test_upgrade_keeps_activity_lines_and_makes_client_ids_unique(app):
    _fresh_database_at(BEFORE_NOTE_IDS)
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO conversations (id, status, state, created_at, last_activity_at,"
                " last_seq, visitor_delivered_seq, visitor_seen_seq, agent_delivered_seq,"
                " agent_seen_seq, unread_count, visitor_online)"
                " VALUES (1, 'open', 'resolved', '2026-03-01', '2026-03-01', 0, 0, 0, 0, 0, 0,"
                " false)"
            )
        )
        _add_line(connection, "note", "kept")
        _add_line(connection, "resolved", None)

    upgrade()

    db.session.expire_all()
    lines = db.session.execute(sa.select(Activity.kind, Activity.body, Activity.client_id)).all()
    assert sorted(lines) == [("note", "kept", None), ("resolved", None, None)]
    with db.engine.begin() as connection:
        _add_line(connection, "note", "first", client_id="n1")
        _add_line(connection, "note", "no id either", client_id=None)
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        _add_line(connection, "note", "again", client_id="n1")


def test_downgrade_and_upgrade_again_round_trip(app):
    _fresh_database_at(BEFORE_NOTE_IDS)
    upgrade()
    downgrade(revision=BEFORE_NOTE_IDS)
    upgrade()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


def test_an_upgrade_in_the_apps_process_leaves_its_loggers_on(app):
    """Alembic's logging set-up once disabled every logger that existed (the
    app's were made with it), so errors of events went unlogged after an
    upgrade in the same process."""
    _fresh_database_at(BEFORE_NOTE_IDS)
    upgrade()

    assert not logging.getLogger("app.realtime.answers").disabled
