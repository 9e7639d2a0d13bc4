"""Agents make, list and revoke their own API tokens from the inbox: named,
scoped, shown once, stored hashed, last use kept to the minute."""

import base64
import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import db
from app.clock import utcnow
from app.models import Agent, ApiToken
from app.services import tokens
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

TOKEN_KEYS = {"id", "name", "scope", "created_at", "last_used_at", "expires_at", "current"}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def inbox(client, agent):
    """The agent's browser, logged in to the inbox."""
    response = client.post("/login", data={"email": AGENT_EMAIL, "password": AGENT_PASSWORD})
    assert response.status_code == 302
    return client


def make(inbox, **body):
    return inbox.post("/api/v1/tokens", json={"name": "CRM sync", "scope": "read", **body})


def stored_tokens() -> list[ApiToken]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id)))


def test_a_named_token_is_shown_once_and_stored_hashed(inbox):
    response = make(inbox, expires_in_days=30)

    assert response.status_code == 201
    secret = response.json["token"]
    assert set(response.json) == TOKEN_KEYS | {"token"}
    assert response.json["name"] == "CRM sync" and response.json["scope"] == "read"
    [row] = stored_tokens()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str([row.name, row.scope, row.token_hash])
    assert timedelta(days=29, hours=23) < row.expires_at - utcnow() <= timedelta(days=30)

    listed = inbox.get("/api/v1/tokens").json["tokens"]
    assert [set(t) for t in listed] == [TOKEN_KEYS]
    assert secret not in inbox.get("/api/v1/tokens").get_data(as_text=True)
    assert inbox.get("/api/v1/conversations", headers=bearer(secret)).status_code == 200


def test_a_token_without_expiry_never_expires(inbox):
    secret = make(inbox, expires_in_days=None).json["token"]
    assert stored_tokens()[0].expires_at is None
    assert tokens.find_token(secret) is not None


def test_the_list_has_the_agents_working_tokens_newest_first(inbox, agent):
    exchanged = tokens.issue_token(agent)
    make(inbox, name="first")
    make(inbox, name="second", scope="read-write")
    ben = another_agent()
    tokens.create_named_token(ben.id, "Ben's", "read", None)
    expired, _ = tokens.create_named_token(agent.id, "old", "read", 1)
    expired.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    listed = inbox.get("/api/v1/tokens").json["tokens"]
    assert [(t["name"], t["scope"]) for t in listed] == [
        ("second", "read-write"),
        ("first", "read"),
        (None, "read-write"),
    ]
    by_token = client_get_tokens(inbox, exchanged)
    assert [t["current"] for t in by_token] == [False, False, True]


def another_agent() -> Agent:
    ben = Agent(email="ben@example.com", name="Ben")
    ben.set_password(AGENT_PASSWORD)
    db.session.add(ben)
    db.session.commit()
    return ben


def client_get_tokens(client, token):
    return client.get("/api/v1/tokens", headers=bearer(token)).json["tokens"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "scope": "read"},
        {"name": "   ", "scope": "read"},
        {"name": "x" * 101, "scope": "read"},
        {"name": "bot", "scope": "admin"},
        {"name": "bot"},
        {"scope": "read"},
        {"name": 5, "scope": "read"},
        {"name": "bot", "scope": "read", "expires_in_days": 0},
        {"name": "bot", "scope": "read", "expires_in_days": 3651},
        {"name": "bot", "scope": "read", "expires_in_days": "30"},
        {"name": "bot\x00", "scope": "read"},
    ],
)
def test_bad_details_are_invalid_and_make_nothing(inbox, body):
    response = inbox.post("/api/v1/tokens", json=body)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid"
    assert stored_tokens() == []


def test_a_body_that_is_not_json_is_invalid(inbox):
    response = inbox.post("/api/v1/tokens", data="name=bot", content_type="text/plain")
    assert response.status_code == 400


def test_the_number_of_named_tokens_is_limited(app, inbox):
    app.config["CHAT_MAX_API_TOKENS"] = 2
    assert make(inbox).status_code == 201 and make(inbox).status_code == 201
    refused = make(inbox)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "conflict"
    first = stored_tokens()[0].id
    assert inbox.delete(f"/api/v1/tokens/{first}").status_code == 204
    assert make(inbox).status_code == 201


def test_a_token_cannot_make_tokens(client, agent_token):
    response = client.post(
        "/api/v1/tokens", json={"name": "x", "scope": "read"}, headers=bearer(agent_token)
    )
    assert response.status_code == 403
    assert len(stored_tokens()) == 1


