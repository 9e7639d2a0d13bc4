"""Webhooks: admins register endpoints; the desk's events reach them signed,
at least once, retried with backoff, failed after a limit, sent again on
request, never twice from two processes, never lost across a restart, and
never to a loopback or private address unless the desk allows it.

Deliveries go to a real HTTP server on a loopback port
(tests/harness/webhook_receiver.py).
"""

import hashlib
import hmac
import json
import threading
import time

import pytest
import sqlalchemy as sa

from app import db
from app.models import Agent, WebhookDelivery
from app.realtime import background, outbox_loop
from app.services import (
    lifecycle,
    messages,
    outbox,
    ratings,
    settings,
    tokens,
    webhook_targets,
    webhooks,
)
from app.services.access import Identity
from app.services.assignment import assign
from app.services.conversations import create_conversation
from tests.harness.webhook_receiver import webhook_receiver
from tests.test_admin import csrf_client  # noqa: F401
from tests.test_lifecycle import statements_of
from tests.test_openapi import checked  # noqa: F401 (every answer matches the API's description)

ALL_EVENTS = list(webhooks.EVENTS)
QUICK = {"CHAT_OUTBOX_BACKOFF": 0, "CHAT_OUTBOX_MAX_ATTEMPTS": 3, "CHAT_WEBHOOK_TIMEOUT": 0.5}


@pytest.fixture
def admin_token(agent):
    agent.role = "admin"
    db.session.commit()
    return tokens.issue_token(agent)


@pytest.fixture
def api(client, admin_token, checked):  # noqa: F811
    """``api(method, path, json=None, token=admin_token)``: a response."""

    def call(method, path, json=None, token=admin_token):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.open(
            f"/api/v1/admin/webhooks{path}", method=method, json=json, headers=headers
        )

    return call


@pytest.fixture
def private_allowed(app):
    settings.put(webhooks.ALLOW_PRIVATE, True)
    db.session.commit()


@pytest.fixture
def receiver(private_allowed):
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture
def endpoint(api, receiver):
    """An endpoint on the receiver that wants every event."""
    response = api("POST", "", {"url": receiver.url, "description": "CRM", "events": ALL_EVENTS})
    assert response.status_code == 201, response.json
    return response.json


def verified(secret: str, received) -> dict:
    """The body of a delivery whose signature is right; fails otherwise."""
    timestamp = received.headers["Webhook-Timestamp"]
    signed = f"{timestamp}.{received.body}".encode()
    expected = "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received.headers["Webhook-Signature"], expected)
    assert abs(time.time() - int(timestamp)) < 60
    body = json.loads(received.body)
    assert body["id"] == received.headers["Webhook-Id"]
    return body


def stored_deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.created_at)))


def start_chat() -> int:
    conversation, _token = create_conversation(name="Ana", email="ana@example.com")
    return conversation.id


# --- registering ---------------------------------------------------------------------


def test_an_admin_registers_an_endpoint_and_sees_its_secret(api, endpoint, receiver):
    assert endpoint["url"] == receiver.url
    assert endpoint["events"] == ALL_EVENTS
    assert endpoint["secret"].startswith("whsec_") and len(endpoint["secret"]) > 40

    listed = api("GET", "").json

    assert listed["webhooks"] == [endpoint]
    assert set(listed["events"]) == set(ALL_EVENTS)


def test_rolling_the_secret_signs_later_deliveries_with_the_new_one(api, endpoint, receiver):
    rolled = api("POST", f"/{endpoint['id']}/secret").json
    assert rolled["secret"] != endpoint["secret"]

    start_chat()
    outbox.run_due()

    verified(rolled["secret"], receiver.wait_for(1)[0])


def test_an_admin_changes_and_deletes_an_endpoint(api, endpoint):
    path = f"/{endpoint['id']}"
    changed = api("PATCH", path, {"description": "Tickets", "events": ["message.created"]})
    assert changed.status_code == 200
    assert (changed.json["description"], changed.json["events"]) == ("Tickets", ["message.created"])

    assert api("DELETE", path).status_code == 204
    assert api("GET", path).status_code == 404
    assert api("GET", "").json["webhooks"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://example.com/x", "events": ["message.created"]},
        {"url": "not a url", "events": ["message.created"]},
        {"url": "http://user:pw@93.184.215.14/", "events": ["message.created"]},
        {"url": "http://93.184.215.14/", "events": []},
        {"url": "http://93.184.215.14/", "events": ["message.deleted"]},
        {"url": "http://93.184.215.14/", "events": "message.created"},
        {"url": "http://93.184.215.14/" + "a" * 2048, "events": ["message.created"]},
        {"url": "http://93.184.215.14/", "events": ["message.created"], "description": "x" * 201},
    ],
)
def test_bad_endpoints_are_refused(api, body):
    response = api("POST", "", body)

    assert response.status_code == 400 and response.json["error"]["code"] == "invalid"
    assert api("GET", "").json["webhooks"] == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ],
)
def test_non_public_targets_are_refused_unless_the_desk_allows_them(api, url):
    refused = api("POST", "", {"url": url, "events": ["message.created"]})
    assert (
        refused.status_code == 400 and "webhooks_allow_private" in refused.json["error"]["message"]
    )

    settings.put(webhooks.ALLOW_PRIVATE, True)
    db.session.commit()

    assert api("POST", "", {"url": url, "events": ["message.created"]}).status_code == 201


