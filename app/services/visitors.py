"""A visitor starts a conversation or proves who they are: anonymous, or a
user the host site signed for, whose conversations follow them to any
device."""

from dataclasses import dataclass

from app import db
from app.models import Contact, Conversation
from app.services import contacts, conversations, identity, visitor_context
from app.visitor_schemas import SignedIdentity, VisitorConversation


def start_conversation(
    details: VisitorConversation, user_agent: str | None
) -> tuple[Conversation, str]:
    """A new conversation; a signed visitor's belongs to their contact.

    An identity that is not signed with the current secret is refused and
    nothing is stored.
    """
    contact = _verified_contact(details.identity) if details.identity else None
    conversation, token = conversations.create_conversation(
        (contact and contact.name) or details.name,
        (contact and contact.email) or details.email,
        details.page_url,
        contact_id=contact.id if contact else None,
    )
    visitor_context.record(conversation.id, details.context, user_agent)
    db.session.commit()
    return conversation, token


@dataclass(frozen=True)
class Identified:
    contact: Contact
    conversation: Conversation | None  # the one the visitor continues, if any
    visitor_token: str | None  # a new device's token for it
    attached: bool  # an anonymous conversation became the contact's


def identify(signed: SignedIdentity, own_conversation_id: int | None) -> Identified:
    """Prove who the visitor is. With their own (anonymous) conversation,
    it becomes the contact's; without one, a new device gets a token for
    the contact's latest open conversation, when there is one."""
    contact = _verified_contact(signed)
    if own_conversation_id is not None:
        conversation = conversations.get_conversation(own_conversation_id)
        attached = contacts.attach(conversation, contact)
        db.session.commit()
        return Identified(contact, conversation, None, attached)
    conversation = contacts.latest_open_conversation(contact.id)
    token = contacts.new_device(conversation) if conversation else None
    db.session.commit()
    return Identified(contact, conversation, token, False)


def _verified_contact(signed: SignedIdentity) -> Contact:
    identity.verify(signed)
    return contacts.contact_for(signed)
