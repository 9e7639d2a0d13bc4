"""A site in CHAT_ALLOWED_ORIGINS embeds the widget; it never acts as the agent.

A site that shares the chat's registrable domain (www.example.com beside
chat.example.com) sends the agent's SameSite=Lax session cookie along with its
own requests. Visitors and API tokens may come from a listed site; the
session cookie counts only from the server's own origin.
"""

import pytest
import sqlalchemy as sa

from app import db, socketio
from app.models import Connection, Conversation
from config import TestConfig
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

SHOP = "https://shop.example"
OWN = "http://localhost"  # the test client's own origin
HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


@pytest.fixture
def shop_is_listed(monkeypatch):
    monkeypatch.setattr(TestConfig, "CHAT_ALLOWED_ORIGINS", [SHOP])


@pytest.fixture
def app(shop_is_listed, app):
    """The usual app, with SHOP listed when its Socket.IO server was set up."""
    return app


@pytest.fixture
def logged_in(client, agent):
    response = client.post("/login", data={"email": AGENT_EMAIL, "password": AGENT_PASSWORD})
    assert response.status_code == 302
    return client


def open_socket(app, client=None, origin=None, auth=None):
    headers = {"Origin": origin} if origin else None
    return socketio.test_client(app, flask_test_client=client, headers=headers, auth=auth)


def connection_count():
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Connection))


# --- Socket.IO ------------------------------------------------------------------


def test_cookie_agent_socket_from_a_listed_origin_is_refused(app, logged_in, new_visitor):
    new_visitor(name="Ana", email="ana@example.com")

    socket = open_socket(app, logged_in, origin=SHOP)

    assert not socket.is_connected()
    assert connection_count() == 0


@pytest.mark.parametrize("origin", [OWN, None])
def test_cookie_agent_socket_from_own_origin_connects(app, logged_in, origin):
    socket = open_socket(app, logged_in, origin=origin)

    assert socket.is_connected()
    socket.disconnect()


def test_token_agent_and_visitor_sockets_from_a_listed_origin_connect(
    app, logged_in, agent_token, new_visitor
):
    _conversation_id, visitor_token = new_visitor()

    agent = open_socket(app, logged_in, origin=SHOP, auth={"token": agent_token})
    visitor = open_socket(app, logged_in, origin=SHOP, auth={"visitor_token": visitor_token})

    assert agent.is_connected() and visitor.is_connected()
    agent.disconnect()
    visitor.disconnect()


def test_socketio_handshake_is_never_credentialed_cors(app):
    client = app.test_client()

    response = client.get(HANDSHAKE, headers={"Origin": SHOP})

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    assert "Access-Control-Allow-Credentials" not in response.headers


# --- REST API -------------------------------------------------------------------


def test_cookie_api_call_from_a_listed_origin_is_unauthorized(app, logged_in, new_visitor):
    new_visitor(name="Ana", email="ana@example.com")

    response = logged_in.get("/api/v1/conversations", headers={"Origin": SHOP})

    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert logged_in.get("/api/v1/conversations", headers={"Origin": OWN}).status_code == 200
    assert logged_in.get("/api/v1/conversations").status_code == 200


def test_cookie_cannot_delete_a_conversation_from_a_listed_origin(app, logged_in, new_visitor):
    conversation_id, _token = new_visitor()

    response = logged_in.delete(
        f"/api/v1/conversations/{conversation_id}", headers={"Origin": SHOP}
    )

    assert response.status_code == 401
    db.session.rollback()
    assert db.session.get(Conversation, conversation_id) is not None


def test_token_api_call_from_a_listed_origin_works(app, client, agent_token, new_visitor):
    new_visitor()

    response = client.get(
        "/api/v1/conversations",
        headers={"Origin": SHOP, "Authorization": f"Bearer {agent_token}"},
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    assert "Access-Control-Allow-Credentials" not in response.headers
