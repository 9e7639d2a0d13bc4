"""The payloads of rating a resolved chat, by socket and over HTTP,
declared once (as in app/schemas.py) and validated strictly."""

from typing import Annotated

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
