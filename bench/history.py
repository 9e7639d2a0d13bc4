"""How fast history and the inbox read from a large database.

Fills a SQLite (or DATABASE_URL) database with one conversation of 100,000
messages and 10,000 conversations, then times a page of history and the
first inbox page, as the server reads them.

    python bench/history.py [--messages 100000] [--conversations 10000]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from app import create_app, db  # noqa: E402
from app.clock import utcnow  # noqa: E402
from app.models import Conversation, Message  # noqa: E402
from app.realtime import payloads  # noqa: E402
from app.services import history  # noqa: E402
from config import Config  # noqa: E402


def fill(messages: int, conversations: int) -> int:
    """Bulk-insert the data set; returns the id of the long conversation."""
    now = utcnow()
    long_one = Conversation(visitor_name="Long", last_seq=messages, last_activity_at=now)
    db.session.add(long_one)
    db.session.flush()
    rows = [
        {
            "conversation_id": long_one.id,
            "seq": seq,
            "client_id": f"c{seq}",
            "sender": "visitor" if seq % 2 else "agent",
            "author_name": "Ana",
            "body": f"message number {seq}",
            "created_at": now,
        }
        for seq in range(1, messages + 1)
    ]
    db.session.execute(sa.insert(Message), rows)
    others = [
        {
            "visitor_name": f"Visitor {n}",
            "status": "open",
            "created_at": now,
            "last_activity_at": now - timedelta(seconds=n),
            "last_seq": 1,
            "visitor_delivered_seq": 0,
            "visitor_seen_seq": 0,
            "agent_delivered_seq": 0,
            "agent_seen_seq": 0,
            "unread_count": 1,
            "visitor_online": False,
        }
        for n in range(conversations)
    ]
    db.session.execute(sa.insert(Conversation), others)
    ids = db.session.scalars(sa.select(Conversation.id).where(Conversation.id != long_one.id))
    db.session.execute(
        sa.insert(Message),
        [
            {
                "conversation_id": cid,
                "seq": 1,
                "client_id": "c1",
                "sender": "visitor",
                "author_name": "V",
                "body": "hello",
                "created_at": now,
            }
            for cid in ids
        ],
    )
    db.session.commit()
    return long_one.id


def timed(label: str, action, repeat: int = 200) -> None:
    action()  # warm the caches
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    samples.sort()
    p99 = samples[int(len(samples) * 0.99) - 1]
    print(f"{label:<52} median {statistics.median(samples):6.2f} ms   p99 {p99:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--conversations", type=int, default=10_000)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:

        class BenchConfig(Config):
            SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/b.db"
            SOCKETIO_ASYNC_MODE = "threading"

        app = create_app(BenchConfig)
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            long_id = fill(options.messages, options.conversations)
            print(
                f"filled in {time.perf_counter() - started:.1f} s: "
                f"{options.messages:,} messages in one conversation, "
                f"{options.conversations:,} conversations"
            )
            middle = options.messages // 2
            timed(
                "history: newest 50 of the long conversation",
                lambda: history.page(long_id, limit=50),
            )
            timed(
                "history: 50 before the middle (scrolling back)",
                lambda: history.page(long_id, before_seq=middle, limit=50),
            )
            timed(
                "history: 50 after the middle (catch-up)",
                lambda: history.page(long_id, after_seq=middle, limit=50),
            )
            timed(
                f"inbox: first 50 of {options.conversations + 1:,} conversations",
                lambda: [payloads.summary(s) for s in history.inbox(50)],
            )
            timed("summary of one conversation", lambda: payloads.summary(history.summary(long_id)))
            db.drop_all()


if __name__ == "__main__":
    main()
