"""/healthz for proxies and process managers, /metrics for Prometheus."""

import time

import pytest
from prometheus_client import REGISTRY

from app import lifecycle, limiter, metrics
from app.errors import ChatError

METRICS_ON = {"CHAT_METRICS": True}


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def draining(monkeypatch):
    """The process as it is after SIGTERM, while it finishes its events."""
    monkeypatch.setitem(lifecycle._state, "draining", True)


# --- /healthz -----------------------------------------------------------------


def test_healthz_answers_ok_while_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_answers_503_when_the_database_does_not(app_factory, tmp_path):
    unreachable = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/chat.db")
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert "database" in response.json["reason"]
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_answers_503_while_draining(client, draining):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "draining"


def test_draining_refuses_new_events(draining):
    assert lifecycle.draining()
    with pytest.raises(ChatError) as refused:
        with lifecycle.in_flight():
            pass
    assert refused.value.code == "internal"


@pytest.fixture
def default_limits_end_with_the_test():
    """Flask-Limiter keeps default limits on its one limiter, across apps."""
    yield
    limiter.limit_manager.set_default_limits([])


@pytest.mark.parametrize("app", [{"RATELIMIT_DEFAULT": "1 per minute"}], indirect=True)
def test_healthz_and_metrics_are_not_rate_limited(default_limits_end_with_the_test, client):
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 429  # the default limit is in force
    assert [client.get("/healthz").status_code for _ in range(3)] == [200, 200, 200]
    assert [client.get("/metrics").status_code for _ in range(3)] == [404, 404, 404]


# --- /metrics: who may read it ------------------------------------------------


def test_metrics_are_off_by_default(client):
    response = client.get("/metrics")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("app", [METRICS_ON], indirect=True)
def test_metrics_are_served_to_the_local_host(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    assert b"chat_events_total" in response.data or b"# HELP chat_events" in response.data
    assert response.headers["Cache-Control"] == "no-store"
    ipv6 = client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"})
    assert ipv6.status_code == 200


@pytest.mark.parametrize("app", [METRICS_ON], indirect=True)
def test_metrics_are_refused_to_other_addresses(client):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert b"chat_" not in response.data


@pytest.mark.parametrize(
    "app", [{**METRICS_ON, "CHAT_METRICS_ALLOW": ["10.0.0.7", "203.0.113.0/24"]}], indirect=True
)
def test_metrics_are_served_to_listed_addresses_and_networks(client):
    def status(address):
        return client.get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code

    assert status("10.0.0.7") == 200
    assert status("203.0.113.200") == 200
    assert status("10.0.0.8") == 403
    assert status("127.0.0.1") == 403  # the default is replaced, not extended


@pytest.mark.parametrize("app", [{**METRICS_ON, "CHAT_TRUSTED_PROXIES": 1}], indirect=True)
def test_metrics_behind_a_proxy_go_by_the_clients_address(client):
    """The proxy connects from 127.0.0.1; the client it forwards is what counts."""
    forwarded = client.get(
        "/metrics",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-For": "203.0.113.5"},
    )
    assert forwarded.status_code == 403
    local = client.get(
        "/metrics",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-For": "127.0.0.1"},
    )
    assert local.status_code == 200


def test_a_wrong_allowed_network_stops_the_start(app_factory):
    with pytest.raises(ValueError):
        app_factory(CHAT_METRICS=True, CHAT_METRICS_ALLOW=["not-an-address"])


# --- /metrics: what it counts -------------------------------------------------


@pytest.mark.parametrize("app", [METRICS_ON], indirect=True)
def test_metrics_count_sockets_events_and_stored_messages(client, new_visitor, connect):
    before = {
        "sockets": sample("chat_sockets_connected", role="visitor"),
        "sent": sample("chat_events_total", event="send_message", result="ok"),
        "invalid": sample("chat_events_total", event="send_message", result="invalid"),
        "stored": sample("chat_messages_stored_total"),
        "acks": sample("chat_ack_seconds_count", event="send_message"),
        "commits": sample("chat_db_commit_seconds_count"),
    }
    _cid, token = new_visitor(name="Ana")
    socket = connect(visitor_token=token)
    assert sample("chat_sockets_connected", role="visitor") == before["sockets"] + 1

    for client_id in ("m-1", "m-2", "m-1"):  # the last is a retry: stored once
        ack = socket.emit("send_message", {"client_id": client_id, "body": "Hi"}, callback=True)
        assert ack["ok"]
    assert not socket.emit("send_message", {"body": "no id"}, callback=True)["ok"]

    assert sample("chat_events_total", event="send_message", result="ok") == before["sent"] + 3
    invalid = sample("chat_events_total", event="send_message", result="invalid")
    assert invalid == before["invalid"] + 1
    assert sample("chat_messages_stored_total") == before["stored"] + 2
    assert sample("chat_ack_seconds_count", event="send_message") == before["acks"] + 4
    assert sample("chat_db_commit_seconds_count") >= before["commits"] + 2
    scraped = client.get("/metrics").get_data(as_text=True)
    assert 'chat_events_total{event="send_message",result="ok"}' in scraped

    socket.disconnect()
    assert sample("chat_sockets_connected", role="visitor") == before["sockets"]


@pytest.mark.parametrize(
    "app", [{**METRICS_ON, "CHAT_MESSAGE_RATE": "1 per minute"}], indirect=True
)
def test_metrics_count_refusals_by_limit(new_visitor, connect):
    before = sample("chat_rate_limited_total", limit="send_message")
    _cid, token = new_visitor()
    socket = connect(visitor_token=token)
    acks = [
        socket.emit("send_message", {"client_id": f"m-{n}", "body": "Hi"}, callback=True)
        for n in range(3)
    ]
    assert [ack["ok"] for ack in acks] == [True, False, False]
    assert sample("chat_rate_limited_total", limit="send_message") == before + 2
    rate_limited = sample("chat_events_total", event="send_message", result="rate_limited")
    assert rate_limited >= 2


def test_metrics_off_record_nothing(new_visitor, connect):
    before = sample("chat_messages_stored_total")
    _cid, token = new_visitor()
    socket = connect(visitor_token=token)
    assert socket.emit("send_message", {"client_id": "m", "body": "Hi"}, callback=True)["ok"]
    assert sample("chat_messages_stored_total") == before


def test_recording_costs_little_per_event():
    """The recording of one event (a counter and a histogram), in a tight loop."""
    recording = metrics.state.recording
    answer = {"ok": True}
    try:
        costs = {}
        for metrics.state.recording in (False, True):
            started = time.perf_counter()
            for _ in range(100_000):
                metrics.event_answered("send_message", answer, started)
            costs[metrics.state.recording] = (time.perf_counter() - started) / 100_000
    finally:
        metrics.state.recording = recording
    print(f"per event: off {costs[False] * 1e9:.0f} ns, on {costs[True] * 1e6:.2f} µs")
    assert costs[False] < 1e-6
    assert costs[True] < 50e-6
