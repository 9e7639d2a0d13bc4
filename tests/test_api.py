"""Every HTTP endpoint under /api/v1, and the headers every response carries."""

import base64
import os
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import db
from app.clock import utcnow
from app.models import ApiToken, Conversation
from app.services import messages
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

SHOP = "https://shop.example"
EVIL = "https://evil.example"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def basic(email, password):
    secret = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {secret}"}


def assert_error(response, status, code):
    assert response.status_code == status, response.data
    assert response.is_json, response.data
    assert set(response.json) == {"error"}
    assert response.json["error"]["code"] == code
    assert isinstance(response.json["error"]["message"], str) and response.json["error"]["message"]


def conversation_count():
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Conversation))


def log_in(client, email=AGENT_EMAIL, password=AGENT_PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


# --- POST /api/v1/conversations -----------------------------------------------


def test_start_conversation_without_body(client):
    response = client.post("/api/v1/conversations")

    assert response.status_code == 201
    assert set(response.json) == {"conversation_id", "visitor_token"}
    assert isinstance(response.json["conversation_id"], int)
    token = response.json["visitor_token"]
    assert isinstance(token, str) and len(token) >= 32
    messages = client.get(
        f"/api/v1/conversations/{response.json['conversation_id']}/messages", headers=bearer(token)
    )
    assert messages.status_code == 200


def test_start_conversation_with_details(client, agent_token):
    response = client.post(
        "/api/v1/conversations",
        json={"name": "  Ana  ", "email": "ana@example.com", "page_url": "https://shop.example/p"},
    )

    assert response.status_code == 201
    [summary] = client.get("/api/v1/conversations", headers=bearer(agent_token)).json[
        "conversations"
    ]
    assert summary["id"] == response.json["conversation_id"]
    assert summary["visitor"] == {"name": "Ana", "email": "ana@example.com"}
    assert summary["page_url"] == "https://shop.example/p"


@pytest.mark.parametrize(
    ("page_url", "stored"),
    [
        ("https://shop.example/reset?token=s3cret#frag", "https://shop.example/reset"),
        ("https://shop.example/callback#access_token=s3cret", "https://shop.example/callback"),
        ("https://ana:s3cret@shop.example:8443/p?q=1", "https://shop.example:8443/p"),
        ("https://shop.example/?s3cret", "https://shop.example/"),
        ("https://shop.example/p", "https://shop.example/p"),
        ("?s3cret", None),
    ],
)
def test_page_url_keeps_only_origin_and_path(client, agent_token, page_url, stored):
    """Reset tokens and OAuth fragments in the host page's address never reach agents."""
    response = client.post("/api/v1/conversations", json={"page_url": page_url})

    assert response.status_code == 201
    [summary] = client.get("/api/v1/conversations", headers=bearer(agent_token)).json[
        "conversations"
    ]
    assert summary["page_url"] == stored
    assert "s3cret" not in repr(database_rows())


def database_rows():
    db.session.rollback()
    return db.session.execute(sa.select(Conversation.__table__)).all()


def test_start_conversation_with_empty_object_and_unknown_fields(client):
    assert client.post("/api/v1/conversations", json={}).status_code == 201
    assert (
        client.post("/api/v1/conversations", json={"color": "red", "name": None}).status_code == 201
    )


def test_each_conversation_gets_its_own_token(client):
    first = client.post("/api/v1/conversations").json
    second = client.post("/api/v1/conversations").json

    assert first["conversation_id"] != second["conversation_id"]
    assert first["visitor_token"] != second["visitor_token"]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("{", "application/json"),
        ("{'name': 'Ana'}", "application/json"),
        ("name=Ana", "application/x-www-form-urlencoded"),
        ('{"name": "Ana"}', "text/plain"),
        ("[]", "application/json"),
        ('["Ana"]', "application/json"),
        ('"Ana"', "application/json"),
        ("42", "application/json"),
        ("null", "application/json"),
        ("true", "application/json"),
    ],
)
def test_start_conversation_with_body_not_a_json_object_is_invalid(client, data, content_type):
    response = client.post("/api/v1/conversations", data=data, content_type=content_type)

    assert_error(response, 400, "invalid")
    assert conversation_count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"name": 5},
        {"name": ["Ana"]},
        {"name": True},
        {"email": 5},
        {"email": {"a": 1}},
        {"page_url": 1.5},
        {"page_url": False},
        {"name": "x" * 101},
        {"email": "x" * 255},
        {"page_url": "https://shop.example/" + "x" * 2048},
    ],
)
def test_start_conversation_with_wrong_field_is_invalid(client, body):
    response = client.post("/api/v1/conversations", json=body)

    assert_error(response, 400, "invalid")
    assert conversation_count() == 0


