"""bench/scrape.py: the chat's metrics over a step, and where they disagree with the load."""

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from app.metrics import COMMIT_BUCKETS, LATENCY_BUCKETS
from bench import scrape


class ChatMetrics:
    """The chat's metrics under their names (app/metrics.py), in a registry of their own."""

    def __init__(self):
        self.registry = CollectorRegistry()
        self.events = Counter("chat_events", "", ["event", "result"], registry=self.registry)
        self.acks = Histogram(
            "chat_ack_seconds", "", ["event"], buckets=LATENCY_BUCKETS, registry=self.registry
        )
        self.stored = Counter("chat_messages_stored", "", registry=self.registry)
        self.commits = Histogram(
            "chat_db_commit_seconds", "", buckets=COMMIT_BUCKETS, registry=self.registry
        )
        self.db_errors = Counter("chat_db_errors", "", ["kind"], registry=self.registry)
        self.limited = Counter("chat_rate_limited", "", ["limit"], registry=self.registry)

    def answer(self, event: str, seconds: float, result: str = "ok") -> None:
        self.events.labels(event, result).inc()
        self.acks.labels(event).observe(seconds)

    def read(self) -> scrape.Samples:
        return scrape.parse(generate_latest(self.registry).decode())


def a_row(**counts) -> dict:
    return {"sent": 4, "acked": 4, "stored": 4, "receipts_sent": 4, **counts}


def test_a_step_is_the_growth_of_each_counter_between_two_readings():
    chat = ChatMetrics()
    chat.answer("send_message", 0.5)  # before the step: not counted
    chat.stored.inc()
    before = chat.read()
    for seconds in (0.001, 0.004, 0.02, 0.2):
        chat.answer("send_message", seconds)
        chat.stored.inc()
        chat.commits.observe(0.002)
    chat.answer("receipt", 0.003)
    chat.answer("send_message", 0.001, result="rate_limited")
    chat.limited.labels("send_message").inc()

    counted = scrape.difference(before, chat.read())

    assert counted["messages_stored"] == 4
    assert counted["events"] == {
        "send_message": {"ok": 4, "rate_limited": 1},
        "receipt": {"ok": 1},
    }
    assert counted["ack"]["send_message"]["count"] == 5
    assert counted["ack"]["send_message"]["under_ms"] == {"5": 0.6, "25": 0.8, "100": 0.8}
    assert counted["ack"]["all"]["count"] == 6
    assert counted["commits"] == 4
    assert counted["commit_ms_total"] == 8.0
    assert counted["commit_ms_mean"] == 2.0
    assert counted["db_errors"] == {}
    assert counted["rate_limited"] == {"send_message": 1}


def test_the_processes_are_added_up():
    first, second = ChatMetrics(), ChatMetrics()
    before = scrape.added([first.read(), second.read()])
    first.answer("send_message", 0.001)
    second.answer("receipt", 0.001)

    counted = scrape.difference(before, scrape.added([first.read(), second.read()]))

    assert counted["events"] == {"send_message": {"ok": 1}, "receipt": {"ok": 1}}
    assert counted["ack"]["all"]["count"] == 2


def test_counts_that_agree_make_no_note():
    chat = ChatMetrics()
    before = chat.read()
    for _ in range(4):
        chat.answer("send_message", 0.001)
        chat.answer("receipt", 0.001)
        chat.stored.inc()
    row = a_row(metrics=scrape.difference(before, chat.read()))

    assert scrape.disagreements(row) == []
    assert scrape.disagreements(a_row()) == []  # no metrics read


def test_counts_that_disagree_are_noted():
    chat = ChatMetrics()
    before = chat.read()
    for _ in range(3):
        chat.answer("send_message", 0.001)
        chat.stored.inc()
    chat.answer("receipt", 0.001, result="internal")
    chat.db_errors.labels("OperationalError").inc()
    row = a_row(stored=4, metrics=scrape.difference(before, chat.read()))

    notes = scrape.disagreements(row)

    assert notes == [
        "the server counted 3 messages stored; 4 sends were acked before the clients left",
        "the server counted 3 messages stored; the database has 4",
        "the server answered 3 send_message events {'ok': 3}, 4 were sent",
        "the server answered 1 receipt events {'internal': 1}, 4 were sent",
        "database errors counted by the server: {'OperationalError': 1}",
    ]
