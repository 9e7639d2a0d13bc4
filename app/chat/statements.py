"""The SQL of the hot path, written once and reused for every event.

Building a SQLAlchemy statement costs more than running it on SQLite, so the
statements each message and receipt needs are prepared here, as text that
both SQLite and PostgreSQL accept. Column names come only from the fixed
names below, never from input.
"""

import sqlalchemy as sa

SIDES = ("visitor", "agent")

MESSAGE_COLUMNS = {
    "id": sa.Integer,
    "conversation_id": sa.Integer,
    "seq": sa.Integer,
    "client_id": sa.String,
    "sender": sa.String,
    "author_name": sa.String,
    "body": sa.Text,
    "created_at": sa.DateTime,
    "delivered_at": sa.DateTime,
    "seen_at": sa.DateTime,
}


def _now(statement: str) -> sa.TextClause:
    """A statement whose ``:now`` is bound as a DateTime, stored as the ORM stores it."""
    return sa.text(statement).bindparams(sa.bindparam("now", type_=sa.DateTime))


NEXT_SEQ = _now(
    "UPDATE conversations"
    " SET last_seq = last_seq + 1, last_activity_at = :now,"
    " unread_count = unread_count + :unread"
    " WHERE id = :cid AND status = 'open'"
    " RETURNING last_seq, visitor_typing_until, agent_typing_until"
)

INSERT_MESSAGE = _now(
    "INSERT INTO messages"
    " (conversation_id, seq, client_id, sender, author_name, body, created_at)"
    " VALUES (:cid, :seq, :client_id, :sender, :author_name, :body, :now)"
    " RETURNING id"
)

FIND_MESSAGE = sa.text(
    f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM messages"
    " WHERE conversation_id = :cid AND sender = :sender AND client_id = :client_id"
).columns(**MESSAGE_COLUMNS)

CLEAR_TYPING = {
    side: sa.text(
        f"UPDATE conversations SET {side}_typing_until = NULL"
        f" WHERE id = :cid AND {side}_typing_until IS NOT NULL"
    )
    for side in SIDES
}

RECEIPT_MARKS = {
    side: sa.text(
        f"SELECT {side}_delivered_seq, {side}_seen_seq, last_seq FROM conversations WHERE id = :cid"
    )
    for side in SIDES
}


def _raise_marks(side: str, status: str) -> sa.TextClause:
    columns = [f"{side}_delivered_seq"] + ([f"{side}_seen_seq"] if status == "seen" else [])
    assignments = ", ".join(
        f"{column} = CASE WHEN {column} < :up THEN :up ELSE {column} END" for column in columns
    )
    return sa.text(f"UPDATE conversations SET {assignments} WHERE id = :cid")


RAISE_MARKS = {
    (side, status): _raise_marks(side, status) for side in SIDES for status in ("delivered", "seen")
}

# Messages above the old mark and up to the new one; below the old mark all
# are marked already, so a receipt touches only the rows it changes.
MARK_DELIVERED = _now(
    "UPDATE messages SET delivered_at = :now"
    " WHERE conversation_id = :cid AND sender = :sender"
    " AND seq > :old AND seq <= :up AND delivered_at IS NULL"
)
MARK_SEEN = _now(
    "UPDATE messages SET seen_at = :now"
    " WHERE conversation_id = :cid AND sender = :sender"
    " AND seq > :old AND seq <= :up AND seen_at IS NULL"
)
# Every visitor message up to the agents' seen mark is seen; the rest are not.
RECOUNT_UNREAD = sa.text(
    "UPDATE conversations SET unread_count = ("
    " SELECT count(*) FROM messages"
    " WHERE conversation_id = :cid AND sender = 'visitor' AND seq > :up)"
    " WHERE id = :cid"
)

CONVERSATION_COLUMNS = {
    "id": sa.Integer,
    "visitor_name": sa.String,
    "visitor_email": sa.String,
    "page_url": sa.String,
    "status": sa.String,
    "created_at": sa.DateTime,
    "last_activity_at": sa.DateTime,
    "last_seq": sa.Integer,
    "unread_count": sa.Integer,
    "visitor_online": sa.Boolean,
    "visitor_typing_until": sa.DateTime,
}

CONVERSATION = sa.text(
    f"SELECT {', '.join(CONVERSATION_COLUMNS)} FROM conversations WHERE id = :cid"
).columns(**CONVERSATION_COLUMNS)

MESSAGE_AT = sa.text(
    f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM messages WHERE conversation_id = :cid AND seq = :seq"
).columns(**MESSAGE_COLUMNS)
