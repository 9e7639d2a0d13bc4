"""The chat's rules, without sockets: messages, receipts, unread, history, typing."""

import re
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app import db
from app.clock import utcnow
from app.errors import ChatError
from app.models import Activity, Conversation, Message
from app.realtime import payloads
from app.services import conversations, history, messages, receipts, typing
from tests import message_bodies

ISO_UTC_MS = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"
LONG_AGO = datetime(2020, 1, 1)


@pytest.fixture
def conversation_id(app):
    conversation, _token = conversations.create_conversation(name="Ana")
    return conversation.id


def post(conversation_id, sender="visitor", body="hello", client_id=None):
    """Post a message; a fresh client_id unless one is given."""
    client_id = client_id or f"c-{time.monotonic_ns()}"
    name = "Ana" if sender == "visitor" else "Tess"
    return messages.post_message(conversation_id, sender, name, client_id, body)


def fresh_conversation(conversation_id) -> Conversation:
    """The conversation as stored now."""
    return db.session.get(Conversation, conversation_id)


def stored_messages(conversation_id) -> list[Message]:
    query = sa.select(Message).where(Message.conversation_id == conversation_id)
    return list(db.session.scalars(query.order_by(Message.seq)))


def statuses(conversation_id) -> list[str]:
    return [payloads.message_status(m) for m in stored_messages(conversation_id)]


def message_states(conversation_id) -> list[tuple]:
    return [(m.seq, m.sender, m.delivered_at, m.seen_at) for m in stored_messages(conversation_id)]


def summary_of(conversation_id) -> dict:
    return payloads.summary(history.summary(conversation_id))


def inbox(limit=50) -> list[dict]:
    return [payloads.summary(s) for s in history.inbox(limit)]


def history_page(*args, **query) -> tuple[list, bool]:
    found = history.page(*args, **query)
    return found.messages, found.has_more


def expired() -> list[tuple[int, str]]:
    return [(ended.conversation_id, ended.side) for ended in typing.expire_typing()]


def unread(conversation_id) -> int:
    return summary_of(conversation_id)["unread"]


# --- conversations and visitor tokens ---------------------------------------


def test_create_conversation_token_finds_only_its_conversation(app):
    first, first_token = conversations.create_conversation(name="Ana")
    second, second_token = conversations.create_conversation()

    assert conversations.conversation_for_token(first_token).id == first.id
    assert conversations.conversation_for_token(second_token).id == second.id
    assert first_token != second_token


def test_visitor_token_is_not_stored_in_clear(app):
    conversation, token = conversations.create_conversation()

    assert token not in fresh_conversation(conversation.id).visitor_token_hash


@pytest.mark.parametrize("token", [None, "", "forged", 42, ["x"], "x" * 201])
def test_conversation_for_token_rejects_anything_but_a_real_token(app, token):
    conversations.create_conversation()

    assert conversations.conversation_for_token(token) is None


def test_empty_visitor_details_are_stored_as_missing(app):
    conversation, _token = conversations.create_conversation(name="", email="", page_url="")

    visitor = summary_of(conversation.id)["visitor"]
    assert visitor == {"name": None, "email": None}


# --- post_message -------------------------------------------------------------


def test_post_message_stores_trimmed_body_with_first_seq(conversation_id):
    posted = post(conversation_id, body="  \n Hello there \t ")

    assert posted.created
    message = payloads.message(posted.message)
    assert message["body"] == "Hello there"
    assert message["seq"] == 1
    assert message["sender"] == "visitor"
    assert message["author"] == {"name": "Ana"}
    assert message["status"] == "sent"
    assert message["delivered_at"] is None and message["seen_at"] is None
    assert [m.body for m in stored_messages(conversation_id)] == ["Hello there"]


def assert_refused_and_nothing_stored(conversation_id, body, code):
    with pytest.raises(ChatError) as error:
        post(conversation_id, body=body)

    assert error.value.code == code
    db.session.rollback()
    assert stored_messages(conversation_id) == []
    assert fresh_conversation(conversation_id).last_seq == 0


