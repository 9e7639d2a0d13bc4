"""The opaque cursors of the conversation list: a signed position.

A cursor is the position a page ended at (``app.services.views.Position``)
with the view and sort it belongs to, as URL-safe base64 signed with the
app's secret key. Clients cannot forge or edit one, so anything that is not
a cursor this server gave out for the same view and sort is ``invalid``.
"""

from datetime import datetime

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from app.errors import ChatError
from app.schemas import MAX_INT
from app.services.views import PHASES, Position

MAX_CURSOR_CHARS = 512


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="conversation-list-cursor")


def encode(view: str, sort: str, position: Position) -> str:
    waiting = position.waiting_since
    return _serializer().dumps(
        [
            view,
            sort,
            position.phase,
            position.last_activity_at.isoformat(),
            waiting.isoformat() if waiting is not None else None,
            position.id,
        ]
    )


def decode(cursor: str, view: str, sort: str) -> Position:
    """The position a cursor names, or ``invalid``."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise ChatError("invalid", "cursor is not a cursor of this list")
    try:
        data = _serializer().loads(cursor)
    except BadData:
        raise ChatError("invalid", "cursor is not a cursor of this list") from None
    try:
        return _position(data, view, sort)
    except (TypeError, ValueError):
        raise ChatError("invalid", "cursor is not a cursor of this list") from None


def _position(data: object, view: str, sort: str) -> Position:
    """A signed cursor's position; ValueError when it is of another list."""
    cursor_view, cursor_sort, phase, activity, waiting, conversation_id = data
    if (cursor_view, cursor_sort) != (view, sort):
        raise ValueError("the cursor belongs to another view or sort")
    if phase not in PHASES[sort] or type(conversation_id) is not int:
        raise ValueError("not a position")
    if not 1 <= conversation_id <= MAX_INT:
        raise ValueError("not a position")
    waiting_since = None if waiting is None else datetime.fromisoformat(waiting)
    if phase == "waiting" and waiting_since is None:
        raise ValueError("not a position")
    return Position(phase, datetime.fromisoformat(activity), waiting_since, conversation_id)
