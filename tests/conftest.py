"""Fixtures: an app on a fresh database, HTTP and Socket.IO test clients."""

import os

import pytest

from app import create_app, db, socketio
from app.auth import tokens
from app.chat import background
from app.models import Agent
from config import TestConfig

AGENT_EMAIL = "tess@example.com"
AGENT_PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = (
            os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'chat.db'}"
        )

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        yield app
        background.stop(app)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def agent(app):
    agent = Agent(email=AGENT_EMAIL, name="Tess")
    agent.set_password(AGENT_PASSWORD)
    db.session.add(agent)
    db.session.commit()
    return agent


@pytest.fixture
def agent_token(agent):
    return tokens.issue_token(agent)


@pytest.fixture
def new_visitor(client):
    """Start a conversation over HTTP; returns (conversation_id, visitor_token)."""

    def start(**details):
        response = client.post("/api/v1/conversations", json=details)
        assert response.status_code == 201, response.json
        return response.json["conversation_id"], response.json["visitor_token"]

    return start


@pytest.fixture
def connect(app):
    """Open Socket.IO test clients; all are disconnected at the end."""
    opened = []

    def open_socket(**auth):
        socket = socketio.test_client(app, auth=auth or None)
        opened.append(socket)
        return socket

    yield open_socket
    for socket in opened:
        if socket.is_connected():
            socket.disconnect()


def events(socket, name):
    """The payloads of the events called ``name`` a test client received.

    The test client keeps a ``message`` event's payload unwrapped; every other
    event's payload is the first of its ``args``.
    """
    received = [event for event in socket.get_received() if event["name"] == name]
    if name == "message":
        return [event["args"] for event in received]
    return [event["args"][0] for event in received]
