"""Retention: the desk keeps conversations for as many days as admins set,
then deletes them with everything of theirs; 0 keeps them all."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import db
from app.clock import utcnow
from app.models import Activity, Conversation, Message
from app.realtime import background
from app.services import activity, retention, settings, tokens
from app.services.settings import MAX_RETENTION_DAYS
from tests.conftest import events
from tests.test_admin import bearer


@pytest.fixture(autouse=True)
def sweeps_only_by_the_test(monkeypatch):
    """The maintenance loop, which would start with the first socket and
    sweep too, stays off: each test sweeps once, when it says."""
    monkeypatch.setattr(background, "ensure_started", lambda app: None)


def idle_for(conversation_id: int, days: float) -> None:
    db.session.rollback()
    row = db.session.get(Conversation, conversation_id)
    row.last_activity_at = utcnow() - timedelta(days=days)
    db.session.commit()


def keep_for(days: int) -> None:
    settings.put("retention_days", days)
    db.session.commit()


def remaining(model) -> set[int]:
    db.session.rollback()
    column = model.id if model is Conversation else model.conversation_id
    return set(db.session.scalars(sa.select(column)))


@pytest.fixture
def two_chats(new_visitor, connect):
    """An old chat (idle 40 days) with a message and a note, and a fresh one."""
    old, old_token = new_visitor(name="Old")
    fresh, fresh_token = new_visitor(name="Fresh")
    for token in (old_token, fresh_token):
        socket = connect(visitor_token=token)
        assert socket.emit("send_message", {"client_id": "m1", "body": "Hi"}, callback=True)["ok"]
    activity.record(old, "note", None, "Tess", None, "called them back")
    db.session.commit()
    idle_for(old, 40)
    return old, fresh


def test_nothing_is_deleted_while_retention_is_off(app, two_chats):
    assert background.delete_expired(app) == []
    assert remaining(Conversation) == set(two_chats)


def test_conversations_idle_past_the_retention_are_deleted_with_everything(
    app, two_chats, connect, agent_token
):
    old, fresh = two_chats
    inbox = connect(token=agent_token)
    keep_for(30)

    assert background.delete_expired(app) == [old]

    assert remaining(Conversation) == {fresh}
    assert remaining(Message) == {fresh}
    assert remaining(Activity) == set()
    assert events(inbox, "conversation_deleted") == [{"conversation_id": old}]


def test_a_chat_idle_less_than_the_retention_is_kept(app, two_chats):
    old, fresh = two_chats
    keep_for(41)

    assert background.delete_expired(app) == []
    assert remaining(Conversation) == {old, fresh}


def test_the_visitor_of_a_deleted_chat_is_disconnected(app, new_visitor, connect):
    cid, token = new_visitor()
    visitor = connect(visitor_token=token)
    idle_for(cid, 3)
    keep_for(2)

    background.delete_expired(app)

    assert not visitor.is_connected()


def test_a_message_after_the_sweep_looked_keeps_the_chat(app, two_chats):
    """A chat that became active between the sweep's query and its delete stays."""
    old, fresh = two_chats
    keep_for(30)

    found = retention.expired_ids()
    idle_for(old, 0)

    assert found == [old]
    assert retention.delete_if_expired(old) is False
    assert remaining(Conversation) == {old, fresh}


def test_admins_set_the_retention_within_its_bounds(client, agent):
    agent.role = "admin"
    db.session.commit()
    admin_token = tokens.issue_token(agent)
    for days in (0, 1, 30, MAX_RETENTION_DAYS):
        response = client.patch(
            "/api/v1/settings", json={"retention_days": days}, headers=bearer(admin_token)
        )
        assert response.status_code == 200
        assert response.json["settings"]["retention_days"] == days

    for bad in (-1, MAX_RETENTION_DAYS + 1, 1.5, "30", None, True):
        response = client.patch(
            "/api/v1/settings", json={"retention_days": bad}, headers=bearer(admin_token)
        )
        assert response.status_code == 400, bad
        assert response.json["error"]["code"] == "invalid"
    assert settings.get("retention_days") == MAX_RETENTION_DAYS

    agent.role = "agent"  # a plain agent may read the setting, not change it
    db.session.commit()
    refused = client.patch(
        "/api/v1/settings", json={"retention_days": 1}, headers=bearer(admin_token)
    )
    assert refused.status_code == 403
