"""Reading a conversation back: pages of messages, and summaries for the inbox."""

from dataclasses import dataclass

import sqlalchemy as sa

from app import db
from app.errors import ChatError
from app.models import Agent, Conversation, Message
from app.services.conversations import get_conversation


@dataclass(frozen=True)
class Page:
    messages: list[Message]  # ascending seq
    has_more: bool  # older ones exist (or, after ``after_seq``, newer ones)


def page(
    conversation_id: int,
    before_seq: int | None = None,
    after_seq: int | None = None,
    limit: int = 50,
) -> Page:
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
        return Page(rows[:limit], len(rows) > limit)
    if before_seq is not None:
        query = query.where(Message.seq < before_seq)
    rows = list(db.session.scalars(query.order_by(Message.seq.desc()).limit(limit + 1)))
    return Page(list(reversed(rows[:limit])), len(rows) > limit)


@dataclass(frozen=True)
class Summary:
    """What the inbox shows of a conversation: its row (the conversation's
    columns and ``assignee_name``) and its newest message (a model or a row)."""

    conversation: Conversation | sa.Row
    last_message: Message | sa.Row | None


# A summary is read after every message and receipt (coalesced per
# conversation), so its two statements are built once and read rows.
_SUMMARY_COLUMNS = (
    *Conversation.__table__.c,
    Agent.name.label("assignee_name"),
    # Whether the assigned agent can answer now: available, with a socket.
    sa.and_(Agent.available, Agent.connected).label("assignee_available"),
)
_CONVERSATION = (
    sa.select(*_SUMMARY_COLUMNS)
    .outerjoin(Agent, Agent.id == Conversation.assignee_id)
    .where(Conversation.id == sa.bindparam("cid"))
)
_MESSAGE_AT = sa.select(*Message.__table__.c).where(
    Message.conversation_id == sa.bindparam("cid"), Message.seq == sa.bindparam("seq")
)
_CONVERSATIONS_OF = (
    sa.select(*_SUMMARY_COLUMNS)
    .outerjoin(Agent, Agent.id == Conversation.assignee_id)
    .where(Conversation.id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(Conversation.id)
)
_MESSAGES_AT = sa.select(*Message.__table__.c).where(
    sa.tuple_(Message.conversation_id, Message.seq).in_(sa.bindparam("keys", expanding=True))
)
_INBOX = (
    sa.select(*_SUMMARY_COLUMNS, Message)
    .outerjoin(Agent, Agent.id == Conversation.assignee_id)
    .outerjoin(
        Message,
        sa.and_(Message.conversation_id == Conversation.id, Message.seq == Conversation.last_seq),
    )
    .order_by(Conversation.last_activity_at.desc(), Conversation.id.desc())
    .limit(sa.bindparam("limit"))
)


def summary(conversation_id: int) -> Summary:
    """The conversation's summary, read fresh."""
    connection = db.session.connection()
    conversation = connection.execute(_CONVERSATION, {"cid": conversation_id}).first()
    if conversation is None:
        raise ChatError("not_found", "no such conversation")
    last_message = connection.execute(
        _MESSAGE_AT, {"cid": conversation_id, "seq": conversation.last_seq}
    ).first()
    return Summary(conversation, last_message)


def summaries(conversation_ids: list[int]) -> list[Summary]:
    """The summaries of these conversations (those that exist): two
    statements, however many."""
    connection = db.session.connection()
    conversations = connection.execute(_CONVERSATIONS_OF, {"ids": conversation_ids}).all()
    keys = [(row.id, row.last_seq) for row in conversations if row.last_seq]
    newest = {}
    if keys:
        found = connection.execute(_MESSAGES_AT, {"keys": keys})
        newest = {(row.conversation_id, row.seq): row for row in found}
    return [Summary(row, newest.get((row.id, row.last_seq))) for row in conversations]


def inbox(limit: int = 50) -> list[Summary]:
    """Summaries of conversations, most recent activity first."""
    rows = db.session.execute(_INBOX, {"limit": limit})
    return [Summary(row, row.Message) for row in rows]


@dataclass(frozen=True)
class Transcript:
    summary: Summary
    messages: list[Message]  # every message, ascending seq


def transcript(conversation_id: int) -> Transcript:
    """Everything stored about a conversation, for export."""
    messages = list(
        db.session.scalars(
            sa.select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.seq)
        )
    )
    return Transcript(summary(conversation_id), messages)
