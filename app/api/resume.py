"""The link in a reply email: the visitor opens it and is back in their chat."""

from flask import current_app

from app import limiter
from app.api import bp
from app.api.conversations import json_body
from app.errors import ChatError
from app.realtime.emit import sockets_of_closed_after
from app.services import resume_links


def resume_rate() -> str:
    return current_app.config["CHAT_RESUME_RATE"]


@bp.route("/resume", methods=["POST"])
@limiter.limit(resume_rate)
def resume_conversation():
    """Exchange a reply email's signed link for the conversation's token.

    Body: ``{"link": SIGNED}`` (the part after ``#`` of the emailed
    address). Answers ``{"conversation_id", "visitor_token"}``; the visitor's
    previous token stops working and its sockets are closed. ``400
    invalid`` for a forged or expired link, or a conversation ended since.
    """
    link = json_body().get("link")
    if not isinstance(link, str) or not 0 < len(link) <= 1000:
        raise ChatError("invalid", "link: the signed part of the emailed link")
    conversation_id = resume_links.conversation_of(link)
    with sockets_of_closed_after(conversation_id=conversation_id):
        token = resume_links.new_visitor_token(conversation_id)
    return {"conversation_id": conversation_id, "visitor_token": token}