def test_a_public_address_is_accepted(api):
    response = api("POST", "", {"url": "https://93.184.215.14/hook", "events": ["message.created"]})

    assert response.status_code == 201


def test_only_admins_manage_webhooks(app, api, endpoint, agent):
    ben = Agent(email="ben@example.com", name="Ben")
    ben.set_password("a long password")
    db.session.add(ben)
    db.session.commit()
    ben_token = tokens.issue_token(ben)
    path = f"/{endpoint['id']}"

    for method, suffix in [
        ("GET", ""),
        ("POST", ""),
        ("GET", path),
        ("PATCH", path),
        ("DELETE", path),
        ("POST", f"{path}/secret"),
        ("GET", f"{path}/deliveries"),
    ]:
        body = {"url": "http://93.184.215.14/", "events": ["message.created"]}
        assert api(method, suffix, body, token=ben_token).status_code == 403
        assert api(method, suffix, body, token=None).status_code == 401
    assert api("GET", path).json == endpoint


# --- events ----------------------------------------------------------------------------


def test_each_event_reaches_the_endpoint_signed(app, endpoint, receiver, agent):
    cid = start_chat()
    messages.post_message(cid, "visitor", "Ana", "v1", "Hello?")
    messages.post_message(cid, "agent", "Tess", "a1", "Hi Ana")
    assign(cid, agent.id, Identity("agent", "Tess", agent_id=agent.id))
    tess = lifecycle.Actor(agent.id, "Tess")
    lifecycle.resolve(cid, tess)
    lifecycle.reopen(cid, tess)
    lifecycle.resolve(cid, tess)
    messages.post_message(cid, "visitor", "Ana", "v2", "One more thing")

    outbox.run_due()

    bodies = [verified(endpoint["secret"], r) for r in receiver.wait_for(9)]
    events = [
        (b["type"], b["data"].get("message", {}).get("sender"), b["data"].get("reason"))
        for b in bodies
    ]
    assert events == [
        ("conversation.created", None, None),
        ("message.created", "visitor", None),
        ("message.created", "agent", None),
        ("conversation.assigned", None, None),
        ("conversation.resolved", None, None),
        ("conversation.reopened", None, "agent"),
        ("conversation.resolved", None, None),
        ("conversation.reopened", None, "visitor_message"),
        ("message.created", "visitor", None),
    ]
    assert bodies[0]["data"]["conversation"]["visitor"] == {
        "name": "Ana",
        "email": "ana@example.com",
    }
    assert bodies[1]["data"]["message"]["body"] == "Hello?"
    assert bodies[3]["data"]["conversation"]["assignee"] == {"id": agent.id, "name": "Tess"}
    assert bodies[4]["data"]["actor"] == {"id": agent.id, "name": "Tess"}
    assert {d.status for d in stored_deliveries()} == {"delivered"}


def test_a_rating_reaches_the_endpoint_with_its_score_and_comment(app, api, receiver, agent):
    api("POST", "", {"url": receiver.url, "events": ["rating.received"]})
    cid = start_chat()
    messages.post_message(cid, "visitor", "Ana", "v1", "Hello?")
    lifecycle.resolve(cid, lifecycle.Actor(agent.id, "Tess"))
    ratings.rate(cid, 4, "Quick and kind")
    ratings.rate(cid, 5, "Quick and kind")  # changed: a second event
    outbox.run_due()

    bodies = [json.loads(r.body) for r in receiver.wait_for(2)]
    assert [b["type"] for b in bodies] == ["rating.received", "rating.received"]
    assert bodies[0]["data"]["conversation"]["id"] == cid
    assert [b["data"]["rating"]["score"] for b in bodies] == [4, 5]
    assert bodies[1]["data"]["rating"]["comment"] == "Quick and kind"
    assert bodies[1]["data"]["rating"]["agent_id"] == agent.id


