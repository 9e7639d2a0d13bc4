"""The database refuses writes for a while (another process holds its lock).

The test takes SQLite's write lock on the server's database file with
``BEGIN EXCLUSIVE`` and keeps it longer than the server's 5 s busy timeout.
A send in the meantime is answered ``internal``; the client keeps the
message pending and sends it again with the same ``client_id`` until it is
stored, once; nothing half-written is left behind.
"""

import sqlite3
import time

import pytest

from tests.faults.helpers import assert_converged

pytestmark = pytest.mark.live

BUSY_TIMEOUT = 5.0  # the server's PRAGMA busy_timeout


class WriteLock:
    """SQLite's write lock on a database file, held by this test."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path, timeout=10, isolation_level=None)

    def take(self):
        self.connection.execute("BEGIN EXCLUSIVE")

    def release(self):
        self.connection.execute("ROLLBACK")

    def close(self):
        self.connection.close()


def rows(path, query):
    with sqlite3.connect(path) as connection:
        return connection.execute(query).fetchall()


@pytest.mark.parametrize(
    ("async_mode", "transport"),
    [("eventlet", "websocket"), ("eventlet", "polling"), ("gevent", "websocket")],
)
def test_locked_database_answers_internal_and_the_client_retries_until_stored(
    make_server, clients, async_mode, transport
):
    chat = make_server(async_mode)
    database = chat.server.workdir / "chat.db"
    cid, token = chat.new_conversation(name="Ana")
    tab = clients.visitor(chat.url, transport, cid, token, ack_timeout=BUSY_TIMEOUT + 5).start()
    desk = clients.agent(
        chat.url, transport, chat.agent_token, (cid,), ack_timeout=BUSY_TIMEOUT + 5
    ).start()
    first = tab.send("Hello")
    tab.wait(lambda c: first in c.acked, 5, "the first message stored")
    desk.send("Hi Ana")
    assert_converged(chat, cid, [tab, desk])

    lock = WriteLock(database)
    lock.take()
    locked = time.monotonic()
    try:
        blocked = tab.send("Written while the database is locked")
        tab.wait(lambda c: c.error_codes["internal"] >= 1, BUSY_TIMEOUT + 5, "internal")
        answered = time.monotonic() - locked
        assert blocked in tab.pending(), "the message must stay pending"
        assert blocked not in tab.acked
        # Nothing of it was written: the seq it would take is still free.
        assert rows(database, f"SELECT last_seq FROM conversations WHERE id = {cid}") == [(2,)]
        # Held past one more busy timeout, so that the retry waits for the lock.
        time.sleep(1.0)
    finally:
        lock.release()
        lock.close()
    assert BUSY_TIMEOUT - 0.5 <= answered <= BUSY_TIMEOUT + 3, answered

    stored = assert_converged(chat, cid, [tab, desk])
    assert [m["body"] for m in stored] == [
        "Hello",
        "Hi Ana",
        "Written while the database is locked",
    ]
    assert tab.attempts[blocked] >= 2
    assert stored[-1]["client_id"] == blocked
    # No half-written rows: the conversation's counters match its messages.
    assert rows(
        database,
        f"SELECT last_seq, (SELECT COUNT(*) FROM messages WHERE conversation_id = {cid}),"
        f" (SELECT MAX(seq) FROM messages WHERE conversation_id = {cid})"
        f" FROM conversations WHERE id = {cid}",
    ) == [(3, 3, 3)]
    # The only errors the server logged are the writes that found the lock.
    chat.assert_clean_log(allowed=("database is locked",))


def test_reads_go_on_while_writes_wait_for_the_lock(make_server, clients):
    """Write-ahead logging: history is served while another process writes."""
    chat = make_server("eventlet")
    database = chat.server.workdir / "chat.db"
    cid, token = chat.new_conversation(name="Ana")
    tab = clients.live(chat.url, "websocket", "tab", visitor_token=token)
    assert tab.call("send_message", {"client_id": "c-1", "body": "Hello"})["ok"]

    lock = WriteLock(database)
    lock.take()
    try:
        started = time.monotonic()
        page = tab.call("history", {"after_seq": 0})
        took = time.monotonic() - started
    finally:
        lock.release()
        lock.close()

    assert page["ok"] and [m["body"] for m in page["messages"]] == ["Hello"]
    assert took < 1.0, f"history waited {took:.1f}s for the write lock"
