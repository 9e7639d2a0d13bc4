"""Automatic assignment (the desk setting ``auto_assign``): round robin among
available, enabled, connected agents at a new conversation's first visitor
message; fair, and never twice, with several processes at once."""

import logging
from collections import Counter

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import db
from app.models import Activity, Agent, Conversation
from app.services import autoassign, connections, settings, tokens
from app.services.access import Identity
from tests.conftest import events
from tests.harness.threads import in_threads
from tests.test_events import drain, post

# The head before automatic assignment's turns.
BEFORE_TURNS = "ab52467899a5"


@pytest.fixture
def agents(app, agent):
    """Tess (the ``agent`` fixture), Ben and Cy; all available."""
    team = [agent]
    for name in ("Ben", "Cy"):
        member = Agent(email=f"{name.lower()}@example.com", name=name)
        member.set_password("another horse battery")
        db.session.add(member)
        team.append(member)
    db.session.commit()
    return team


@pytest.fixture
def auto_on(app):
    settings.put(autoassign.SETTING, True)
    db.session.commit()


def connect_agents(connect, team):
    return [connect(token=tokens.issue_token(member)) for member in team]


def assignee_name(conversation_id) -> str | None:
    db.session.rollback()
    conversation = db.session.get(Conversation, conversation_id)
    return conversation.assignee.name if conversation.assignee else None


def first_message(connect, new_visitor, name="Ana"):
    conversation_id, token = new_visitor(name=name)
    visitor = connect(visitor_token=token)
    assert visitor.emit("send_message", {"client_id": "c-1", "body": "Hi"}, callback=True)["ok"]
    return conversation_id, visitor


def test_off_by_default(agents, connect, new_visitor):
    connect_agents(connect, agents)
    conversation_id, _visitor = first_message(connect, new_visitor)
    assert assignee_name(conversation_id) is None


def test_new_chats_go_round_the_agents_in_turn(agents, auto_on, connect, new_visitor):
    inboxes = connect_agents(connect, agents)
    drain(*inboxes)

    chats = [first_message(connect, new_visitor, f"Visitor {n}") for n in range(6)]

    names = [assignee_name(cid) for cid, _visitor in chats]
    assert names == ["Tess", "Ben", "Cy", "Tess", "Ben", "Cy"]
    lines = [line for line in events(inboxes[0], "activity")]
    assert [(line["kind"], line["actor"], line["subject"]) for line in lines[:2]] == [
        ("assigned", None, "Tess"),
        ("assigned", None, "Ben"),
    ]
    _cid, visitor = chats[1]
    assert events(visitor, "chat_state")[-1]["agent"]["name"] == "Ben"


def test_the_next_chat_goes_to_who_least_recently_got_one(agents, auto_on, connect, new_visitor):
    tess, ben, cy = agents
    inboxes = connect_agents(connect, agents)
    first = [first_message(connect, new_visitor)[0] for _ in range(3)]
    assert [assignee_name(cid) for cid in first] == ["Tess", "Ben", "Cy"]
    # Ben goes away for a while: the others take his turns, and he takes the
    # next one when he is back, as the one who waited longest.
    inboxes[1].emit("set_availability", {"available": False}, callback=True)
    away = [first_message(connect, new_visitor)[0] for _ in range(2)]
    inboxes[1].emit("set_availability", {"available": True}, callback=True)
    back = [first_message(connect, new_visitor)[0] for _ in range(3)]

    assert [assignee_name(cid) for cid in away] == ["Tess", "Cy"]
    assert [assignee_name(cid) for cid in back] == ["Ben", "Tess", "Cy"]


def test_only_available_enabled_connected_agents_take_chats(agents, auto_on, connect, new_visitor):
    tess, ben, cy = agents
    tess_inbox, ben_inbox = connect_agents(connect, [tess, ben])  # Cy is not connected
    ben_inbox.emit("set_availability", {"available": False}, callback=True)
    chats = [first_message(connect, new_visitor)[0] for _ in range(2)]
    assert [assignee_name(cid) for cid in chats] == ["Tess", "Tess"]

    tess.disabled = True
    db.session.commit()
    nobody, _visitor = first_message(connect, new_visitor)
    assert assignee_name(nobody) is None


def test_nobody_available_leaves_the_chat_unassigned(agents, auto_on, connect, new_visitor):
    for inbox in connect_agents(connect, agents):
        inbox.emit("set_availability", {"available": False}, callback=True)
    conversation_id, _visitor = first_message(connect, new_visitor)
    assert assignee_name(conversation_id) is None
    db.session.rollback()
    assert db.session.scalars(sa.select(Agent.auto_assigned_at)).all() == [None] * 3


