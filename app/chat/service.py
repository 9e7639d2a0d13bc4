"""The chat's rules: conversations, messages, receipts, history and typing.

No Socket.IO here. Each function that writes is one transaction and commits
it, because the rules (gapless ``seq``, one message per ``client_id``,
receipts that never go back) hold only if the whole change lands at once.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError

from app import SQLITE_BUSY_TIMEOUT_MS, db
from app.chat import bodies, statements
from app.chat.schemas import MAX_INT, is_storable
from app.errors import ChatError
from app.models import (
    Conversation,
    Message,
    hash_secret,
    iso,
    new_secret,
    summary_json,
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
        page_url=page_location(page_url or "") or None,
    )
    db.session.add(conversation)
    db.session.commit()
    return conversation, token


def conversation_for_token(token: object) -> Conversation | None:
    """The conversation whose visitor holds ``token``, if any."""
    if not isinstance(token, str) or not token or len(token) > 200 or not token.isascii():
        return None
    return db.session.scalar(
        sa.select(Conversation).where(Conversation.visitor_token_hash == hash_secret(token))
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


def delete_conversation(conversation_id: int) -> bool:
    """Delete a conversation and, with it, every message.

    On SQLite the deleted text is then gone from the files too: freed pages
    are zeroed (``secure_delete``) and the write-ahead log, which still holds
    the older page versions, is checkpointed and truncated. Returns False
    when open readers kept the log from being truncated (call
    ``truncate_log`` again later).
    """
    db.session.delete(get_conversation(conversation_id))
    db.session.commit()
    return truncate_log()


def truncate_log() -> bool:
    """Copy SQLite's write-ahead log into the database and empty it; True if done.

    Never waits: while another connection reads or writes, the log cannot be
    emptied, and waiting for it would hold up the server (an eventlet or
    gevent hub stops while SQLite's busy handler sleeps).
    """
    if db.engine.dialect.name != "sqlite":
        return True
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            busy, _frames, _copied = connection.exec_driver_sql(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).one()
        except OperationalError:  # "database is locked": a writer is busy
            busy = True
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return not busy


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
    """Store a message once per ``client_id``; the answer is durable.

    The happy path is two statements and a commit: reserve the next seq
    (its row lock serialises concurrent senders) and insert. A retry of a
    stored ``client_id`` fails the unique constraint, rolls back (so no seq
    is lost) and answers with the stored message. A chat the visitor ended
    takes no new messages (``conflict``), but retries still find theirs.
    """
    body = bodies.trim(body)
    limit = current_app.config["CHAT_MAX_BODY_CHARS"]
    if bodies.length(body) > limit:
        raise ChatError("too_large", f"body is longer than {limit} characters")
    if bodies.is_blank(body):
        raise ChatError("invalid", "body is empty")

    now = utcnow()
    values = {
        "cid": conversation_id,
        "sender": sender,
        "author_name": author_name,
        "client_id": client_id,
        "body": body,
        "now": now,
    }
    try:
        with db.engine.begin() as connection:
            reserved = connection.execute(
                statements.NEXT_SEQ, {**values, "unread": int(sender == "visitor")}
            ).first()
            if reserved is None:
                raise _NotOpen
            seq, visitor_typing_until, agent_typing_until = reserved
            message_id = connection.execute(
                statements.INSERT_MESSAGE, {**values, "seq": seq}
            ).scalar_one()
            was_typing = visitor_typing_until if sender == "visitor" else agent_typing_until
            if was_typing is not None:
                connection.execute(statements.CLEAR_TYPING[sender], values)
    except (IntegrityError, _NotOpen):
        existing = _find_message(conversation_id, sender, client_id)
        if existing is None:
            _refuse_if_not_open(conversation_id)
            raise
        return Posted(existing, created=False, typing_ended=False)
    message = Message(
        id=message_id,
        conversation_id=conversation_id,
        seq=seq,
        client_id=client_id,
        sender=sender,
        author_name=author_name,
        body=body,
        created_at=now,
    )
    return Posted(message, created=True, typing_ended=was_typing is not None)


class _NotOpen(Exception):
    """The conversation is missing or ended."""


def _refuse_if_not_open(conversation_id: int) -> None:
    """``not_found`` for a missing conversation, ``conflict`` for an ended one."""
    status = db.session.scalar(
        sa.select(Conversation.status).where(Conversation.id == conversation_id)
    )
    if status is None:
        raise ChatError("not_found", "no such conversation")
    if status != "open":
        raise ChatError("conflict", "the visitor ended this chat")


def _find_message(conversation_id: int, sender: str, client_id: str) -> Message | None:
    with db.engine.connect() as connection:
        row = connection.execute(
            statements.FIND_MESSAGE,
            {"cid": conversation_id, "sender": sender, "client_id": client_id},
        ).first()
    return Message(**row._mapping) if row else None


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
    A receipt at or below the side's mark changes nothing and writes nothing.
    """
    ids = {"cid": conversation_id}
    with db.engine.begin() as connection:
        return _apply_receipt(connection, ids, by, status, up_to_seq)


def _apply_receipt(connection, ids: dict, by: str, status: str, up_to_seq: int):
    marks = connection.execute(statements.RECEIPT_MARKS[by], ids).first()
    if marks is None:
        raise ChatError("not_found", "no such conversation")
    delivered_mark, seen_mark, last_seq = marks
    if up_to_seq > last_seq:
        raise ChatError("invalid", f"up_to_seq is beyond the last message ({last_seq})")
    mark = seen_mark if status == "seen" else delivered_mark
    if up_to_seq <= mark:
        return None

    now = utcnow()
    rows = {**ids, "sender": other_side(by), "up": up_to_seq, "now": now}
    connection.execute(statements.RAISE_MARKS[(by, status)], rows)
    changed = connection.execute(
        statements.MARK_DELIVERED, {**rows, "old": delivered_mark}
    ).rowcount
    if status == "seen":
        changed += connection.execute(statements.MARK_SEEN, {**rows, "old": seen_mark}).rowcount
        if by == "agent":
            connection.execute(statements.RECOUNT_UNREAD, rows)
    if not changed:
        return None
    return ReceiptApplied(ids["cid"], status, up_to_seq, by, iso(now))


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
    get_conversation(conversation_id)
    query = sa.select(Message).where(Message.conversation_id == conversation_id)
    if after_seq is not None:
        query = query.where(Message.seq > after_seq).order_by(Message.seq)
        rows = list(db.session.scalars(query.limit(limit + 1)))
        return rows[:limit], len(rows) > limit
    if before_seq is not None:
        query = query.where(Message.seq < before_seq)
    rows = list(db.session.scalars(query.order_by(Message.seq.desc()).limit(limit + 1)))
    return list(reversed(rows[:limit])), len(rows) > limit


_WITH_LAST_MESSAGE = (
    sa.select(Conversation, Message)
    .outerjoin(
        Message,
        sa.and_(Message.conversation_id == Conversation.id, Message.seq == Conversation.last_seq),
    )
    .execution_options(populate_existing=True)
)
_INBOX = _WITH_LAST_MESSAGE.order_by(
    Conversation.last_activity_at.desc(), Conversation.id.desc()
).limit(sa.bindparam("limit"))


def summary_of(conversation_id: int) -> dict:
    """The conversation summary agents see, read fresh."""
    with db.engine.connect() as connection:
        conversation = connection.execute(statements.CONVERSATION, {"cid": conversation_id}).first()
        if conversation is None:
            raise ChatError("not_found", "no such conversation")
        last_message = connection.execute(
            statements.MESSAGE_AT, {"cid": conversation_id, "seq": conversation.last_seq}
        ).first()
    return summary_json(conversation, last_message)


def summary(conversation: Conversation) -> dict:
    """The conversation summary agents see."""
    return summary_of(conversation.id)


def inbox(limit: int = 50) -> list[dict]:
    """Summaries of conversations, most recent activity first."""
    rows = db.session.execute(_INBOX, {"limit": limit})
    return [conversation.to_dict(last_message) for conversation, last_message in rows]


def set_typing(conversation_id: int, side: str, is_typing: bool, name: str) -> bool:
    """Start, refresh or end a side's typing state; True when it started or ended.

    Nobody starts typing in a chat the visitor ended (``conflict``); ending
    a typing state is always allowed.
    """
    if not is_typing:
        ended = end_typing(conversation_id, side)
        if not ended:
            get_conversation(conversation_id)  # not_found for a missing one
        return ended
    until_column = getattr(Conversation, f"{side}_typing_until")
    values = {until_column.key: utcnow() + _typing_timeout()}
    if side == "agent":
        values["agent_typing_name"] = name
    base = sa.update(Conversation).where(
        Conversation.id == conversation_id, Conversation.status == "open"
    )
    started = db.session.execute(
        base.where(until_column.is_(None)).values(**values),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not started:
        refreshed = db.session.execute(
            base.values(**values), execution_options={"synchronize_session": False}
        ).rowcount
        if not refreshed:
            _refuse_if_not_open(conversation_id)
    db.session.commit()
    return bool(started)


def end_typing(conversation_id: int, side: str) -> bool:
    """End a side's typing state, if any (the typist left); True if it ended."""
    ended = _clear_typing(conversation_id, side)
    db.session.commit()
    return ended


def _typing_timeout() -> timedelta:
    return timedelta(seconds=current_app.config["CHAT_TYPING_TIMEOUT"])


def _clear_typing(conversation_id: int, side: str) -> bool:
    cleared = db.session.execute(statements.CLEAR_TYPING[side], {"cid": conversation_id})
    return bool(cleared.rowcount)


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
