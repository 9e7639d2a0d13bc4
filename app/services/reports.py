"""The desk's reports: conversations per day, first response and resolution
times (median and 90th percentile), ratings, for the desk and per agent,
over a period of whole days in the admin's time zone.

Definitions (the reports page and docs/protocol.md say the same):

- A conversation belongs to the period when it **started** (its creation)
  within it; every figure is about those conversations.
- **First response time**: from the visitor's first message to the first
  agent message after it (by ``seq``, the conversation's order). Agent
  messages sent before the visitor wrote do not count; a conversation no
  agent has answered yet has none.
- **Resolution time**: from the visitor's first message to the resolution
  that stands (the newest "resolved" line) of a conversation that is
  resolved now. Time spent reopened in between counts; a conversation that
  was reopened and is not resolved again has none.
- **Median and 90th percentile**: over the conversations that have the
  time, by linear interpolation between the closest ranks (Excel's
  PERCENTILE.INC, numpy's default): the p-th percentile of n sorted values
  lies at rank 1 + (n - 1) * p.
- **Ratings**: every resolution's rating (as last changed) of the period's
  conversations, counted for the agent it was given to (the chat's
  assignee when rated, else who resolved it).
- **Per agent**: a conversation counts for the agent it is assigned to now
  (or "Unassigned").

The per-conversation times are read in one SQL statement that works alike on
SQLite and PostgreSQL: the period's conversations (by the index on their
creation), each with the seq of its first visitor message and of the first
agent message after it, its newest "resolved" line and its newest rating
(correlated subqueries, each a few rows of an index), joined back to the
messages by seq; differences of times, days in the time zone and
percentiles are computed here, over the period's rows (a period is at most
``MAX_DAYS`` days).
"""

import math
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
import sqlalchemy.orm as so

from app import db
from app.blocking import let_others_run
from app.errors import ChatError
from app.models import Activity, Agent, Conversation, Message, Rating

MAX_DAYS = 366
# Rows read between turns given to the event loop: each batch takes tens of
# milliseconds, so sockets wait no longer than that while a year is read.
ROWS_PER_TURN = 1000
DEFAULT_DAYS = 30
SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Period:
    """Whole days ``first`` to ``last`` (both included) in ``zone``."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def utc(self, day: date) -> datetime:
        """The start of a day in the zone, as stored (naive UTC)."""
        local = datetime.combine(day, time(), tzinfo=self.zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    @property
    def starts(self) -> datetime:
        """The period's first moment, as stored (naive UTC)."""
        return self.utc(self.first)

    @property
    def ends(self) -> datetime:
        """The moment after the period (naive UTC): midnight after ``last``."""
        return self.utc(self.last + timedelta(days=1))

    def local_day(self, moment: datetime) -> date:
        """The day in the zone of a stored (naive UTC) time."""
        return moment.replace(tzinfo=UTC).astimezone(self.zone).date()

    def local_time(self, moment: datetime) -> datetime:
        return moment.replace(tzinfo=UTC).astimezone(self.zone)


def time_zone(name: str | None) -> ZoneInfo:
    """The IANA time zone ``name`` (``UTC`` when none), or ``invalid``."""
    if not name:
        return ZoneInfo("UTC")
    if len(name) > 64 or not name.isascii() or ".." in name or name.startswith("/"):
        raise ChatError("invalid", "tz must be an IANA time zone, e.g. Europe/Copenhagen")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ChatError("invalid", f"unknown time zone {name!r}") from None


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ChatError("invalid", f"{name} must be a date, e.g. 2026-05-04") from None


def period(first: str | None, last: str | None, zone_name: str | None, now=None) -> Period:
    """The period asked for: ``first`` and ``last`` as ISO dates in the time
    zone; by default the last ``DEFAULT_DAYS`` days up to today there.
    ``invalid`` for a bad date or zone, a reversed or too long period."""
    zone = time_zone(zone_name)
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    end = _day(last, "to") if last else today
    start = _day(first, "from") if first else end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ChatError("invalid", "from must not be after to")
    if (end - start).days + 1 > MAX_DAYS:
        raise ChatError("invalid", f"a period is at most {MAX_DAYS} days")
    if start.year < 2 or end.year > 9998:
        raise ChatError("invalid", "the period is out of range")
    return Period(start, end, zone)


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (0 to 1) of the values, interpolated linearly
    between the closest ranks, to the millisecond (stored times have no
    more); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p
    below, above = math.floor(rank), math.ceil(rank)
    return round(ordered[below] + (ordered[above] - ordered[below]) * (rank - below), 3)


