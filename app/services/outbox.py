"""Work done after a commit, at least once: the outbox.

``add(kind, payload)`` stores a job in the caller's transaction, so the job
exists if and only if the event that causes it was committed. A handler,
registered with ``@handler(kind)``, runs it later in a background loop (one
per process, app/realtime/outbox_loop.py) or in ``run_due()`` (tests).

Each job is claimed with one conditional UPDATE that sets a lease: of
several processes, one wins; a process that dies while holding a job
leaves a lease that ends, and the job runs again. A handler raises
``Retry(reason)`` for a failure worth retrying: the job is due again after
an exponential backoff with jitter, and fails after
``CHAT_OUTBOX_MAX_ATTEMPTS`` attempts.

What a handler changes in ``db.session`` is committed with the job's
outcome (done, retried or failed); after any exception other than
``Retry`` it is rolled back, and the job is retried.
"""

import json
import logging
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app import db
from app.clock import utcnow
from app.models import OutboxJob

log = logging.getLogger(__name__)

_handlers: dict[str, Callable] = {}
ERROR_CHARS = 500


class Retry(Exception):
    """A failure worth another attempt later (a timeout, a 5xx answer)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Job:
    """What a handler gets: the job's payload and which attempt this is."""

    id: int
    kind: str
    payload: dict
    attempt: int  # 1 for the first
    last_attempt: bool  # a Retry now marks the job failed


def handler(kind: str):
    """Register ``fn(job)`` as the handler of jobs of ``kind``."""

    def register(fn: Callable) -> Callable:
        _handlers[kind] = fn
        return fn

    return register


def add(kind: str, payload: dict, due_at: datetime | None = None) -> OutboxJob:
    """Add a job to the caller's transaction (no commit): due now, or at ``due_at``."""
    job = OutboxJob(kind=kind, payload=json.dumps(payload), due_at=due_at or utcnow())
    db.session.add(job)
    return job


_INSERT = sa.insert(OutboxJob.__table__)


def add_many(kind: str, payloads: list[dict]) -> None:
    """Add jobs due now to the caller's transaction in one statement, with
    no ORM bookkeeping (for events on the hot path)."""
    now = utcnow()
    rows = [
        {
            "kind": kind,
            "payload": json.dumps(payload),
            "status": "pending",
            "attempts": 0,
            "due_at": now,
            "created_at": now,
        }
        for payload in payloads
    ]
    db.session.connection().execute(_INSERT, rows)


def retry_now(job_id: int) -> bool:
    """Make a job (done, failed or pending) due again now, with fresh attempts
    (in the caller's transaction). False if there is no such job."""
    job = db.session.get(OutboxJob, job_id)
    if job is None:
        return False
    job.status, job.attempts, job.due_at = "pending", 0, utcnow()
    job.lease_until = job.claim = job.finished_at = None
    return True


# --- running jobs ------------------------------------------------------------------


def run_due(limit: int = 1000) -> int:
    """Run the jobs due now, each once at most, here and now; how many ran."""
    ran: set[int] = set()
    while len(ran) < limit:
        claimed = claim_next(exclude=ran)
        if claimed is None:
            break
        ran.add(claimed[0])
        _run(*claimed)
    return len(ran)


def claim_next(exclude: set[int] = frozenset()) -> tuple[int, str] | None:
    """Claim the next due job for this process: ``(id, claim)``, or None.

    Candidates are read first, then each is claimed by a conditional update
    that succeeds only while it is still unclaimed (or its lease is over):
    a job another process took in between is skipped.
    """
    now = utcnow()
    claimable = sa.and_(
        OutboxJob.status == "pending",
        OutboxJob.due_at <= now,
        sa.or_(OutboxJob.lease_until.is_(None), OutboxJob.lease_until < now),
    )
    query = sa.select(OutboxJob.id).where(claimable).order_by(OutboxJob.due_at).limit(10)
    if exclude:
        query = query.where(OutboxJob.id.not_in(exclude))
    for job_id in db.session.scalars(query).all():
        claim = secrets.token_hex(16)
        lease = timedelta(seconds=current_app.config["CHAT_OUTBOX_LEASE"])
        taken = db.session.execute(
            sa.update(OutboxJob)
            .where(OutboxJob.id == job_id, claimable)
            .values(lease_until=now + lease, claim=claim, attempts=OutboxJob.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if taken:
            return job_id, claim
    db.session.commit()
    return None


def _run(job_id: int, claim: str) -> None:
    row = db.session.get(OutboxJob, job_id, populate_existing=True)
    if row is None or row.claim != claim:
        return
    limit = current_app.config["CHAT_OUTBOX_MAX_ATTEMPTS"]
    job = Job(row.id, row.kind, json.loads(row.payload), row.attempts, row.attempts >= limit)
    fn = _handlers.get(job.kind)
    try:
        if fn is None:
            raise Retry(f"no handler for {job.kind!r} in this process")
        fn(job)
    except Retry as retry:
        _finish(job, claim, retry.reason)
    except Exception as exc:
        log.exception("outbox job %s (%s) failed", job.id, job.kind)
        db.session.rollback()
        _finish(job, claim, f"{type(exc).__name__}: {exc}")
    else:
        _finish(job, claim, None)


def _finish(job: Job, claim: str, error: str | None) -> None:
    """Record the outcome, with the handler's changes, if the claim still holds."""
    now = utcnow()
    if error is None:
        values = {"status": "done", "finished_at": now, "last_error": None}
    elif job.last_attempt:
        values = {"status": "failed", "finished_at": now, "last_error": error[:ERROR_CHARS]}
    else:
        values = {"due_at": now + backoff(job.attempt), "last_error": error[:ERROR_CHARS]}
    db.session.execute(
        sa.update(OutboxJob)
        .where(OutboxJob.id == job.id, OutboxJob.claim == claim)
        .values(lease_until=None, claim=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def backoff(attempt: int) -> timedelta:
    """How long to wait after failed attempt number ``attempt``: doubling
    from ``CHAT_OUTBOX_BACKOFF`` up to ``CHAT_OUTBOX_MAX_BACKOFF`` seconds,
    each wait between half and all of it, so that jobs failed together
    (a receiver that was down) do not all come back at once."""
    config = current_app.config
    doubled = config["CHAT_OUTBOX_BACKOFF"] * 2 ** min(attempt - 1, 60)
    ceiling = min(config["CHAT_OUTBOX_MAX_BACKOFF"], doubled)
    return timedelta(seconds=ceiling * random.uniform(0.5, 1.0))


def run_until_idle(stopped: Callable[[], bool] = lambda: False) -> None:
    """Claim and run due jobs one at a time until none is due (the loop's
    pass, app/realtime/outbox_loop.py), or until ``stopped()``."""
    while not stopped():
        claimed = claim_next()
        if claimed is None:
            return
        _run(*claimed)


def purge_finished(older_than: timedelta) -> int:
    """Delete jobs done or failed longer ago than ``older_than``; how many."""
    deleted = db.session.execute(
        sa.delete(OutboxJob).where(
            OutboxJob.status.in_(("done", "failed")), OutboxJob.finished_at < utcnow() - older_than
        )
    ).rowcount
    db.session.commit()
    return deleted
