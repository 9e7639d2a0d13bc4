"""The visitor's context for agents: page, referrer, browser and OS, local
time zone and language, and since when the visitor has been on the site.

The browser and OS come from the request's User-Agent (parsed by
ua-parser), the rest from the widget: it is what the visitor's browser
says, shown to agents as text and never trusted for anything else.
"""

from datetime import UTC, datetime, timedelta

import ua_parser
from pydantic import ValidationError

from app import db
from app.clock import utcnow
from app.models import VisitorContext
from app.services.conversations import page_location
from app.visitor_schemas import VisitorContext as ContextPayload

MAX_USER_AGENT = 512
# A browser's clock may run ahead a little; a first sight "in the future"
# is taken as now.
EARLIEST = datetime(2000, 1, 1)


def parse_payload(data: object) -> ContextPayload | None:
    """A context sent at connect: ignored when it is not what is asked, as
    it only informs agents and must not keep a visitor from connecting."""
    if not isinstance(data, dict):
        return None
    try:
        return ContextPayload.model_validate(data)
    except ValidationError:
        return None


def record(conversation_id: int, payload: ContextPayload | None, user_agent: str | None) -> None:
    """Store what is known now, in the caller's transaction; a field the
    widget did not send keeps its earlier value."""
    row = db.session.get(VisitorContext, conversation_id)
    if row is None:
        row = VisitorContext(conversation_id=conversation_id)
        db.session.add(row)
    if user_agent:
        _note_user_agent(row, user_agent[:MAX_USER_AGENT])
    if payload is not None:
        _note_payload(row, payload)
    row.updated_at = utcnow()


def _note_user_agent(row: VisitorContext, user_agent: str) -> None:
    if user_agent == row.user_agent:
        return
    parsed = ua_parser.parse(user_agent)
    row.user_agent = user_agent
    row.browser = _version_of(parsed.user_agent)
    row.os = _version_of(parsed.os)


def _version_of(part) -> str | None:
    """ "Chrome 126", "Mac OS X 10.15": the family and its first numbers."""
    if part is None or part.family == "Other":
        return None
    numbers = [number for number in (part.major, part.minor) if number]
    return " ".join([part.family, ".".join(numbers)]).strip()[:64]


def _note_payload(row: VisitorContext, payload: ContextPayload) -> None:
    if payload.page_title is not None:
        row.page_title = " ".join(payload.page_title.split()) or None
    if payload.referrer is not None:
        row.referrer = _web_address(payload.referrer)
    if payload.language is not None:
        row.language = payload.language
    if payload.time_zone is not None:
        row.time_zone = payload.time_zone
    if payload.first_seen_at is not None:
        row.first_seen_at = _first_seen(payload.first_seen_at)


def _web_address(address: str) -> str | None:
    """An http(s) address as origin and path; anything else (javascript:,
    data:) is not a page the visitor came from."""
    location = page_location(address)
    return location if location.startswith(("http://", "https://")) else None


def _first_seen(milliseconds: int) -> datetime | None:
    moment = datetime.fromtimestamp(0, UTC).replace(tzinfo=None) + timedelta(
        milliseconds=milliseconds
    )
    if moment < EARLIEST:
        return None
    return min(moment, utcnow())


def context_of(conversation_id: int) -> VisitorContext | None:
    return db.session.get(VisitorContext, conversation_id)


def note_connect(conversation_id: int, data: object, user_agent: str | None) -> None:
    """A visitor socket connected with a ``context``: note it, and commit.
    Clients that send none (the protocol's own) cost nothing."""
    if data is None:
        return
    record(conversation_id, parse_payload(data), user_agent)
    db.session.commit()