@pytest.mark.parametrize("body", message_bodies.BLANK.values(), ids=message_bodies.BLANK)
def test_post_message_with_blank_body_is_invalid_and_stores_nothing(conversation_id, body):
    assert_refused_and_nothing_stored(conversation_id, body, "invalid")


@pytest.mark.parametrize(
    ("body", "stored"), message_bodies.SENDABLE.values(), ids=message_bodies.SENDABLE
)
def test_post_message_stores_what_is_not_blank_trimmed(conversation_id, body, stored):
    posted = post(conversation_id, body=body)

    assert posted.created and posted.message.body == stored
    assert [m.body for m in stored_messages(conversation_id)] == [stored]


@pytest.mark.parametrize("body", message_bodies.TOO_LONG.values(), ids=message_bodies.TOO_LONG)
def test_post_message_counts_length_in_code_points(conversation_id, body):
    assert_refused_and_nothing_stored(conversation_id, body, "too_large")


def test_post_message_over_the_limit_is_too_large_and_stores_nothing(app, conversation_id):
    limit = app.config["CHAT_MAX_BODY_CHARS"]

    with pytest.raises(ChatError) as error:
        post(conversation_id, body="x" * (limit + 1))

    assert error.value.code == "too_large"
    db.session.rollback()
    assert stored_messages(conversation_id) == []


@pytest.mark.parametrize("padding", ["", "   ", "\n\n"])
def test_post_message_of_exactly_the_limit_once_trimmed_is_stored(app, conversation_id, padding):
    limit = app.config["CHAT_MAX_BODY_CHARS"]
    body = "x" * limit

    posted = post(conversation_id, body=padding + body + padding)

    assert posted.created and posted.message.body == body


def test_max_body_chars_comes_from_config(app, conversation_id):
    app.config["CHAT_MAX_BODY_CHARS"] = 10

    assert post(conversation_id, body="x" * 10).created
    with pytest.raises(ChatError) as error:
        post(conversation_id, body="x" * 11)
    assert error.value.code == "too_large"


def test_post_message_to_missing_conversation_is_not_found(app):
    with pytest.raises(ChatError) as error:
        post(999)

    assert error.value.code == "not_found"


def test_retry_with_same_client_id_returns_stored_message_and_stores_nothing(conversation_id):
    first = post(conversation_id, body="Hello", client_id="c-1")

    retry = post(conversation_id, body="Hello again?", client_id="c-1")

    assert first.created and not retry.created
    assert retry.message.id == first.message.id
    assert payloads.message(retry.message)["body"] == "Hello"
    assert retry.message.seq == 1
    assert len(stored_messages(conversation_id)) == 1
    assert fresh_conversation(conversation_id).last_seq == 1
    assert unread(conversation_id) == 1
    assert post(conversation_id, client_id="c-2").message.seq == 2


def test_same_client_id_from_visitor_and_agent_is_two_messages(conversation_id):
    from_visitor = post(conversation_id, "visitor", "Hi", client_id="same")
    from_agent = post(conversation_id, "agent", "Hello Ana", client_id="same")

    assert from_visitor.created and from_agent.created
    assert from_visitor.message.id != from_agent.message.id
    assert [(m.seq, m.sender, m.body) for m in stored_messages(conversation_id)] == [
        (1, "visitor", "Hi"),
        (2, "agent", "Hello Ana"),
    ]


def test_same_client_id_in_two_conversations_is_two_messages(app):
    first, _ = conversations.create_conversation()
    second, _ = conversations.create_conversation()

    assert post(first.id, client_id="c-1").created
    assert post(second.id, client_id="c-1").created
    assert post(second.id, client_id="c-1").created is False


