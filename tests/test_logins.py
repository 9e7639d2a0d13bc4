"""Agents' logins are kept on the server, so that ending one really ends it.

A cookie copied before logout, a remember-me cookie, an API token: each stops
working when the login is ended, the password changed or the agent disabled.
"""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from app import db, socketio
from app.models import AgentLogin
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

NEW_PASSWORD = "a brand new password"


def open_inbox_socket(client, **auth):
    return socketio.test_client(client.application, flask_test_client=client, **auth)


def log_in(client, remember=False):
    data = {"email": AGENT_EMAIL, "password": AGENT_PASSWORD}
    if remember:
        data["remember_me"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response


def replay(app, **cookies):
    """A new browser holding only these cookies."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def can_use(client) -> dict:
    """What a browser can do as the agent: open the inbox page, call the API,
    open an inbox socket."""
    socket = open_inbox_socket(client)
    opened = socket.is_connected()
    if opened:
        socket.disconnect()
    return {
        "page": client.get("/agent").status_code == 200,
        "api": client.get("/api/v1/conversations").status_code == 200,
        "socket": opened,
    }


NOTHING = {"page": False, "api": False, "socket": False}
EVERYTHING = {"page": True, "api": True, "socket": True}


def wait_until_closed(socket, seconds=3.0):
    deadline = time.monotonic() + seconds
    while socket.is_connected() and time.monotonic() < deadline:
        time.sleep(0.02)
    return not socket.is_connected()


# --- logout -------------------------------------------------------------------------


def test_session_cookie_copied_before_logout_is_refused_after(app, client, agent):
    log_in(client)
    copied = client.get_cookie("session").value
    assert can_use(replay(app, session=copied)) == EVERYTHING

    client.post("/logout")

    assert can_use(replay(app, session=copied)) == NOTHING


def test_remember_cookie_dies_with_logout(app, client, agent):
    log_in(client, remember=True)
    copied = client.get_cookie("remember_token").value
    assert can_use(replay(app, remember_token=copied)) == EVERYTHING

    client.post("/logout")

    assert can_use(replay(app, remember_token=copied)) == NOTHING


def test_remember_cookie_is_new_at_each_login(app, agent):
    first, second = app.test_client(), app.test_client()
    log_in(first, remember=True)
    log_in(second, remember=True)

    assert first.get_cookie("remember_token").value != second.get_cookie("remember_token").value


def test_logging_out_one_browser_leaves_the_other_logged_in(app, agent):
    first, second = app.test_client(), app.test_client()
    log_in(first, remember=True)
    log_in(second, remember=True)

    first.post("/logout")

    assert can_use(second) == EVERYTHING
    assert can_use(replay(app, remember_token=second.get_cookie("remember_token").value)) == (
        EVERYTHING
    )


# --- forms left open ---------------------------------------------------------------


def csrf_token(page) -> str:
    return re.search(rb'name="csrf_token"[^>]*? value="([^"]+)"', page.data)[1].decode()


@pytest.fixture
def with_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = True


def log_in_through_the_form(client):
    token = csrf_token(client.get("/login"))
    data = {"email": AGENT_EMAIL, "password": AGENT_PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302


def hours_later(app, client, path, hours, monkeypatch, **data):
    """POST as if ``hours`` after the form's page was rendered (CSRF tokens
    carry the time they were made)."""
    with monkeypatch.context() as later, app.app_context():  # and a g of its own
        now = int(time.time()) + hours * 3600
        later.setattr(TimestampSigner, "get_timestamp", lambda self: now)
        return client.post(path, data=data)


def test_logout_works_however_long_the_inbox_was_open(app, client, agent, with_csrf, monkeypatch):
    log_in_through_the_form(client)
    inbox = client.get("/agent")

    response = hours_later(app, client, "/logout", 2, monkeypatch, csrf_token=csrf_token(inbox))

    assert response.status_code == 302
    assert can_use(client) == NOTHING


def test_login_works_however_long_the_login_page_was_open(
    app, client, agent, with_csrf, monkeypatch
):
    token = csrf_token(client.get("/login"))

    response = hours_later(
        app,
        client,
        "/login",
        2,
        monkeypatch,
        email=AGENT_EMAIL,
        password=AGENT_PASSWORD,
        csrf_token=token,
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/agent"  # logged in


def test_logout_without_its_csrf_token_is_refused(app, client, agent, with_csrf):
    log_in_through_the_form(client)

    response = client.post("/logout")

    assert response.status_code == 400
    assert can_use(client) == EVERYTHING


# --- lifetime -----------------------------------------------------------------------


def test_remember_cookie_lasts_the_configured_days(client, agent):
    log_in(client, remember=True)

    expires = client.get_cookie("remember_token").expires
    days = (expires - datetime.now(UTC)) / timedelta(days=1)
    assert 13.9 < days <= 14


def test_login_days_setting_sets_the_remember_cookie(monkeypatch):
    monkeypatch.setenv("CHAT_LOGIN_DAYS", "3")
    import importlib

    import config

    try:
        assert importlib.reload(config).Config.REMEMBER_COOKIE_DURATION == timedelta(days=3)
    finally:
        monkeypatch.delenv("CHAT_LOGIN_DAYS")
        importlib.reload(config)


def test_login_ends_on_the_server_after_the_configured_days(app, client, agent, monkeypatch):
    log_in(client, remember=True)
    remembered = replay(app, remember_token=client.get_cookie("remember_token").value)
    assert can_use(client) == EVERYTHING

    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=14, minutes=1)
    from app.services import agents

    monkeypatch.setattr(agents, "utcnow", lambda: later)

    assert can_use(client) == NOTHING
    assert can_use(remembered) == NOTHING


def test_sockets_of_an_expired_login_are_closed(app, client, agent):
    log_in(client)
    socket = open_inbox_socket(client)
    assert socket.is_connected()

    db.session.execute(sa.update(AgentLogin).values(expires_at=datetime(2000, 1, 1)))
    db.session.commit()

    assert wait_until_closed(socket)


# --- password change and disabling --------------------------------------------------


@pytest.fixture
def everything_issued(app, agent, agent_token):
    """A browser logged in with remember-me, its inbox socket, and an API
    token with its socket."""
    browser = app.test_client()
    log_in(browser, remember=True)
    remember = browser.get_cookie("remember_token").value
    sockets = [
        open_inbox_socket(browser),
        open_inbox_socket(app.test_client(), auth={"token": agent_token}),
    ]
    assert all(socket.is_connected() for socket in sockets)
    yield browser, remember, agent_token, sockets
    for socket in sockets:
        if socket.is_connected():
            socket.disconnect()


def token_works(client, token) -> bool:
    headers = {"Authorization": f"Bearer {token}"}
    return client.get("/api/v1/conversations", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "command",
    [
        ["set-password", AGENT_EMAIL, "--password", NEW_PASSWORD],
        ["disable", AGENT_EMAIL],
    ],
)
def test_password_change_or_disabling_ends_every_login_and_token(
    app, runner, everything_issued, command
):
    browser, remember, token, sockets = everything_issued

    result = runner.invoke(args=["agents", *command])
    runner.invoke(args=["agents", "enable", AGENT_EMAIL])  # no way back in by enabling

    assert result.exit_code == 0, result.output
    assert can_use(browser) == NOTHING
    assert can_use(replay(app, remember_token=remember)) == NOTHING
    assert not token_works(app.test_client(), token)
    assert all(wait_until_closed(socket) for socket in sockets)


def test_new_login_works_after_a_password_change(app, runner, agent):
    runner.invoke(args=["agents", "set-password", AGENT_EMAIL, "--password", NEW_PASSWORD])
    client = app.test_client()

    client.post("/login", data={"email": AGENT_EMAIL, "password": NEW_PASSWORD})

    assert can_use(client) == EVERYTHING
