"""The inbox's views (Mine, Unassigned, All open, Snoozed, Resolved, All),
their two sorts, pages of them by position, and how many each holds.

A page is read by keyset: it starts after a ``Position`` (the sort key and
id of the last conversation of the previous page), so every conversation is
reached exactly once however many there are, and each page costs the same.

"Longest waiting" lists the chats that wait for an answer first, longest
first, then the others by latest activity. It is read in those two phases,
each in an order an index can give (``waiting_since`` is not indexed: the
hot path rewrites it with every message, and the chats that wait are few).
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app import db
from app.models import Agent, Conversation, Message
from app.services.history import Summary

VIEWS = ("mine", "unassigned", "open", "snoozed", "resolved", "all")
SORTS = ("latest", "waiting")
# The phases a sort reads, in order (see the module's docstring).
PHASES = {"latest": ("latest",), "waiting": ("waiting", "rest")}

_c = Conversation
# Open: on the desk's open state, and not ended by the visitor.
_OPEN = sa.and_(_c.state == "open", _c.status != "closed")
# Resolved: resolved by an agent, or ended by the visitor (shown "Ended").
_RESOLVED = sa.or_(_c.state == "resolved", _c.status == "closed")
_SNOOZED = sa.and_(_c.state == "snoozed", _c.status != "closed")

_SUMMARIES = (
    sa.select(*_c.__table__.c, Agent.name.label("assignee_name"), Message)
    .outerjoin(Agent, Agent.id == _c.assignee_id)
    .outerjoin(Message, sa.and_(Message.conversation_id == _c.id, Message.seq == _c.last_seq))
)


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last conversation's phase, sort key and id."""

    phase: str
    last_activity_at: datetime
    waiting_since: datetime | None
    id: int


@dataclass(frozen=True)
class ViewPage:
    summaries: list[Summary]
    next: Position | None  # None on the last page


def members(view: str, agent_id: int | None) -> sa.ColumnElement[bool]:
    """The condition of a view; ``mine`` is the open chats of ``agent_id``."""
    if view == "mine":
        return sa.and_(_OPEN, _c.assignee_id == agent_id)
    if view == "unassigned":
        return sa.and_(_OPEN, _c.assignee_id.is_(None))
    return {"open": _OPEN, "snoozed": _SNOOZED, "resolved": _RESOLVED, "all": sa.true()}[view]


def _phase_query(phase: str, after: Position | None) -> sa.Select:
    """One phase's rows in order, after ``after`` when it ended in this phase."""
    if phase == "waiting":
        query = _SUMMARIES.where(_c.waiting_since.is_not(None))
        query = query.order_by(_c.waiting_since, _c.id)
        if after is not None:
            query = query.where(
                _c.waiting_since >= after.waiting_since,
                sa.or_(_c.waiting_since > after.waiting_since, _c.id > after.id),
            )
        return query
    query = _SUMMARIES if phase == "latest" else _SUMMARIES.where(_c.waiting_since.is_(None))
    query = query.order_by(_c.last_activity_at.desc(), _c.id.desc())
    if after is not None:
        # The redundant ``<=`` lets the index on last_activity_at seek.
        query = query.where(
            _c.last_activity_at <= after.last_activity_at,
            sa.or_(_c.last_activity_at < after.last_activity_at, _c.id < after.id),
        )
    return query


def page(
    view: str, sort: str, agent_id: int | None, limit: int, after: Position | None = None
) -> ViewPage:
    """Up to ``limit`` summaries of a view in a sort, after a position."""
    phases = PHASES[sort]
    start = phases.index(after.phase) if after is not None else 0
    condition = members(view, agent_id)
    found: list[tuple[str, sa.Row]] = []
    for phase in phases[start:]:
        resume = after if after is not None and after.phase == phase else None
        query = _phase_query(phase, resume).where(condition).limit(limit + 1 - len(found))
        found += [(phase, row) for row in db.session.execute(query)]
        if len(found) > limit:
            break
    more = len(found) > limit
    found = found[:limit]
    summaries = [Summary(row, row.Message) for _phase, row in found]
    if not more:
        return ViewPage(summaries, None)
    phase, last = found[-1]
    return ViewPage(summaries, Position(phase, last.last_activity_at, last.waiting_since, last.id))


@dataclass(frozen=True)
class Counts:
    """How many conversations each view holds; ``mine`` is per agent."""

    unassigned: int = 0
    open: int = 0
    snoozed: int = 0
    resolved: int = 0
    all: int = 0
    by_assignee: tuple[tuple[int, int], ...] = ()  # (agent id, open chats), by id

    def mine(self, agent_id: int | None) -> int:
        return dict(self.by_assignee).get(agent_id, 0)


# The open and snoozed chats are few (and indexed by state); the rest are
# resolved, so they are counted as all of them less those, which SQLite and
# PostgreSQL count without reading the rows.
_ON_DESK = (
    sa.select(_c.state, _c.assignee_id, sa.func.count())
    .where(_c.state.in_(("open", "snoozed")), _c.status != "closed")
    .group_by(_c.state, _c.assignee_id)
)
_ALL = sa.select(sa.func.count()).select_from(_c)


def counts() -> Counts:
    """Every view's count, in two statements that read few rows."""
    totals = {"unassigned": 0, "open": 0, "snoozed": 0}
    by_assignee: dict[int, int] = {}
    for state, assignee_id, number in db.session.execute(_ON_DESK):
        totals[state] += number
        if state != "open":
            continue
        if assignee_id is None:
            totals["unassigned"] += number
        else:
            by_assignee[assignee_id] = number
    everything = db.session.scalar(_ALL)
    resolved = everything - totals["open"] - totals["snoozed"]
    return Counts(
        **totals, resolved=resolved, all=everything, by_assignee=tuple(sorted(by_assignee.items()))
    )