def test_nobody_makes_or_lists_tokens_without_logging_in(client, agent):
    assert client.post("/api/v1/tokens", json={"name": "x", "scope": "read"}).status_code == 401
    assert client.get("/api/v1/tokens").status_code == 401
    assert stored_tokens() == []


def test_making_tokens_does_not_count_as_password_attempts(app, inbox):
    app.config["CHAT_LOGIN_RATE"] = "2 per minute"
    for _ in range(4):
        assert make(inbox).status_code == 201


def test_revoking_by_id_disconnects_its_sockets(inbox, connect):
    secret = make(inbox).json["token"]
    token_id = stored_tokens()[0].id
    socket = connect(token=secret)
    assert socket.is_connected()

    assert inbox.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert not socket.is_connected()
    assert stored_tokens() == []
    assert inbox.get("/api/v1/conversations", headers=bearer(secret)).status_code == 401
    assert inbox.delete(f"/api/v1/tokens/{token_id}").status_code == 404


def test_an_agent_cannot_revoke_another_agents_token(inbox):
    ben = another_agent()
    row, secret = tokens.create_named_token(ben.id, "Ben's", "read-write", None)
    token_id = row.id

    response = inbox.delete(f"/api/v1/tokens/{token_id}")
    assert response.status_code == 404
    assert [t.id for t in stored_tokens()] == [token_id]
    assert tokens.find_token(secret) is not None


def test_last_use_is_written_at_most_once_a_minute(inbox):
    secret = make(inbox).json["token"]
    assert stored_tokens()[0].last_used_at is None

    inbox.get("/api/v1/conversations", headers=bearer(secret))
    first = stored_tokens()[0].last_used_at
    assert first is not None
    inbox.get("/api/v1/conversations", headers=bearer(secret))
    assert stored_tokens()[0].last_used_at == first

    row = stored_tokens()[0]
    row.last_used_at = utcnow() - timedelta(seconds=61)
    db.session.commit()
    inbox.get("/api/v1/conversations", headers=bearer(secret))
    assert stored_tokens()[0].last_used_at > utcnow() - timedelta(seconds=5)
    listed = inbox.get("/api/v1/tokens").json["tokens"][0]
    assert re.fullmatch(r"\d{4}-.*\.\d{3}Z", listed["last_used_at"])


# --- the session cookie needs the page's CSRF token ----------------------------


@pytest.fixture
def csrf_inbox(app_factory):
    """An agent's browser on an app that checks CSRF tokens: (client, token)."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        agent = Agent(email=AGENT_EMAIL, name="Tess")
        agent.set_password(AGENT_PASSWORD)
        db.session.add(agent)
        db.session.commit()
        client = app.test_client()
        login_page = client.get("/login").get_data(as_text=True)
        login_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)[1]
        client.post(
            "/login",
            data={"email": AGENT_EMAIL, "password": AGENT_PASSWORD, "csrf_token": login_token},
        )
        page = client.get("/agent/tokens").get_data(as_text=True)
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)[1]
        yield client, token, agent.id
        db.session.remove()
        db.drop_all()


def test_a_cookie_needs_the_csrf_token_to_make_or_revoke(csrf_inbox):
    client, csrf, agent_id = csrf_inbox
    body = {"name": "bot", "scope": "read"}
    assert client.post("/api/v1/tokens", json=body).status_code == 403
    made = client.post("/api/v1/tokens", json=body, headers={"X-CSRFToken": csrf})
    assert made.status_code == 201
    path = f"/api/v1/tokens/{made.json['id']}"
    assert client.delete(path, headers={"X-CSRFToken": "forged"}).status_code == 403
    assert client.delete(path, headers={"X-CSRFToken": csrf}).status_code == 204


def test_the_password_exchange_takes_no_body(client, agent):
    """A body sent with HTTP Basic is refused, not ignored: the exchange
    makes only unnamed tokens (named ones are made in the inbox)."""
    credentials = f"{AGENT_EMAIL}:{AGENT_PASSWORD}".encode()
    auth = {"Authorization": "Basic " + base64.b64encode(credentials).decode()}
    for body in ('{"name": "bot", "scope": "read"}', '"text"', "[]", "{}"):
        response = client.post(
            "/api/v1/tokens", data=body, content_type="application/json", headers=auth
        )
        assert response.status_code == 400, body
        assert response.json["error"]["code"] == "invalid"
    assert client.post("/api/v1/tokens", headers=auth).status_code == 200