def test_seq_counts_from_one_without_gaps_across_senders_rejections_and_retries(
    conversation_id,
):
    for number in range(1, 11):
        post(conversation_id, "agent" if number % 3 == 0 else "visitor", client_id=f"c-{number}")
        with pytest.raises(ChatError):
            post(conversation_id, body="   ")
        db.session.rollback()
        post(conversation_id, client_id="c-1")  # a retry

    assert [m.seq for m in stored_messages(conversation_id)] == list(range(1, 11))
    assert fresh_conversation(conversation_id).last_seq == 10


def test_seq_is_per_conversation(app):
    first, _ = conversations.create_conversation()
    second, _ = conversations.create_conversation()

    post(first.id)
    post(first.id)
    assert post(second.id).message.seq == 1
    assert post(first.id).message.seq == 3


def test_created_at_is_iso_utc_with_milliseconds(conversation_id):
    message = payloads.message(post(conversation_id).message)

    assert message["created_at"] is not None
    assert re.match(ISO_UTC_MS, message["created_at"])


# --- apply_receipt ------------------------------------------------------------


def test_receipt_marks_only_the_other_sides_messages(conversation_id):
    post(conversation_id, "visitor")
    post(conversation_id, "visitor")
    post(conversation_id, "agent")

    applied = receipts.apply_receipt(conversation_id, "agent", "delivered", 3)

    assert applied is not None
    statuses = [(m.sender, payloads.message_status(m)) for m in stored_messages(conversation_id)]
    assert statuses == [("visitor", "delivered"), ("visitor", "delivered"), ("agent", "sent")]


def test_receipt_answer_says_who_what_and_how_far(conversation_id):
    post(conversation_id, "agent")
    post(conversation_id, "agent")

    applied = receipts.apply_receipt(conversation_id, "visitor", "delivered", 2)

    payload = payloads.receipt(applied)
    assert payload["conversation_id"] == conversation_id
    assert payload["status"] == "delivered"
    assert payload["up_to_seq"] == 2
    assert payload["by"] == "visitor"
    assert re.match(ISO_UTC_MS, payload["at"])


def test_receipt_covers_only_messages_up_to_seq(conversation_id):
    for _ in range(3):
        post(conversation_id, "visitor")

    receipts.apply_receipt(conversation_id, "agent", "seen", 2)

    assert statuses(conversation_id) == ["seen", "seen", "sent"]


def test_delivered_then_seen(conversation_id):
    post(conversation_id, "agent")

    receipts.apply_receipt(conversation_id, "visitor", "delivered", 1)
    [message] = stored_messages(conversation_id)
    assert payloads.message_status(message) == "delivered" and message.seen_at is None

    applied = receipts.apply_receipt(conversation_id, "visitor", "seen", 1)
    [message] = stored_messages(conversation_id)
    assert applied is not None and applied.status == "seen"
    assert payloads.message_status(message) == "seen"


def test_seen_implies_delivered(conversation_id):
    post(conversation_id, "visitor")

    receipts.apply_receipt(conversation_id, "agent", "seen", 1)

    [message] = stored_messages(conversation_id)
    assert message.delivered_at is not None and message.seen_at is not None
    assert payloads.message(message)["status"] == "seen"
    assert fresh_conversation(conversation_id).agent_delivered_seq == 1


def _backdate_receipts(conversation_id):
    db.session.execute(
        sa.update(Message)
        .where(Message.conversation_id == conversation_id, Message.delivered_at.is_not(None))
        .values(delivered_at=LONG_AGO)
    )
    db.session.execute(
        sa.update(Message)
        .where(Message.conversation_id == conversation_id, Message.seen_at.is_not(None))
        .values(seen_at=LONG_AGO)
    )
    db.session.commit()


def test_first_delivered_time_stands_when_seen_later(conversation_id):
    post(conversation_id, "visitor")
    receipts.apply_receipt(conversation_id, "agent", "delivered", 1)
    _backdate_receipts(conversation_id)

    receipts.apply_receipt(conversation_id, "agent", "seen", 1)

    [message] = stored_messages(conversation_id)
    assert message.delivered_at == LONG_AGO
    assert message.seen_at is not None and message.seen_at > LONG_AGO