def test_start_conversation_fields_at_their_limits_are_accepted(client):
    body = {"name": "x" * 100, "email": "e" * 254, "page_url": "u" * 2048}

    assert client.post("/api/v1/conversations", json=body).status_code == 201


def test_start_conversation_with_huge_body_is_refused(client):
    response = client.post("/api/v1/conversations", json={"name": "x" * 200_000})

    assert_error(response, 413, "too_large")
    assert conversation_count() == 0


def test_start_conversation_is_rate_limited_per_address(app, client):
    app.config["CHAT_CONVERSATION_RATE"] = "2 per minute"

    codes = [client.post("/api/v1/conversations").status_code for _ in range(3)]

    assert codes == [201, 201, 429]
    assert_error(client.post("/api/v1/conversations"), 429, "rate_limited")
    assert conversation_count() == 2


# --- POST and DELETE /api/v1/tokens -------------------------------------------


def test_token_for_right_credentials_works_as_bearer(client, agent):
    response = client.post("/api/v1/tokens", headers=basic(AGENT_EMAIL, AGENT_PASSWORD))

    assert response.status_code == 200
    assert set(response.json) == {"token"}
    listed = client.get("/api/v1/conversations", headers=bearer(response.json["token"]))
    assert listed.status_code == 200


def test_token_email_is_case_insensitive(client, agent):
    response = client.post("/api/v1/tokens", headers=basic("  TESS@Example.com ", AGENT_PASSWORD))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic(AGENT_EMAIL, "wrong password"),
        basic(AGENT_EMAIL, ""),
        basic("nobody@example.com", AGENT_PASSWORD),
        basic("", ""),
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Bearer something"},
        {"Authorization": "Digest username=tess"},
    ],
)
def test_token_for_wrong_or_missing_credentials_is_unauthorized(client, agent, headers):
    response = client.post("/api/v1/tokens", headers=headers)

    assert_error(response, 401, "unauthorized")
    assert "WWW-Authenticate" in response.headers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_revoke_token(client, agent_token):
    other = client.post("/api/v1/tokens", headers=basic(AGENT_EMAIL, AGENT_PASSWORD)).json["token"]

    response = client.delete("/api/v1/tokens", headers=bearer(agent_token))

    assert response.status_code == 204 and response.data == b""
    assert_error(
        client.get("/api/v1/conversations", headers=bearer(agent_token)), 401, "unauthorized"
    )
    assert_error(client.delete("/api/v1/tokens", headers=bearer(agent_token)), 401, "unauthorized")
    assert client.get("/api/v1/conversations", headers=bearer(other)).status_code == 200


def test_revoke_token_without_credentials_is_unauthorized(client, agent_token):
    assert_error(client.delete("/api/v1/tokens"), 401, "unauthorized")
    assert_error(client.delete("/api/v1/tokens", headers=bearer("forged")), 401, "unauthorized")
    assert client.get("/api/v1/conversations", headers=bearer(agent_token)).status_code == 200


def test_visitor_token_cannot_be_revoked_as_agent_token(client, new_visitor):
    conversation_id, token = new_visitor()

    assert_error(client.delete("/api/v1/tokens", headers=bearer(token)), 403, "forbidden")
    assert (
        client.get(
            f"/api/v1/conversations/{conversation_id}/messages", headers=bearer(token)
        ).status_code
        == 200
    )


