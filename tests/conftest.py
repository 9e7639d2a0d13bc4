"""Fixtures: an app on a fresh database, HTTP and Socket.IO test clients.

The server-process tests (tests/live, tests/faults, tests/browser) build on
``tests.harness``; its log plugin is registered here for all of them.
"""

import functools
import os
import threading
from contextlib import contextmanager
from datetime import timedelta

import flask_login.utils
import pytest
import sqlalchemy as sa
from flask import g, has_request_context, request
from werkzeug.security import generate_password_hash

from app import create_app, db, models, socketio
from app.clock import utcnow
from app.models import Agent, Conversation, Message
from app.realtime import background
from app.services import tokens, typing
from config import TestConfig
from tests.browser.chromium import browser  # noqa: F401 (one browser for every directory)
from tests.harness.credentials import AGENT_EMAIL, AGENT_NAME, AGENT_PASSWORD
from tests.harness.services import Postgres, postgres_bin

pytest_plugins = ["tests.harness.logs"]


def pytest_collection_modifyitems(items):
    """The reruns of tests on PostgreSQL (the ``postgres_url`` fixture) take
    minutes each. Collected first, they are the first files the workers take
    (files are handed out in the order collected: ``--no-loadscope-reorder``),
    and the rest of the suite runs beside them."""
    items.sort(key=lambda item: "postgres_url" not in item.fixturenames)


@pytest.fixture(scope="module")
def postgres_url():
    """A throw-away PostgreSQL server to rerun tests on; skipped where the
    whole run is on another database or PostgreSQL is not installed."""
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the whole run is on another database")
    if postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    server = Postgres()
    yield server.start()
    server.stop()


@pytest.fixture
def app_factory(tmp_path):
    """``app_factory(**overrides)``: an app of ``TestConfig`` whose config has
    ``overrides`` too, on the test's database (``TEST_DATABASE_URL`` or a
    SQLite file of the test). Its connections are closed at the end."""
    made = []

    def make(**overrides):
        settings = {
            "SQLALCHEMY_DATABASE_URI": (
                os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'chat.db'}"
            ),
            **overrides,
        }
        app = create_app(type("Config", (TestConfig,), settings))
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(app_factory, request):
    """The app on a fresh database; settings to change at creation come as an
    indirect parameter: ``@pytest.mark.parametrize("app", [{...}], indirect=True)``."""
    app = app_factory(**getattr(request, "param", {}))
    with app.app_context():
        db.create_all()
        yield app
        background.stop(app)
        db.session.remove()
        empty_database()
        db.engine.dispose()


def empty_database():
    """Drop SQLite's throw-away file tables; empty PostgreSQL's, which is faster."""
    if db.engine.dialect.name != "postgresql":
        db.drop_all()
        return
    tables = ", ".join(table.name for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(autouse=True)
def background_tasks_end_with_the_test(request, monkeypatch):
    """The server's own threads (maintenance loop, presence grace timers) end
    before the test's database is dropped.

    Otherwise a late thread acts on the next test's rows and, on PostgreSQL,
    leaves a connection open in a disposed engine until the server has no
    connections left. Sleeps in those threads are cut short at teardown.
    """
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    threads = []
    wake = threading.Event()
    start = socketio.start_background_task

    def start_and_remember(target, *args, **kwargs):
        thread = start(target, *args, **kwargs)
        threads.append(thread)
        return thread

    monkeypatch.setattr(socketio, "start_background_task", start_and_remember)
    monkeypatch.setattr(socketio, "sleep", lambda seconds=0: wake.wait(seconds))
    yield
    background.stop(app)
    wake.set()
    for thread in threads:
        thread.join(timeout=5)
        assert not thread.is_alive(), thread


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """One iteration instead of scrypt: tests that are not about passwords
    would otherwise spend most of their time hashing the agent's."""
    fast = functools.partial(generate_password_hash, method="pbkdf2:sha256:1")
    monkeypatch.setattr(models, "generate_password_hash", fast)


@pytest.fixture(autouse=True)
def each_request_loads_its_own_user(monkeypatch):
    """Flask-Login keeps the user it loaded in ``g``, which belongs to the app
    context; a test holds one app context for all its requests and sockets.
    Without this, a request would see the user of an earlier one: another
    browser's, or one logged out since."""
    load = flask_login.utils._get_user

    def get_user_of_this_request():
        if has_request_context() and g.get("_login_user_of") is not request._get_current_object():
            g.pop("_login_user", None)
            g._login_user_of = request._get_current_object()
        return load()

    monkeypatch.setattr(flask_login.utils, "_get_user", get_user_of_this_request)


@pytest.fixture
def typing_clock(monkeypatch):
    """The typing service's clock, moved on by hand: ``typing_clock(seconds)``."""
    now = {"at": utcnow()}
    monkeypatch.setattr(typing, "utcnow", lambda: now["at"])

    def advance(seconds: float) -> None:
        now["at"] += timedelta(seconds=seconds)

    return advance


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def agent(app):
    agent = Agent(email=AGENT_EMAIL, name=AGENT_NAME)
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


@contextmanager
def socket_clients(app):
    """``open(**options)`` opens a Socket.IO test client (``auth``,
    ``flask_test_client``); all are disconnected at the end."""
    opened = []

    def open_socket(**options):
        socket = socketio.test_client(app, **options)
        opened.append(socket)
        return socket

    yield open_socket
    for socket in opened:
        if socket.is_connected():
            socket.disconnect()


@pytest.fixture
def connect(app):
    """Open Socket.IO test clients; all are disconnected at the end."""
    with socket_clients(app) as open_socket:
        yield lambda **auth: open_socket(auth=auth or None)


def database_state():
    """Every stored message and conversation, as plain rows."""
    db.session.rollback()
    messages = db.session.execute(sa.select(Message.__table__).order_by(Message.id)).all()
    conversations = db.session.execute(
        sa.select(Conversation.__table__).order_by(Conversation.id)
    ).all()
    return messages, conversations


def events(socket, name):
    """The payloads of the events called ``name`` a test client received.

    The test client keeps a ``message`` event's payload unwrapped; every other
    event's payload is the first of its ``args``.
    """
    received = [event for event in socket.get_received() if event["name"] == name]
    if name == "message":
        return [event["args"] for event in received]
    return [event["args"][0] for event in received]


@pytest.fixture(params=["websocket", "polling"])
def transport(request):
    """The Socket.IO transport of a test against a real server: each in turn."""
    return request.param
