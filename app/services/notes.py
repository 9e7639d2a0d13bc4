"""Private notes: what agents write in a conversation for each other.

A note is an activity line of kind "note" and shares its rules: agents
only, never sent to the visitor by any path. Its body follows the rules of
a message's (trimmed, not blank, at most ``CHAT_MAX_BODY_CHARS``), and it
is stored once per ``client_id``, so a client may retry until it hears back.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import db
from app.models import Activity
from app.services import activity
from app.services.conversations import get_conversation
from app.services.messages import checked_body


@dataclass(frozen=True)
class Noted:
    line: Activity
    created: bool  # False when the client_id was already stored (a retry)


def add_note(
    conversation_id: int, agent_id: int, author_name: str, client_id: str, body: str
) -> Noted:
    """Store a note once per ``client_id``; ``not_found`` for no such chat.

    A chat the visitor ended still takes notes: agents may write down what
    came of it.
    """
    body = checked_body(body)
    get_conversation(conversation_id)
    stored = _find(conversation_id, client_id)
    if stored is not None:
        return Noted(stored, created=False)
    try:
        line = activity.record(
            conversation_id, "note", agent_id, author_name, body=body, client_id=client_id
        )
        db.session.commit()
    except IntegrityError:  # the same client_id, stored meanwhile by a retry
        db.session.rollback()
        return Noted(_find(conversation_id, client_id), created=False)
    return Noted(line, created=True)


def _find(conversation_id: int, client_id: str) -> Activity | None:
    return db.session.scalar(
        sa.select(Activity).where(
            Activity.conversation_id == conversation_id, Activity.client_id == client_id
        )
    )
