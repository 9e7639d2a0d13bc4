"""The answers of the rating and reports endpoints, as models (see
app/api/responses.py): the description shows them, and tests check the
server's real answers against them."""

from pydantic import Field

from app.api.responses import Answer, Timestamp


class RatingDetails(Answer):
    """A rating: its score, comment and times, and whether it rates the
    resolution that stands."""

    score: int = Field(ge=1, le=5)
    comment: str | None
    created_at: Timestamp
    updated_at: Timestamp
    current: bool


class RatingAnswer(Answer):
    """The chat's newest rating (or null), and whether it can be rated now."""

    conversation_id: int
    rating: RatingDetails | None
    can_rate: bool


class Times(Answer):
    """Median and 90th percentile in seconds (null when none), and how many."""

    median: float | None
    p90: float | None
    count: int


class RatingFigures(Answer):
    """Ratings: average (two decimals, null when none), count, count by score."""

    average: float | None
    count: int
    distribution: dict[str, int]


class Figures(Answer):
    """The figures of some conversations."""

    conversations: int
    answered: int
    resolved: int
    first_response: Times
    resolution: Times
    ratings: RatingFigures


class ReportAgent(Answer):
    """An agent, by id and name."""

    id: int
    name: str


class AgentFigures(Figures):
    """An agent's figures (``agent`` null: conversations nobody is assigned to)."""

    agent: ReportAgent | None


class Day(Answer):
    """How many conversations started on a day."""

    date: str
    conversations: int


class ReportPeriod(Answer):
    """The period: first and last day (both included), time zone, days."""

    from_: str = Field(alias="from")
    to: str
    tz: str
    days: int


class Report(Answer):
    """The figures of a period: the desk's, per day and per agent."""

    period: ReportPeriod
    totals: Figures
    days: list[Day]
    agents: list[AgentFigures]
