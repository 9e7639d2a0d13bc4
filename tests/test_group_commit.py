"""Group commit: writes that arrive together share one commit, each caller
is answered after it, and one caller's failure is never another's."""

import threading

import pytest
import sqlalchemy as sa

from app import db
from app.errors import ChatError
from app.models import Message
from app.services import conversations, group_commit, messages
from tests.harness.threads import in_threads

WRITERS = 12


@pytest.fixture
def conversation_id(app):
    conversation, _token = conversations.create_conversation(name="Ana")
    return conversation.id


@pytest.fixture
def commits(app):
    """How many commits the app's sessions made."""
    counted = []

    def count(_session):
        counted.append(1)

    sa.event.listen(db.session, "after_commit", count)
    yield counted
    sa.event.remove(db.session, "after_commit", count)


def writers_behind_a_slow_one(app, work_of) -> list:
    """``WRITERS`` threads call ``group_commit.run(work_of(i))`` while the
    first write is still running: they queue behind it and form one batch.
    Each thread's answer (or error) comes back in its place."""
    # One batch at a time, as on SQLite, whatever the test database.
    app.extensions["group_commit"] = group_commit.GroupCommit(leaders=1)
    first_running, queued = threading.Event(), threading.Semaphore(0)
    answers: list = [None] * WRITERS

    def slow_first():
        first_running.set()
        for _ in range(WRITERS - 1):
            queued.acquire(timeout=10)
        return work_of(0)()

    def call(i):
        with app.app_context():
            work = slow_first if i == 0 else work_of(i)
            try:
                answers[i] = group_commit.run(work)
            except Exception as exc:
                answers[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=call, args=(0,))]
    threads[0].start()
    first_running.wait(10)
    for i in range(1, WRITERS):
        threads.append(threading.Thread(target=call, args=(i,)))
        threads[-1].start()
    group = app.extensions["group_commit"]
    while len(group._pending) < WRITERS - 1:
        threading.Event().wait(0.001)
    for _ in range(WRITERS - 1):
        queued.release()
    for thread in threads:
        thread.join(10)
    return answers


def store_message(conversation_id, i):
    message = {
        "conversation_id": conversation_id,
        "client_id": f"c-{i}",
        "sender": "visitor",
        "author_name": "Ana",
        "body": f"message {i}",
        "file": None,
    }
    return lambda: messages._store(message)


def stored(conversation_id) -> list[tuple[int, str]]:
    query = sa.select(Message.seq, Message.client_id).where(
        Message.conversation_id == conversation_id
    )
    return list(db.session.execute(query.order_by(Message.seq)))


def test_writes_that_arrive_together_share_one_commit(app, conversation_id, commits):
    answers = writers_behind_a_slow_one(app, lambda i: store_message(conversation_id, i))

    assert all(isinstance(answer, messages.Posted) for answer in answers)
    # The first write's commit, then one for the eleven that queued behind it.
    assert len(commits) == 2
    seqs = sorted(answer.message.seq for answer in answers)
    assert seqs == list(range(1, WRITERS + 1))
    assert len(stored(conversation_id)) == WRITERS


def test_a_failing_write_fails_alone(app, conversation_id):
    def work_of(i):
        if i == 5:
            return lambda: (_ for _ in ()).throw(ChatError("conflict", "this one fails"))
        return store_message(conversation_id, i)

    answers = writers_behind_a_slow_one(app, work_of)

    assert isinstance(answers[5], ChatError) and answers[5].code == "conflict"
    others = [answer for i, answer in enumerate(answers) if i != 5]
    assert all(isinstance(answer, messages.Posted) for answer in others)
    # No seq was lost to the failed batch: the others are stored gapless.
    assert [seq for seq, _ in stored(conversation_id)] == list(range(1, WRITERS))


def test_a_retried_client_id_in_a_batch_fails_alone(app, conversation_id):
    def work_of(i):
        return store_message(conversation_id, 3 if i == 7 else i)  # c-3 twice

    answers = writers_behind_a_slow_one(app, work_of)

    # post_message answers such a retry with the stored message.
    assert isinstance(answers[7], sa.exc.IntegrityError)
    others = [answer for i, answer in enumerate(answers) if i != 7]
    assert all(isinstance(answer, messages.Posted) for answer in others)
    assert [seq for seq, _ in stored(conversation_id)] == list(range(1, WRITERS))


def test_an_answer_is_given_after_its_commit(app, conversation_id):
    seen_inside = []

    def work():
        posted = store_message(conversation_id, 1)()
        seen_inside.append(db.session().in_transaction())
        return posted

    posted = group_commit.run(work)

    assert seen_inside == [True]
    assert not db.session().in_transaction()  # committed before the answer
    assert stored(conversation_id) == [(posted.message.seq, "c-1")]


def test_with_several_leaders_each_caller_gets_its_own_answer(app, conversation_id):
    app.extensions["group_commit"] = group_commit.GroupCommit(leaders=4)
    answers = in_threads(
        app, WRITERS, lambda i: group_commit.run(store_message(conversation_id, i))
    )

    assert [answer.message.client_id for answer in answers] == [f"c-{i}" for i in range(WRITERS)]
    assert sorted(answer.message.seq for answer in answers) == list(range(1, WRITERS + 1))
