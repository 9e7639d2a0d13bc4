"""Typing states: started, refreshed and ended by the typist, or expired.

A state lives in the conversation's row (``<side>_typing_until``), where
every server process sees it: the inbox's summary shows it, and any process
can end it. The row is written when a state starts and ends, and as a
lease: its deadline is two timeouts ahead, moved on only when a refresh
finds less than one timeout left. The refreshes in between write nothing:
the process that receives them keeps the last one in memory (``Leases``)
and ends the state one timeout (``CHAT_TYPING_TIMEOUT``, 6 s) after it. A
typist who refreshes every 2 s costs one write every 6 s instead of three.

Each change of the row is one conditional update, so of several processes
acting at once exactly one sees a state start or end. A process ends a
state by its memory only while the row holds the deadline it wrote: when
another process moved the lease on, that process decides. A state whose
process died is ended by any process at the lease's deadline, at most two
timeouts after the last refresh.
"""

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app import db
from app.clock import utcnow
from app.models import SIDES, Conversation
from app.services import group_commit
from app.services.conversations import get_conversation, refuse_unless_open

_conversations = Conversation.__table__
TYPING_UNTIL = {
    "visitor": _conversations.c.visitor_typing_until,
    "agent": _conversations.c.agent_typing_until,
}


def _update(*conditions: sa.ColumnElement[bool]) -> sa.Update:
    """An update of the conversation ``:cid``, where ``conditions`` hold."""
    return sa.update(_conversations).where(_conversations.c.id == sa.bindparam("cid"), *conditions)


def _typist_name(side: str) -> sa.ColumnElement[str]:
    if side == "agent":
        return sa.func.coalesce(_conversations.c.agent_typing_name, "")
    return sa.func.coalesce(_conversations.c.visitor_name, "Visitor")


def _statements(side: str) -> dict[str, sa.Update]:
    until = TYPING_UNTIL[side]
    start_values = {until: sa.bindparam("until")}
    if side == "agent":
        start_values[_conversations.c.agent_typing_name] = sa.bindparam("name")
    is_open = _conversations.c.status == "open"
    return {
        "start": _update(is_open, until.is_(None)).values(start_values),
        "refresh": _update(is_open).values(start_values),
        "end": _update(until.is_not(None)).values({until: None}),
        # Ends the state only if the row holds the deadline ``:due``.
        "expire": _update(until == sa.bindparam("due"))
        .values({until: None})
        .returning(_typist_name(side)),
    }


_STATEMENTS = {side: _statements(side) for side in SIDES}
# Ends a side's typing state, if any: the typist sent a message or left.
END_TYPING = {side: _STATEMENTS[side]["end"] for side in SIDES}


@dataclass
class Lease:
    last_refresh: datetime  # when the typist last said so, to this process
    until: datetime  # the deadline this process wrote in the row


class Leases:
    """The typing states this process wrote, by (conversation id, side)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._leases: dict[tuple[int, str], Lease] = {}

    def get(self, key: tuple[int, str]) -> Lease | None:
        return self._leases.get(key)

    def put(self, key: tuple[int, str], lease: Lease) -> None:
        with self._lock:
            self._leases[key] = lease

    def drop(self, key: tuple[int, str]) -> None:
        with self._lock:
            self._leases.pop(key, None)

    def quiet_since(self, moment: datetime) -> list[tuple[tuple[int, str], Lease]]:
        """The states nobody refreshed here since ``moment``."""
        with self._lock:
            return [
                (key, lease) for key, lease in self._leases.items() if lease.last_refresh <= moment
            ]


def _leases() -> Leases:
    extensions = current_app.extensions
    leases = extensions.get("typing_leases")
    if leases is None:
        leases = extensions.setdefault("typing_leases", Leases())
    return leases


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
    now, key = utcnow(), (conversation_id, side)
    lease = _leases().get(key)
    if lease is not None and lease.until - now >= _timeout():
        lease.last_refresh = now
        return False
    until = now + 2 * _timeout()
    started = group_commit.run(
        lambda: _write_lease(conversation_id, side, until, name), key=conversation_id
    )
    _leases().put(key, Lease(now, until))
    return started


def _write_lease(conversation_id: int, side: str, until: datetime, name: str) -> bool:
    """Start the state, or move its deadline on; True when it started."""
    statements = _STATEMENTS[side]
    values = {"cid": conversation_id, "until": until, "name": name}
    connection = db.session.connection()
    started = connection.execute(statements["start"], values).rowcount
    if not started and not connection.execute(statements["refresh"], values).rowcount:
        refuse_unless_open(conversation_id)
    return bool(started)


def end_typing(conversation_id: int, side: str) -> bool:
    """End a side's typing state, if any (the typist left); True if it ended."""
    ended = group_commit.run(
        lambda: (
            db.session.connection().execute(END_TYPING[side], {"cid": conversation_id}).rowcount
        ),
        key=conversation_id,
    )
    forget(conversation_id, side)
    return bool(ended)


def forget(conversation_id: int, side: str) -> None:
    """The state ended otherwise (a message, a closed chat): the next
    ``typing`` starts it again."""
    _leases().drop((conversation_id, side))


def _timeout() -> timedelta:
    return timedelta(seconds=current_app.config["CHAT_TYPING_TIMEOUT"])


@dataclass(frozen=True)
class TypingEnded:
    conversation_id: int
    side: str
    name: str  # the typist's name, as the typing events gave it


def expire_typing() -> list[TypingEnded]:
    """End the typing states nobody refreshed in time: those this process
    holds, one timeout after their last refresh; any other, at its deadline.

    Each is ended by a conditional update on the deadline in the row, so
    when several server processes run this at once, exactly one reports it.
    """
    now = utcnow()
    leases = _leases()
    connection = db.session.connection()
    ended = []
    for (conversation_id, side), lease in leases.quiet_since(now - _timeout()):
        name = connection.execute(
            _STATEMENTS[side]["expire"], {"cid": conversation_id, "due": lease.until}
        ).scalar()
        if name is not None:
            ended.append(TypingEnded(conversation_id, side, name))
        leases.drop((conversation_id, side))
    for side, until in TYPING_UNTIL.items():
        stale = connection.execute(sa.select(_conversations.c.id, until).where(until < now)).all()
        for conversation_id, due in stale:
            name = connection.execute(
                _STATEMENTS[side]["expire"], {"cid": conversation_id, "due": due}
            ).scalar()
            if name is not None:
                ended.append(TypingEnded(conversation_id, side, name))
                leases.drop((conversation_id, side))
    db.session.commit()
    return ended
