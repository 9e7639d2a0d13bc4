"""Canned responses: shared replies an agent inserts by typing ``/shortcut``.

A shortcut is 1 to 32 of ``a-z 0-9 _ -``, stored lower-cased without the
``/`` it is typed with, and unique. A body follows the rules of a message
body (app/services/bodies.py), since it is sent as one. At most
``CHAT_MAX_CANNED`` exist, so that the inbox can hold them all.
"""

import re

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import db
from app.clock import utcnow
from app.errors import ChatError
from app.models import CannedResponse
from app.services import bodies

SHORTCUT = re.compile(r"[a-z0-9_-]{1,32}")


def shortcut_of(text: str) -> str:
    """The shortcut as stored, or ``invalid``: ``"/Hello "`` is ``"hello"``."""
    text = text.strip()
    if text.startswith("/"):
        text = text[1:]
    # ASCII first: "\u212a".lower() (the Kelvin sign) would pass as "k".
    if not text.isascii() or not SHORTCUT.fullmatch(text.lower()):
        raise ChatError("invalid", "shortcut must be 1 to 32 of a-z, 0-9, _ and -")
    return text.lower()


def body_of(text: str) -> str:
    """The body as stored (trimmed), or ``too_large`` / ``invalid``, as for a message."""
    text = bodies.trim(text)
    limit = current_app.config["CHAT_MAX_BODY_CHARS"]
    if bodies.length(text) > limit:
        raise ChatError("too_large", f"body is longer than {limit} characters")
    if bodies.is_blank(text):
        raise ChatError("invalid", "body is empty")
    return text


def all_responses() -> list[CannedResponse]:
    """Every canned response, by shortcut."""
    return list(db.session.scalars(sa.select(CannedResponse).order_by(CannedResponse.shortcut)))


def get(response_id: int) -> CannedResponse:
    response = db.session.get(CannedResponse, response_id)
    if response is None:
        raise ChatError("not_found", "no such canned response")
    return response


def create(shortcut: str, body: str, agent_id: int | None) -> CannedResponse:
    """Add a canned response and commit."""
    shortcut, body = shortcut_of(shortcut), body_of(body)
    limit = current_app.config["CHAT_MAX_CANNED"]
    count = db.session.scalar(sa.select(sa.func.count()).select_from(CannedResponse))
    if count >= limit:
        raise ChatError("conflict", f"there are {limit} canned responses, the most allowed")
    _refuse_taken(shortcut)
    now = utcnow()
    response = CannedResponse(
        shortcut=shortcut, body=body, created_by=agent_id, created_at=now, updated_at=now
    )
    db.session.add(response)
    _commit(shortcut)
    return response


def update(response_id: int, shortcut: str | None, body: str | None) -> CannedResponse:
    """Change a canned response's shortcut, body or both, and commit."""
    response = get(response_id)
    if shortcut is not None:
        shortcut = shortcut_of(shortcut)
        if shortcut != response.shortcut:
            _refuse_taken(shortcut)
        response.shortcut = shortcut
    if body is not None:
        response.body = body_of(body)
    response.updated_at = utcnow()
    _commit(response.shortcut)
    return response


def delete(response_id: int) -> None:
    db.session.delete(get(response_id))
    db.session.commit()


def _refuse_taken(shortcut: str) -> None:
    taken = sa.select(CannedResponse.id).where(CannedResponse.shortcut == shortcut)
    if db.session.scalar(taken) is not None:
        raise ChatError("conflict", f"/{shortcut} exists already")


def _commit(shortcut: str) -> None:
    """Commit; two agents saving the same new shortcut at once get a conflict."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ChatError("conflict", f"/{shortcut} exists already") from None