def test_only_the_first_visitor_message_assigns(agents, auto_on, connect, new_visitor):
    tess_inbox, *_others = connect_agents(connect, agents)
    conversation_id, visitor = first_message(connect, new_visitor)
    assert assignee_name(conversation_id) == "Tess"
    assert tess_inbox.emit("unassign", {"conversation_id": conversation_id}, callback=True)["ok"]

    assert visitor.emit("send_message", {"client_id": "c-2", "body": "Hello?"}, callback=True)
    assert assignee_name(conversation_id) is None


def test_an_agent_writing_first_does_not_stop_the_visitors_first_from_assigning(
    agents, auto_on, connect, new_visitor
):
    connect_agents(connect, agents[1:2])  # Ben only
    conversation_id, token = new_visitor()
    post(conversation_id, "agent", "Can I help?")
    visitor = connect(visitor_token=token)

    assert visitor.emit("send_message", {"client_id": "c-1", "body": "Yes"}, callback=True)["ok"]

    assert assignee_name(conversation_id) == "Ben"


def test_a_chat_someone_claimed_first_is_left_alone(agents, auto_on, connect, new_visitor):
    tess_inbox, ben_inbox, _cy = connect_agents(connect, agents)
    conversation_id, token = new_visitor()
    assert ben_inbox.emit("claim", {"conversation_id": conversation_id}, callback=True)["ok"]
    visitor = connect(visitor_token=token)

    assert visitor.emit("send_message", {"client_id": "c-1", "body": "Hi"}, callback=True)["ok"]

    assert assignee_name(conversation_id) == "Ben"
    db.session.rollback()
    # Tess's turn was not spent on it.
    assert db.session.get(Agent, agents[0].id).auto_assigned_at is None


# --- several processes at once ------------------------------------------------------


@pytest.fixture
def connected(app, agents, auto_on):
    """Every agent connected, as rows of another server process."""
    for n, member in enumerate(agents):
        connections.add(f"sid-{n}", Identity.of_agent(member))
    db.session.commit()
    return agents


def test_the_same_chat_is_assigned_once_however_many_try_at_once(app, connected, new_visitor):
    for _round in range(5):
        conversation_id, _token = new_visitor()
        results = in_threads(app, 4, lambda n, cid=conversation_id: autoassign.assign_new(cid))
        assert sum(line is not None for line in results) == 1
        db.session.rollback()
        query = sa.select(sa.func.count()).where(Activity.conversation_id == conversation_id)
        assert db.session.scalar(query) == 1


def test_chats_assigned_at_once_are_shared_out_fairly(app, connected, new_visitor):
    chats = [new_visitor()[0] for _ in range(12)]

    for start in range(0, 12, 3):
        batch = chats[start : start + 3]
        in_threads(app, 3, lambda n, batch=batch: autoassign.assign_new(batch[n]))

    counts = Counter(assignee_name(cid) for cid in chats)
    assert counts == {"Tess": 4, "Ben": 4, "Cy": 4}


# --- the migration -------------------------------------------------------------------


def test_upgrade_gives_agents_no_turn_yet_and_not_connected(app):
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision=BEFORE_TURNS)
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO agents (id, email, name, password_hash, disabled, created_at,"
                " role, available) VALUES (1, 't@example.com', 'Tess', 'x', false,"
                " '2026-01-01', 'admin', false)"
            )
        )

    upgrade()

    # Alembic's logging set-up leaves the app's loggers working.
    assert not logging.getLogger("app.realtime.answers").disabled
    db.session.expire_all()
    tess = db.session.get(Agent, 1)
    assert (tess.name, tess.available, tess.auto_assigned_at, tess.connected) == (
        "Tess",
        False,
        None,
        False,
    )


def test_a_failing_assignment_leaves_the_message_acknowledged(
    agents, auto_on, connect, new_visitor, monkeypatch, caplog
):
    connect_agents(connect, agents)

    def broken(conversation_id):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(autoassign, "assign_new", broken)
    conversation_id, token = new_visitor()
    visitor = connect(visitor_token=token)

    ack = visitor.emit("send_message", {"client_id": "c-1", "body": "Hi"}, callback=True)

    assert ack["ok"] is True
    assert assignee_name(conversation_id) is None
    assert "automatic assignment of conversation" in caplog.text
