"""The payloads of rating a resolved chat, by socket and over HTTP,
declared once (as in app/schemas.py) and validated strictly."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.schemas import Payload, Text

Score = Annotated[int, Field(ge=1, le=5)]
# Bounded here so that nobody sends megabytes; the stored limit (1,000
# characters once trimmed) is the service's, answered too_large.
Comment = Annotated[Text, StringConstraints(max_length=4000)]


class Rate(Payload):
    """``rate {score, comment?}``: a visitor rates their own chat."""

    score: Score
    comment: Comment | None = None


class RatingBody(BaseModel):
    """The body of ``PUT /api/v1/conversations/ID/rating``."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    score: Score
    comment: Comment | None = None


Day = Annotated[Text, StringConstraints(max_length=10)]


class ReportQuery(BaseModel):
    """The query of ``GET /api/v1/admin/reports``."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    from_: Day | None = Field(
        None, alias="from", description="first day, e.g. 2026-05-04 (default: 29 days before to)"
    )
    to: Day | None = Field(None, description="last day, included (default: today in tz)")
    tz: Annotated[Text, StringConstraints(max_length=64)] | None = Field(
        None, description="an IANA time zone, e.g. Europe/Copenhagen (default: UTC)"
    )


class ReportCsvQuery(ReportQuery):
    """The query of ``GET /api/v1/admin/reports.csv``."""

    kind: Literal["agents", "days", "conversations"] = "agents"


class TypingPreview(Payload):
    """``typing_preview {text}``: what the visitor has typed so far."""

    # Bounded here; the desk's own limit (CHAT_MAX_BODY_CHARS, counted in
    # code points) is the handler's, answered too_large.
    text: Annotated[Text, StringConstraints(max_length=20_000)]
