"""`flask db upgrade` carries a database that holds data forward.

Each test builds a database at an older revision with Alembic, fills it as
that version of the chat would have, upgrades to the head and checks that
nothing stored was lost and that the new columns hold what they mean.
"""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import db
from app.models import Agent, Conversation, Message
from app.services import tokens

# The head before the desk's states, assignment, activity lines and notes.
BEFORE_DESK = "9f4858c5596c"


def _fill_before_desk(connection) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO agents (id, email, name, password_hash, disabled, created_at) VALUES "
            "(1, 'tess@example.com', 'Tess', 'x', false, '2026-01-01'),"
            "(2, 'ben@example.com', 'Ben', 'x', false, '2026-02-01')"
        )
    )
    for cid, status, senders in ((1, "open", "va"), (2, "open", "av"), (3, "closed", "v")):
        connection.execute(
            sa.text(
                "INSERT INTO conversations (id, visitor_name, status, created_at,"
                " last_activity_at, last_seq, visitor_delivered_seq, visitor_seen_seq,"
                " agent_delivered_seq, agent_seen_seq, unread_count, visitor_online)"
                " VALUES (:id, 'Ana', :status, '2026-03-01', '2026-03-01', :n,"
                " 0, 0, 0, 0, 0, false)"
            ),
            {"id": cid, "status": status, "n": len(senders)},
        )
        for seq, side in enumerate(senders, start=1):
            connection.execute(
                sa.text(
                    "INSERT INTO messages (conversation_id, seq, client_id, sender,"
                    " author_name, body, created_at) VALUES"
                    " (:cid, :seq, :client_id, :sender, 'x', :body, :at)"
                ),
                {
                    "cid": cid,
                    "seq": seq,
                    "client_id": f"c{seq}",
                    "sender": "visitor" if side == "v" else "agent",
                    "body": f"message {seq} of {cid}",
                    "at": f"2026-03-0{seq} 10:00:00",
                },
            )


def test_upgrade_keeps_every_message_and_gives_the_desk_its_defaults(app):
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision=BEFORE_DESK)
    with db.engine.begin() as connection:
        _fill_before_desk(connection)

    upgrade()

    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 5
    tess, ben = db.session.scalars(sa.select(Agent).order_by(Agent.id))
    assert (tess.role, ben.role) == ("admin", "agent")  # the first agent manages the desk
    assert tess.available and ben.available
    chats = {c.id: c for c in db.session.scalars(sa.select(Conversation))}
    assert {c.state for c in chats.values()} == {"open"}
    assert all(c.assignee_id is None for c in chats.values())
    # Waiting for an answer: only the open chat whose newest message is the visitor's.
    assert chats[1].waiting_since is None
    assert str(chats[2].waiting_since).startswith("2026-03-02 10:00")
    assert chats[3].waiting_since is None


def test_downgrade_and_upgrade_again_round_trip(app):
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    downgrade(revision=BEFORE_DESK)
    upgrade()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Conversation)) == 0


def test_upgrade_gives_the_views_their_indexes_and_lists_the_old_chats(app, client):
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision=BEFORE_DESK)
    with db.engine.begin() as connection:
        _fill_before_desk(connection)

    upgrade()

    indexes = {index["name"] for index in sa.inspect(db.engine).get_indexes("conversations")}
    assert {"ix_conversations_desk_counts", "ix_conversations_waiting"} <= indexes
    tess = db.session.get(Agent, 1)
    headers = {"Authorization": f"Bearer {tokens.issue_token(tess)}"}
    answer = client.get("/api/v1/conversations?view=open&sort=waiting", headers=headers).json
    assert [summary["id"] for summary in answer["conversations"]][:1] == [2]  # it waits
    assert (answer["counts"]["open"], answer["counts"]["resolved"]) == (2, 1)


# The head before full-text search.
BEFORE_SEARCH = "a060eed5bae8"


def _fill_before_search(connection) -> None:
    """Three of Ana's chats: 2, 2 and 1 messages (SQL both databases take)."""
    for cid, count in ((1, 2), (2, 2), (3, 1)):
        connection.execute(
            sa.text(
                "INSERT INTO conversations (id, visitor_name, status, created_at,"
                " last_activity_at, last_seq, visitor_delivered_seq, visitor_seen_seq,"
                " agent_delivered_seq, agent_seen_seq, unread_count, visitor_online)"
                " VALUES (:id, 'Ana', 'open', '2026-03-01', '2026-03-01', :n, 0, 0, 0, 0, 0, false)"
            ),
            {"id": cid, "n": count},
        )
        for seq in range(1, count + 1):
            connection.execute(
                sa.text(
                    "INSERT INTO messages (conversation_id, seq, client_id, sender,"
                    " author_name, body, created_at) VALUES"
                    " (:cid, :seq, :client_id, 'visitor', 'x', :body, '2026-03-01 10:00:00')"
                ),
                {"cid": cid, "seq": seq, "client_id": f"c{seq}", "body": f"message {seq} of {cid}"},
            )


def test_upgrade_makes_every_stored_message_and_visitor_searchable(app):
    from app.services import search
    from app.services.messages import post_message

    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision=BEFORE_SEARCH)
    with db.engine.begin() as connection:
        _fill_before_search(connection)

    upgrade()

    hits = search.search("MESSAGE").hits
    assert sorted((hit.summary.conversation.id, hit.message.seq) for hit in hits) == [
        (1, 1), (1, 2), (2, 1), (2, 2), (3, 1),
    ]  # fmt: skip
    assert sorted(hit.summary.conversation.id for hit in search.search("ana").hits) == [1, 2, 3]
    # Kept in step from then on.
    post_message(1, "visitor", "Ana", "c9", "a new question")
    assert [hit.message.seq for hit in search.search("question").hits] == [3]
    db.session.get(Conversation, 2).visitor_name = "Bruno"
    db.session.commit()
    assert [hit.summary.conversation.id for hit in search.search("bruno").hits] == [2]
    db.session.rollback()  # PostgreSQL's ALTER TABLE would wait for this session's reads
    downgrade(revision=BEFORE_SEARCH)
    upgrade()
    assert [hit.message.seq for hit in search.search("question").hits] == [3]