@pytest.mark.parametrize("status", ["delivered", "seen"])
def test_repeated_receipt_changes_no_time_and_returns_none(conversation_id, status):
    post(conversation_id, "visitor")
    assert receipts.apply_receipt(conversation_id, "agent", "seen", 1) is not None
    _backdate_receipts(conversation_id)

    assert receipts.apply_receipt(conversation_id, "agent", status, 1) is None

    [message] = stored_messages(conversation_id)
    assert message.delivered_at == LONG_AGO and message.seen_at == LONG_AGO


def test_receipt_high_water_mark_never_goes_down(conversation_id):
    for _ in range(3):
        post(conversation_id, "visitor")
    receipts.apply_receipt(conversation_id, "agent", "seen", 3)

    assert receipts.apply_receipt(conversation_id, "agent", "seen", 1) is None
    assert receipts.apply_receipt(conversation_id, "agent", "delivered", 2) is None

    conversation = fresh_conversation(conversation_id)
    assert conversation.agent_seen_seq == 3 and conversation.agent_delivered_seq == 3
    post(conversation_id, "visitor")
    post(conversation_id, "visitor")
    applied = receipts.apply_receipt(conversation_id, "agent", "delivered", 5)
    assert applied.up_to_seq == 5
    assert statuses(conversation_id) == ["seen"] * 3 + ["delivered"] * 2


def test_lower_seen_after_higher_delivered_reports_the_seen_mark(conversation_id):
    for _ in range(3):
        post(conversation_id, "agent")
    receipts.apply_receipt(conversation_id, "visitor", "delivered", 3)

    applied = receipts.apply_receipt(conversation_id, "visitor", "seen", 2)

    assert applied.status == "seen" and applied.up_to_seq == 2
    assert statuses(conversation_id) == ["seen", "seen", "delivered"]


@pytest.mark.parametrize(
    ("by", "status", "up_to_seq"),
    [
        ("agent", "seen", 0),  # covers nothing
        ("agent", "delivered", 0),
        ("visitor", "seen", 2),  # only the visitor's own messages
        ("visitor", "delivered", 2),
    ],
)
def test_receipt_that_changes_nothing_returns_none(conversation_id, by, status, up_to_seq):
    post(conversation_id, "visitor")
    post(conversation_id, "visitor")

    assert receipts.apply_receipt(conversation_id, by, status, up_to_seq) is None

    assert statuses(conversation_id) == ["sent", "sent"]


@pytest.mark.parametrize("status", ["delivered", "seen"])
@pytest.mark.parametrize("messages", [0, 2])
def test_receipt_beyond_last_seq_is_invalid_and_changes_nothing(conversation_id, status, messages):
    for _ in range(messages):
        post(conversation_id, "visitor")
    before = message_states(conversation_id)
    marks_before = _marks(conversation_id)

    with pytest.raises(ChatError) as error:
        receipts.apply_receipt(conversation_id, "agent", status, messages + 1)

    assert error.value.code == "invalid"
    db.session.rollback()
    assert message_states(conversation_id) == before
    assert _marks(conversation_id) == marks_before
    assert unread(conversation_id) == messages


def _marks(conversation_id):
    conversation = fresh_conversation(conversation_id)
    return (
        conversation.visitor_delivered_seq,
        conversation.visitor_seen_seq,
        conversation.agent_delivered_seq,
        conversation.agent_seen_seq,
    )


def test_receipt_for_missing_conversation_is_not_found(app):
    with pytest.raises(ChatError) as error:
        receipts.apply_receipt(999, "agent", "seen", 0)

    assert error.value.code == "not_found"


# --- unread -------------------------------------------------------------------


def test_visitor_messages_count_as_unread_agent_messages_do_not(conversation_id):
    post(conversation_id, "visitor")
    post(conversation_id, "visitor")
    post(conversation_id, "agent")

    assert unread(conversation_id) == 2


