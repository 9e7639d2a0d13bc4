"""The link in a reply email: the visitor opens it and is back in their chat."""

from typing import Annotated

from flask import current_app
from pydantic import BaseModel, ConfigDict, StringConstraints

from app import limiter
from app.api import bp
from app.api.conversations import json_body, validated
from app.api.description import described
from app.api.responses import Answer
from app.realtime.emit import sockets_of_closed_after
from app.services import resume_links


class ResumeLink(BaseModel):
    """The body of ``POST /api/v1/resume``."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    link: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class Resumed(Answer):
    """The conversation the link names, and its new visitor token."""

    conversation_id: int
    visitor_token: str


def resume_rate() -> str:
    return current_app.config["CHAT_RESUME_RATE"]


@bp.route("/resume", methods=["POST"])
@described(
    tag="reach", auth="none", body=ResumeLink, answers={200: Resumed}, errors=("rate_limited",)
)
@limiter.limit(resume_rate)
def resume_conversation():
    """Exchange a reply email's signed link for the conversation's token.

    Body: ``{"link": SIGNED}`` (the part after ``#`` of the emailed
    address). Answers ``{"conversation_id", "visitor_token"}``; the visitor's
    previous token stops working and its sockets are closed. ``400
    invalid`` for a forged or expired link, or a conversation ended since.
    """
    link = validated(ResumeLink, json_body()).link
    conversation_id = resume_links.conversation_of(link)
    with sockets_of_closed_after(conversation_id=conversation_id):
        token = resume_links.new_visitor_token(conversation_id)
    return {"conversation_id": conversation_id, "visitor_token": token}
