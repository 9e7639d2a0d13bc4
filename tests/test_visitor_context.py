"""What agents see of a visitor: the contact, their past conversations and
the browser's context, with sizes checked and secrets left out."""

import hashlib
import hmac

import pytest

from app import db
from app.services import identity, tokens
from app.services import settings as desk_settings
from tests.conftest import events

CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
CONTEXT = {
    "page_title": "  Pricing —\n Shop  ",
    "referrer": "https://search.example/find?q=secret+stuff#frag",
    "language": "pt-BR",
    "time_zone": "America/Sao_Paulo",
    "first_seen_at": 1_700_000_000_000,
}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def profile(client, agent_token, cid):
    response = client.get(f"/api/v1/conversations/{cid}/visitor", headers=bearer(agent_token))
    assert response.status_code == 200, response.json
    return response.json


def test_the_inbox_gets_the_visitors_context(client, agent_token):
    response = client.post(
        "/api/v1/conversations",
        json={"page_url": "https://shop.example/pricing?coupon=X", "context": CONTEXT},
        headers={"User-Agent": CHROME_MAC},
    )
    context = profile(client, agent_token, response.json["conversation_id"])["context"]
    assert context["page_url"] == "https://shop.example/pricing"
    assert context["page_title"] == "Pricing — Shop"
    assert context["referrer"] == "https://search.example/find"
    assert context["browser"] == "Chrome 126.0"
    assert context["os"] == "Mac OS X 10.15"
    assert context["language"] == "pt-BR"
    assert context["time_zone"] == "America/Sao_Paulo"
    assert context["first_seen_at"] == "2023-11-14T22:13:20.000Z"


def test_a_socket_connect_refreshes_the_context(app, client, agent_token, new_visitor):
    cid, token = new_visitor()
    socket = app.extensions["socketio"].test_client(
        app,
        auth={"visitor_token": token, "context": {"page_title": "Checkout", "time_zone": "UTC"}},
        headers={"User-Agent": IPHONE},
    )
    assert socket.is_connected()
    context = profile(client, agent_token, cid)["context"]
    assert context["page_title"] == "Checkout"
    assert (context["browser"], context["os"]) == ("Mobile Safari 17.5", "iOS 17.5")
    socket.disconnect()


def test_a_bad_context_at_connect_is_ignored_not_refused(app, client, agent_token, new_visitor):
    cid, token = new_visitor()
    socket = app.extensions["socketio"].test_client(
        app, auth={"visitor_token": token, "context": {"time_zone": "../../etc/passwd"}}
    )
    assert socket.is_connected()
    assert profile(client, agent_token, cid)["context"]["time_zone"] is None
    socket.disconnect()


@pytest.mark.parametrize(
    "context",
    [
        {"page_title": "x" * 201},
        {"referrer": "x" * 2049},
        {"language": "<script>"},
        {"language": "en-" + "a" * 40},
        {"time_zone": "Mars/Olympus"},
        {"time_zone": 5},
        {"first_seen_at": -1},
        {"first_seen_at": 10**16},
        {"first_seen_at": "yesterday"},
        {"page_title": "nul\x00"},
        "not an object",
    ],
)
def test_a_context_out_of_bounds_is_invalid(client, context):
    response = client.post("/api/v1/conversations", json={"context": context})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid"


def test_a_visitor_with_no_context_has_an_empty_one(client, agent_token, new_visitor):
    cid, _ = new_visitor(name="Ana")
    answer = profile(client, agent_token, cid)
    assert answer["visitor"] == {"name": "Ana", "email": None}
    assert answer["contact"] is None and answer["past_conversations"] == []
    assert answer["context"]["browser"] is None


def test_the_inbox_lists_the_contacts_past_conversations(client, connect, agent_token):
    stored = identity.roll_secret()["secret"]
    digest = hmac.new(stored.encode(), b"u-1", hashlib.sha256).hexdigest()
    user = {"user_id": "u-1", "user_hash": digest, "name": "Ana", "email": "ana@example.com"}
    first = client.post("/api/v1/conversations", json={"identity": user}).json
    visitor = connect(visitor_token=first["visitor_token"])
    visitor.emit("send_message", {"client_id": "a", "body": "My order is late"}, callback=True)
    client.post(
        f"/api/v1/conversations/{first['conversation_id']}/end",
        headers=bearer(first["visitor_token"]),
    )
    second = client.post("/api/v1/conversations", json={"identity": user}).json
    answer = profile(client, agent_token, second["conversation_id"])
    assert answer["contact"]["user_id"] == "u-1"
    assert answer["contact"]["identified"] is True
    assert answer["contact"]["email"] == "ana@example.com"
    [past] = answer["past_conversations"]
    assert past["id"] == first["conversation_id"] and past["state"] == "ended"
    assert past["last_message"] == {"sender": "visitor", "body": "My order is late"}


def test_only_agents_read_a_visitors_profile(client, new_visitor):
    cid, token = new_visitor()
    assert client.get(f"/api/v1/conversations/{cid}/visitor").status_code == 401
    assert (
        client.get(f"/api/v1/conversations/{cid}/visitor", headers=bearer(token)).status_code == 403
    )


def test_an_unknown_conversations_profile_is_not_found(client, agent_token):
    response = client.get("/api/v1/conversations/999/visitor", headers=bearer(agent_token))
    assert response.status_code == 404


def test_the_prechat_form_follows_the_desk_settings(client):
    assert client.get("/api/v1/widget/settings").json == {
        "prechat": {"name": "off", "email": "off"}
    }
    desk_settings.change({"prechat_name": "required", "prechat_email": "optional"})
    assert client.get("/api/v1/widget/settings").json == {
        "prechat": {"name": "required", "email": "optional"}
    }


def test_a_prechat_setting_takes_only_its_choices(client, agent):
    agent.role = "admin"
    db.session.commit()
    token = tokens.issue_token(agent)
    response = client.patch(
        "/api/v1/settings", json={"prechat_name": "always"}, headers=bearer(token)
    )
    assert response.status_code == 400
    assert "'off', 'optional' or 'required'" in response.json["error"]["message"]


def test_the_prechat_answers_name_the_visitor(client, connect, agent_token):
    cid = client.post(
        "/api/v1/conversations", json={"name": "Ana", "email": "ana@example.com"}
    ).json["conversation_id"]
    agent = connect(token=agent_token)
    summary = agent.emit("join", {"conversation_id": cid}, callback=True)["conversation"]
    assert summary["visitor"] == {"name": "Ana", "email": "ana@example.com"}
    assert events(agent, "message") == []


@pytest.mark.parametrize(
    "referrer", ["javascript:alert(1)", "data:text/html,<b>hi</b>", "not a url at all"]
)
def test_a_referrer_that_is_no_web_page_is_dropped(client, agent_token, referrer):
    response = client.post("/api/v1/conversations", json={"context": {"referrer": referrer}})
    context = profile(client, agent_token, response.json["conversation_id"])["context"]
    assert context["referrer"] is None
