"""Receipts: a side marks the other side's messages delivered or seen.

Each side has two high-water marks in the conversation's row; a receipt
raises them and stamps the messages between the old mark and the new one.
Marks never go down, and a message is stamped at most once: the first time
stands. Like posting, this is the hot path: statements are built once.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app import db
from app.clock import utcnow
from app.errors import ChatError
from app.models import SIDES, Conversation, Message, other_side
from app.services import group_commit

STATUSES = ("delivered", "seen")
_conversations = Conversation.__table__
_messages = Message.__table__
# How far each side has received and seen the other side's messages.
MARKS = {
    "visitor": {
        "delivered": _conversations.c.visitor_delivered_seq,
        "seen": _conversations.c.visitor_seen_seq,
    },
    "agent": {
        "delivered": _conversations.c.agent_delivered_seq,
        "seen": _conversations.c.agent_seen_seq,
    },
}
STAMPS = {"delivered": _messages.c.delivered_at, "seen": _messages.c.seen_at}

_WHERE_CONVERSATION = _conversations.c.id == sa.bindparam("cid")
_UP = sa.bindparam("up")


def _raise_marks(side: str, status: str) -> sa.Update:
    """Raise the side's delivered mark (and seen mark, for ``seen``) to ``:up``."""
    raised = ("delivered", "seen") if status == "seen" else ("delivered",)
    columns = [MARKS[side][name] for name in raised]
    return (
        sa.update(_conversations)
        .where(_WHERE_CONVERSATION)
        .values({column: sa.case((column < _UP, _UP), else_=column) for column in columns})
    )


def _stamp(status: str) -> sa.Update:
    """Stamp the messages above the old mark and up to the new one: below
    the old mark all are stamped already, so only changed rows are touched."""
    stamp = STAMPS[status]
    return (
        sa.update(_messages)
        .where(
            _messages.c.conversation_id == sa.bindparam("cid"),
            _messages.c.sender == sa.bindparam("from_side"),
            _messages.c.seq > sa.bindparam("old"),
            _messages.c.seq <= _UP,
            stamp.is_(None),
        )
        .values({stamp: sa.bindparam("now")})
    )


_READ_MARKS = {
    side: sa.select(MARKS[side]["delivered"], MARKS[side]["seen"], _conversations.c.last_seq).where(
        _WHERE_CONVERSATION
    )
    for side in SIDES
}
_RAISE_MARKS = {(side, status): _raise_marks(side, status) for side in SIDES for status in STATUSES}
_STAMP = {status: _stamp(status) for status in STATUSES}
# Every visitor message up to the agents' seen mark is seen; the rest are not.
_RECOUNT_UNREAD = (
    sa.update(_conversations)
    .where(_WHERE_CONVERSATION)
    .values(
        unread_count=sa.select(sa.func.count())
        .select_from(_messages)
        .where(
            _messages.c.conversation_id == sa.bindparam("cid"),
            _messages.c.sender == "visitor",
            _messages.c.seq > _UP,
        )
        .scalar_subquery()
    )
)


@dataclass(frozen=True)
class ReceiptApplied:
    conversation_id: int
    status: str
    up_to_seq: int  # the new high-water mark
    by: str
    at: datetime


def apply_receipt(
    conversation_id: int, by: str, status: str, up_to_seq: int
) -> ReceiptApplied | None:
    """Mark the other side's messages up to ``up_to_seq`` delivered or seen.

    Returns None when nothing changed (the receipt is then not broadcast).
    A receipt at or below the side's mark changes nothing and writes nothing.
    The change is committed with the messages and receipts stored at the
    same moment (``group_commit``).
    """
    return group_commit.run(
        lambda: _apply(conversation_id, by, status, up_to_seq), key=conversation_id
    )


def _apply(conversation_id: int, by: str, status: str, up_to_seq: int) -> ReceiptApplied | None:
    """Raise the marks and stamp the messages, in the caller's transaction."""
    connection = db.session.connection()
    marks = connection.execute(_READ_MARKS[by], {"cid": conversation_id}).first()
    if marks is None:
        raise ChatError("not_found", "no such conversation")
    delivered_mark, seen_mark, last_seq = marks
    if up_to_seq > last_seq:
        raise ChatError("invalid", f"up_to_seq is beyond the last message ({last_seq})")
    if up_to_seq <= (seen_mark if status == "seen" else delivered_mark):
        return None

    now = utcnow()
    values = {"cid": conversation_id, "from_side": other_side(by), "up": up_to_seq, "now": now}
    connection.execute(_RAISE_MARKS[(by, status)], values)
    changed = connection.execute(_STAMP["delivered"], {**values, "old": delivered_mark}).rowcount
    if status == "seen":
        changed += connection.execute(_STAMP["seen"], {**values, "old": seen_mark}).rowcount
        if by == "agent":
            connection.execute(_RECOUNT_UNREAD, values)
    if not changed:
        return None
    return ReceiptApplied(conversation_id, status, up_to_seq, by, now)
