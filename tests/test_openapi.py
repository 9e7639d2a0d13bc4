"""The API's OpenAPI description: complete, valid, and true of real answers."""

import base64
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate
from pydantic import ValidationError

from app import db
from app.api.description import api_rules, document, methods_of, operation_of
from app.api.responses import ErrorBody
from app.clock import iso, utcnow
from app.models import Contact
from app.services import identity, messages, resume_links
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD
from tests.test_api import basic, bearer


@pytest.fixture
def checked(app):
    """Every answer of the API in the test must be one its operation describes:
    a documented status, and a body its model validates (strictly, no extra
    fields). Returns the list of (method, endpoint, status) checked."""
    seen = []

    @app.after_request
    def check_answer(response):
        from flask import request

        if request.blueprint == "api" and request.url_rule is not None:
            seen.append((request.method, request.url_rule.endpoint, response.status_code))
            check(app, request.url_rule.endpoint, response)
        return response

    return seen


def check(app, endpoint, response):
    operation = operation_of(app, endpoint)
    status = response.status_code
    if status >= 400:
        if status == 401:
            assert response.headers["WWW-Authenticate"] == 'Bearer realm="chat"'
        error = ErrorBody.model_validate_json(response.get_data())
        assert error.error.code in operation.error_codes(), (endpoint, response.get_data())
        return
    assert status in operation.answers, (endpoint, status)
    model = operation.answers[status]
    if status in operation.media:
        assert response.get_data(), (endpoint, "bytes expected")
        return
    if model is None:
        media = operation.media.get(status)
        assert response.mimetype == media if media else response.get_data() == b""
        return
    assert response.mimetype == "application/json"
    try:
        model.model_validate_json(response.get_data())
    except ValidationError as exc:
        raise AssertionError(f"{endpoint} {status}: {exc}") from None


def test_every_route_of_the_api_is_described(app):
    undescribed = [
        f"{method} {rule.rule}"
        for rule in api_rules(app)
        for method in methods_of(rule)
        if operation_of(app, rule.endpoint) is None
    ]

    assert api_rules(app)
    assert undescribed == []


def test_the_description_is_valid_openapi_and_names_every_operation(app):
    description = document(app)

    validate(description)
    operations = {
        (method.upper(), path) for path, item in description["paths"].items() for method in item
    }
    routes = {
        (method, rule.rule.removeprefix("/api/v1"))
        for rule in api_rules(app)
        for method in methods_of(rule)
    }
    assert len(operations) == len(routes)
    assert ("POST", "/conversations/{conversation_id}/assign") in operations


def test_the_description_is_served_and_says_how_to_authenticate(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    description = response.json
    assert description["openapi"] == "3.1.0"
    schemes = description["components"]["securitySchemes"]
    assert schemes["agentToken"] == {**schemes["agentToken"], "type": "http", "scheme": "bearer"}
    assert schemes["inboxCookie"]["in"] == "cookie"
    create = description["paths"]["/conversations"]["post"]
    assert create["security"] == []
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/VisitorConversation"
    }
    # 401: an identity whose signature is missing or wrong.
    assert set(create["responses"]) == {"201", "400", "401", "413", "429"}
    listing = description["paths"]["/conversations"]["get"]
    assert {"view", "sort", "limit", "cursor"} <= {p["name"] for p in listing["parameters"]}
    view = next(p for p in listing["parameters"] if p["name"] == "view")
    assert set(view["schema"]["enum"]) >= {"mine", "unassigned", "all"}


def test_the_request_schemas_are_those_that_validate(app):
    """The body of a change of settings lists the known settings, no copy."""
    from app.services.settings import KNOWN

    schema = document(app)["components"]["schemas"]["SettingsChange"]

    assert set(schema["properties"]) == set(KNOWN)
    assert schema["additionalProperties"] is False


