"""Automatic assignment of new conversations, round robin (the desk setting
``auto_assign``).

A conversation is assigned at its first visitor message to an agent who is
available, enabled and connected: the one whose last automatic assignment
is the oldest (never comes first). Whose turn it is lives in the database
(``Agent.auto_assigned_at``), and every step is a conditional update, so
several server processes assigning at once neither give a chat twice nor
give two chats on one turn.
"""

import sqlalchemy as sa

from app import db
from app.clock import utcnow
from app.models import Activity, Agent, Connection, Conversation
from app.services import activity, connections, settings

SETTING = "auto_assign"
# Rounds of reading whose turn it is, when other processes took the turns read.
ATTEMPTS = 5


def assign_new(conversation_id: int) -> Activity | None:
    """Assign an unassigned conversation to the agent whose turn it is, when
    the desk assigns automatically; the activity line, or None."""
    if not settings.get(SETTING, False):
        return None
    for _attempt in range(ATTEMPTS):
        candidates = _candidates()
        if not candidates:
            return None
        for candidate in candidates:
            if _take_turn(candidate):
                return _assign(conversation_id, candidate)
    return None


def _candidates() -> list[sa.Row]:
    """Agents who may take a chat now, the one whose turn it is first."""
    connected = sa.exists().where(
        Connection.agent_id == Agent.id, Connection.role == "agent", connections.live()
    )
    query = (
        sa.select(Agent.id, Agent.name, Agent.auto_assigned_at)
        .where(Agent.available.is_(True), Agent.disabled.is_(False), connected)
        .order_by(Agent.auto_assigned_at.is_not(None), Agent.auto_assigned_at, Agent.id)
    )
    return list(db.session.execute(query))


def _take_turn(candidate: sa.Row) -> bool:
    """Move the agent to the back of the queue, unless another process did
    since it was read (or the agent went away); in the open transaction."""
    statement = (
        sa.update(Agent)
        .where(
            Agent.id == candidate.id,
            Agent.auto_assigned_at.is_not_distinct_from(candidate.auto_assigned_at),
            Agent.available.is_(True),
            Agent.disabled.is_(False),
        )
        .values(auto_assigned_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(statement).rowcount:
        return True
    db.session.rollback()
    return False


def _assign(conversation_id: int, agent: sa.Row) -> Activity | None:
    """Give the chat to the agent, if it is still open and nobody's; the
    agent's turn counts only then."""
    statement = (
        sa.update(Conversation)
        .where(
            Conversation.id == conversation_id,
            Conversation.status == "open",
            Conversation.assignee_id.is_(None),
        )
        .values(assignee_id=agent.id)
        .execution_options(synchronize_session=False)
    )
    if not db.session.execute(statement).rowcount:
        db.session.rollback()
        return None
    line = activity.record(conversation_id, "assigned", subject_name=agent.name)
    db.session.commit()
    return line