def test_an_endpoint_gets_only_the_events_it_wants(api, receiver):
    api("POST", "", {"url": receiver.url, "events": ["conversation.resolved"]})

    cid = start_chat()
    messages.post_message(cid, "visitor", "Ana", "v1", "Hello?")
    lifecycle.resolve(cid, lifecycle.Actor(None, "Tess"))
    outbox.run_due()

    assert [json.loads(r.body)["type"] for r in receiver.wait_for(1)] == ["conversation.resolved"]


def test_an_event_rolled_back_is_never_delivered(app, endpoint, receiver):
    cid = start_chat()
    outbox.run_due()
    receiver.wait_for(1)

    webhooks.record("message.created", {"conversation": {"id": cid}})
    db.session.rollback()
    outbox.run_due()

    time.sleep(0.1)
    assert len(receiver.requests) == 1
    assert len(stored_deliveries()) == 1


def test_a_message_costs_no_extra_statement_when_no_endpoint_wants_it(app, api, receiver):
    api("POST", "", {"url": receiver.url, "events": ["conversation.resolved"]})
    cid = start_chat()
    db.session.rollback()

    ran = statements_of(lambda: messages.post_message(cid, "visitor", "Ana", "v9", "Hi"))

    assert ran == ["UPDATE", "INSERT"]


def test_a_wanted_message_adds_its_delivery_and_job(app, endpoint):
    cid = start_chat()
    db.session.rollback()

    ran = statements_of(lambda: messages.post_message(cid, "visitor", "Ana", "v9", "Hi"))

    # The seq, the message, the conversation for the payload, the delivery, its job.
    assert ran == ["UPDATE", "INSERT", "SELECT", "INSERT", "INSERT"]


# --- delivering -------------------------------------------------------------------------


@pytest.mark.parametrize("app", [QUICK], indirect=True)
def test_a_failing_receiver_is_retried_then_the_delivery_fails(app, api, endpoint, receiver):
    receiver.mode = "fail"
    start_chat()

    outbox.run_due()
    [delivery] = stored_deliveries()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500"
    outbox.run_due()
    outbox.run_due()
    outbox.run_due()  # past the limit: nothing more

    assert len(receiver.requests) == 3
    assert len(set(receiver.ids())) == 1  # the same delivery each time
    log = api("GET", f"/{endpoint['id']}/deliveries").json["deliveries"]
    assert [(d["status"], d["attempts"], d["response_code"]) for d in log] == [("failed", 3, 500)]


@pytest.mark.parametrize("app", [{**QUICK, "CHAT_OUTBOX_MAX_ATTEMPTS": 2}], indirect=True)
def test_a_receiver_that_hangs_times_out_and_is_retried(app, endpoint, receiver):
    receiver.mode, receiver.hang_seconds = "hang", 2
    start_chat()

    began = time.monotonic()
    outbox.run_due()
    assert time.monotonic() - began < 1.5
    [delivery] = stored_deliveries()
    assert (delivery.status, delivery.response_code) == ("pending", None)
    assert delivery.last_error == "no answer within 0.5 s"

    receiver.mode = "ok"
    outbox.run_due()

    [delivery] = stored_deliveries()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 204)


@pytest.mark.parametrize("app", [{"CHAT_OUTBOX_BACKOFF": 30}], indirect=True)
def test_a_failed_attempt_waits_its_backoff(app, endpoint, receiver):
    receiver.mode = "fail"
    start_chat()

    outbox.run_due()
    receiver.mode = "ok"
    outbox.run_due()

    assert len(receiver.requests) == 1  # the retry waits 15 to 30 s
    [delivery] = stored_deliveries()
    assert delivery.status == "pending"


@pytest.mark.parametrize("app", [{**QUICK, "CHAT_OUTBOX_MAX_ATTEMPTS": 1}], indirect=True)
def test_send_again_delivers_a_failed_delivery(app, api, endpoint, receiver):
    receiver.mode = "fail"
    start_chat()
    outbox.run_due()
    [delivery] = api("GET", f"/{endpoint['id']}/deliveries").json["deliveries"]
    assert delivery["status"] == "failed"

    receiver.mode = "ok"
    again = api("POST", f"/{endpoint['id']}/deliveries/{delivery['id']}/send")
    assert again.status_code == 202 and again.json["status"] == "pending"
    assert api("POST", f"/{endpoint['id']}/deliveries/{delivery['id']}/send").status_code == 409
    outbox.run_due()

    [delivery] = api("GET", f"/{endpoint['id']}/deliveries").json["deliveries"]
    assert (delivery["status"], delivery["attempts"], delivery["response_code"]) == (
        "delivered",
        2,
        204,
    )
    assert receiver.ids() == [delivery["id"], delivery["id"]]
    verified(endpoint["secret"], receiver.requests[1])
    assert api("POST", f"/{endpoint['id']}/deliveries/nope/send").status_code == 404


