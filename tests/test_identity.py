"""Visitors the host site signs for: one history on every device, and
nothing for an identity that is unsigned or signed wrongly."""

import hashlib
import hmac
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import db
from app.models import Agent, Contact, Conversation, Message
from app.services import contacts, identity, tokens
from tests.conftest import events
from tests.test_admin import csrf_client  # noqa: F401 (a fixture)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin_token(agent):
    agent.role = "admin"
    db.session.commit()
    return tokens.issue_token(agent)


@pytest.fixture
def secret(client, admin_token):
    """The identity secret, created by an admin as the Settings page does."""
    response = client.post("/api/v1/admin/identity-secret", headers=bearer(admin_token))
    assert response.status_code == 200
    return response.json["secret"]["secret"]


def signed(secret: str, user_id, **details) -> dict:
    """What the host site's server computes for its logged-in user."""
    digest = hmac.new(secret.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()
    return {"user_id": user_id, "user_hash": digest, **details}


def start(client, **body):
    return client.post("/api/v1/conversations", json=body)


def say(connect, token: str, body: str) -> dict:
    socket = connect(visitor_token=token)
    ack = socket.emit("send_message", {"client_id": body, "body": body}, callback=True)
    assert ack["ok"], ack
    socket.disconnect()
    return ack["message"]


def test_a_signed_visitor_gets_the_same_history_on_a_new_device(client, connect, secret):
    user = signed(secret, "u-1", name="Ana", email="ana@example.com")
    first = start(client, identity=user, page_url="https://shop.example/pricing")
    assert first.status_code == 201
    say(connect, first.json["visitor_token"], "Hello from my laptop")

    # Another browser, nothing stored: the site identifies the same user.
    other = client.post("/api/v1/identify", json={"identity": user})
    assert other.status_code == 200
    assert other.json["conversation_id"] == first.json["conversation_id"]
    assert other.json["contact"] == {"name": "Ana", "email": "ana@example.com"}
    phone_token = other.json["visitor_token"]
    assert phone_token and phone_token != first.json["visitor_token"]

    phone = connect(visitor_token=phone_token)
    page = phone.emit("history", {}, callback=True)
    assert [m["body"] for m in page["messages"]] == ["Hello from my laptop"]
    # Both devices hold the conversation: the laptop gets what the phone says.
    laptop = connect(visitor_token=first.json["visitor_token"])
    phone.emit("send_message", {"client_id": "p1", "body": "And from my phone"}, callback=True)
    assert [m["body"] for m in events(laptop, "message")] == ["And from my phone"]


def test_the_latest_open_conversation_is_the_one_continued(client, connect, secret):
    user = signed(secret, 7)
    old = start(client, identity=user).json
    client.post(
        f"/api/v1/conversations/{old['conversation_id']}/end", headers=bearer(old["visitor_token"])
    )
    newer = start(client, identity=user).json
    answer = client.post("/api/v1/identify", json={"identity": user}).json
    assert answer["conversation_id"] == newer["conversation_id"]


def test_a_new_device_of_a_user_without_conversations_gets_none(client, secret):
    answer = client.post("/api/v1/identify", json={"identity": signed(secret, "new")})
    assert answer.status_code == 200
    assert answer.json["conversation_id"] is None and answer.json["visitor_token"] is None


def test_ending_the_chat_revokes_every_device(client, connect, secret):
    user = signed(secret, "u-2")
    first = start(client, identity=user).json
    phone_token = client.post("/api/v1/identify", json={"identity": user}).json["visitor_token"]
    client.post(
        f"/api/v1/conversations/{first['conversation_id']}/end",
        headers=bearer(first["visitor_token"]),
    )
    assert not connect(visitor_token=phone_token).is_connected()
    answer = client.post("/api/v1/identify", json={"identity": user}).json
    assert answer["conversation_id"] is None


def test_an_open_widget_identifies_its_anonymous_chat(client, connect, secret, new_visitor):
    cid, token = new_visitor()
    say(connect, token, "Before logging in")
    user = signed(secret, "u-3", name="Bo", email="bo@example.com")
    answer = client.post("/api/v1/identify", json={"identity": user}, headers=bearer(token))
    assert answer.status_code == 200
    assert answer.json["conversation_id"] == cid and answer.json["visitor_token"] is None
    conversation = db.session.get(Conversation, cid)
    db.session.refresh(conversation)
    assert conversation.visitor_name == "Bo" and conversation.contact_id is not None
    # Now the user's other devices continue it.
    other = client.post("/api/v1/identify", json={"identity": user}).json
    assert other["conversation_id"] == cid


def test_a_chat_of_one_user_is_never_handed_to_another(client, secret):
    first = start(client, identity=signed(secret, "alice")).json
    answer = client.post(
        "/api/v1/identify",
        json={"identity": signed(secret, "mallory")},
        headers=bearer(first["visitor_token"]),
    )
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "conflict"


def test_agents_do_not_identify(client, secret, agent_token):
    answer = client.post(
        "/api/v1/identify", json={"identity": signed(secret, "x")}, headers=bearer(agent_token)
    )
    assert answer.status_code == 403


# --- Security: what is refused, and that nothing is stored then.


def refused(client, user: dict, status: int, code: str, words: str):
    for response in (
        start(client, identity=user),
        client.post("/api/v1/identify", json={"identity": user}),
    ):
        assert response.status_code == status, response.json
        assert response.json["error"]["code"] == code
        assert words in response.json["error"]["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Conversation)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 0


def test_a_forged_hash_is_refused(client, secret):
    user = {"user_id": "u-9", "user_hash": "0" * 64}
    refused(client, user, 401, "unauthorized", "does not match")


def test_a_valid_hash_replayed_for_another_user_id_is_refused(client, secret):
    user = {**signed(secret, "victim"), "user_id": "attacker"}
    refused(client, user, 401, "unauthorized", "does not match")


def test_a_hash_made_with_another_secret_is_refused(client, secret):
    refused(client, signed("not-the-desks-secret", "u-1"), 401, "unauthorized", "does not match")


def test_a_hash_of_a_rolled_secret_is_refused(client, secret, admin_token):
    user = signed(secret, "u-1")
    assert start(client, identity=user).status_code == 201
    client.post("/api/v1/admin/identity-secret", headers=bearer(admin_token))
    assert client.post("/api/v1/identify", json={"identity": user}).status_code == 401


def test_an_unsigned_identity_is_refused(client, secret):
    refused(client, {"user_id": "u-1", "name": "Ana"}, 401, "unauthorized", "unsigned")


def test_no_identity_is_accepted_before_a_secret_exists(client):
    user = signed("anything", "u-1")
    refused(client, user, 403, "forbidden", "identity secret")


def test_a_hash_with_non_ascii_characters_is_refused_not_a_crash(client, secret):
    refused(client, {"user_id": "u", "user_hash": "é" * 64}, 401, "unauthorized", "match")


@pytest.mark.parametrize(
    "user",
    [
        {"user_id": True, "user_hash": "0" * 64},
        {"user_id": "", "user_hash": "0" * 64},
        {"user_id": "x" * 256, "user_hash": "0" * 64},
        {"user_id": -1},
        {"user_hash": "0" * 64},
        {"user_id": "u", "user_hash": "0" * 129},
        {"user_id": "u", "email": "not an email", "user_hash": "0" * 64},
        "u-1",
    ],
)
def test_a_malformed_identity_is_invalid(client, secret, user):
    assert start(client, identity=user).status_code == 400
    assert client.post("/api/v1/identify", json={"identity": user}).status_code == 400


def test_a_widget_that_sends_no_identity_keeps_working(client, connect):
    response = start(client, name="Ana", email="ana@example.com")
    assert response.status_code == 201
    assert db.session.get(Conversation, response.json["conversation_id"]).contact_id is None


def test_the_secret_is_for_admins_only(client, new_visitor, secret):
    ben = Agent(email="ben@example.com", name="Ben", password_hash="x")
    db.session.add(ben)
    db.session.commit()
    agent_token = tokens.issue_token(ben)
    _, visitor_token = new_visitor()
    for token in (agent_token, visitor_token):
        for method in (client.get, client.post):
            answer = method("/api/v1/admin/identity-secret", headers=bearer(token))
            assert answer.status_code == 403
    settings = client.get("/api/v1/settings", headers=bearer(agent_token)).json["settings"]
    assert secret not in str(settings)


def test_an_admin_reads_and_rolls_the_secret(client, admin_token):
    assert client.get("/api/v1/admin/identity-secret", headers=bearer(admin_token)).json == {
        "secret": None
    }
    first = client.post("/api/v1/admin/identity-secret", headers=bearer(admin_token)).json
    read = client.get("/api/v1/admin/identity-secret", headers=bearer(admin_token)).json
    assert read == first and len(first["secret"]["secret"]) == 64
    second = client.post("/api/v1/admin/identity-secret", headers=bearer(admin_token)).json
    assert second["secret"]["secret"] != first["secret"]["secret"]


@pytest.mark.parametrize("app", [{"CHAT_IDENTIFY_RATE": "2 per minute"}], indirect=True)
def test_identifying_is_rate_limited(client, secret):
    answers = [
        client.post("/api/v1/identify", json={"identity": signed(secret, "u")}).status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 429]


def test_messages_of_both_devices_are_stored_once_each(client, connect, secret):
    user = signed(secret, "u-5")
    first = start(client, identity=user).json
    phone = client.post("/api/v1/identify", json={"identity": user}).json["visitor_token"]
    say(connect, first["visitor_token"], "one")
    say(connect, phone, "two")
    bodies = db.session.scalars(sa.select(Message.body).order_by(Message.seq)).all()
    assert bodies == ["one", "two"]


def test_a_conversation_keeps_the_newest_devices_only(client, connect, secret, monkeypatch):
    monkeypatch.setattr(contacts, "MAX_DEVICES", 2)
    user = signed(secret, "u-6")
    start(client, identity=user)
    tokens_given = [
        client.post("/api/v1/identify", json={"identity": user}).json["visitor_token"]
        for _ in range(3)
    ]
    assert not connect(visitor_token=tokens_given[0]).is_connected()
    assert all(connect(visitor_token=token).is_connected() for token in tokens_given[1:])


def test_the_example_in_the_sites_guide_is_right():
    """docs/identity.md gives sites a secret, an id and the hash to expect."""
    guide = (Path(__file__).parents[1] / "docs" / "identity.md").read_text()
    example_secret = "3f1c0de5a8b94e7d9a4c2b1e6f7d8c9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"
    assert example_secret in guide
    assert identity.user_hash(example_secret, "42") in guide


def test_rolling_the_secret_with_the_cookie_needs_the_pages_csrf_token(csrf_client):  # noqa: F811
    client, token = csrf_client
    without = client.post("/api/v1/admin/identity-secret")
    assert without.status_code == 403 and "CSRF" in without.json["error"]["message"]
    assert client.get("/api/v1/admin/identity-secret").json == {"secret": None}
    rolled = client.post("/api/v1/admin/identity-secret", headers={"X-CSRFToken": token})
    assert rolled.status_code == 200


@pytest.mark.parametrize("escaped_user_id", ["\\ud800", "nul\\u0000"])
def test_a_user_id_a_database_cannot_store_is_invalid(client, secret, escaped_user_id):
    hash_ = "0" * 64
    body = f'{{"identity": {{"user_id": "{escaped_user_id}", "user_hash": "{hash_}"}}}}'
    response = client.post("/api/v1/identify", data=body, content_type="application/json")
    assert response.status_code == 400


def test_a_token_that_no_longer_works_counts_as_none(client, secret, new_visitor):
    user = signed(secret, "u-7")
    ours = start(client, identity=user).json
    cid, stale = new_visitor()
    client.post(f"/api/v1/conversations/{cid}/end", headers=bearer(stale))
    answer = client.post("/api/v1/identify", json={"identity": user}, headers=bearer(stale))
    assert answer.status_code == 200
    assert answer.json["conversation_id"] == ours["conversation_id"]
    assert answer.json["visitor_token"]
