"""Typing states: started, refreshed and ended by the typist, or expired.

A state lives in the conversation's row (``<side>_typing_until``), where
every server process sees it; each change is one conditional update, so of
several processes acting at once exactly one sees a state start or end.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app import db
from app.clock import utcnow
from app.models import SIDES, Conversation
from app.services.conversations import get_conversation, refuse_unless_open

_conversations = Conversation.__table__
TYPING_UNTIL = {
    "visitor": _conversations.c.visitor_typing_until,
    "agent": _conversations.c.agent_typing_until,
}


def _update(*conditions: sa.ColumnElement[bool]) -> sa.Update:
    """An update of the conversation ``:cid``, where ``conditions`` hold."""
    return sa.update(_conversations).where(_conversations.c.id == sa.bindparam("cid"), *conditions)


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
    }


_STATEMENTS = {side: _statements(side) for side in SIDES}
# Ends a side's typing state, if any: the typist sent a message or left.
END_TYPING = {side: _STATEMENTS[side]["end"] for side in SIDES}


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
    statements = _STATEMENTS[side]
    values = {"cid": conversation_id, "until": utcnow() + _timeout(), "name": name}
    connection = db.session.connection()
    started = connection.execute(statements["start"], values).rowcount
    if not started and not connection.execute(statements["refresh"], values).rowcount:
        refuse_unless_open(conversation_id)
    db.session.commit()
    return bool(started)


def end_typing(conversation_id: int, side: str) -> bool:
    """End a side's typing state, if any (the typist left); True if it ended."""
    ended = db.session.connection().execute(END_TYPING[side], {"cid": conversation_id}).rowcount
    db.session.commit()
    return bool(ended)


def _timeout() -> timedelta:
    return timedelta(seconds=current_app.config["CHAT_TYPING_TIMEOUT"])


@dataclass(frozen=True)
class TypingEnded:
    conversation_id: int
    side: str
    name: str  # the typist's name, as the typing events gave it


def expire_typing() -> list[TypingEnded]:
    """End typing states nobody refreshed in time.

    Each state is ended by a conditional update on the time it was due, so
    when several server processes run this at once, exactly one reports it.
    """
    now = utcnow()
    ended = []
    for side, until in TYPING_UNTIL.items():
        stale = db.session.execute(
            sa.select(_conversations.c.id, until, _typist_name(side)).where(until < now)
        ).all()
        for conversation_id, due, name in stale:
            cleared = (
                db.session.connection()
                .execute(_update(until == due).values({until: None}), {"cid": conversation_id})
                .rowcount
            )
            if cleared:
                ended.append(TypingEnded(conversation_id, side, name))
    db.session.commit()
    return ended


def _typist_name(side: str) -> sa.ColumnElement[str]:
    if side == "agent":
        return sa.func.coalesce(_conversations.c.agent_typing_name, "")
    return sa.func.coalesce(_conversations.c.visitor_name, "Visitor")
