"""Typing refreshes kept in memory: the row is written at start, at end and
when its lease runs short; the state still ends one timeout after the last
refresh, and a process that never saw the typist ends it at the lease."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import db
from app.errors import ChatError
from app.models import Conversation
from app.services import conversations, typing
from tests.harness.statements import statements_of

TIMEOUT = 6.0


@pytest.fixture
def clock(app, typing_clock):
    app.config["CHAT_TYPING_TIMEOUT"] = TIMEOUT
    return typing_clock


@pytest.fixture
def conversation_id(app):
    conversation, _token = conversations.create_conversation(name="Ana")
    return conversation.id


def deadline(conversation_id, side="visitor"):
    column = getattr(Conversation, f"{side}_typing_until")
    return db.session.scalar(sa.select(column).where(Conversation.id == conversation_id))


def writes_while(action) -> int:
    """How many statements ``action`` sent to the database."""
    return len(statements_of(action))


def ended_now() -> list[tuple[int, str]]:
    return [(ended.conversation_id, ended.side) for ended in typing.expire_typing()]


@pytest.mark.parametrize("side", ["visitor", "agent"])
def test_refreshes_every_two_seconds_write_once_per_lease(clock, conversation_id, side):
    assert typing.set_typing(conversation_id, side, True, "Tess") is True
    first = deadline(conversation_id, side)
    writing = []
    for _refresh in range(9):  # 18 s of typing
        clock(2)
        sent = writes_while(lambda: typing.set_typing(conversation_id, side, True, "Tess"))
        writing.append(sent > 0)
        assert ended_now() == []

    # The lease (12 s) is moved on when less than 6 s are left: at 8 s and
    # 16 s. The seven refreshes in between write nothing.
    assert writing == [False, False, False, True, False, False, False, True, False]
    assert deadline(conversation_id, side) == first + timedelta(seconds=16)


def test_the_state_ends_one_timeout_after_the_last_refresh(clock, conversation_id):
    typing.set_typing(conversation_id, "visitor", True, "Ana")
    clock(4)
    typing.set_typing(conversation_id, "visitor", True, "Ana")  # in memory only

    clock(5.5)
    assert ended_now() == []  # 5.5 s after the last refresh
    clock(0.5)
    assert ended_now() == [(conversation_id, "visitor")]
    assert deadline(conversation_id) is None
    assert ended_now() == []


def test_typing_after_an_end_starts_a_new_state(clock, conversation_id):
    typing.set_typing(conversation_id, "visitor", True, "Ana")
    assert typing.set_typing(conversation_id, "visitor", False, "Ana") is True
    clock(1)
    assert typing.set_typing(conversation_id, "visitor", True, "Ana") is True


def test_a_message_ends_the_state_and_the_next_typing_starts_it(clock, conversation_id):
    from app.services import messages

    typing.set_typing(conversation_id, "visitor", True, "Ana")
    posted = messages.post_message(conversation_id, "visitor", "Ana", "c-1", "Hi")
    assert posted.typing_ended is True
    clock(1)
    assert typing.set_typing(conversation_id, "visitor", True, "Ana") is True


def test_another_process_ends_a_state_at_its_lease(app, clock, conversation_id):
    typing.set_typing(conversation_id, "visitor", True, "Ana")
    app.extensions["typing_leases"] = typing.Leases()  # a process that never saw it

    clock(TIMEOUT + 1)
    assert ended_now() == []  # its refreshes may be going to the first process
    clock(TIMEOUT)
    assert ended_now() == [(conversation_id, "visitor")]


def test_a_lease_moved_on_elsewhere_is_not_ended_here(clock, conversation_id):
    typing.set_typing(conversation_id, "visitor", True, "Ana")
    later = deadline(conversation_id) + timedelta(seconds=5)
    db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(visitor_typing_until=later)
    )
    db.session.commit()  # another process's refresh

    clock(TIMEOUT)
    assert ended_now() == []
    assert deadline(conversation_id) == later


def test_a_refresh_in_an_ended_chat_is_refused_again(app, clock, conversation_id):
    typing.set_typing(conversation_id, "agent", True, "Tess")
    conversations.end_conversation(conversation_id)
    for side in ("visitor", "agent"):
        typing.forget(conversation_id, side)

    clock(1)
    with pytest.raises(ChatError) as refused:
        typing.set_typing(conversation_id, "agent", True, "Tess")
    assert refused.value.code == "conflict"
