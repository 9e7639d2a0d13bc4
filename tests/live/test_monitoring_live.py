"""/healthz and /metrics of real server processes, under real clients."""

import shutil
import signal
import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.harness.api import ChatApi
from tests.harness.logs import show_log_on_failure
from tests.harness.pool import ClientPool
from tests.harness.server import ServerProcess
from tests.live.conftest import SERVER_ENV
from tests.live.test_scale_out import two_processes

pytestmark = pytest.mark.live
METRICS_ENV = {**SERVER_ENV, "CHAT_METRICS": "1"}
VISITORS = 4
MESSAGES_EACH = 50


def scrape(server) -> dict:
    """The server's metrics: ``{(sample name, ((label, value), ...)): value}``."""
    response = requests.get(f"{server.url}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(scraped: dict, name: str, **labels) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


def send_messages(pool: ClientPool, server, transport: str, count: int, label: str):
    """A new visitor connects and sends ``count`` messages; returns its socket."""
    with ChatApi(server.url) as api:
        visitor = api.new_conversation(name=label)
    socket = pool.live(server.url, transport, label, visitor_token=visitor.token)
    for n in range(count):
        ack = socket.call("send_message", {"client_id": f"{label}-{n}", "body": f"{n}"})
        assert ack["ok"], ack
    return socket


@pytest.fixture(scope="module")
def metrics_server(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("metrics"), env=METRICS_ENV)
    server.prepare().start()
    yield server
    server.stop()
    server.assert_clean_log()


def test_scraped_metrics_agree_with_what_the_clients_did(request, metrics_server):
    show_log_on_failure(request.node, metrics_server)
    pool = ClientPool()
    try:
        with ChatApi(metrics_server.url) as api:
            pool.live(metrics_server.url, "websocket", "agent", token=api.agent_token)
        for n in range(VISITORS):
            transport = "websocket" if n % 2 else "polling"
            send_messages(pool, metrics_server, transport, MESSAGES_EACH, f"v{n}")
        sent = VISITORS * MESSAGES_EACH
        scraped = scrape(metrics_server)
        assert value(scraped, "chat_messages_stored_total") == sent
        assert value(scraped, "chat_events_total", event="send_message", result="ok") == sent
        assert value(scraped, "chat_ack_seconds_count", event="send_message") == sent
        assert value(scraped, "chat_sockets_connected", role="visitor") == VISITORS
        assert value(scraped, "chat_sockets_connected", role="agent") == 1
        assert value(scraped, "chat_db_commit_seconds_count") >= sent
        assert value(scraped, "chat_db_errors_total") == 0
    finally:
        pool.close_all()
    deadline = time.monotonic() + 5
    while value(scrape(metrics_server), "chat_sockets_connected", role="visitor"):
        assert time.monotonic() < deadline, "the sockets gauge did not go back to 0"
        time.sleep(0.05)


def test_healthz_turns_503_while_the_server_drains(tmp_path):
    server = ServerProcess(tmp_path, env=SERVER_ENV)
    server.prepare().start()
    try:
        assert requests.get(f"{server.url}/healthz", timeout=5).json() == {"status": "ok"}
        server.process.send_signal(signal.SIGTERM)
        answers = []
        while server.running:
            try:
                answer = requests.get(f"{server.url}/healthz", timeout=1)
                answers.append((answer.status_code, answer.json()["status"]))
            except requests.ConnectionError:
                break
            time.sleep(0.01)
        assert (503, "draining") in answers, answers
        assert server.process.wait(10) == 0
    finally:
        server.stop()


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="Redis is not installed")
def test_each_process_shows_the_sum_over_both(request, tmp_path_factory):
    shared = tmp_path_factory.mktemp("prometheus")
    env = {**METRICS_ENV, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    with two_processes(tmp_path_factory, "metrics", agent=False, **env) as (first, second):
        for process in (first, second):
            show_log_on_failure(request.node, process)
        pool = ClientPool()
        try:
            send_messages(pool, first, "websocket", 3, "on-a")
            send_messages(pool, second, "websocket", 5, "on-b")
            send_messages(pool, second, "polling", 2, "also-on-b")
            for process in (first, second):
                scraped = scrape(process)
                assert value(scraped, "chat_messages_stored_total") == 10
                sends = value(scraped, "chat_events_total", event="send_message", result="ok")
                assert sends == 10
                assert value(scraped, "chat_ack_seconds_count", event="send_message") == 10
                assert value(scraped, "chat_sockets_connected", role="visitor") == 3
        finally:
            pool.close_all()
