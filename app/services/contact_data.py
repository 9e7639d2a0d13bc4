"""A contact's data, for the person's rights: everything the desk holds of
them, read in one go, or erased in one transaction.

A contact's data is their conversations (messages, notes, ratings, the
browser context, files) and the contact itself.
"""

import sqlalchemy as sa

from app import db
from app.errors import ChatError
from app.models import Contact, Conversation, Rating, StoredFile
from app.services import file_store


def contact(contact_id: int) -> Contact:
    row = db.session.get(Contact, contact_id)
    if row is None:
        raise ChatError("not_found", "no such contact")
    return row


def conversation_ids(contact_id: int) -> list[int]:
    """The contact's conversations, oldest first."""
    query = (
        sa.select(Conversation.id)
        .where(Conversation.contact_id == contact_id)
        .order_by(Conversation.created_at, Conversation.id)
    )
    return list(db.session.scalars(query))


def ratings_of(conversation_id: int) -> list[Rating]:
    query = sa.select(Rating).where(Rating.conversation_id == conversation_id)
    return list(db.session.scalars(query.order_by(Rating.id)))


def files_of(conversation_id: int) -> list[StoredFile]:
    """The files sent in the conversation (uploads never sent are not its)."""
    query = sa.select(StoredFile).where(
        StoredFile.conversation_id == conversation_id, StoredFile.sent.is_(True)
    )
    return list(db.session.scalars(query.order_by(StoredFile.created_at, StoredFile.id)))


def erase(contact_id: int) -> list[int]:
    """Delete the contact and every conversation of theirs, with all that
    hangs on them, in one transaction; then their files' bytes. Returns the
    conversations deleted."""
    contact(contact_id)
    ids = conversation_ids(contact_id)
    if ids:
        db.session.execute(
            sa.delete(Conversation)
            .where(Conversation.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
    db.session.execute(sa.delete(Contact).where(Contact.id == contact_id))
    db.session.commit()
    store = file_store.store()
    for conversation_id in ids:
        store.delete_conversation(conversation_id)
    return ids