@dataclass(frozen=True)
class Times:
    """Median and 90th percentile of some durations (seconds), and how many."""

    median: float | None
    p90: float | None
    count: int

    @classmethod
    def of(cls, values: list[float]) -> "Times":
        return cls(percentile(values, 0.5), percentile(values, 0.9), len(values))


@dataclass(frozen=True)
class Ratings:
    """How many ratings of each score (1 to 5), their count and average."""

    distribution: dict[int, int]

    @property
    def count(self) -> int:
        return sum(self.distribution.values())

    @property
    def average(self) -> float | None:
        if not self.count:
            return None
        total = sum(score * n for score, n in self.distribution.items())
        return total / self.count


@dataclass(frozen=True)
class ConversationRow:
    """One conversation of the period and its times (seconds, or None)."""

    id: int
    created_at: datetime
    visitor_name: str | None
    assignee_id: int | None
    assignee_name: str | None
    state: str
    first_response: float | None
    resolution: float | None
    rating: int | None
    rating_comment: str | None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


@dataclass
class Figures:
    """The figures of a set of conversations (the desk's, or an agent's)."""

    conversations: int = 0
    answered: int = 0
    resolved: int = 0
    first_response: Times = field(default_factory=lambda: Times.of([]))
    resolution: Times = field(default_factory=lambda: Times.of([]))
    ratings: Ratings = field(default_factory=lambda: Ratings({s: 0 for s in SCORES}))


@dataclass(frozen=True)
class AgentFigures:
    agent_id: int | None  # None: conversations nobody is assigned to
    name: str | None
    figures: Figures


@dataclass(frozen=True)
class Report:
    period: Period
    totals: Figures
    days: list[tuple[date, int]]
    agents: list[AgentFigures]


def _window(query, period: Period):
    return query.where(
        Conversation.created_at >= period.starts, Conversation.created_at < period.ends
    )


def _first_seq(sender: str, after: sa.ColumnElement | None = None) -> sa.ScalarSelect:
    """The seq of the conversation's first message from ``sender`` (after
    seq ``after``): read per conversation through the (conversation, seq)
    index, a few rows each."""
    message = so.aliased(Message)  # its own, so that one may nest in another
    query = sa.select(sa.func.min(message.seq)).where(
        message.conversation_id == Conversation.id, message.sender == sender
    )
    if after is not None:
        query = query.where(message.seq > after)
    return query.correlate(Conversation).scalar_subquery()


def _rows_statement(period: Period) -> sa.Select:
    resolved_at = (
        sa.select(sa.func.max(Activity.created_at))
        .where(Activity.conversation_id == Conversation.id, Activity.kind == "resolved")
        .scalar_subquery()
    )
    newest_rating = (
        sa.select(sa.func.max(Rating.id))
        .where(Rating.conversation_id == Conversation.id)
        .scalar_subquery()
    )
    visits = _window(
        sa.select(
            Conversation.id,
            Conversation.created_at,
            Conversation.visitor_name,
            Conversation.assignee_id,
            Conversation.state,
            _first_seq("visitor").label("visit_seq"),
            sa.case((Conversation.state == "resolved", resolved_at)).label("resolved_at"),
            newest_rating.label("rating_id"),
        ),
        period,
    ).subquery("visits")
    replied = so.aliased(Message)
    reply_seq = (
        sa.select(sa.func.min(replied.seq))
        .where(
            replied.conversation_id == visits.c.id,
            replied.sender == "agent",
            replied.seq > visits.c.visit_seq,
        )
        .correlate(visits)
        .scalar_subquery()
    )
    base = sa.select(*visits.c, reply_seq.label("reply_seq")).subquery("base")
    visit, reply = so.aliased(Message), so.aliased(Message)
    return (
        sa.select(
            base.c.id,
            base.c.created_at,
            base.c.visitor_name,
            base.c.assignee_id,
            Agent.name,
            base.c.state,
            visit.created_at,
            reply.created_at,
            base.c.resolved_at,
            Rating.score,
            Rating.comment,
        )
        .outerjoin(Agent, Agent.id == base.c.assignee_id)
        .outerjoin(
            visit, sa.and_(visit.conversation_id == base.c.id, visit.seq == base.c.visit_seq)
        )
        .outerjoin(
            reply, sa.and_(reply.conversation_id == base.c.id, reply.seq == base.c.reply_seq)
        )
        .outerjoin(Rating, Rating.id == base.c.rating_id)
        .order_by(base.c.created_at, base.c.id)
    )


