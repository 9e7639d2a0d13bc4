"""Retention: conversations idle for longer than the desk keeps them are deleted.

Admins set ``retention_days`` (0 keeps everything). Each process sweeps now
and then; each conversation is deleted by one of them, and only while it is
still idle: a message that arrives meanwhile keeps it.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from app import db
from app.clock import utcnow
from app.database import changes
from app.models import Conversation
from app.services import file_store, settings

# Deleted per sweep, oldest first: a first sweep over years of chats spreads
# over several sweeps instead of holding the database for long.
SWEEP_LIMIT = 200


def cutoff() -> datetime | None:
    """Conversations idle since before this are expired; None keeps all."""
    days = settings.get("retention_days", 0)
    return utcnow() - timedelta(days=days) if days else None


def expired_ids(limit: int = SWEEP_LIMIT) -> list[int]:
    """The expired conversations, oldest first."""
    before = cutoff()
    if before is None:
        return []
    query = (
        sa.select(Conversation.id)
        .where(Conversation.last_activity_at < before)
        .order_by(Conversation.last_activity_at, Conversation.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def delete_if_expired(conversation_id: int) -> bool:
    """Delete the conversation, its messages and everything of it, if it is
    still expired; and commit. False when it is not, or is gone already."""
    before = cutoff()
    if before is None:
        return False
    deleted = changes(
        sa.delete(Conversation).where(
            Conversation.id == conversation_id, Conversation.last_activity_at < before
        )
    )
    if deleted:  # its files' rows went with it; their bytes go now
        file_store.store().delete_conversation(conversation_id)
    return deleted