def test_agent_seen_receipt_resets_unread(conversation_id):
    for _ in range(3):
        post(conversation_id, "visitor")

    receipts.apply_receipt(conversation_id, "agent", "delivered", 3)
    assert unread(conversation_id) == 3

    receipts.apply_receipt(conversation_id, "agent", "seen", 2)
    assert unread(conversation_id) == 1

    receipts.apply_receipt(conversation_id, "agent", "seen", 3)
    assert unread(conversation_id) == 0

    post(conversation_id, "visitor")
    assert unread(conversation_id) == 1


def test_visitor_seen_receipt_does_not_touch_unread(conversation_id):
    post(conversation_id, "visitor")
    post(conversation_id, "agent")

    receipts.apply_receipt(conversation_id, "visitor", "seen", 2)

    assert unread(conversation_id) == 1


# --- history ------------------------------------------------------------------


@pytest.fixture
def seven_messages(conversation_id):
    for number in range(1, 8):
        post(conversation_id, "visitor" if number % 2 else "agent", f"m{number}")
    other, _ = conversations.create_conversation()
    post(other.id, body="elsewhere")
    return conversation_id


@pytest.mark.parametrize(
    ("query", "seqs", "has_more"),
    [
        ({}, [1, 2, 3, 4, 5, 6, 7], False),
        ({"limit": 3}, [5, 6, 7], True),
        ({"limit": 7}, [1, 2, 3, 4, 5, 6, 7], False),
        ({"limit": 6}, [2, 3, 4, 5, 6, 7], True),
        ({"before_seq": 5, "limit": 3}, [2, 3, 4], True),
        ({"before_seq": 4, "limit": 3}, [1, 2, 3], False),
        ({"before_seq": 2, "limit": 3}, [1], False),
        ({"before_seq": 1}, [], False),
        ({"before_seq": 100, "limit": 2}, [6, 7], True),
        ({"after_seq": 0, "limit": 3}, [1, 2, 3], True),
        ({"after_seq": 4, "limit": 3}, [5, 6, 7], False),
        ({"after_seq": 3, "limit": 3}, [4, 5, 6], True),
        ({"after_seq": 6}, [7], False),
        ({"after_seq": 7}, [], False),
        ({"after_seq": 0, "limit": 100}, [1, 2, 3, 4, 5, 6, 7], False),
    ],
)
def test_history_pages(seven_messages, query, seqs, has_more):
    messages, more = history_page(seven_messages, **query)

    assert [m.seq for m in messages] == seqs
    assert more is has_more
    assert {m.conversation_id for m in messages} <= {seven_messages}


def test_history_default_page_is_fifty_newest(conversation_id):
    for number in range(1, 53):
        post(conversation_id, body=f"m{number}")

    messages, has_more = history_page(conversation_id)

    assert [m.seq for m in messages] == list(range(3, 53))
    assert has_more is True


def test_history_of_empty_conversation(conversation_id):
    assert history_page(conversation_id) == ([], False)
    assert history_page(conversation_id, after_seq=0) == ([], False)


def test_history_pages_join_up_without_gaps_or_repeats(seven_messages):
    seen = []
    before = None
    while True:
        page, has_more = history_page(seven_messages, before_seq=before, limit=2)
        seen = [m.seq for m in page] + seen
        if not has_more:
            break
        before = page[0].seq

    assert seen == list(range(1, 8))


# --- typing -------------------------------------------------------------------


def typing_until(conversation_id, side):
    return getattr(fresh_conversation(conversation_id), f"{side}_typing_until")


def set_typing_until(conversation_id, side, moment):
    db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id)
        .values({f"{side}_typing_until": moment})
    )
    db.session.commit()


@pytest.mark.parametrize("side", ["visitor", "agent"])
def test_typing_starts_refreshes_and_ends(conversation_id, side):
    assert typing.set_typing(conversation_id, side, True, "Tess") is True
    first_deadline = typing_until(conversation_id, side)
    assert first_deadline is not None

    time.sleep(0.002)
    assert typing.set_typing(conversation_id, side, True, "Tess") is False  # a refresh
    assert typing_until(conversation_id, side) == first_deadline  # kept in memory

    assert typing.set_typing(conversation_id, side, False, "Tess") is True
    assert typing_until(conversation_id, side) is None
    assert typing.set_typing(conversation_id, side, False, "Tess") is False


