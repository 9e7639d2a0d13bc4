"""Contacts: the host site's signed users, and their conversations on any
device. Whoever proves to be user X (a valid signature) reaches X's
conversations, and only theirs."""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import db
from app.clock import utcnow
from app.errors import ChatError
from app.models import Contact, Conversation, Message, VisitorKey
from app.services.keys import hash_secret, new_secret
from app.visitor_schemas import SignedIdentity

# How many of a contact's other conversations the inbox lists.
PAST_LIMIT = 20
# Devices (browsers) that may hold one conversation besides the first; the
# oldest key goes when one more comes, so keys cannot pile up.
MAX_DEVICES = 20


def contact_for(identity: SignedIdentity) -> Contact:
    """The contact of a verified identity, created on first sight; the
    site's name and email replace older ones. Flushes, does not commit."""
    contact = _find(identity.user_id)
    if contact is None:
        try:
            with db.session.begin_nested():
                contact = Contact(external_id=identity.user_id)
                db.session.add(contact)
        except IntegrityError:  # created by a concurrent request meanwhile
            contact = _find(identity.user_id)
    contact.name = identity.name or contact.name
    contact.email = identity.email or contact.email
    contact.last_seen_at = utcnow()
    db.session.flush()
    return contact


def _find(external_id: str) -> Contact | None:
    return db.session.scalar(sa.select(Contact).where(Contact.external_id == external_id))


def latest_open_conversation(contact_id: int) -> Conversation | None:
    """The contact's newest conversation that the visitor has not ended."""
    return db.session.scalar(
        sa.select(Conversation)
        .where(Conversation.contact_id == contact_id, Conversation.status == "open")
        .order_by(Conversation.last_activity_at.desc(), Conversation.id.desc())
        .limit(1)
    )


def new_device(conversation: Conversation) -> str:
    """One more visitor token for the conversation (another browser)."""
    token = new_secret()
    db.session.add(VisitorKey(conversation_id=conversation.id, token_hash=hash_secret(token)))
    db.session.flush()
    newest = (
        sa.select(VisitorKey.id)
        .where(VisitorKey.conversation_id == conversation.id)
        .order_by(VisitorKey.id.desc())
        .limit(MAX_DEVICES)
    )
    db.session.execute(
        sa.delete(VisitorKey).where(
            VisitorKey.conversation_id == conversation.id, VisitorKey.id.not_in(newest)
        )
    )
    return token


def attach(conversation: Conversation, contact: Contact) -> bool:
    """Make an anonymous conversation the contact's; True when it changed.

    A conversation of another contact stays theirs: a browser shared by two
    users of the site must not hand one's chat to the other.
    """
    if conversation.contact_id not in (None, contact.id):
        raise ChatError("conflict", "this conversation belongs to another user: start a new one")
    changed = conversation.contact_id is None
    conversation.contact_id = contact.id
    conversation.visitor_name = contact.name or conversation.visitor_name
    conversation.visitor_email = contact.email or conversation.visitor_email
    return changed


def past_conversations(conversation: Conversation) -> list[Conversation]:
    """The contact's other conversations, newest first."""
    if conversation.contact_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Conversation)
            .where(
                Conversation.contact_id == conversation.contact_id,
                Conversation.id != conversation.id,
            )
            .order_by(Conversation.created_at.desc(), Conversation.id.desc())
            .limit(PAST_LIMIT)
        )
    )


def contact_by_id(contact_id: int) -> Contact | None:
    return db.session.get(Contact, contact_id)


def last_message(conversation_id: int) -> Message | None:
    return db.session.scalar(
        sa.select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.seq.desc())
        .limit(1)
    )
