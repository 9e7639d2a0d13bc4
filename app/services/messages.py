"""Posting a message: stored once per ``client_id``, with a gapless ``seq``.

This is the hot path, so its statements are built once, here, from the
mapped tables, and run on the session's connection: building a statement,
or the ORM's bookkeeping for an update of mapped objects, costs more than
running it on SQLite.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import db
from app.clock import utcnow
from app.errors import ChatError
from app.models import Activity, Conversation, Message
from app.services import bodies, email_jobs, group_commit, lifecycle, typing, webhooks
from app.services.conversations import refuse_unless_open
from app.services.typing import END_TYPING

_conversations = Conversation.__table__
_messages = Message.__table__

# Reserve the next seq of an open conversation. The row lock this takes
# serialises concurrent senders, so seq has no gaps and no repeats.
_NEXT_SEQ = (
    sa.update(_conversations)
    .where(_conversations.c.id == sa.bindparam("cid"), _conversations.c.status == "open")
    .values(
        last_seq=_conversations.c.last_seq + 1,
        last_activity_at=sa.bindparam("now"),
        unread_count=_conversations.c.unread_count + sa.bindparam("unread"),
        visitor_messages=_conversations.c.visitor_messages + sa.bindparam("unread"),
        # A visitor's message waits for an answer from the first unanswered
        # one on; an agent's message answers it.
        waiting_since=sa.case(
            (
                sa.bindparam("unread") == 1,
                sa.func.coalesce(_conversations.c.waiting_since, sa.bindparam("now")),
            ),
            else_=None,
        ),
    )
    .returning(
        _conversations.c.last_seq,
        _conversations.c.visitor_typing_until,
        _conversations.c.agent_typing_until,
        _conversations.c.state,
        _conversations.c.waiting_since,
        _conversations.c.visitor_email,
        _conversations.c.visitor_messages,
    )
)
_INSERT = sa.insert(_messages).returning(*_messages.c)
_FIND = sa.select(*_messages.c).where(
    _messages.c.conversation_id == sa.bindparam("cid"),
    _messages.c.sender == sa.bindparam("sender"),
    _messages.c.client_id == sa.bindparam("client_id"),
)


@dataclass(frozen=True)
class Posted:
    message: sa.Row  # the stored message's columns
    created: bool  # False when the client_id was already stored (a retry)
    typing_ended: bool  # the sender had been typing until this message
    # The line of a resolved or snoozed chat that the visitor's message reopened.
    reopened: Activity | None = None
    first_from_visitor: bool = False  # the visitor's first message in the chat


def post_message(
    conversation_id: int,
    sender: str,
    author_name: str,
    client_id: str,
    body: str,
    file: dict | None = None,
) -> Posted:
    """Store a message once per ``client_id``; the answer is durable.

    The happy path is two statements, in a commit shared with the messages
    and receipts stored at the same moment (``group_commit``): reserve the
    next seq and insert. A retry of a stored ``client_id`` fails the unique
    constraint, rolls back (so no seq is lost) and answers with the stored
    message. A chat the visitor ended takes no new messages (``conflict``),
    but retries still find theirs. ``file`` is what the message carries of
    a file (``files.attachment``).
    """
    body = checked_body(body)
    message = {
        "conversation_id": conversation_id,
        "client_id": client_id,
        "sender": sender,
        "author_name": author_name,
        "body": body,
        "file": file,
    }
    try:
        posted = group_commit.run(lambda: _store(message), key=conversation_id)
    except (IntegrityError, _NotOpen):
        db.session.rollback()
        return _stored_before(conversation_id, sender, client_id)
    if posted.typing_ended:
        typing.forget(conversation_id, sender)
    return posted


def _store(message: dict) -> Posted:
    """Reserve the seq and insert the message, in the caller's transaction."""
    now = utcnow()
    cid, sender = message["conversation_id"], message["sender"]
    connection = db.session.connection()
    reserved = connection.execute(
        _NEXT_SEQ, {"cid": cid, "now": now, "unread": int(sender == "visitor")}
    ).first()
    if reserved is None:
        raise _NotOpen
    seq, visitor_typing_until, agent_typing_until, state, waiting_since, email, visitor_messages = (
        reserved
    )
    stored = connection.execute(_INSERT, {**message, "seq": seq, "created_at": now}).one()
    was_typing = visitor_typing_until if sender == "visitor" else agent_typing_until
    if was_typing is not None:
        connection.execute(END_TYPING[sender], {"cid": cid})
    reopened = None
    if state != "open" and sender == "visitor":
        reopened = lifecycle.reopen_by_visitor(cid)
        if reopened is not None:
            db.session.expunge(reopened)  # the caller reads it after the commit
    webhooks.message_created(stored)
    email_jobs.after_message(cid, sender, seq, now, waiting_since, email)
    first = sender == "visitor" and visitor_messages == 1
    return Posted(stored, True, was_typing is not None, reopened, first)


def checked_body(body: str) -> str:
    """The body as stored (trimmed), or ``too_large`` / ``invalid``."""
    body = bodies.trim(body)
    limit = current_app.config["CHAT_MAX_BODY_CHARS"]
    if bodies.length(body) > limit:
        raise ChatError("too_large", f"body is longer than {limit} characters")
    if bodies.is_blank(body):
        raise ChatError("invalid", "body is empty")
    return body


def _stored_before(conversation_id: int, sender: str, client_id: str) -> Posted:
    """The message a retry names, or why no message was stored."""
    existing = (
        db.session.connection()
        .execute(_FIND, {"cid": conversation_id, "sender": sender, "client_id": client_id})
        .first()
    )
    if existing is None:
        refuse_unless_open(conversation_id)
        raise ChatError("internal", "the message could not be stored; try again")
    return Posted(existing, created=False, typing_ended=False)


class _NotOpen(Exception):
    """The conversation is missing or ended."""
