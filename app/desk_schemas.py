"""The payloads of the desk's lifecycle events and endpoints, and of notes,
declared once (as in app/schemas.py) and validated strictly."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from app.schemas import ClientId, ConversationRef, Text


def _moment(text: str) -> datetime:
    """An ISO 8601 time with its offset (``Z`` or ``+02:00``): a time
    without one means a different moment in every time zone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("must be an ISO 8601 time, e.g. 2026-05-04T09:00:00Z") from None
    if moment.tzinfo is None:
        raise ValueError("must give its UTC offset, e.g. Z or +02:00")
    return moment


Moment = Annotated[Text, StringConstraints(max_length=40), AfterValidator(_moment)]


class Snooze(ConversationRef):
    until: Moment


class SnoozeBody(BaseModel):
    """The body of ``POST /api/v1/conversations/ID/snooze``."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    until: Moment


class AddNote(ConversationRef):
    client_id: ClientId
    # Checked after trimming by the service, as a message's body is.
    body: Text


class NoteBody(BaseModel):
    """The body of ``POST /api/v1/conversations/ID/notes``."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    client_id: ClientId
    body: Text


__all__ = ["AddNote", "ConversationRef", "NoteBody", "Snooze", "SnoozeBody"]
