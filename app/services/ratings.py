"""A visitor's rating of a resolved chat: 1 to 5, with an optional comment.

A chat is rated once per resolution (its "resolved" activity line): the
visitor may change the rating as often as they like while the chat stays
resolved; once it reopens, that resolution's rating is final, and the next
resolution may be rated afresh. Each rating given or changed is also an
activity line (``"rated"``), so agents see it in the timeline.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import db
from app.clock import iso, utcnow
from app.errors import ChatError
from app.models import Activity, Conversation, Rating
from app.services import activity, bodies, webhooks

SCORES = range(1, 6)
# A comment is a sentence or two about the chat, not a second conversation.
MAX_COMMENT_CHARS = 1000


@dataclass(frozen=True)
class Rated:
    """The rating as stored, and the line recorded (None when the visitor
    sent what was stored already: nothing changed, nothing to tell)."""

    rating: Rating
    line: Activity | None


def clean_comment(comment: str | None) -> str | None:
    """The comment as stored: trimmed, None when blank; ``too_large`` when long."""
    if comment is None:
        return None
    comment = bodies.trim(comment)
    if bodies.is_blank(comment):
        return None
    if bodies.length(comment) > MAX_COMMENT_CHARS:
        raise ChatError("too_large", f"a comment is at most {MAX_COMMENT_CHARS} characters")
    return comment


def line_body(score: int, comment: str | None) -> str:
    """A "rated" line's body: the score, then a space and the comment if any."""
    return f"{score}" if comment is None else f"{score} {comment}"


def rate(conversation_id: int, score: int, comment: str | None) -> Rated:
    """Rate the resolution that stands (or change its rating), and commit.

    ``invalid`` for a score outside 1 to 5, ``too_large`` for a long comment,
    ``not_found`` for no such chat, ``conflict`` unless the chat is resolved
    (an open or snoozed chat has nothing to rate; an ended one is over).
    """
    if type(score) is not int or score not in SCORES:
        raise ChatError("invalid", "score must be a whole number from 1 to 5")
    comment = clean_comment(comment)
    conversation, resolution = _standing_resolution(conversation_id)
    try:
        return _store(conversation, resolution, score, comment)
    except IntegrityError:
        # Another request rated the same resolution first: change that one.
        db.session.rollback()
        conversation, resolution = _standing_resolution(conversation_id)
        return _store(conversation, resolution, score, comment)


def _standing_resolution(conversation_id: int) -> tuple[Conversation, Activity]:
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        raise ChatError("not_found", "no such conversation")
    if conversation.status != "open":
        raise ChatError("conflict", "the visitor ended this chat")
    resolution = _latest_resolution(conversation_id)
    if conversation.state != "resolved" or resolution is None:
        raise ChatError("conflict", "only a resolved chat can be rated")
    return conversation, resolution


def _latest_resolution(conversation_id: int) -> Activity | None:
    return db.session.scalar(
        sa.select(Activity)
        .where(Activity.conversation_id == conversation_id, Activity.kind == "resolved")
        .order_by(Activity.id.desc())
        .limit(1)
    )


def _store(
    conversation: Conversation, resolution: Activity, score: int, comment: str | None
) -> Rated:
    rating = db.session.scalar(sa.select(Rating).where(Rating.resolution_id == resolution.id))
    if rating is not None and (rating.score, rating.comment) == (score, comment):
        db.session.rollback()
        return Rated(rating, None)
    now = utcnow()
    if rating is None:
        rating = Rating(
            conversation_id=conversation.id,
            resolution_id=resolution.id,
            agent_id=conversation.assignee_id or resolution.agent_id,
            created_at=now,
        )
        db.session.add(rating)
    rating.score, rating.comment, rating.updated_at = score, comment, now
    db.session.flush()
    line = activity.record(conversation.id, "rated", body=line_body(score, comment))
    webhooks.rating_received(conversation.id, webhook_rating(rating))
    db.session.commit()
    return Rated(rating, line)


def webhook_rating(rating: Rating) -> dict:
    """A rating as the ``rating.received`` webhook carries it."""
    return {
        "score": rating.score,
        "comment": rating.comment,
        "agent_id": rating.agent_id,
        "created_at": iso(rating.created_at),
        "updated_at": iso(rating.updated_at),
    }


@dataclass(frozen=True)
class RatingState:
    """What a client shows of a chat's rating: the newest rating (of any
    resolution), whether it rates the resolution that stands, and whether
    the chat can be rated now."""

    rating: Rating | None
    current: bool
    can_rate: bool


def state(conversation_id: int) -> RatingState:
    """The conversation's rating as the widget and the inbox show it."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        raise ChatError("not_found", "no such conversation")
    rating = db.session.scalar(
        sa.select(Rating)
        .where(Rating.conversation_id == conversation_id)
        .order_by(Rating.id.desc())
        .limit(1)
    )
    resolved = conversation.state == "resolved"
    can_rate = resolved and conversation.status == "open"
    current = False
    if rating is not None and resolved:
        resolution = _latest_resolution(conversation_id)
        current = resolution is not None and rating.resolution_id == resolution.id
    return RatingState(rating, current, can_rate)