def test_expired_token_is_unauthorized(client, agent_token):
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()

    response = client.get("/api/v1/conversations", headers=bearer(agent_token))

    assert_error(response, 401, "unauthorized")


def test_token_expires_after_configured_hours(app, client, agent):
    app.config["CHAT_API_TOKEN_HOURS"] = 2
    token = client.post("/api/v1/tokens", headers=basic(AGENT_EMAIL, AGENT_PASSWORD)).json["token"]

    db.session.rollback()
    expires_at = db.session.scalar(sa.select(ApiToken.expires_at))
    assert timedelta(hours=1, minutes=59) < expires_at - utcnow() <= timedelta(hours=2)
    assert client.get("/api/v1/conversations", headers=bearer(token)).status_code == 200


# --- GET /api/v1/conversations ------------------------------------------------


def test_inbox_with_agent_token_lists_most_recent_activity_first(client, agent_token, new_visitor):
    first, _ = new_visitor(name="First")
    second, _ = new_visitor(name="Second")
    third, _ = new_visitor(name="Third")
    messages.post_message(first, "visitor", "First", "c-1", "bump")

    response = client.get("/api/v1/conversations", headers=bearer(agent_token))

    assert response.status_code == 200
    assert set(response.json) == {"conversations"}
    summaries = response.json["conversations"]
    assert [s["id"] for s in summaries] == [first, third, second]
    assert summaries[0]["last_message"]["body"] == "bump"
    assert summaries[0]["unread"] == 1
    for summary in summaries:
        assert {
            "id",
            "visitor",
            "status",
            "created_at",
            "last_message",
            "unread",
            "visitor_online",
            "visitor_typing",
        } <= set(summary)


def test_inbox_with_session_cookie(client, agent, new_visitor):
    new_visitor()
    assert log_in(client).status_code == 302

    response = client.get("/api/v1/conversations")

    assert response.status_code == 200 and len(response.json["conversations"]) == 1


def test_inbox_limit(client, agent_token, new_visitor):
    for _ in range(3):
        new_visitor()

    response = client.get("/api/v1/conversations?limit=2", headers=bearer(agent_token))

    assert len(response.json["conversations"]) == 2


@pytest.mark.parametrize("limit", ["0", "201", "-1", "abc", "", "1.5"])
def test_inbox_with_bad_limit_is_invalid(client, agent_token, limit):
    response = client.get(f"/api/v1/conversations?limit={limit}", headers=bearer(agent_token))

    assert_error(response, 400, "invalid")


def test_inbox_for_visitor_is_forbidden(client, new_visitor):
    _conversation_id, token = new_visitor()

    assert_error(client.get("/api/v1/conversations", headers=bearer(token)), 403, "forbidden")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        bearer("forged"),
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Token abc"},
        basic(AGENT_EMAIL, AGENT_PASSWORD),
    ],
)
def test_inbox_without_valid_credentials_is_unauthorized(client, agent, headers):
    response = client.get("/api/v1/conversations", headers=headers)

    assert_error(response, 401, "unauthorized")
    assert "WWW-Authenticate" in response.headers


def test_inbox_after_logout_is_unauthorized(client, agent):
    log_in(client)
    client.post("/logout")

    assert_error(client.get("/api/v1/conversations"), 401, "unauthorized")


def test_failed_login_gives_no_session(client, agent):
    response = log_in(client, password="wrong password")

    assert response.status_code == 401
    assert_error(client.get("/api/v1/conversations"), 401, "unauthorized")


# --- GET /api/v1/conversations/ID/messages ------------------------------------


@pytest.fixture
def seven_messages(new_visitor):
    conversation_id, token = new_visitor(name="Ana")
    for number in range(1, 8):
        sender = "visitor" if number % 2 else "agent"
        messages.post_message(conversation_id, sender, "Ana", f"c-{number}", f"m{number}")
    return conversation_id, token


