"""The outbox: a job exists if and only if its transaction committed, runs
once per claim, is retried with backoff, fails after a limit, and survives
a crash or a restart; two processes never run the same job at once."""

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import db
from app.clock import utcnow
from app.models import OutboxJob
from app.realtime import background, outbox_loop
from app.services import outbox

ran: list[tuple[str, dict]] = []


@pytest.fixture(autouse=True)
def handlers():
    ran.clear()

    @outbox.handler("test.ok")
    def ok(job):
        ran.append(("ok", job.payload))

    @outbox.handler("test.flaky")
    def flaky(job):
        ran.append(("flaky", job.payload))
        if job.attempt < job.payload.get("succeeds_at", 99):
            raise outbox.Retry(f"attempt {job.attempt} failed")

    @outbox.handler("test.broken")
    def broken(job):
        db.session.add(OutboxJob(kind="test.ok", payload="{}"))  # rolled back
        raise RuntimeError("a bug")

    @outbox.handler("test.slow")
    def slow(job):
        ran.append((threading.current_thread().name, job.payload))
        time.sleep(0.01)

    yield


def job_row(job_id: int) -> OutboxJob:
    db.session.expire_all()
    return db.session.get(OutboxJob, job_id)


def test_a_committed_job_runs_once_and_is_done(app):
    job = outbox.add("test.ok", {"n": 1})
    db.session.commit()

    assert outbox.run_due() == 1
    assert outbox.run_due() == 0

    assert ran == [("ok", {"n": 1})]
    row = job_row(job.id)
    assert (row.status, row.attempts, row.last_error) == ("done", 1, None)
    assert row.finished_at is not None


def test_a_job_added_in_a_rolled_back_transaction_never_runs(app):
    outbox.add("test.ok", {"n": 1})
    db.session.rollback()

    assert outbox.run_due() == 0
    assert ran == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxJob)) == 0


def test_a_job_due_later_waits(app):
    outbox.add("test.ok", {}, due_at=utcnow() + timedelta(hours=1))
    db.session.commit()

    assert outbox.run_due() == 0
    assert ran == []


@pytest.mark.parametrize("app", [{"CHAT_OUTBOX_BACKOFF": 60}], indirect=True)
def test_a_retry_waits_an_exponential_backoff_with_jitter(app):
    job = outbox.add("test.flaky", {})
    db.session.commit()
    before = utcnow()

    outbox.run_due()

    row = job_row(job.id)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "attempt 1 failed")
    assert timedelta(seconds=29) <= row.due_at - before <= timedelta(seconds=61)
    assert outbox.run_due() == 0  # not due yet
    waits = {outbox.backoff(attempt).total_seconds() for attempt in (1, 1, 1, 1)}
    assert len(waits) > 1  # jitter
    assert 60 * 4 <= outbox.backoff(4).total_seconds() <= 60 * 8
    assert outbox.backoff(30).total_seconds() <= app.config["CHAT_OUTBOX_MAX_BACKOFF"]


@pytest.mark.parametrize(
    "app", [{"CHAT_OUTBOX_BACKOFF": 0, "CHAT_OUTBOX_MAX_ATTEMPTS": 3}], indirect=True
)
def test_a_job_that_keeps_failing_is_marked_failed_after_the_limit(app):
    job = outbox.add("test.flaky", {})
    db.session.commit()

    for _ in range(5):
        outbox.run_due()

    assert len(ran) == 3
    row = job_row(job.id)
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "attempt 3 failed")


@pytest.mark.parametrize("app", [{"CHAT_OUTBOX_BACKOFF": 0}], indirect=True)
def test_a_job_that_succeeds_on_a_retry_is_done(app):
    job = outbox.add("test.flaky", {"succeeds_at": 2})
    db.session.commit()

    outbox.run_due()
    outbox.run_due()

    assert len(ran) == 2
    assert job_row(job.id).status == "done"


