"""A resolved chat's rating over HTTP: the visitor gives or changes it,
the visitor and agents read it. The answers are the ``rate`` event's."""

from app.api import bp
from app.api.auth import caller
from app.api.conversations import json_body, validated
from app.api.description import described
from app.api.rating_responses import RatingAnswer
from app.errors import ChatError
from app.rating_schemas import RatingBody
from app.realtime import rating_events
from app.services import ratings

CONVERSATION = "/conversations/<int(max=2147483647):conversation_id>"


@bp.route(f"{CONVERSATION}/rating", methods=["GET"])
@described(
    tag="ratings",
    auth="visitor_or_agent",
    answers={200: RatingAnswer},
    errors=("forbidden", "not_found"),
)
def get_rating(conversation_id: int):
    """The chat's newest rating (or null), whether it rates the resolution
    that stands (``current``), and whether the chat can be rated now
    (``can_rate``). Its visitor, or any agent."""
    identity = caller()
    if not identity.is_agent and identity.conversation_id != conversation_id:
        raise ChatError("forbidden", "a visitor may read only their own chat")
    return rating_events.rating(conversation_id, ratings.state(conversation_id))


@bp.route(f"{CONVERSATION}/rating", methods=["PUT"])
@described(
    tag="ratings",
    auth="visitor",
    body=RatingBody,
    answers={200: RatingAnswer},
    errors=("forbidden", "not_found", "conflict", "rate_limited"),
)
def put_rating(conversation_id: int):
    """Rate the resolved chat ``{"score": 1-5, "comment"?}``, or change the
    rating until the chat reopens (its visitor only). ``409 conflict`` when
    the chat is not resolved; ``413 too_large`` for a comment of more than
    1,000 characters; ``429 rate_limited`` past ``CHAT_RATING_RATE``."""
    identity = caller()
    if not identity.is_agent and identity.conversation_id != conversation_id:
        raise ChatError("forbidden", "a visitor may rate only their own chat")
    body = validated(RatingBody, json_body())
    return rating_events.rate(identity, body.score, body.comment)
