"""Conversations: opened by a visitor, ended by the visitor, deleted by an agent."""

from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa

from app import db
from app.database import changes, truncate_log
from app.errors import ChatError
from app.models import Conversation, VisitorKey
from app.schemas import MAX_INT, is_storable
from app.services import file_store, webhooks
from app.services.keys import hash_secret, looks_like_secret, new_secret


def create_conversation(
    name: str | None = None,
    email: str | None = None,
    page_url: str | None = None,
    contact_id: int | None = None,
) -> tuple[Conversation, str]:
    """Open a conversation for a new visitor; returns it and the visitor token."""
    token = new_secret()
    conversation = Conversation(
        visitor_token_hash=hash_secret(token),
        visitor_name=name or None,
        visitor_email=email or None,
        page_url=page_location(page_url or "") or None,
        contact_id=contact_id,
    )
    db.session.add(conversation)
    if webhooks.wants("conversation.created"):
        db.session.flush()
        webhooks.conversation_event("conversation.created", conversation.id)
    db.session.commit()
    return conversation, token


def conversation_for_token(token: object) -> Conversation | None:
    """The conversation whose visitor holds ``token``, if any: the token it
    was opened with, or one of a signed visitor's other devices."""
    if not looks_like_secret(token):
        return None
    token_hash = hash_secret(token)
    conversation = db.session.scalar(
        sa.select(Conversation).where(Conversation.visitor_token_hash == token_hash)
    )
    if conversation is not None:
        return conversation
    return db.session.scalar(
        sa.select(Conversation)
        .join(VisitorKey, VisitorKey.conversation_id == Conversation.id)
        .where(VisitorKey.token_hash == token_hash, Conversation.visitor_token_hash.is_not(None))
    )


def find_conversation(conversation_id: int) -> Conversation | None:
    if not 1 <= conversation_id <= MAX_INT:
        return None
    return db.session.get(Conversation, conversation_id)


def get_conversation(conversation_id: int) -> Conversation:
    conversation = find_conversation(conversation_id)
    if conversation is None:
        raise ChatError("not_found", "no such conversation")
    return conversation


def refuse_unless_open(conversation_id: int) -> None:
    """``not_found`` for a missing conversation, ``conflict`` for an ended one."""
    status = db.session.scalar(
        sa.select(Conversation.status).where(Conversation.id == conversation_id)
    )
    if status is None:
        raise ChatError("not_found", "no such conversation")
    if status != "open":
        raise ChatError("conflict", "the visitor ended this chat")


def page_location(page_url: str) -> str:
    """The origin and path of a page's address, and nothing else.

    A host page's query string and #fragment may hold secrets (password
    reset tokens, OAuth codes and tokens), and so may the user:password
    part; none of them belongs in the database or in front of agents.
    """
    try:
        parts = urlsplit(page_url)
        return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
    except ValueError:  # not a URL (an unclosed IPv6 bracket): cut at "?" or "#"
        return page_url.split("?", 1)[0].split("#", 1)[0]


def set_page_url(conversation_id: int, page_url: str) -> bool:
    """Note the page the visitor is on; True when it changed."""
    if not page_url or len(page_url) > 2048 or not is_storable(page_url):
        return False
    page_url = page_location(page_url)
    if not page_url:
        return False
    return changes(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.page_url.is_distinct_from(page_url))
        .values(page_url=page_url)
    )


def end_conversation(conversation_id: int) -> None:
    """Close the conversation and revoke the visitor's token."""
    conversation = get_conversation(conversation_id)
    conversation.visitor_token_hash = None
    db.session.execute(sa.delete(VisitorKey).where(VisitorKey.conversation_id == conversation_id))
    conversation.status = "closed"
    conversation.visitor_typing_until = None
    conversation.waiting_since = None  # nobody waits for an answer in an ended chat
    db.session.commit()


def delete_conversation(conversation_id: int) -> bool:
    """Delete a conversation and, with it, every message and file.

    On SQLite the deleted text is then gone from the files too: freed pages
    are zeroed (``secure_delete``) and the write-ahead log, which still holds
    the older page versions, is checkpointed and truncated. Returns False
    when open readers kept the log from being truncated (call
    ``truncate_log`` again later).
    """
    db.session.delete(get_conversation(conversation_id))
    db.session.commit()
    # Its files' rows went with it; their bytes go once that is committed.
    file_store.store().delete_conversation(conversation_id)
    return truncate_log()
