"""Where a conversation stands on the desk: open, resolved or snoozed.

Each change is one conditional update and its activity line, committed
together. The update only matches a chat whose state would change, so of
two agents (or processes) doing the same thing at once exactly one records
it; repeating a change that is already made records nothing. A chat the
visitor ended (``status == "closed"``) is final: it answers ``conflict``.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app import db
from app.clock import iso, utcnow
from app.errors import ChatError
from app.models import Activity, Conversation
from app.services import activity
from app.services.conversations import refuse_unless_open

# How far ahead a chat may be snoozed: beyond it, a date is more likely a
# typo than a plan, and a forgotten chat should come back some day.
MAX_SNOOZE = timedelta(days=90)

# Snoozes that fall due are woken in batches of this many per pass.
WAKE_BATCH = 100


@dataclass(frozen=True)
class Actor:
    """The agent who changes a chat's state (or None for the desk itself)."""

    agent_id: int | None
    name: str | None


def resolve(conversation_id: int, actor: Actor) -> Activity | None:
    """Mark the chat resolved; the line recorded, or None if it already was."""
    return _change(conversation_id, actor, "resolved", "resolved", None)


def reopen(conversation_id: int, actor: Actor) -> Activity | None:
    """Open a resolved or snoozed chat again; None if it was open."""
    return _change(conversation_id, actor, "open", "reopened", None)


def snooze(conversation_id: int, actor: Actor, until: datetime) -> Activity | None:
    """Put the chat aside until ``until`` (UTC), when it reopens by itself.

    ``until`` must lie in the future and at most ``MAX_SNOOZE`` ahead
    (``invalid`` otherwise). None if it was already snoozed until then.
    """
    until = snooze_end(until)
    return _change(conversation_id, actor, "snoozed", "snoozed", until)


def snooze_end(until: datetime) -> datetime:
    """``until`` as stored (naive UTC, whole milliseconds), or ``invalid``."""
    if until.tzinfo is not None:
        try:
            until = until.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # year 1 or 9999 with an offset
            raise ChatError("invalid", "until is out of range") from None
    until = until.replace(microsecond=until.microsecond // 1000 * 1000)
    now = utcnow()
    if until <= now:
        raise ChatError("invalid", "until must be in the future")
    if until > now + MAX_SNOOZE:
        raise ChatError("invalid", f"until must be at most {MAX_SNOOZE.days} days ahead")
    return until


def _change(
    conversation_id: int, actor: Actor, state: str, kind: str, until: datetime | None
) -> Activity | None:
    changed = db.session.execute(
        sa.update(Conversation)
        .where(
            Conversation.id == conversation_id,
            Conversation.status == "open",
            sa.or_(
                Conversation.state != state,
                Conversation.snoozed_until.is_distinct_from(until),
            ),
        )
        .values(state=state, snoozed_until=until, **_answered_if(state))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.rollback()
        refuse_unless_open(conversation_id)
        return None
    line = activity.record(
        conversation_id, kind, actor.agent_id, actor.name, body=iso(until) if until else None
    )
    db.session.commit()
    return line


def _answered_if(state: str) -> dict:
    """A resolved chat waits for nobody: it leaves the longest-waiting sort."""
    return {"waiting_since": None} if state == "resolved" else {}


# The visitor's next message reopens a resolved or snoozed chat; it runs in
# the message's transaction, and only when the message found the chat so.
_REOPEN_BY_VISITOR = (
    sa.update(Conversation.__table__)
    .where(Conversation.id == sa.bindparam("cid"), Conversation.state != "open")
    .values(state="open", snoozed_until=None)
)


def reopen_by_visitor(conversation_id: int) -> Activity | None:
    """Reopen the chat for the visitor's message, in the caller's
    transaction; the line ("reopened", no actor), or None if it was open."""
    connection = db.session.connection()
    if not connection.execute(_REOPEN_BY_VISITOR, {"cid": conversation_id}).rowcount:
        return None
    return activity.record(conversation_id, "reopened")


def wake_due_snoozes(now: datetime | None = None) -> list[Activity]:
    """Reopen the snoozed chats whose time has come; the lines recorded.

    Every process runs this; each chat's conditional update matches for one
    of them only, so each snooze ends once, with one line.
    """
    now = now or utcnow()
    due = db.session.execute(
        sa.select(Conversation.id, Conversation.snoozed_until)
        .where(
            Conversation.status == "open",
            Conversation.state == "snoozed",
            Conversation.snoozed_until <= now,
        )
        .order_by(Conversation.snoozed_until)
        .limit(WAKE_BATCH)
    ).all()
    db.session.rollback()
    return [line for cid, until in due if (line := _wake(cid, until)) is not None]


def _wake(conversation_id: int, until: datetime) -> Activity | None:
    changed = db.session.execute(
        sa.update(Conversation)
        .where(
            Conversation.id == conversation_id,
            Conversation.status == "open",
            Conversation.state == "snoozed",
            Conversation.snoozed_until == until,
        )
        .values(state="open", snoozed_until=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.rollback()
        return None
    line = activity.record(conversation_id, "reopened", body="snooze ended")
    db.session.commit()
    return line