def test_messages_for_agent_and_own_visitor_are_the_same(client, agent_token, seven_messages):
    conversation_id, token = seven_messages
    url = f"/api/v1/conversations/{conversation_id}/messages"

    as_agent = client.get(url, headers=bearer(agent_token))
    as_visitor = client.get(url, headers=bearer(token))

    assert as_agent.status_code == as_visitor.status_code == 200
    assert as_agent.json == as_visitor.json
    assert set(as_agent.json) == {"messages", "has_more"}
    assert [m["seq"] for m in as_agent.json["messages"]] == [1, 2, 3, 4, 5, 6, 7]
    assert [m["body"] for m in as_agent.json["messages"]][:2] == ["m1", "m2"]
    assert as_agent.json["has_more"] is False


def test_messages_with_session_cookie(client, agent, seven_messages):
    conversation_id, _token = seven_messages
    log_in(client)

    response = client.get(f"/api/v1/conversations/{conversation_id}/messages")

    assert response.status_code == 200 and len(response.json["messages"]) == 7


@pytest.mark.parametrize(
    ("query", "seqs", "has_more"),
    [
        ("limit=3", [5, 6, 7], True),
        ("before_seq=5&limit=3", [2, 3, 4], True),
        ("before_seq=3&limit=3", [1, 2], False),
        ("after_seq=0&limit=3", [1, 2, 3], True),
        ("after_seq=4&limit=3", [5, 6, 7], False),
        ("after_seq=7", [], False),
        ("limit=100", [1, 2, 3, 4, 5, 6, 7], False),
        ("limit=1", [7], True),
    ],
)
def test_messages_pages(client, seven_messages, query, seqs, has_more):
    conversation_id, token = seven_messages

    response = client.get(
        f"/api/v1/conversations/{conversation_id}/messages?{query}", headers=bearer(token)
    )

    assert response.status_code == 200
    assert [m["seq"] for m in response.json["messages"]] == seqs
    assert response.json["has_more"] is has_more


def test_messages_of_another_visitors_conversation_are_not_found(
    client, seven_messages, new_visitor
):
    conversation_id, _token = seven_messages
    _other_id, other_token = new_visitor(name="Bo")

    response = client.get(
        f"/api/v1/conversations/{conversation_id}/messages", headers=bearer(other_token)
    )

    assert_error(response, 404, "not_found")
    assert b"m1" not in response.data


@pytest.mark.parametrize("who", ["agent", "visitor"])
def test_messages_of_missing_conversation_are_not_found(client, agent_token, new_visitor, who):
    _conversation_id, visitor_token = new_visitor()
    token = agent_token if who == "agent" else visitor_token

    response = client.get("/api/v1/conversations/9999/messages", headers=bearer(token))

    assert_error(response, 404, "not_found")


def test_messages_without_credentials_are_unauthorized(client, seven_messages):
    conversation_id, _token = seven_messages
    url = f"/api/v1/conversations/{conversation_id}/messages"

    assert_error(client.get(url), 401, "unauthorized")
    assert_error(client.get(url, headers=bearer("forged")), 401, "unauthorized")


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=-1",
        "limit=abc",
        "limit=",
        "limit=2.5",
        "before_seq=-1",
        "before_seq=x",
        "before_seq=1e3",
        "after_seq=-1",
        "after_seq=0x10",
        "after_seq=" + "9" * 20,
        "before_seq=3&after_seq=1",
        "before_seq=0&after_seq=0",
        "limit=%EF%BC%95",  # a full-width digit five
    ],
)
def test_messages_with_bad_query_are_invalid(client, seven_messages, query):
    conversation_id, token = seven_messages

    response = client.get(
        f"/api/v1/conversations/{conversation_id}/messages?{query}", headers=bearer(token)
    )

    assert_error(response, 400, "invalid")


