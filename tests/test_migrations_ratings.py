"""`flask db upgrade` adds the ratings table to a database with chats in it:
the chats are kept, a resolution takes one rating, and a score is 1 to 5."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from app import db
from app.models import Activity, Conversation, Rating
from tests.test_migrations_notes import _add_line, _fresh_database_at

# The head before ratings.
BEFORE_RATINGS = "126b03a2d9e1"


def _add_rating(connection, score: int, resolution_id: int = 1) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO ratings (conversation_id, resolution_id, score, created_at, updated_at)"
            " VALUES (1, :rid, :score, '2026-03-01', '2026-03-01')"
        ),
        {"rid": resolution_id, "score": score},
    )


def test_upgrade_keeps_chats_and_constrains_ratings(app):
    _fresh_database_at(BEFORE_RATINGS)
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
        _add_line(connection, "resolved", None)

    upgrade()

    assert db.session.scalar(sa.select(Conversation.state)) == "resolved"
    assert db.session.scalar(sa.select(Activity.kind)) == "resolved"
    with db.engine.begin() as connection:
        _add_rating(connection, 5)
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        _add_rating(connection, 4)  # the same resolution again
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        _add_rating(connection, 6, resolution_id=2)
    # Deleting the chat deletes its rating.
    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        connection.execute(sa.text("DELETE FROM conversations"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 0


def test_downgrade_and_upgrade_again_round_trip(app):
    _fresh_database_at(BEFORE_RATINGS)
    upgrade()
    downgrade(revision=BEFORE_RATINGS)
    assert "ratings" not in sa.inspect(db.engine).get_table_names()
    upgrade()
    assert "ratings" in sa.inspect(db.engine).get_table_names()