@pytest.mark.parametrize("app", [{"CHAT_OUTBOX_BACKOFF": 0}], indirect=True)
def test_a_handler_that_crashes_is_rolled_back_and_retried(app):
    job = outbox.add("test.broken", {})
    db.session.commit()

    outbox.run_due()

    row = job_row(job.id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == "RuntimeError: a bug"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxJob)) == 1


def test_a_job_with_no_handler_in_this_process_is_kept_for_later(app):
    job = outbox.add("test.nobody", {})
    db.session.commit()

    outbox.run_due()

    row = job_row(job.id)
    assert row.status == "pending" and "no handler" in row.last_error


@pytest.mark.parametrize(
    "app", [{"CHAT_OUTBOX_BACKOFF": 0, "CHAT_OUTBOX_MAX_ATTEMPTS": 1}], indirect=True
)
def test_retry_now_runs_a_failed_job_again(app):
    job = outbox.add("test.flaky", {})
    db.session.commit()
    outbox.run_due()
    assert job_row(job.id).status == "failed"

    assert outbox.retry_now(job.id)
    db.session.commit()
    outbox.run_due()

    assert len(ran) == 2
    assert not outbox.retry_now(10**6)


def test_two_processes_never_run_the_same_job(app, app_factory):
    ids = []
    for n in range(40):
        ids.append(outbox.add("test.slow", {"n": n}))
    db.session.commit()
    processes = [app_factory(), app_factory()]
    start = threading.Barrier(2)

    def work(process):
        with process.app_context():
            start.wait()
            outbox.run_due()
            db.session.remove()

    threads = [
        threading.Thread(target=work, args=(process,), name=f"process-{i}")
        for i, process in enumerate(processes)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    numbers = sorted(payload["n"] for _who, payload in ran)
    assert numbers == list(range(40))  # each job once, none lost
    assert {who for who, _payload in ran} == {"process-0", "process-1"}
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(OutboxJob.status))) == {"done"}


@pytest.mark.parametrize("app", [{"CHAT_OUTBOX_LEASE": 0.3}], indirect=True)
def test_a_job_claimed_by_a_process_that_died_runs_again_after_the_lease(app, app_factory):
    job = outbox.add("test.ok", {"n": 7})
    db.session.commit()
    assert outbox.claim_next() is not None  # claimed, then the process dies

    assert outbox.run_due() == 0  # still held
    time.sleep(0.35)
    restarted = app_factory(CHAT_OUTBOX_LEASE=0.3)
    with restarted.app_context():
        assert outbox.run_due() == 1
        db.session.remove()

    assert ran == [("ok", {"n": 7})]
    row = job_row(job.id)
    assert (row.status, row.attempts) == ("done", 2)


def test_a_restarted_process_picks_up_pending_jobs_in_its_loop(app, app_factory):
    outbox.add("test.ok", {"n": 1})
    outbox.add("test.ok", {"n": 2})
    db.session.commit()
    restarted = app_factory(CHAT_OUTBOX_INTERVAL=0.05)

    outbox_loop.ensure_started(restarted)
    deadline = time.monotonic() + 5
    while len(ran) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    background.stop(restarted)

    assert sorted(payload["n"] for _kind, payload in ran) == [1, 2]


def test_finished_jobs_are_purged_after_they_are_kept(app):
    old = outbox.add("test.ok", {"n": 1})
    recent = outbox.add("test.ok", {"n": 2})
    pending = outbox.add("test.ok", {"n": 3}, due_at=utcnow() + timedelta(hours=1))
    db.session.commit()
    old_id, recent_id, pending_id = old.id, recent.id, pending.id
    outbox.run_due()
    job_row(old_id).finished_at = utcnow() - timedelta(days=8)
    db.session.commit()

    assert outbox.purge_finished(timedelta(days=7)) == 1

    db.session.expunge_all()
    assert job_row(old_id) is None
    assert job_row(recent_id).status == "done"
    assert job_row(pending_id).status == "pending"