@pytest.mark.parametrize("app", [QUICK], indirect=True)
def test_delivery_refuses_a_target_that_became_private(app, endpoint, receiver):
    settings.put(webhooks.ALLOW_PRIVATE, False)  # as if its name now resolved to 127.0.0.1
    db.session.commit()
    start_chat()

    outbox.run_due()

    [delivery] = stored_deliveries()
    assert delivery.last_error.startswith("refused: 127.0.0.1 is a loopback")
    assert receiver.requests == []


def test_a_deleted_endpoint_gets_nothing_more(app, api, endpoint, receiver):
    start_chat()
    api("DELETE", f"/{endpoint['id']}")

    outbox.run_due()

    time.sleep(0.1)
    assert receiver.requests == []


def test_two_processes_never_deliver_the_same_event_twice(app, app_factory, endpoint, receiver):
    for n in range(20):
        create_conversation(name=f"Visitor {n}")
    processes = [app_factory(), app_factory()]
    start = threading.Barrier(2)

    def work(process):
        with process.app_context():
            start.wait()
            outbox.run_due()
            db.session.remove()

    threads = [threading.Thread(target=work, args=(p,)) for p in processes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    ids = receiver.ids()
    assert len(ids) == 20 and len(set(ids)) == 20
    assert {d.status for d in stored_deliveries()} == {"delivered"}


def test_deliveries_recorded_before_a_restart_go_out_after_it(app, app_factory, endpoint, receiver):
    for n in range(3):
        create_conversation(name=f"Visitor {n}")
    restarted = app_factory(CHAT_OUTBOX_INTERVAL=0.05)

    outbox_loop.ensure_started(restarted)
    try:
        received = receiver.wait_for(3)
    finally:
        background.stop(restarted)

    names = sorted(json.loads(r.body)["data"]["conversation"]["visitor"]["name"] for r in received)
    assert names == ["Visitor 0", "Visitor 1", "Visitor 2"]


@pytest.mark.parametrize("app", [QUICK], indirect=True)
def test_a_name_that_resolves_to_loopback_is_refused_when_connecting(app, receiver):
    url = receiver.url.replace("127.0.0.1", "localhost")
    webhooks.register(url, "", ["conversation.created"])  # allowed then
    settings.put(webhooks.ALLOW_PRIVATE, False)
    db.session.commit()
    start_chat()

    outbox.run_due()

    [delivery] = stored_deliveries()
    assert delivery.last_error.startswith("refused: localhost is a loopback")
    assert receiver.requests == []
    with pytest.raises(webhook_targets.TargetRefused):
        webhook_targets.session(allow_private=False).post(url, timeout=1)
    assert webhook_targets.session(allow_private=True).post(url, timeout=1).status_code == 204


@pytest.mark.parametrize("app", [QUICK], indirect=True)
def test_a_redirect_is_not_followed(app, endpoint, receiver):
    receiver.mode = "redirect"
    start_chat()

    outbox.run_due()

    [delivery] = stored_deliveries()
    assert (delivery.response_code, delivery.last_error) == (302, "HTTP 302")
    assert len(receiver.requests) == 1


def test_a_cookie_change_to_webhooks_needs_the_pages_csrf_token(csrf_client):  # noqa: F811
    client, token = csrf_client
    hook = {"url": "http://93.184.215.14/hook", "events": ["message.created"]}

    without = client.post("/api/v1/admin/webhooks", json=hook)
    right = client.post("/api/v1/admin/webhooks", json=hook, headers={"X-CSRFToken": token})

    assert (without.status_code, right.status_code) == (403, 201)
    assert client.get("/api/v1/admin/webhooks").status_code == 200  # reading needs no token


def test_the_limit_of_endpoints_holds(api):
    hook = {"url": "http://93.184.215.14/hook", "events": ["message.created"]}
    for _ in range(webhooks.MAX_ENDPOINTS):
        assert api("POST", "", hook).status_code == 201

    refused = api("POST", "", hook)

    assert refused.status_code == 409 and refused.json["error"]["code"] == "conflict"


def test_each_endpoint_gets_its_own_delivery_signed_with_its_own_secret(api, endpoint, receiver):
    other = api("POST", "", {"url": receiver.url + "/other", "events": ["conversation.created"]})
    start_chat()

    outbox.run_due()

    first, second = sorted(receiver.wait_for(2), key=lambda r: r.body)
    bodies = {json.loads(r.body)["id"] for r in (first, second)}
    assert len(bodies) == 2
    secrets_used = set()
    for received in (first, second):
        for secret in (endpoint["secret"], other.json["secret"]):
            try:
                verified(secret, received)
                secrets_used.add(secret)
            except AssertionError:
                pass
    assert secrets_used == {endpoint["secret"], other.json["secret"]}