# --- unknown paths and methods ------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing", "/api/v1/conversations/abc/messages", "/api/v1/", "/api/v2/conversations"],
)
def test_unknown_api_path_is_json_not_found(client, path):
    assert_error(client.get(path), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/v1/conversations"),
        ("patch", "/api/v1/conversations"),
        ("patch", "/api/v1/tokens"),  # GET lists the caller's tokens
        ("put", "/api/v1/tokens"),
        ("post", "/api/v1/conversations/1/messages"),
        ("delete", "/api/v1/conversations/1/messages"),
    ],
)
def test_wrong_method_on_api_path_is_json_error(client, method, path):
    response = getattr(client, method)(path)

    assert_error(response, 405, "invalid")


def test_unknown_page_outside_api_is_not_json(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert not response.is_json


# --- CORS ---------------------------------------------------------------------


def test_api_answers_allowed_origin_with_cors_headers(app, client):
    app.config["CHAT_ALLOWED_ORIGINS"] = [SHOP]

    response = client.post("/api/v1/conversations", headers={"Origin": SHOP})

    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    assert "Origin" in response.headers.get("Vary", "")


def test_api_preflight_from_allowed_origin(app, client):
    app.config["CHAT_ALLOWED_ORIGINS"] = [SHOP]

    response = client.options(
        "/api/v1/conversations",
        headers={
            "Origin": SHOP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )

    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()


def test_api_error_for_allowed_origin_is_readable(app, client):
    app.config["CHAT_ALLOWED_ORIGINS"] = [SHOP]

    response = client.get("/api/v1/conversations", headers={"Origin": SHOP})

    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == SHOP


@pytest.mark.parametrize("origin", [EVIL, "https://shop.example.evil.example", "null"])
def test_api_gives_other_origins_no_cors_headers(app, client, origin):
    app.config["CHAT_ALLOWED_ORIGINS"] = [SHOP]

    for response in (
        client.post("/api/v1/conversations", headers={"Origin": origin}),
        client.options(
            "/api/v1/conversations",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        ),
    ):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Methods" not in response.headers


def test_api_without_allowed_origins_gives_no_cors_headers(client):
    response = client.post("/api/v1/conversations", headers={"Origin": SHOP})

    assert "Access-Control-Allow-Origin" not in response.headers


def test_api_star_allows_any_origin(app, client):
    app.config["CHAT_ALLOWED_ORIGINS"] = ["*"]

    response = client.post("/api/v1/conversations", headers={"Origin": EVIL})

    assert response.headers["Access-Control-Allow-Origin"] == EVIL


HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


def test_socketio_handshake_from_own_origin_is_accepted(client):
    response = client.get(HANDSHAKE, headers={"Origin": "http://localhost"})

    assert response.status_code == 200
    assert response.data.startswith(b"0{")


def test_socketio_handshake_from_unlisted_origin_is_refused(client):
    response = client.get(HANDSHAKE, headers={"Origin": EVIL})

    assert response.status_code == 400
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.fixture
def app_allowing_shop(app_factory):
    """An app whose Socket.IO server was started with CHAT_ALLOWED_ORIGINS."""
    return app_factory(CHAT_ALLOWED_ORIGINS=[SHOP])


def test_socketio_handshake_from_listed_origin_is_accepted(app_allowing_shop):
    client = app_allowing_shop.test_client()

    allowed = client.get(HANDSHAKE, headers={"Origin": SHOP})
    refused = client.get(HANDSHAKE, headers={"Origin": EVIL})

    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == SHOP
    assert refused.status_code == 400


# --- security headers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/conversations"),
        ("get", "/api/v1/conversations"),
        ("get", "/api/v1/nothing"),
        ("get", "/login"),
        ("get", "/"),
        ("get", "/widget.js"),
    ],
)
def test_security_headers_on_every_response(client, method, path):
    response = getattr(client, method)(path)
    response.close()  # a static file's response holds the file open

    csp = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (d.strip() for d in csp.split(";")) if part
    )
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in directives.get("script-src", directives["default-src"])
    assert directives["object-src"] == "'none'"
    assert "frame-ancestors" in directives
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["X-Frame-Options"] in ("DENY", "SAMEORIGIN")


