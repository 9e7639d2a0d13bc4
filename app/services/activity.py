"""A conversation's activity lines and notes: what agents see between the
messages, and the visitor never does.

Each line sits after the message it followed (``after_seq``), so the inbox
merges it into the timeline in order, while the visitor's messages keep
their gapless seq.
"""

import sqlalchemy as sa

from app import db
from app.models import Activity, Conversation
from app.services import webhooks

_LAST_SEQ = sa.select(Conversation.last_seq).where(Conversation.id == sa.bindparam("cid"))


def record(
    conversation_id: int,
    kind: str,
    agent_id: int | None = None,
    actor_name: str | None = None,
    subject_name: str | None = None,
    body: str | None = None,
    client_id: str | None = None,
) -> Activity:
    """Add a line after the conversation's newest message, in the caller's
    transaction (the caller commits, with whatever the line tells of)."""
    after_seq = db.session.execute(_LAST_SEQ, {"cid": conversation_id}).scalar_one()
    line = Activity(
        conversation_id=conversation_id,
        after_seq=after_seq,
        kind=kind,
        agent_id=agent_id,
        actor_name=actor_name,
        subject_name=subject_name,
        body=body,
        client_id=client_id,
    )
    db.session.add(line)
    db.session.flush()
    webhooks.activity_event(kind, conversation_id, agent_id, actor_name, body)
    return line


def among(conversation_id: int, first_seq: int, last_seq: int) -> list[Activity]:
    """The lines that belong with a page of messages ``first_seq`` to
    ``last_seq``, in the order stored: those after each of its messages, and
    those before the first message or after the newest when the page holds
    it. An empty page (``last_seq < first_seq``) takes every line when the
    conversation has no message yet, and none otherwise."""
    newest = db.session.execute(_LAST_SEQ, {"cid": conversation_id}).scalar_one_or_none()
    if last_seq < first_seq and newest != 0:
        return []
    query = sa.select(Activity).where(Activity.conversation_id == conversation_id)
    if first_seq > 1:
        query = query.where(Activity.after_seq >= first_seq)
    if newest is not None and last_seq < newest:
        query = query.where(Activity.after_seq <= last_seq)
    return list(db.session.scalars(query.order_by(Activity.after_seq, Activity.id)))
