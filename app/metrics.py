"""Prometheus metrics: what is measured, and the calls that record it.

Off unless ``CHAT_METRICS`` is set; then every recording call returns at
once. The adapters record (``app/realtime``), never the services.

With ``PROMETHEUS_MULTIPROC_DIR`` set (before the process starts), each
process writes its values to files in that directory and a scrape of any
process reads them all: the processes of one host share the directory, and
the socket gauge sums over the processes alive.
"""

import ipaddress
import os
import time

import sqlalchemy as sa
from flask import Flask
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
COMMIT_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1)

SOCKETS = Gauge(
    "chat_sockets_connected",
    "Connected Socket.IO sockets, by role",
    ["role"],
    multiprocess_mode="livesum",
)
EVENTS = Counter(
    "chat_events",
    "Socket.IO events received, by event and result (ok or an error code)",
    ["event", "result"],
)
ACK_SECONDS = Histogram(
    "chat_ack_seconds",
    "Seconds from an event reaching its handler to its acknowledgement",
    ["event"],
    buckets=LATENCY_BUCKETS,
)
MESSAGES_STORED = Counter("chat_messages_stored", "Messages stored (not counting retries)")
DB_COMMIT_SECONDS = Histogram(
    "chat_db_commit_seconds",
    "Database commits of the server's sessions, and their time",
    buckets=COMMIT_BUCKETS,
)
DB_COMMIT_WRITES = Histogram(
    "chat_db_commit_writes",
    "Messages, receipts and typing changes stored by one group commit",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
DB_ERRORS = Counter("chat_db_errors", "Database errors, by kind", ["kind"])
RATE_LIMITED = Counter("chat_rate_limited", "Events and connections refused by a limit", ["limit"])


class _State:
    recording = False
    listening = False


state = _State()


def init_app(app: Flask) -> None:
    """Record metrics in this process when the app's ``CHAT_METRICS`` is on."""
    app.extensions["chat_metrics_allow"] = [
        ipaddress.ip_network(entry, strict=False) for entry in app.config["CHAT_METRICS_ALLOW"]
    ]
    state.recording = app.config["CHAT_METRICS"]
    if state.recording and not state.listening:
        _listen_to_database()
        state.listening = True


def may_scrape(app: Flask, address: str | None) -> bool:
    """Whether a client at ``address`` may read the metrics (``CHAT_METRICS_ALLOW``)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    ip = getattr(ip, "ipv4_mapped", None) or ip
    return any(ip in network for network in app.extensions["chat_metrics_allow"])


def exposition() -> bytes:
    """The metrics in Prometheus' text format: this process's, or every process's."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def process_ended() -> None:
    """Take this process's sockets out of the sum (it is exiting)."""
    if MULTIPROCESS:
        multiprocess.mark_process_dead(os.getpid())


# Recording calls: each costs one attribute test when metrics are off.


def event_answered(event: str, answer: dict, started: float) -> None:
    if not state.recording:
        return
    result = "ok" if answer.get("ok") else answer["error"]["code"]
    counted = _answered.get((event, result))
    if counted is None:
        counted = _answered[event, result] = (
            EVENTS.labels(event, result),
            ACK_SECONDS.labels(event),
        )
    counted[0].inc()
    counted[1].observe(time.perf_counter() - started)


# Each event's metrics, looked up once: the lookup costs as much as the counting.
_answered: dict[tuple[str, str], tuple] = {}


def socket_connected(role: str) -> None:
    if state.recording:
        SOCKETS.labels(role).inc()


def socket_disconnected(role: str) -> None:
    if state.recording:
        SOCKETS.labels(role).dec()


def message_stored() -> None:
    if state.recording:
        MESSAGES_STORED.inc()


def rate_limited(limit: str) -> None:
    if state.recording:
        RATE_LIMITED.labels(limit).inc()


def _listen_to_database() -> None:
    """Time each session commit; count database errors, of every engine."""

    @sa.event.listens_for(sa.orm.Session, "before_commit")
    def _commit_starts(session):
        session.info["commit_started"] = time.perf_counter()

    @sa.event.listens_for(sa.orm.Session, "after_commit")
    def _committed(session):
        started = session.info.pop("commit_started", None)
        writes = session.info.pop("group_writes", None)
        if state.recording and started is not None:
            DB_COMMIT_SECONDS.observe(time.perf_counter() - started)
            if writes:
                DB_COMMIT_WRITES.observe(writes)

    @sa.event.listens_for(sa.Engine, "handle_error")
    def _failed(context):
        error = context.sqlalchemy_exception
        # A unique client_id answers a retry with the stored row: not a fault.
        if state.recording and not isinstance(error, sa.exc.IntegrityError):
            DB_ERRORS.labels(type(error or context.original_exception).__name__).inc()
