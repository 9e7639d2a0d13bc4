"""The chat's rules: conversations, messages, receipts, history and typing.

No Socket.IO here. Each function that writes is one transaction and commits
it, because the rules (gapless ``seq``, one message per ``client_id``,
receipts that never go back) hold only if the whole change lands at once.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import db
from app.errors import ChatError
from app.models import (
    Conversation,
    Message,
    hash_secret,
    iso,
    new_secret,
    utcnow,
)

SIDES = ("visitor", "agent")


def other_side(side: str) -> str:
    return "agent" if side == "visitor" else "visitor"


def create_conversation(
    name: str | None = None, email: str | None = None, page_url: str | None = None
) -> tuple[Conversation, str]:
    """Open a conversation for a new visitor; returns it and the visitor token."""
    token = new_secret()
    conversation = Conversation(
        visitor_token_hash=hash_secret(token),
        visitor_name=name or None,
        visitor_email=email or None,
        page_url=page_url or None,
    )
    db.session.add(conversation)
    db.session.commit()
    return conversation, token


def conversation_for_token(token: object) -> Conversation | None:
    """The conversation whose visitor holds ``token``, if any."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    return db.session.scalar(
        sa.select(Conversation).where(Conversation.visitor_token_hash == hash_secret(token))
    )


def find_conversation(conversation_id: int) -> Conversation | None:
    return db.session.get(Conversation, conversation_id)


def get_conversation(conversation_id: int) -> Conversation:
    conversation = find_conversation(conversation_id)
    if conversation is None:
        raise ChatError("not_found", "no such conversation")
    return conversation


def set_page_url(conversation_id: int, page_url: str) -> bool:
    """Note the page the visitor is on; True when it changed."""
    if not page_url or len(page_url) > 2048:
        return False
    changed = db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.page_url.is_distinct_from(page_url))
        .values(page_url=page_url)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(changed)


def end_conversation(conversation_id: int) -> None:
    """Close the conversation and revoke the visitor's token."""
    conversation = get_conversation(conversation_id)
    conversation.visitor_token_hash = None
    conversation.status = "closed"
    conversation.visitor_typing_until = None
    db.session.commit()


def delete_conversation(conversation_id: int) -> None:
    """Delete a conversation and, with it, every message."""
    db.session.delete(get_conversation(conversation_id))
    db.session.commit()


def transcript(conversation_id: int) -> dict:
    """Everything stored about a conversation, for export."""
    conversation = get_conversation(conversation_id)
    messages = db.session.scalars(
        sa.select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq)
    )
    return {
        "conversation": {**summary(conversation), "page_url": conversation.page_url},
        "messages": [message.to_dict() for message in messages],
        "exported_at": iso(utcnow()),
    }


@dataclass(frozen=True)
class Posted:
    message: Message
    created: bool  # False when the client_id was already stored (a retry)
    typing_ended: bool  # the sender had been typing until this message


def post_message(
    conversation_id: int, sender: str, author_name: str, client_id: str, body: str
) -> Posted:
    """Store a message once per ``client_id``; the answer is durable."""
    body = body.strip()
    if not body:
        raise ChatError("invalid", "body is empty")
    limit = current_app.config["CHAT_MAX_BODY_CHARS"]
    if len(body) > limit:
        raise ChatError("too_large", f"body is longer than {limit} characters")

    existing = _find_message(conversation_id, sender, client_id)
    if existing is not None:
        return Posted(existing, created=False, typing_ended=False)
    try:
        seq = _take_next_seq(conversation_id, sender)
        message = Message(
            conversation_id=conversation_id,
            seq=seq,
            client_id=client_id,
            sender=sender,
            author_name=author_name,
            body=body,
        )
        db.session.add(message)
        typing_ended = _clear_typing(conversation_id, sender)
        db.session.commit()
    except IntegrityError:
        # The same client_id raced in from another connection and won.
        db.session.rollback()
        existing = _find_message(conversation_id, sender, client_id)
        if existing is None:
            raise
        return Posted(existing, created=False, typing_ended=False)
    return Posted(message, created=True, typing_ended=typing_ended)


def _find_message(conversation_id: int, sender: str, client_id: str) -> Message | None:
    return db.session.scalar(
        sa.select(Message).where(
            Message.conversation_id == conversation_id,
            Message.sender == sender,
            Message.client_id == client_id,
        )
    )


