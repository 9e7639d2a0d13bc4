"""Business hours: the desk's weekly schedule in its time zone, and whether
the desk is open at a moment, when it closes, and when it opens next.

The schedule is the desk setting ``business_hours`` (see ``settings.KNOWN``):
``{"enabled", "timezone", "days": {"mon": [{"start": "09:00", "end":
"17:00"}], ...}}``. Times are the desk's wall-clock times, so a day of a
daylight-saving change keeps its opening times; ``"24:00"`` ends a day.
"""

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, Field
from typing_extensions import TypedDict

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_INTERVALS_PER_DAY = 4
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d|24:00")


@functools.cache
def time_zones() -> frozenset[str]:
    """Every IANA time zone name this machine knows."""
    return frozenset(available_timezones())


def _clock_time(text: str) -> str:
    if not _TIME.fullmatch(text):
        raise ValueError("a time is HH:MM, from 00:00 to 24:00")
    return text


def _time_zone(name: str) -> str:
    if name not in time_zones():
        raise ValueError("not a known time zone (e.g. Europe/Paris)")
    return name


ClockTime = Annotated[str, AfterValidator(_clock_time)]


class Interval(TypedDict):
    start: ClockTime
    end: ClockTime


def _day(intervals: list[Interval]) -> list[Interval]:
    ordered = sorted(intervals, key=lambda interval: interval["start"])
    for interval in ordered:
        if interval["end"] <= interval["start"]:
            raise ValueError("each interval ends after it starts")
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after["start"] < before["end"]:
            raise ValueError("a day's intervals must not overlap")
    return ordered


Day = Annotated[list[Interval], Field(max_length=MAX_INTERVALS_PER_DAY), AfterValidator(_day)]


class Week(TypedDict):
    mon: Day
    tue: Day
    wed: Day
    thu: Day
    fri: Day
    sat: Day
    sun: Day


class Schedule(TypedDict):
    """The ``business_hours`` setting, as stored."""

    enabled: bool
    timezone: Annotated[str, AfterValidator(_time_zone)]
    days: Week


_NINE_TO_FIVE = [{"start": "09:00", "end": "17:00"}]
DEFAULT: Schedule = {
    "enabled": False,
    "timezone": "UTC",
    "days": {day: (_NINE_TO_FIVE if day not in ("sat", "sun") else []) for day in DAYS},
}


@dataclass(frozen=True)
class Hours:
    """Where the desk stands at a moment: open or closed, and the next change."""

    open: bool
    # When an open desk closes, or None if it never does (hours are off).
    closes_at: datetime | None
    # When a closed desk opens next, or None if not within a week.
    opens_at: datetime | None


def hours_at(schedule: Schedule, now: datetime) -> Hours:
    """Whether the desk is open at ``now`` (aware, UTC), by ``schedule``."""
    if not schedule["enabled"]:
        return Hours(open=True, closes_at=None, opens_at=None)
    spans = _spans(schedule, now)
    for start, end in spans:
        if start <= now < end:
            return Hours(open=True, closes_at=end, opens_at=None)
    upcoming = [start for start, _end in spans if start > now]
    return Hours(open=False, closes_at=None, opens_at=min(upcoming, default=None))


def _spans(schedule: Schedule, now: datetime) -> list[tuple[datetime, datetime]]:
    """The open intervals from yesterday to a week ahead, in UTC, with
    intervals that touch (Monday 24:00, Tuesday 00:00) joined."""
    zone = ZoneInfo(schedule["timezone"])
    today = now.astimezone(zone).date()
    spans = []
    for offset in range(-1, 9):
        day = today + timedelta(days=offset)
        for interval in schedule["days"][DAYS[day.weekday()]]:
            start = _at(day, interval["start"], zone)
            spans.append((start, _at(day, interval["end"], zone)))
    joined: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def _at(day: date, clock: str, zone: ZoneInfo) -> datetime:
    if clock == "24:00":
        day, clock = day + timedelta(days=1), "00:00"
    local = datetime.combine(day, time.fromisoformat(clock), tzinfo=zone)
    return local.astimezone(UTC)
