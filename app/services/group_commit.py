"""Group commit: writes that arrive together are stored in one transaction.

A caller hands ``run`` a function that writes through ``db.session`` (and
neither commits nor rolls back); ``run`` answers what the function returned
once it is committed, so an acknowledgement sent after ``run`` is durable.

Callers that arrive while a batch gathers join it. The first of them leads:
it lets the event loop take one turn, so that the events read with its own
can join, runs every function in its own session, in order of conversation
(each conversation's writes in the order they came), commits once, and
hands each caller its answer. Under load a batch grows by itself: what
arrives while one batch is stored forms the next. One commit per batch
instead of one per event is most of what a message costs on SQLite.

If any function of a batch fails, or the commit does, the batch is rolled
back and each function runs again alone, in a transaction of its own, so
that one caller's error (a retried ``client_id``, a closed chat, a
deadlock between processes) is never another's. A function may therefore
run twice: it must only write to the database, and return what the caller
needs as plain values, never objects of the session.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import current_app

from app import db, socketio

T = TypeVar("T")
# A batch holds at most this many writes; what is left forms the next one.
MAX_BATCH = 256
# Batches stored at once on PostgreSQL (each holds one pooled connection).
POSTGRESQL_LEADERS = 4


@dataclass
class _Write:
    work: Callable[[], Any]
    key: int
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class GroupCommit:
    """The writes of one app (one database) waiting for their commit.

    ``leaders`` batches may be stored at once: one on SQLite, which has a
    single writer and never lets the event loop run while it writes; a few
    on PostgreSQL, where each statement is a round trip that lets the loop
    run, and row locks taken in one order keep concurrent batches apart.
    """

    def __init__(self, leaders: int = 1) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Write] = []
        self._leaders = 0
        self._max_leaders = leaders

    def run(self, work: Callable[[], T], key: int = 0) -> T:
        """Run ``work`` in a transaction shared with the writes around it;
        its answer once committed, or its error. ``key`` orders a batch
        (the conversation's id: rows are locked in one order). ``work``
        must not call ``run`` itself."""
        write = _Write(work, key)
        with self._lock:
            self._pending.append(write)
            lead = self._leaders < self._max_leaders
            if lead:
                self._leaders += 1
        if lead:
            self._lead()
        # Another leader may have taken this write into its batch.
        write.done.wait()
        if write.error is not None:
            raise write.error
        return write.result

    def _lead(self) -> None:
        """Store batches until none is waiting; every write ends answered."""
        batch: list[_Write] = []
        try:
            socketio.sleep(0)  # the events read with this one join it
            while batch := self._take():
                _store(sorted(batch, key=lambda write: write.key))
                for write in batch:
                    write.done.set()
        except BaseException:  # the task was killed: nobody is left waiting
            self._abandon(batch)
            raise

    def _take(self) -> list[_Write]:
        """The next batch; none, and one leader fewer, when nothing waits."""
        with self._lock:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            if not batch:
                self._leaders -= 1
        return batch

    def _abandon(self, batch: list[_Write]) -> None:
        with self._lock:
            self._leaders -= 1
            orphans, self._pending = (
                (self._pending, []) if not self._leaders else ([], self._pending)
            )
        for write in batch + orphans:
            if not write.done.is_set():
                write.error = RuntimeError("the write was interrupted; try again")
                write.done.set()


def _store(batch: list[_Write]) -> None:
    """One transaction for the batch; if that fails, one for each write."""
    session = db.session
    try:
        results = [write.work() for write in batch]
        session.info["group_writes"] = len(batch)  # for the metrics
        session.commit()
    except Exception as exc:
        session.rollback()
        if len(batch) == 1:
            batch[0].error = exc
        else:
            for write in batch:
                _store_alone(write)
        return
    for write, result in zip(batch, results, strict=True):
        write.result = result


def _store_alone(write: _Write) -> None:
    session = db.session
    try:
        write.result = write.work()
        session.commit()
    except Exception as exc:
        session.rollback()
        write.error = exc


def run(work: Callable[[], T], key: int = 0) -> T:
    """Run ``work`` in the current app's group commit (see the module)."""
    app = current_app._get_current_object()
    group = app.extensions.get("group_commit")
    if group is None:
        leaders = POSTGRESQL_LEADERS if db.engine.dialect.name == "postgresql" else 1
        group = app.extensions.setdefault("group_commit", GroupCommit(leaders))
    return group.run(work, key)