def test_session_cookie_is_http_only_and_same_site(client, agent):
    response = log_in(client)

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_widget_script_may_be_loaded_from_any_site(client):
    with client.get("/widget.js") as response:
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "javascript" in response.content_type


# --- values the database cannot hold ------------------------------------------
# SQLite stores them; PostgreSQL (the production database) refuses NUL in text
# and integers past 2**31 - 1 in INTEGER columns. A 5xx is always a bug.


@pytest.mark.parametrize("field", ["name", "email", "page_url"])
def test_start_conversation_with_nul_character_is_created_or_invalid(client, field):
    response = client.post("/api/v1/conversations", json={field: "a\x00b"})

    assert response.status_code in (201, 400)
    if response.status_code == 400:
        assert_error(response, 400, "invalid")
        assert conversation_count() == 0


@pytest.mark.parametrize("query", ["before_seq=2147483648", "after_seq=2147483648"])
def test_messages_with_huge_seq_answer_a_page_or_invalid(client, seven_messages, query):
    conversation_id, token = seven_messages

    response = client.get(
        f"/api/v1/conversations/{conversation_id}/messages?{query}", headers=bearer(token)
    )

    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert_error(response, 400, "invalid")


def test_token_for_email_with_nul_character_is_unauthorized(client, agent):
    response = client.post("/api/v1/tokens", headers=basic("tess\x00@example.com", "x"))

    assert_error(response, 401, "unauthorized")


def test_login_with_nul_character_in_email_fails_cleanly(client, agent):
    response = log_in(client, email="tess\x00@example.com")

    assert response.status_code in (200, 400, 401)  # the form again, with an error
    assert_error(client.get("/api/v1/conversations"), 401, "unauthorized")


# --- ending, deleting and exporting a conversation (docs/protocol.md) ---------


def test_visitor_ends_the_chat(client, agent_token, seven_messages, connect):
    conversation_id, token = seven_messages
    socket = connect(visitor_token=token)
    url = f"/api/v1/conversations/{conversation_id}"

    response = client.post(f"{url}/end", headers=bearer(token))

    assert response.status_code == 204
    assert not socket.is_connected()
    assert_error(client.get(f"{url}/messages", headers=bearer(token)), 401, "unauthorized")
    assert not connect(visitor_token=token).is_connected()
    [summary] = client.get("/api/v1/conversations", headers=bearer(agent_token)).json[
        "conversations"
    ]
    assert summary["status"] == "closed"
    messages = client.get(f"{url}/messages", headers=bearer(agent_token)).json["messages"]
    assert len(messages) == 7


@pytest.mark.parametrize("who", ["agent", "other visitor"])
def test_only_the_visitor_may_end_the_chat(client, agent_token, seven_messages, new_visitor, who):
    conversation_id, token = seven_messages
    caller = agent_token if who == "agent" else new_visitor()[1]

    response = client.post(f"/api/v1/conversations/{conversation_id}/end", headers=bearer(caller))

    assert_error(response, 404, "not_found")
    assert (
        client.get(
            f"/api/v1/conversations/{conversation_id}/messages", headers=bearer(token)
        ).status_code
        == 200
    )


def test_agent_deletes_a_conversation(client, agent_token, seven_messages, connect):
    conversation_id, token = seven_messages
    socket = connect(visitor_token=token)
    url = f"/api/v1/conversations/{conversation_id}"

    response = client.delete(url, headers=bearer(agent_token))

    assert response.status_code == 204
    assert not socket.is_connected()
    assert_error(client.get(f"{url}/messages", headers=bearer(agent_token)), 404, "not_found")
    assert client.get("/api/v1/conversations", headers=bearer(agent_token)).json == {
        "conversations": []
    }
    assert_error(client.delete(url, headers=bearer(agent_token)), 404, "not_found")


