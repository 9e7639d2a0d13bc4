"""Whether the desk can answer now: business hours and agents online."""

from datetime import UTC, datetime

from app.services import hours, presence, settings


def desk_hours(now: datetime | None = None) -> hours.Hours:
    """Where the desk's business hours stand now."""
    schedule = settings.get("business_hours", hours.DEFAULT)
    return hours.hours_at(schedule, now or datetime.now(UTC))


def agents_online() -> bool:
    """Whether visitors were last told an agent is online (see ``presence``)."""
    return presence.agents_announced_online()
