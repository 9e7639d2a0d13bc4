"""Who answers a conversation: claim it, assign it to another agent, unassign it.

Each change is one conditional update of the conversation and an activity
line, committed together. A request that changes nothing (a retry, or two
agents clicking the same button at once) records nothing and answers as
done.
"""

import sqlalchemy as sa

from app import db
from app.errors import ChatError
from app.models import Activity, Agent, Conversation
from app.schemas import MAX_INT
from app.services import activity
from app.services.access import Identity
from app.services.conversations import refuse_unless_open

# How often unassign re-reads an assignee that changed under it.
UNASSIGN_ATTEMPTS = 3


def assignable_agent(agent_id: int) -> Agent:
    """The agent a chat may be assigned to: ``not_found`` for an unknown
    agent, ``invalid`` for a disabled one."""
    agent = db.session.get(Agent, agent_id) if 1 <= agent_id <= MAX_INT else None
    if agent is None:
        raise ChatError("not_found", "no such agent")
    if agent.disabled:
        raise ChatError("invalid", "that agent is disabled")
    return agent


def assign(conversation_id: int, assignee_id: int, by: Identity) -> Activity | None:
    """Assign the chat to an enabled agent (``by`` may name themself: a claim).

    Returns the activity line, or None when it was assigned to them already.
    A chat the visitor ended answers ``conflict``.
    """
    assignee = assignable_agent(assignee_id)
    enabled = sa.exists().where(Agent.id == assignee_id, Agent.disabled.is_(False))
    changed = _changed(
        sa.update(Conversation)
        .where(
            Conversation.id == conversation_id,
            Conversation.status == "open",
            Conversation.assignee_id.is_distinct_from(assignee_id),
            enabled,
        )
        .values(assignee_id=assignee_id)
    )
    if not changed:
        db.session.rollback()
        refuse_unless_open(conversation_id)
        assignable_agent(assignee_id)  # disabled meanwhile
        return None
    line = activity.record(conversation_id, "assigned", by.agent_id, by.name, assignee.name)
    db.session.commit()
    return line


def unassign(conversation_id: int, by: Identity) -> Activity | None:
    """Leave the chat to nobody; the activity line names who had it.

    Returns None when nobody had it. A chat the visitor ended answers
    ``conflict``.
    """
    for _attempt in range(UNASSIGN_ATTEMPTS):
        refuse_unless_open(conversation_id)
        previous = _assignee_of(conversation_id)
        if previous is None:
            return None
        changed = _changed(
            sa.update(Conversation)
            .where(
                Conversation.id == conversation_id,
                Conversation.status == "open",
                Conversation.assignee_id == previous.id,
            )
            .values(assignee_id=None)
        )
        if changed:
            line = activity.record(
                conversation_id, "unassigned", by.agent_id, by.name, previous.name
            )
            db.session.commit()
            return line
        db.session.rollback()  # reassigned meanwhile: read it again
    raise ChatError("conflict", "the chat was reassigned meanwhile; try again")


def _assignee_of(conversation_id: int) -> sa.Row | None:
    query = (
        sa.select(Agent.id, Agent.name)
        .join(Conversation, Conversation.assignee_id == Agent.id)
        .where(Conversation.id == conversation_id)
    )
    return db.session.execute(query).first()


def _changed(statement: sa.Update) -> bool:
    """Run a conditional update in the open transaction; True if it changed a row."""
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return bool(result.rowcount)