def database_files_hold(marker: bytes) -> dict[str, bool]:
    """Whether the raw bytes of the SQLite database and its log contain ``marker``."""
    path = Path(db.engine.url.database)
    files = (path, path.with_name(f"{path.name}-wal"))
    return {file.name: file.exists() and marker in file.read_bytes() for file in files}


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="about SQLite's files; PostgreSQL vacuums"
)
def test_deleted_conversation_text_is_gone_from_the_database_files(
    client, agent_token, new_visitor, connect
):
    """Deleting is forgetting: the text is not left in freed pages or in the log."""
    marker = "qzx-forget-me"
    conversation_id, token = new_visitor(
        name=f"Ana {marker}",
        email=f"{marker}@example.com",
        page_url=f"https://shop.example/{marker}",
    )
    visitor = connect(visitor_token=token)
    visitor.emit("send_message", {"client_id": "c-1", "body": f"My card {marker}"}, callback=True)
    with db.engine.connect() as connection:  # into the main file
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    long_body = f"{marker} and a long story " * 400  # spills onto overflow pages
    visitor.emit("send_message", {"client_id": "c-2", "body": long_body}, callback=True)
    visitor.emit("send_message", {"client_id": "c-3", "body": f"Still {marker}"}, callback=True)
    assert database_files_hold(marker.encode()) == {"chat.db": True, "chat.db-wal": True}

    response = client.delete(
        f"/api/v1/conversations/{conversation_id}", headers=bearer(agent_token)
    )

    assert response.status_code == 204
    assert database_files_hold(marker.encode()) == {"chat.db": False, "chat.db-wal": False}


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="about SQLite's files; PostgreSQL vacuums"
)
def test_deleted_text_leaves_the_log_once_a_reader_lets_go(client, agent_token, new_visitor):
    """A reader that holds the log does not hold up the deletion, only the log's emptying."""
    marker = "qzx-forget-me-too"
    conversation_id, _token = new_visitor()
    messages.post_message(conversation_id, "visitor", "Ana", "c-1", f"My card {marker}")
    reader = sqlite3.connect(db.engine.url.database, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM messages").fetchone()  # a snapshot before the deletion
    started = time.monotonic()

    response = client.delete(
        f"/api/v1/conversations/{conversation_id}", headers=bearer(agent_token)
    )

    assert response.status_code == 204
    assert time.monotonic() - started < 1
    assert database_files_hold(marker.encode())["chat.db-wal"]
    reader.execute("ROLLBACK")
    reader.close()
    deadline = time.monotonic() + 5
    while any(database_files_hold(marker.encode()).values()):
        assert time.monotonic() < deadline, "the deleted text is still in the database files"
        time.sleep(0.1)


def test_visitor_may_not_delete_a_conversation(client, seven_messages):
    conversation_id, token = seven_messages

    response = client.delete(f"/api/v1/conversations/{conversation_id}", headers=bearer(token))

    assert_error(response, 403, "forbidden")
    assert conversation_count() == 1


@pytest.mark.parametrize("who", ["agent", "visitor"])
def test_transcript_download(client, agent_token, seven_messages, who):
    conversation_id, token = seven_messages

    response = client.get(
        f"/api/v1/conversations/{conversation_id}/transcript",
        headers=bearer(agent_token if who == "agent" else token),
    )

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.json["conversation"]["id"] == conversation_id
    assert [m["seq"] for m in response.json["messages"]] == [1, 2, 3, 4, 5, 6, 7]


def test_transcript_of_another_visitors_conversation_is_not_found(
    client, seven_messages, new_visitor
):
    conversation_id, _token = seven_messages

    response = client.get(
        f"/api/v1/conversations/{conversation_id}/transcript", headers=bearer(new_visitor()[1])
    )

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("conversation_id", [9999, 2**31, 10**20])
@pytest.mark.parametrize(
    ("method", "suffix"), [("delete", ""), ("get", "/transcript"), ("get", "/messages")]
)
def test_agent_acting_on_missing_conversation_gets_not_found(
    client, agent_token, method, suffix, conversation_id
):
    response = getattr(client, method)(
        f"/api/v1/conversations/{conversation_id}{suffix}", headers=bearer(agent_token)
    )

    assert_error(response, 404, "not_found")
