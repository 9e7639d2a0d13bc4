"""`flask db upgrade` adds files: stored messages are kept (with no file),
and a message may then carry one."""

import sqlalchemy as sa
from flask_migrate import upgrade

from app import db
from app.models import Message

# The head before files.
BEFORE_FILES = "7657212e33be"


def test_upgrade_keeps_messages_and_adds_files(app):
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision=BEFORE_FILES)
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO conversations (id, status, state, created_at, last_activity_at,"
                " last_seq, visitor_delivered_seq, visitor_seen_seq, agent_delivered_seq,"
                " agent_seen_seq, unread_count, visitor_online)"
                " VALUES (1, 'open', 'open', '2026-03-01', '2026-03-01', 1, 0, 0, 0, 0, 1,"
                " false)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO messages (conversation_id, seq, client_id, sender, author_name,"
                " body, created_at) VALUES (1, 1, 'c1', 'visitor', 'Ana', 'kept', '2026-03-01')"
            )
        )

    upgrade()

    db.session.expire_all()
    assert db.session.execute(sa.select(Message.body, Message.file)).all() == [("kept", None)]
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO files (id, conversation_id, uploader, name, content_type, size,"
                " has_thumbnail, created_at) VALUES ('f1', 1, 'visitor', 'a.pdf',"
                " 'application/pdf', 10, false, '2026-03-01')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO file_blobs (key, conversation_id, data) VALUES ('1/f1', 1, :data)"
            ),
            {"data": b"%PDF-1.4"},
        )
    with db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM conversations WHERE id = 1"))
        left = connection.execute(sa.text("SELECT count(*) FROM file_blobs")).scalar()
        assert left == 0
