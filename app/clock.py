"""Time as the chat stores and shows it."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now in UTC, without tzinfo: every stored time is naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso(moment: datetime | None) -> str | None:
    """The protocol's time format: ISO 8601, UTC, milliseconds, ``Z``."""
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds") + "Z"