def test_visitor_typing_shows_in_summary(conversation_id):
    typing.set_typing(conversation_id, "visitor", True, "Ana")
    assert summary_of(conversation_id)["visitor_typing"] is True

    typing.set_typing(conversation_id, "visitor", False, "Ana")
    assert summary_of(conversation_id)["visitor_typing"] is False


def test_typing_sides_are_independent(conversation_id):
    typing.set_typing(conversation_id, "visitor", True, "Ana")
    typing.set_typing(conversation_id, "agent", True, "Tess")

    typing.set_typing(conversation_id, "agent", False, "Tess")

    assert typing_until(conversation_id, "visitor") is not None
    assert typing_until(conversation_id, "agent") is None


def test_typing_lease_follows_configured_timeout(app, conversation_id):
    app.config["CHAT_TYPING_TIMEOUT"] = 30

    typing.set_typing(conversation_id, "visitor", True, "Ana")

    # The row's deadline is a lease of two timeouts (see test_typing_leases.py).
    remaining = typing_until(conversation_id, "visitor") - utcnow()
    assert timedelta(seconds=55) < remaining <= timedelta(seconds=60)


def test_posting_a_message_ends_the_senders_typing_only(conversation_id):
    typing.set_typing(conversation_id, "visitor", True, "Ana")
    typing.set_typing(conversation_id, "agent", True, "Tess")

    posted = post(conversation_id, "visitor")

    assert posted.typing_ended is True
    assert typing_until(conversation_id, "visitor") is None
    assert typing_until(conversation_id, "agent") is not None
    assert post(conversation_id, "visitor").typing_ended is False


def test_retry_of_a_message_does_not_end_typing(conversation_id):
    post(conversation_id, "visitor", client_id="c-1")
    typing.set_typing(conversation_id, "visitor", True, "Ana")

    retry = post(conversation_id, "visitor", client_id="c-1")

    assert retry.created is False and retry.typing_ended is False


@pytest.mark.parametrize("side", ["visitor", "agent"])
def test_expire_typing_ends_stale_states_once(conversation_id, side):
    typing.set_typing(conversation_id, side, True, "Tess")
    set_typing_until(conversation_id, side, utcnow() - timedelta(seconds=1))

    assert expired() == [(conversation_id, side)]
    assert typing_until(conversation_id, side) is None
    assert expired() == []


def test_expire_typing_leaves_fresh_states(app, conversation_id):
    stale, _ = conversations.create_conversation()
    typing.set_typing(conversation_id, "visitor", True, "Ana")
    typing.set_typing(stale.id, "agent", True, "Tess")
    set_typing_until(stale.id, "agent", utcnow() - timedelta(seconds=1))

    assert expired() == [(stale.id, "agent")]
    assert typing_until(conversation_id, "visitor") is not None


def test_refresh_postpones_expiry(app, conversation_id, typing_clock):
    app.config["CHAT_TYPING_TIMEOUT"] = 4
    typing.set_typing(conversation_id, "visitor", True, "Ana")
    typing_clock(3)
    assert typing.set_typing(conversation_id, "visitor", True, "Ana") is False

    typing_clock(2)  # past the start's timeout, not the refresh's
    assert expired() == []
    typing_clock(3)
    assert expired() == [(conversation_id, "visitor")]


def test_typing_expires_after_the_configured_timeout(app, conversation_id, typing_clock):
    app.config["CHAT_TYPING_TIMEOUT"] = 5
    typing.set_typing(conversation_id, "visitor", True, "Ana")
    typing_clock(4.9)
    assert expired() == []

    typing_clock(0.2)

    assert expired() == [(conversation_id, "visitor")]


# --- inbox --------------------------------------------------------------------