def test_real_answers_validate_against_their_models(app, client, agent, checked):
    """A tour of every operation as a visitor, an agent and an admin; the
    ``checked`` fixture validates each answer."""
    agent.role = "admin"
    db.session.commit()
    token = client.post("/api/v1/tokens", headers=basic(AGENT_EMAIL, AGENT_PASSWORD)).json["token"]
    auth = bearer(token)
    started = client.post("/api/v1/conversations", json={"name": "Ana", "email": "a@b.example"})
    cid, visitor = started.json["conversation_id"], started.json["visitor_token"]
    messages.post_message(cid, "visitor", "Ana", "c-1", "My parcel is late")
    messages.post_message(cid, "agent", "Bob", "c-2", "Let me look")

    client.get(f"/api/v1/conversations/{cid}/messages", headers=bearer(visitor))
    client.get(f"/api/v1/conversations/{cid}/messages?limit=1&after_seq=0", headers=auth)
    client.get(f"/api/v1/conversations/{cid}/transcript", headers=bearer(visitor))
    client.get(f"/api/v1/conversations/{cid}/transcript", headers=auth)
    client.get("/api/v1/conversations", headers=auth)
    page = client.get("/api/v1/conversations?view=all&limit=1", headers=auth).json
    client.get("/api/v1/conversations?view=all&limit=1", headers=auth)
    client.get(f"/api/v1/conversations?cursor={page['next_cursor'] or 'x'}", headers=auth)
    client.get("/api/v1/search?q=parcel", headers=auth)
    client.get("/api/v1/search?q=Ana", headers=auth)
    client.get("/api/v1/agents", headers=auth)
    client.put("/api/v1/agents/me/availability", json={"available": False}, headers=auth)
    client.post(f"/api/v1/conversations/{cid}/assign", json={"agent_id": agent.id}, headers=auth)
    client.post(f"/api/v1/conversations/{cid}/assign", json={"agent_id": None}, headers=auth)
    note = {"client_id": "n-1", "body": "VIP"}
    client.post(f"/api/v1/conversations/{cid}/notes", json=note, headers=auth)
    client.post(f"/api/v1/conversations/{cid}/notes", json=note, headers=auth)
    until = {"until": iso(utcnow() + timedelta(days=1))}
    client.post(f"/api/v1/conversations/{cid}/snooze", json=until, headers=auth)
    client.post(f"/api/v1/conversations/{cid}/resolve", headers=auth)
    client.post(f"/api/v1/conversations/{cid}/resolve", headers=auth)
    client.post(f"/api/v1/conversations/{cid}/reopen", headers=auth)
    client.post(f"/api/v1/conversations/{cid}/resolve", headers=auth)
    rating = {"score": 4, "comment": "Quick"}
    client.put(f"/api/v1/conversations/{cid}/rating", json=rating, headers=bearer(visitor))
    client.get(f"/api/v1/conversations/{cid}/rating", headers=auth)
    client.get("/api/v1/admin/reports?tz=Europe/Copenhagen", headers=auth)
    client.get("/api/v1/admin/reports.csv?kind=conversations", headers=auth)
    canned = client.post("/api/v1/canned", json={"shortcut": "hi", "body": "Hello!"}, headers=auth)
    client.get("/api/v1/canned", headers=auth)
    client.patch(f"/api/v1/canned/{canned.json['id']}", json={"body": "Hi!"}, headers=auth)
    client.delete(f"/api/v1/canned/{canned.json['id']}", headers=auth)
    client.get("/api/v1/settings", headers=auth)
    client.patch("/api/v1/settings", json={"auto_assign": True}, headers=auth)
    client.get("/api/v1/widget/settings")
    client.get("/api/v1/admin/identity-secret", headers=auth)
    secret = client.post("/api/v1/admin/identity-secret", headers=auth).json["secret"]["secret"]
    user = {"user_id": "u-1", "user_hash": identity.user_hash(secret, "u-1")}
    client.post("/api/v1/identify", json={"identity": user}, headers=bearer(visitor))
    client.post("/api/v1/identify", json={"identity": user})
    client.get(f"/api/v1/conversations/{cid}/visitor", headers=auth)
    client.get("/api/v1/admin/agents", headers=auth)
    new = {"email": "c@d.example", "name": "Cy", "password": "a long password"}
    created = client.post("/api/v1/admin/agents", json=new, headers=auth).json["agent"]
    client.patch(f"/api/v1/admin/agents/{created['id']}", json={"name": "Cyd"}, headers=auth)
    password = {"password": "another long password"}
    client.post(f"/api/v1/admin/agents/{created['id']}/password", json=password, headers=auth)
    tour_webhooks(client, auth, cid)
    client.get("/api/v1/availability")
    link = resume_links.link_for(cid).split("#", 1)[1]
    visitor = client.post("/api/v1/resume", json={"link": link}).json["visitor_token"]
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
    )
    upload = {"file": (io.BytesIO(png), "dot.png")}
    file = client.post(f"/api/v1/conversations/{cid}/files", data=upload, headers=auth).json
    client.get(file["file"]["url"], headers=bearer(visitor))
    client.get(file["file"]["thumbnail_url"], headers=bearer(visitor))
    client.post(f"/api/v1/conversations/{cid}/end", headers=bearer(visitor))
    client.delete(f"/api/v1/conversations/{cid}", headers=auth)
    contact_id = db.session.scalar(sa.select(Contact.id).limit(1))
    client.get(f"/api/v1/admin/contacts/{contact_id}/export", headers=auth)
    client.delete(f"/api/v1/admin/contacts/{contact_id}", headers=auth)
    client.get("/api/v1/openapi.json")
    client.get("/api/v1/tokens", headers=auth)
    client.post("/login", data={"email": AGENT_EMAIL, "password": AGENT_PASSWORD})
    named = client.post("/api/v1/tokens", json={"name": "bot", "scope": "read"}).json
    client.delete(f"/api/v1/tokens/{named['id']}", headers=auth)
    client.delete("/api/v1/tokens", headers=auth)

    answered = {(method, endpoint) for method, endpoint, status in checked if status < 400}
    described = {(method, rule.endpoint) for rule in api_rules(app) for method in methods_of(rule)}
    assert described - answered == set()


