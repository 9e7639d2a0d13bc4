"""Answers of the visitor-identity endpoints, as models (see responses.py)."""

from typing import Literal

from app.api.responses import Answer, State, Timestamp


class ContactName(Answer):
    name: str | None
    email: str | None


class Identified(Answer):
    """The conversation the visitor continues, if any, and who they are."""

    conversation_id: int | None
    visitor_token: str | None
    contact: ContactName


Ask = Literal["off", "optional", "required"]


class PrechatFields(Answer):
    name: Ask
    email: Ask


class WidgetSettings(Answer):
    """What the widget asks before a chat."""

    prechat: PrechatFields


class Contact(Answer):
    """A person the host site signed for."""

    id: int
    user_id: str
    name: str | None
    email: str | None
    identified: bool
    created_at: Timestamp
    last_seen_at: Timestamp


class PastMessage(Answer):
    sender: Literal["visitor", "agent"]
    body: str


class PastConversation(Answer):
    id: int
    state: State
    created_at: Timestamp
    last_activity_at: Timestamp
    last_message: PastMessage | None


class Context(Answer):
    """What the visitor's browser told, and the server saw, last."""

    page_url: str | None
    page_title: str | None
    referrer: str | None
    browser: str | None
    os: str | None
    language: str | None
    time_zone: str | None
    first_seen_at: Timestamp | None
    updated_at: Timestamp | None


class VisitorProfile(Answer):
    """Who the visitor of a conversation is, for agents."""

    visitor: ContactName
    contact: Contact | None
    past_conversations: list[PastConversation]
    context: Context


class Secret(Answer):
    secret: str
    created_at: Timestamp


class IdentitySecret(Answer):
    """The identity secret, or null before an admin created one."""

    secret: Secret | None
