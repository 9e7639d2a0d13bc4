"""Who the visitor is: a signed identity from the host site, the pre-chat
form the widget shows, and what agents see of the visitor."""

from flask import current_app

from app import limiter
from app.api import bp
from app.api import visitor_answers as answers
from app.api.auth import admin_caller, admin_changer, agent_caller, bearer_token
from app.api.conversations import json_body, validated
from app.api.description import described
from app.clock import iso
from app.errors import ChatError
from app.models import Contact, Conversation, VisitorContext
from app.realtime import summaries
from app.services import (
    access,
    contacts,
    conversations,
    identity,
    prechat,
    visitor_context,
    visitors,
)
from app.visitor_schemas import Identify


def identify_rate() -> str:
    return current_app.config["CHAT_IDENTIFY_RATE"]


@bp.route("/identify", methods=["POST"])
@described(
    tag="visitors",
    auth="none",
    body=Identify,
    answers={200: answers.Identified},
    errors=("unauthorized", "forbidden", "conflict", "rate_limited"),
)
@limiter.limit(identify_rate)
def identify_visitor():
    """Prove who the visitor is: ``{"identity": {user_id, name, email, user_hash}}``.

    With the visitor's token (``Authorization: Bearer``), their conversation
    becomes the signed user's. Without one (a new device or browser), the
    answer holds a token for the user's latest open conversation, or
    ``null`` when they have none. Answers ``{conversation_id,
    visitor_token, contact}``; ``401`` for an unsigned or wrongly signed
    identity, ``403`` before an admin created the identity secret, ``409``
    for a conversation of another user. A token that is no longer valid (the
    chat ended or was deleted) counts as none.
    """
    signed = validated(Identify, json_body()).identity
    token = bearer_token()
    credentials = access.Credentials(visitor_token=token, agent_token=token)
    who = access.identify(credentials) if token else None
    if who is not None and who.is_agent:
        raise ChatError("forbidden", "only visitors identify")
    result = visitors.identify(signed, who.conversation_id if who else None)
    if result.attached:
        summaries.send_soon(result.conversation.id)
    return {
        "conversation_id": result.conversation.id if result.conversation else None,
        "visitor_token": result.visitor_token,
        "contact": {"name": result.contact.name, "email": result.contact.email},
    }


@bp.route("/widget/settings", methods=["GET"])
@described(tag="visitors", auth="none", answers={200: answers.WidgetSettings})
def widget_settings():
    """What the widget asks before a chat: ``{"prechat": {"name", "email"}}``,
    each ``"off"``, ``"optional"`` or ``"required"`` (anyone)."""
    return {"prechat": prechat.fields()}


@bp.route("/conversations/<int(max=2147483647):conversation_id>/visitor", methods=["GET"])
@described(
    tag="conversations",
    auth="agent",
    answers={200: answers.VisitorProfile},
    errors=("not_found",),
)
def visitor_profile(conversation_id: int):
    """Who the visitor is, for agents: ``{visitor, contact, past_conversations, context}``."""
    agent_caller()
    conversation = conversations.get_conversation(conversation_id)
    contact = conversation.contact_id and contacts.contact_by_id(conversation.contact_id)
    return {
        "visitor": {"name": conversation.visitor_name, "email": conversation.visitor_email},
        "contact": contact_details(contact) if contact else None,
        "past_conversations": [
            past_details(past) for past in contacts.past_conversations(conversation)
        ],
        "context": context_details(conversation, visitor_context.context_of(conversation_id)),
    }


def contact_details(contact: Contact) -> dict:
    return {
        "id": contact.id,
        "user_id": contact.external_id,
        "name": contact.name,
        "email": contact.email,
        "identified": True,
        "created_at": iso(contact.created_at),
        "last_seen_at": iso(contact.last_seen_at),
    }


def past_details(conversation: Conversation) -> dict:
    last = contacts.last_message(conversation.id)
    return {
        "id": conversation.id,
        "state": "ended" if conversation.status == "closed" else conversation.state,
        "created_at": iso(conversation.created_at),
        "last_activity_at": iso(conversation.last_activity_at),
        "last_message": {"sender": last.sender, "body": last.body[:140]} if last else None,
    }


def context_details(conversation: Conversation, row: VisitorContext | None) -> dict:
    row = row or VisitorContext()
    return {
        "page_url": conversation.page_url,
        "page_title": row.page_title,
        "referrer": row.referrer,
        "browser": row.browser,
        "os": row.os,
        "language": row.language,
        "time_zone": row.time_zone,
        "first_seen_at": iso(row.first_seen_at),
        "updated_at": iso(row.updated_at),
    }


@bp.route("/admin/identity-secret", methods=["GET"])
@described(tag="admin", auth="admin", answers={200: answers.IdentitySecret})
def read_identity_secret():
    """The identity secret sites sign their users' ids with (admins):
    ``{"secret": {"secret", "created_at"} | null}``."""
    admin_caller()
    return {"secret": identity.current_secret()}


@bp.route("/admin/identity-secret", methods=["POST"])
@described(tag="admin", auth="admin", answers={200: answers.IdentitySecret})
def roll_identity_secret():
    """Create the identity secret, or replace it (admins): signatures made
    with the previous one are refused from now on. Answers as GET."""
    admin_changer()
    return {"secret": identity.roll_secret()}
