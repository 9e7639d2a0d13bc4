"""How fast full-text search answers over a million messages.

Builds 1,000,000 messages in 20,000 conversations (words drawn from a
vocabulary of a few thousand with Zipf frequencies, some accented) on SQLite
(a file in a temporary directory) and on PostgreSQL (Debian's, started on a
loopback port), then times a mix of queries through the very function the
API calls, and prints p50/p95/max per database and per kind of query.

    python bench/search.py [--messages 1000000] [--conversations 20000]
                           [--databases sqlite,postgresql] [--rounds 5]
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from app import create_app, db, search_index  # noqa: E402
from app.models import Conversation, Message  # noqa: E402
from app.realtime import payloads  # noqa: E402
from app.services import search  # noqa: E402
from config import Config  # noqa: E402

BATCH = 50_000
START = datetime(2024, 1, 1)
ACCENTED = [
    "café", "reçu", "problème", "commandé", "livré", "remboursé", "déjà", "élève",
    "naïve", "über", "größe", "señor", "mañana", "résumé", "fiancé", "crème",
    "hôtel", "forêt", "garçon", "année",
]  # fmt: skip
COMMON = [
    "the", "i", "to", "you", "a", "my", "is", "it", "and", "for", "order", "can",
    "help", "please", "thanks", "account", "refund", "payment", "delivery", "password",
]  # fmt: skip
NAMES = ["Zoë", "José", "Chloé", "Ana", "Björn", "Liam", "Noémie", "Ben", "Tess", "Mia"]
SURNAMES = ["Martin", "Müller", "García", "Dubois", "Smith", "Nguyen", "Rossi", "Kowalski"]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """Common words first, then made-up words, accented ones spread through."""
    syllables = ["ka", "lo", "mi", "tra", "pen", "dor", "sil", "vue", "ber", "ton", "qua", "rex"]
    words = list(COMMON)
    seen = set(words) | set(ACCENTED)
    while len(words) < size - len(ACCENTED):
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    for n, word in enumerate(ACCENTED):
        words.insert(30 + n * (len(words) // len(ACCENTED)), word)
    return words


def bodies(count: int, words: list[str], rng: random.Random):
    weights = [1 / rank**1.07 for rank in range(1, len(words) + 1)]
    cumulative = list(_accumulate(weights))
    for _ in range(count):
        picked = rng.choices(words, cum_weights=cumulative, k=rng.randint(3, 25))
        yield " ".join(picked).capitalize() + rng.choice([".", "?", "!", ""])


def _accumulate(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def rows(messages: int, conversations: int, words: list[str], rng: random.Random):
    """(conversation rows, an iterator of message rows), ids ascending in time."""
    per = messages // conversations
    chats = []
    for cid in range(1, conversations + 1):
        first = START + timedelta(minutes=cid * 20)
        name = f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}"
        email = f"{name.split()[0].lower()}.{cid}@example.com"
        chats.append((cid, name, email, first, first + timedelta(minutes=per), per))

    def messages_of_all():
        texts = bodies(per * conversations, words, rng)
        for cid, _name, _email, first, _last, _n in chats:
            for seq in range(1, per + 1):
                sender = "visitor" if seq % 2 else "agent"
                at = first + timedelta(minutes=seq)
                yield (cid, seq, f"c{seq}", sender, "Tess", next(texts), at)

    return chats, messages_of_all()


def load_sqlite(chats, messages) -> None:
    """executemany in large batches with the index off, then one rebuild."""
    connection = db.session.connection()
    search_index.drop(connection)
    raw = connection.connection.driver_connection
    raw.executemany(
        "INSERT INTO conversations (id, visitor_name, visitor_email, status, state, created_at,"
        " last_activity_at, last_seq, visitor_delivered_seq, visitor_seen_seq,"
        " agent_delivered_seq, agent_seen_seq, unread_count, visitor_online)"
        " VALUES (?, ?, ?, 'open', 'open', ?, ?, ?, 0, 0, 0, 0, 0, 0)",
        chats,
    )
    while batch := [next(messages, None) for _ in range(BATCH)]:
        batch = [row for row in batch if row]
        if not batch:
            break
        raw.executemany(
            "INSERT INTO messages (conversation_id, seq, client_id, sender, author_name, body,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            batch,
        )
    search_index.create(connection)
    connection.exec_driver_sql("INSERT INTO search_messages (search_messages) VALUES ('rebuild')")
    connection.exec_driver_sql("INSERT INTO search_visitors (search_visitors) VALUES ('rebuild')")
    db.session.commit()


def load_postgres(chats, messages) -> None:
    """COPY with the indexes off, then build them and analyse."""
    connection = db.session.connection()
    search_index.drop(connection)
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(
            "COPY conversations (id, visitor_name, visitor_email, created_at, last_activity_at,"
            " last_seq, status, state, visitor_delivered_seq, visitor_seen_seq,"
            " agent_delivered_seq, agent_seen_seq, unread_count, visitor_online) FROM STDIN"
        ) as copy:
            for chat in chats:
                copy.write_row((*chat, "open", "open", 0, 0, 0, 0, 0, False))
        with cursor.copy(
            "COPY messages (conversation_id, seq, client_id, sender, author_name, body,"
            " created_at) FROM STDIN"
        ) as copy:
            for row in messages:
                copy.write_row(row)
        cursor.execute("SELECT setval('conversations_id_seq', (SELECT max(id) FROM conversations))")
        cursor.execute("SET maintenance_work_mem = '256MB'")
    search_index.create(connection)
    db.session.commit()
    with db.engine.connect() as autocommit:
        autocommit.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


def queries(words: list[str], rng: random.Random) -> dict[str, list[str]]:
    plain = [w for w in words if w.isascii()]
    return {
        "common word": plain[:10],
        "mid word": rng.sample(plain[200:600], 10),
        "rare word": rng.sample(plain[-500:], 10),
        "prefix": [w[:3] for w in rng.sample(plain[20:400], 5)] + ["re", "pa", "t"],
        "two words": [f"{rng.choice(plain[:20])} {rng.choice(plain[50:800])}" for _ in range(10)],
        "accented": ACCENTED[:5] + [search.fold(w) for w in ACCENTED[5:10]] + ["probl", "rembours"],
        "visitor": ["zoe", "muller", "garcia 1234", "chloe.15"],
        "no match": ["zzzqqq", "kalo zzz"],
    }


def timed(query: str) -> float:
    start = time.perf_counter()
    results = search.search(query, None, 20)
    [payloads.search_hit(hit) for hit in results.hits]
    elapsed = (time.perf_counter() - start) * 1000
    db.session.rollback()
    return elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(words, rounds: int, rng: random.Random) -> dict[str, list[float]]:
    mix = queries(words, rng)
    for kind_queries in mix.values():  # warm the caches once
        for query in kind_queries:
            timed(query)
    results = {kind: [] for kind in mix}
    slowest = []
    for _ in range(rounds):
        for kind, kind_queries in mix.items():
            for query in kind_queries:
                results[kind].append(timed(query))
                slowest.append((results[kind][-1], query))
    print("slowest:", ", ".join(f"{q!r} {ms:.0f} ms" for ms, q in sorted(slowest)[-5:]))
    return results


def line(name: str, values: list[float]) -> str:
    return (
        f"| {name} | {len(values)} | {statistics.median(values):.1f} "
        f"| {percentile(values, 0.95):.1f} | {max(values):.1f} |"
    )


def run(database: str, url: str, args) -> list[str]:
    app = create_app(type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url}))
    rng = random.Random(11)
    words = vocabulary(args.vocabulary, rng)
    with app.app_context():
        db.create_all()
        chats, messages = rows(args.messages, args.conversations, words, rng)
        started = time.perf_counter()
        (load_postgres if database == "postgresql" else load_sqlite)(chats, messages)
        built = time.perf_counter() - started
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Message))
        assert count == args.messages, count
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Conversation))
        print(f"{database}: {count:,} messages loaded and indexed in {built:.0f} s", flush=True)
        results = measure(words, args.rounds, rng)
        db.session.remove()
        db.engine.dispose()
    everything = [ms for values in results.values() for ms in values]
    table = [line(f"{database}, {kind}", values) for kind, values in results.items()]
    return [*table, line(f"**{database}, all**", everything)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--vocabulary", type=int, default=4_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    table = ["| database, queries | timed | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="chat-search-") as tmp:
        for database in args.databases.split(","):
            if database == "postgresql":
                table += run_postgres(args)
            else:
                table += run(database, f"sqlite:///{tmp}/search.db", args)
    print("\n".join(table))
    print("load average at the end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


def run_postgres(args) -> list[str]:
    from tests.harness.services import Postgres

    server = Postgres()
    url = server.start()
    try:
        return run("postgresql", url, args)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