def conversation_rows(period: Period) -> list[ConversationRow]:
    """Every conversation that started in the period, oldest first."""
    statement = _rows_statement(period).execution_options(yield_per=ROWS_PER_TURN)
    rows = []
    for part in db.session.execute(statement).partitions():
        rows += [
            ConversationRow(*row[:6], _seconds(row[6], row[7]), _seconds(row[6], row[8]), *row[9:])
            for row in part
        ]
        let_others_run()
    return rows


def rating_counts(period: Period) -> list[tuple[int | None, str | None, int, int]]:
    """``(agent_id, agent name, score, count)`` of the ratings of the
    period's conversations, counted in SQL."""
    query = (
        sa.select(Rating.agent_id, Agent.name, Rating.score, sa.func.count())
        .join(Conversation, Conversation.id == Rating.conversation_id)
        .outerjoin(Agent, Agent.id == Rating.agent_id)
        .group_by(Rating.agent_id, Agent.name, Rating.score)
    )
    return [tuple(row) for row in db.session.execute(_window(query, period))]


def figures(rows: list[ConversationRow], scores: dict[int, int]) -> Figures:
    """The figures of these conversations, with these ratings by score."""
    first_responses = [r.first_response for r in rows if r.first_response is not None]
    resolutions = [r.resolution for r in rows if r.resolution is not None]
    return Figures(
        conversations=len(rows),
        answered=len(first_responses),
        resolved=len(resolutions),
        first_response=Times.of(first_responses),
        resolution=Times.of(resolutions),
        ratings=Ratings({s: scores.get(s, 0) for s in SCORES}),
    )


def per_day(period: Period, rows: list[ConversationRow]) -> list[tuple[date, int]]:
    """How many conversations started on each day of the period (zeros too).

    Each day's start is converted to UTC once (days differ in length across
    a change of daylight saving time); each row then finds its day by
    bisection, which is much cheaper than converting every row's time."""
    days = [period.first + timedelta(days=n) for n in range(period.days)]
    starts = [period.utc(day) for day in days]
    counts = Counter(bisect_right(starts, row.created_at) - 1 for row in rows)
    return [(day, counts[n]) for n, day in enumerate(days)]


def report(period: Period) -> Report:
    """The report of a period."""
    rows = conversation_rows(period)
    ratings = rating_counts(period)
    db.session.rollback()
    by_agent: dict[int | None, list[ConversationRow]] = defaultdict(list)
    names: dict[int | None, str | None] = {None: None}
    for row in rows:
        by_agent[row.assignee_id].append(row)
        names[row.assignee_id] = row.assignee_name
    scores: dict[int | None, Counter] = defaultdict(Counter)
    for agent_id, name, score, count in ratings:
        scores[agent_id][score] += count
        names.setdefault(agent_id, name)
    total_scores = sum(scores.values(), Counter())
    agents = [
        AgentFigures(agent_id, names[agent_id], figures(by_agent[agent_id], scores[agent_id]))
        for agent_id in sorted(set(by_agent) | set(scores), key=lambda a: _agent_order(a, names))
    ]
    return Report(period, figures(rows, total_scores), per_day(period, rows), agents)


def _agent_order(agent_id: int | None, names: dict) -> tuple:
    """Agents by name, then "Unassigned"."""
    return (agent_id is None, (names.get(agent_id) or "").casefold(), agent_id or 0)
