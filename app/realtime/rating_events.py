"""Rating a resolved chat: the visitor's ``rate`` event, and what everyone
is told after a rating is given or changed (for the event and the API alike)."""

from app import socketio
from app.clock import iso
from app.errors import ChatError
from app.rating_schemas import Rate
from app.realtime import emit, payloads
from app.realtime.answers import chat_event
from app.realtime.limits import check_rate
from app.realtime.rooms import everyone_in
from app.services import ratings
from app.services.access import Identity


def rating(conversation_id: int, state: ratings.RatingState) -> dict:
    """The Rating object: the chat's newest rating (or None), whether it
    rates the resolution that stands, and whether the chat can be rated now."""
    stored = state.rating
    return {
        "conversation_id": conversation_id,
        "rating": None
        if stored is None
        else {
            "score": stored.score,
            "comment": stored.comment,
            "created_at": iso(stored.created_at),
            "updated_at": iso(stored.updated_at),
            "current": state.current,
        },
        "can_rate": state.can_rate,
    }


def rate(identity: Identity, score: int, comment: str | None) -> dict:
    """Rate the visitor's chat, tell its other tabs and every agent, and
    answer with the Rating object."""
    if identity.is_agent:
        raise ChatError("forbidden", "only the chat's visitor may rate it")
    check_rate(identity, "rate", "CHAT_RATING_RATE")
    cid = identity.conversation_id
    rated = ratings.rate(cid, score, comment)
    answer = rating(cid, ratings.RatingState(rated.rating, current=True, can_rate=True))
    if rated.line is not None:
        emit.activity(payloads.activity(rated.line))
        socketio.emit("rating", answer, to=everyone_in(cid))
    return answer


@chat_event("rate", Rate)
def rate_event(identity: Identity, payload: Rate) -> dict:
    """Rate the resolved chat 1 to 5, with an optional comment (visitors)."""
    return rate(identity, payload.score, payload.comment)
