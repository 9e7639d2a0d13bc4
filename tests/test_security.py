"""Attacks on the agents' side and on secrets, and what stops them.

Access to conversations, tokens and origins is tried in test_events.py and
test_api.py; script injection in the browser tests.
"""

import logging

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app import db, models, socketio
from app.models import Agent
from app.services import messages
from config import DEFAULT_SECRET_KEY
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD
from tests.harness.server import ServerProcess


def log_in(client, password=AGENT_PASSWORD):
    return client.post("/login", data={"email": AGENT_EMAIL, "password": password})


def test_password_is_stored_with_a_modern_slow_hash(app, runner, monkeypatch):
    monkeypatch.setattr(models, "generate_password_hash", generate_password_hash)
    runner.invoke(
        args=[
            "agents",
            "create",
            "ana@example.com",
            "--name",
            "Ana",
            "--password",
            "a long password",
        ]
    )

    stored = db.session.scalar(sa.select(Agent.password_hash).where(Agent.name == "Ana"))
    assert stored.startswith("scrypt:")
    assert "a long password" not in stored


def test_login_attempts_are_rate_limited_per_address(app, client, agent):
    app.config["CHAT_LOGIN_RATE"] = "3 per minute"

    answers = [log_in(client, "wrong password").status_code for _ in range(3)]
    blocked = log_in(client)

    assert answers == [401, 401, 401]
    assert blocked.status_code == 429
    assert client.get("/agent").status_code == 302  # still logged out


def test_login_form_refuses_a_post_without_its_csrf_token(app_factory):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()

    response = log_in(client)

    assert response.status_code == 400
    assert b"CSRF" in response.data
    assert "session" not in response.headers.get("Set-Cookie", "")


def test_session_cookie_is_secure_behind_https(monkeypatch):
    monkeypatch.setenv("CHAT_HTTPS", "1")
    import importlib

    import config

    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.SESSION_COOKIE_SECURE is True
        assert reloaded.Config.REMEMBER_COOKIE_SECURE is True
    finally:
        monkeypatch.delenv("CHAT_HTTPS")
        importlib.reload(config)


def test_logout_closes_the_inbox_sockets_of_that_login(app, client, agent):
    log_in(client)
    client.get("/agent")
    inbox = socketio.test_client(app, flask_test_client=client)
    assert inbox.is_connected()

    client.post("/logout")

    assert not inbox.is_connected()


def test_logout_leaves_the_agents_other_logins_connected(app, agent):
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        log_in(client)
        client.get("/agent")
    first_socket = socketio.test_client(app, flask_test_client=first)
    second_socket = socketio.test_client(app, flask_test_client=second)

    first.post("/logout")

    assert not first_socket.is_connected()
    assert second_socket.is_connected()


def test_production_server_refuses_the_development_secret_key(tmp_path):
    # Set but empty, so a local .env cannot fill it in.
    server = ServerProcess(tmp_path, env={"SECRET_KEY": ""})

    result = server.run_to_exit(timeout=60)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert DEFAULT_SECRET_KEY not in result.stderr


def test_errors_log_no_message_body_or_token(app, new_visitor, connect, caplog, monkeypatch):
    conversation_id, token = new_visitor()
    visitor = connect(visitor_token=token)
    body = "my card number is 4111 1111 1111 1111"

    def failing_insert(*args, **kwargs):
        # A database error, as SQLAlchemy raises it, about this very message.
        with db.engine.connect() as connection:
            connection.execute(
                sa.text("INSERT INTO no_such_table VALUES (:body, :token)"),
                {"body": body, "token": token},
            )

    monkeypatch.setattr(messages, "post_message", failing_insert)
    caplog.set_level(logging.DEBUG)

    ack = visitor.emit("send_message", {"client_id": "c1", "body": body}, callback=True)

    assert ack["error"]["code"] == "internal"
    assert "send_message failed" in caplog.text  # the error itself is logged
    assert body not in caplog.text
    assert token not in caplog.text
