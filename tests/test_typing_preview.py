"""Live typing previews: off by default (refused, nothing sent); when an
admin turns them on, the agents who have the chat open see the visitor's
unsent text, nobody else does, and nothing is stored."""

import pytest
import sqlalchemy as sa

from app import db
from app.models import Conversation, Message
from app.services import settings
from tests.test_events import drain, error_code
from tests.test_lifecycle import received


@pytest.fixture
def chat(new_visitor, connect, agent_token):
    """A visitor's socket, an agent watching the chat, and one who is not."""
    cid, token = new_visitor(name="Ana")
    visitor = connect(visitor_token=token)
    watching, elsewhere = connect(token=agent_token), connect(token=agent_token)
    assert watching.emit("join", {"conversation_id": cid}, callback=True)["ok"]
    drain(visitor, watching, elsewhere)
    return {"id": cid, "visitor": visitor, "watching": watching, "elsewhere": elsewhere}


def turn_on() -> None:
    settings.change({"typing_preview": True})


def preview(socket, text):
    return socket.emit("typing_preview", {"text": text}, callback=True)


def test_previews_are_off_by_default_and_nothing_is_sent(chat):
    assert settings.current()["typing_preview"] is False
    assert error_code(preview(chat["visitor"], "my password is")) == "forbidden"
    assert "typing_preview" not in received(chat["watching"])


def test_when_on_only_the_agents_watching_see_the_unsent_text(chat):
    turn_on()
    assert preview(chat["visitor"], "Where is my ord") == {"ok": True}
    assert preview(chat["visitor"], "") == {"ok": True}  # cleared: the box is empty

    assert received(chat["watching"])["typing_preview"] == [
        {"conversation_id": chat["id"], "text": "Where is my ord"},
        {"conversation_id": chat["id"], "text": ""},
    ]
    assert "typing_preview" not in received(chat["elsewhere"])
    assert "typing_preview" not in received(chat["visitor"])


def test_a_preview_is_never_stored(chat):
    turn_on()
    before = db.session.execute(sa.select(Conversation.__table__)).all()
    assert preview(chat["visitor"], "secret draft")["ok"]

    db.session.rollback()
    assert db.session.execute(sa.select(Conversation.__table__)).all() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0


def test_turning_previews_off_stops_them_at_once(chat):
    turn_on()
    assert preview(chat["visitor"], "a")["ok"]
    settings.change({"typing_preview": False})
    assert error_code(preview(chat["visitor"], "ab")) == "forbidden"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "invalid"),
        ({"text": 5}, "invalid"),
        ({"text": "a\x00"}, "invalid"),
        ({"text": "x" * 20_001}, "invalid"),
        ({"text": "x" * 5001}, "too_large"),
    ],
)
def test_bad_previews_are_refused(chat, payload, code):
    turn_on()
    ack = chat["visitor"].emit("typing_preview", payload, callback=True)
    assert error_code(ack) == code
    assert "typing_preview" not in received(chat["watching"])


def test_agents_send_no_previews(chat):
    turn_on()
    ack = chat["watching"].emit(
        "typing_preview", {"conversation_id": chat["id"], "text": "hi"}, callback=True
    )
    assert error_code(ack) == "forbidden"


def test_previews_are_rate_limited(chat, app):
    app.config["CHAT_TYPING_PREVIEW_RATE"] = "3 per minute"
    turn_on()
    codes = [preview(chat["visitor"], "x" * n).get("error", {}).get("code") for n in range(4)]
    assert codes == [None, None, None, "rate_limited"]