def test_inbox_lists_most_recent_activity_first(app):
    first, _ = conversations.create_conversation(name="First")
    second, _ = conversations.create_conversation(name="Second")
    third, _ = conversations.create_conversation(name="Third")

    post(first.id, body="bump")

    assert [s["id"] for s in inbox()] == [first.id, third.id, second.id]

    post(second.id, "agent", body="answer")
    summaries = inbox()
    assert [s["id"] for s in summaries] == [second.id, first.id, third.id]
    assert summaries[0]["last_message"]["body"] == "answer"
    assert summaries[1]["last_message"]["body"] == "bump"
    assert summaries[2]["last_message"] is None


def test_inbox_respects_limit(app):
    ids = [conversations.create_conversation()[0].id for _ in range(4)]

    assert [s["id"] for s in inbox(limit=2)] == ids[::-1][:2]


def test_summary_has_the_protocol_fields(conversation_id):
    post(conversation_id, "visitor", body="Hi")

    summary = summary_of(conversation_id)

    assert summary["id"] == conversation_id
    assert summary["visitor"] == {"name": "Ana", "email": None}
    assert summary["status"] == "open"
    assert summary["unread"] == 1
    assert summary["visitor_online"] is False
    assert summary["visitor_typing"] is False
    assert summary["last_message"]["body"] == "Hi"
    assert re.match(ISO_UTC_MS, summary["created_at"])


def test_a_chat_waits_for_an_answer_from_the_visitors_first_unanswered_message(
    conversation_id,
):
    first = post(conversation_id, "visitor").message
    post(conversation_id, "visitor")
    assert fresh_conversation(conversation_id).waiting_since == first.created_at
    summary = payloads.summary(history.summary(conversation_id))
    assert re.match(ISO_UTC_MS, summary["waiting_since"])

    post(conversation_id, "agent")
    assert fresh_conversation(conversation_id).waiting_since is None
    assert payloads.summary(history.summary(conversation_id))["waiting_since"] is None


def test_a_new_summary_is_open_and_unassigned_and_an_ended_one_says_so(conversation_id):
    summary = payloads.summary(history.summary(conversation_id))
    assert (summary["status"], summary["state"], summary["assignee"]) == ("open", "open", None)
    assert summary["snoozed_until"] is None
    conversations.end_conversation(conversation_id)
    summary = payloads.summary(history.summary(conversation_id))
    assert (summary["status"], summary["state"]) == ("closed", "ended")


def test_activity_lines_go_with_the_page_of_messages_they_follow(conversation_id):
    from app.services import activity

    activity.record(conversation_id, "assigned", actor_name="Tess", subject_name="Ben")
    for _ in range(3):
        post(conversation_id)
    activity.record(conversation_id, "note", actor_name="Tess", body="after two")
    db.session.execute(sa.update(Activity).where(Activity.body == "after two").values(after_seq=2))
    post(conversation_id)
    activity.record(conversation_id, "resolved", actor_name="Tess")
    db.session.commit()

    def kinds(first, last):
        return [line.kind for line in activity.among(conversation_id, first, last)]

    assert kinds(1, 4) == ["assigned", "note", "resolved"]  # the whole conversation
    assert kinds(1, 2) == ["assigned", "note"]  # the oldest page
    assert kinds(3, 4) == ["resolved"]  # the newest page
    assert kinds(1, 0) == []  # an empty page of a conversation with messages


def test_summaries_of_many_conversations_match_each_ones_summary(app):
    quiet, _ = conversations.create_conversation(name="Quiet")
    busy, _ = conversations.create_conversation(name="Busy")
    post(busy.id, "visitor", body="Hi")
    post(busy.id, "agent", body="Hello")
    gone, _ = conversations.create_conversation(name="Gone")
    conversations.delete_conversation(gone.id)

    many = [payloads.summary(s) for s in history.summaries([busy.id, gone.id, quiet.id])]

    assert many == [summary_of(quiet.id), summary_of(busy.id)]
    assert many[1]["last_message"]["body"] == "Hello"
    assert many[0]["last_message"] is None
