"""`flask db upgrade` adds the outbox's table to a database in use: stored
conversations are kept, and jobs can be added and run at once."""

import sqlalchemy as sa
from flask_migrate import upgrade

from app import db
from app.models import Conversation
from app.services import outbox

# The head before the outbox.
BEFORE_OUTBOX = "6e6c58a38267"
ran = []


@outbox.handler("test.migrated")
def _record(job):
    ran.append(job.payload)


def test_upgrade_adds_the_outbox_and_keeps_conversations(app):
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision=BEFORE_OUTBOX)
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO conversations (id, status, state, created_at, last_activity_at,"
                " last_seq, visitor_delivered_seq, visitor_seen_seq, agent_delivered_seq,"
                " agent_seen_seq, unread_count, visitor_online)"
                " VALUES (1, 'open', 'open', '2026-03-01', '2026-03-01', 0, 0, 0, 0, 0, 0,"
                " false)"
            )
        )

    upgrade()

    assert db.session.get(Conversation, 1) is not None
    outbox.add("test.migrated", {"n": 1})
    db.session.commit()
    assert outbox.run_due() == 1
    assert ran == [{"n": 1}]