def _take_next_seq(conversation_id: int, sender: str) -> int:
    """Reserve the next seq. The row lock it takes serialises concurrent senders."""
    values = {
        "last_seq": Conversation.last_seq + 1,
        "last_activity_at": utcnow(),
    }
    if sender == "visitor":
        values["unread_count"] = Conversation.unread_count + 1
    seq = db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(**values)
        .returning(Conversation.last_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if seq is None:
        raise ChatError("not_found", "no such conversation")
    return seq


@dataclass(frozen=True)
class ReceiptApplied:
    conversation_id: int
    status: str
    up_to_seq: int  # the new high-water mark
    by: str
    at: str

    def to_dict(self) -> dict:
        return {
            "conversation_id": self.conversation_id,
            "status": self.status,
            "up_to_seq": self.up_to_seq,
            "by": self.by,
            "at": self.at,
        }


def apply_receipt(
    conversation_id: int, by: str, status: str, up_to_seq: int
) -> ReceiptApplied | None:
    """Mark the other side's messages up to ``up_to_seq`` delivered or seen.

    Returns None when nothing changed (the receipt is then not broadcast).
    """
    now = utcnow()
    mark = _raise_high_water(conversation_id, by, status, up_to_seq)
    pending = sa.update(Message).where(
        Message.conversation_id == conversation_id,
        Message.sender == other_side(by),
        Message.seq <= up_to_seq,
    )
    options = {"synchronize_session": False}
    changed = db.session.execute(
        pending.where(Message.delivered_at.is_(None)).values(delivered_at=now),
        execution_options=options,
    ).rowcount
    if status == "seen":
        changed += db.session.execute(
            pending.where(Message.seen_at.is_(None)).values(seen_at=now),
            execution_options=options,
        ).rowcount
        if by == "agent":
            _recount_unread(conversation_id)
    db.session.commit()
    if not changed:
        return None
    return ReceiptApplied(conversation_id, status, mark, by, iso(now))


def _raise_high_water(conversation_id: int, by: str, status: str, up_to_seq: int) -> int:
    """Move the side's receipt mark up (never down); returns the new mark.

    Done first, so the conversation row is locked before any message row.
    """
    column = getattr(Conversation, f"{by}_{'seen' if status == 'seen' else 'delivered'}_seq")
    values = {column.key: sa.case((column < up_to_seq, up_to_seq), else_=column)}
    if status == "seen":
        delivered = getattr(Conversation, f"{by}_delivered_seq")
        values[delivered.key] = sa.case((delivered < up_to_seq, up_to_seq), else_=delivered)
    row = db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(**values)
        .returning(column, Conversation.last_seq)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:
        raise ChatError("not_found", "no such conversation")
    mark, last_seq = row
    if up_to_seq > last_seq:
        db.session.rollback()
        raise ChatError("invalid", f"up_to_seq is beyond the last message ({last_seq})")
    return mark


def _recount_unread(conversation_id: int) -> None:
    unread = (
        sa.select(sa.func.count())
        .where(
            Message.conversation_id == conversation_id,
            Message.sender == "visitor",
            Message.seen_at.is_(None),
        )
        .scalar_subquery()
    )
    db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(unread_count=unread)
        .execution_options(synchronize_session=False)
    )


def history(
    conversation_id: int,
    before_seq: int | None = None,
    after_seq: int | None = None,
    limit: int = 50,
) -> tuple[list[Message], bool]:
    """A page of messages in ascending seq, and whether there are more.

    With ``after_seq``: the first ``limit`` after it (more = newer exist).
    Otherwise: the last ``limit`` before ``before_seq`` or the newest (more =
    older exist).
    """
    query = sa.select(Message).where(Message.conversation_id == conversation_id)
    if after_seq is not None:
        query = query.where(Message.seq > after_seq).order_by(Message.seq)
        rows = list(db.session.scalars(query.limit(limit + 1)))
        return rows[:limit], len(rows) > limit
    if before_seq is not None:
        query = query.where(Message.seq < before_seq)
    rows = list(db.session.scalars(query.order_by(Message.seq.desc()).limit(limit + 1)))
    return list(reversed(rows[:limit])), len(rows) > limit


def last_messages(conversation_ids: list[int]) -> dict[int, Message]:
    """The newest message of each conversation, in one query."""
    if not conversation_ids:
        return {}
    query = (
        sa.select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.conversation_id.in_(conversation_ids),
            Message.seq == Conversation.last_seq,
        )
    )
    return {message.conversation_id: message for message in db.session.scalars(query)}


def summary(conversation: Conversation) -> dict:
    """The conversation summary agents see."""
    last = last_messages([conversation.id]).get(conversation.id)
    return conversation.to_dict(last)


def inbox(limit: int = 50, before: str | None = None) -> list[dict]:
    """Summaries of conversations, most recent activity first."""
    query = sa.select(Conversation).order_by(
        Conversation.last_activity_at.desc(), Conversation.id.desc()
    )
    conversations = list(db.session.scalars(query.limit(limit)))
    last = last_messages([c.id for c in conversations])
    return [c.to_dict(last.get(c.id)) for c in conversations]


def set_typing(conversation_id: int, side: str, is_typing: bool, name: str) -> bool:
    """Start, refresh or end a side's typing state; True when it started or ended."""
    if not is_typing:
        ended = _clear_typing(conversation_id, side)
        db.session.commit()
        return ended
    until_column = getattr(Conversation, f"{side}_typing_until")
    values = {until_column.key: utcnow() + _typing_timeout()}
    if side == "agent":
        values["agent_typing_name"] = name
    base = sa.update(Conversation).where(Conversation.id == conversation_id)
    started = db.session.execute(
        base.where(until_column.is_(None)).values(**values),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not started:
        db.session.execute(base.values(**values), execution_options={"synchronize_session": False})
    db.session.commit()
    return bool(started)


def _typing_timeout() -> timedelta:
    return timedelta(seconds=current_app.config["CHAT_TYPING_TIMEOUT"])


def _clear_typing(conversation_id: int, side: str) -> bool:
    until_column = getattr(Conversation, f"{side}_typing_until")
    return bool(
        db.session.execute(
            sa.update(Conversation)
            .where(Conversation.id == conversation_id, until_column.is_not(None))
            .values({until_column.key: None})
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def expire_typing() -> list[tuple[int, str]]:
    """End typing states nobody refreshed in time; returns (conversation, side).

    Each state is ended by a conditional update, so when several server
    processes run this at once, exactly one of them reports it.
    """
    now = utcnow()
    ended = []
    for side in SIDES:
        until_column = getattr(Conversation, f"{side}_typing_until")
        stale = db.session.execute(
            sa.select(Conversation.id, until_column).where(until_column < now)
        ).all()
        for conversation_id, until in stale:
            cleared = db.session.execute(
                sa.update(Conversation)
                .where(Conversation.id == conversation_id, until_column == until)
                .values({until_column.key: None})
                .execution_options(synchronize_session=False)
            ).rowcount
            if cleared:
                ended.append((conversation_id, side))
    db.session.commit()
    return ended
