"""`flask db upgrade` adds contacts, visitor keys and visitor context: stored
conversations are kept (anonymous, no contact), and the new constraints hold."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from app import db
from app.models import Contact, Conversation, VisitorContext, VisitorKey
from app.services import conversations, search

# The head before contacts.
BEFORE_CONTACTS = "1716169293ee"


def _fresh_database_at(revision: str) -> None:
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision=revision)


def _add_conversation(connection, cid: int) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO conversations (id, status, state, created_at, last_activity_at,"
            " last_seq, visitor_delivered_seq, visitor_seen_seq, agent_delivered_seq,"
            " agent_seen_seq, unread_count, visitor_online, visitor_name)"
            " VALUES (:cid, 'open', 'open', '2026-03-01', '2026-03-01', 0, 0, 0, 0, 0, 0,"
            " false, 'Ana')"
        ),
        {"cid": cid},
    )


def test_upgrade_keeps_conversations_anonymous_and_links_new_ones(app):
    _fresh_database_at(BEFORE_CONTACTS)
    with db.engine.begin() as connection:
        _add_conversation(connection, 1)

    upgrade()
    # The migration's connection turned foreign keys off (see migrations/env.py);
    # the app's own connections turn them on.
    db.session.remove()
    db.engine.dispose()

    kept = db.session.get(Conversation, 1)
    assert (kept.visitor_name, kept.contact_id) == ("Ana", None)
    contact = Contact(external_id="u-1", name="Ana")
    db.session.add(contact)
    db.session.flush()
    kept.contact_id = contact.id
    db.session.add(VisitorKey(conversation_id=1, token_hash="a" * 64))
    db.session.add(VisitorContext(conversation_id=1, language="en"))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.add(Contact(external_id="u-1"))
        db.session.commit()
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.add(VisitorKey(conversation_id=1, token_hash="a" * 64))
        db.session.commit()
    db.session.rollback()

    # Deleting the conversation deletes its keys and context; the contact stays.
    db.session.delete(db.session.get(Conversation, 1))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisitorKey)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisitorContext)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 1


def _visitors_found(name: str) -> list[int]:
    return [hit.summary.conversation.id for hit in search.search(name).hits]


def test_the_search_of_visitors_still_works_after_upgrade_and_downgrade(app):
    """On SQLite, changing the conversations table copies it, which drops
    the search index's triggers: the migration makes them again."""
    _fresh_database_at(BEFORE_CONTACTS)
    upgrade()
    db.session.remove()
    db.engine.dispose()
    first, _ = conversations.create_conversation(name="Zelda Upgraded")
    assert _visitors_found("Zelda") == [first.id]
    db.session.remove()  # its reading transaction would hold up the migration (PostgreSQL)

    downgrade(revision=BEFORE_CONTACTS)
    with db.engine.begin() as connection:
        _add_conversation(connection, 99)
        connection.execute(sa.text("UPDATE conversations SET visitor_name = 'Yuri' WHERE id = 99"))
    upgrade()
    db.session.remove()
    db.engine.dispose()
    assert _visitors_found("Yuri") == [99]
    assert _visitors_found("Zelda") == [first.id]


def test_downgrade_and_upgrade_again_round_trip(app):
    _fresh_database_at(BEFORE_CONTACTS)
    with db.engine.begin() as connection:
        _add_conversation(connection, 1)
    upgrade()
    downgrade(revision=BEFORE_CONTACTS)
    upgrade()
    assert db.session.get(Conversation, 1).visitor_name == "Ana"