def test_error_answers_validate_against_the_error_model(client, agent_token, checked):
    headers = bearer(agent_token)
    client.get("/api/v1/conversations/999/messages", headers=headers)
    client.get("/api/v1/conversations?limit=0", headers=headers)
    client.get("/api/v1/search?q=%20", headers=headers)
    client.post("/api/v1/canned", data="[", content_type="application/json", headers=headers)
    client.get("/api/v1/agents")
    client.get("/api/v1/admin/agents", headers=headers)

    assert [status for _, _, status in checked] == [404, 400, 400, 400, 401, 403]


def tour_webhooks(client, auth, cid):
    """Register an endpoint, let an event be delivered (it fails: nothing
    listens on port 9), read the log, send it again, roll, change, delete."""
    from app.services import outbox

    client.patch("/api/v1/settings", json={"webhooks_allow_private": True}, headers=auth)
    hook = {"url": "http://127.0.0.1:9/hook", "events": ["conversation.resolved"]}
    made = client.post("/api/v1/admin/webhooks", json=hook, headers=auth).json
    path = f"/api/v1/admin/webhooks/{made['id']}"
    client.get("/api/v1/admin/webhooks", headers=auth)
    client.get(path, headers=auth)
    client.post(f"/api/v1/conversations/{cid}/reopen", headers=auth)  # if the tour resolved it
    client.post(f"/api/v1/conversations/{cid}/resolve", headers=auth)
    client.application.config["CHAT_OUTBOX_MAX_ATTEMPTS"] = 1  # failed at once
    outbox.run_due()
    deliveries = client.get(f"{path}/deliveries", headers=auth).json["deliveries"]
    client.post(f"{path}/deliveries/{deliveries[0]['id']}/send", headers=auth)
    client.post(f"{path}/secret", headers=auth)
    client.patch(path, json={"description": "CRM"}, headers=auth)
    client.delete(path, headers=auth)
