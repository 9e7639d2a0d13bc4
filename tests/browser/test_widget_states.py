"""What the visitor sees of the desk: the assigned agent's name, a resolved
chat shown as answered, a snoozed one as open, an ended one offering a new chat.

The desk's own controls (resolve, assign) are not what is tested here: the
test sets a conversation's state in the server's database and sends the
``chat_state`` event the server sends on a change, through the server's
Redis message queue, as another server process would. Reloading the page
shows what a visitor gets on connect.
"""

import pytest
import socketio
from playwright.sync_api import expect

from app import create_app, db
from app.models import Agent, Conversation
from app.realtime import payloads
from app.realtime.rooms import conversation_room
from app.services import history
from config import TestConfig
from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import serving_chat
from tests.browser.pages import Widget
from tests.harness.credentials import AGENT_NAME
from tests.harness.logs import watching
from tests.harness.services import Redis

pytestmark = BROWSER_TESTS

SHOT = {"animations": "disabled", "caret": "hide", "scale": "css"}
PHONE = {"width": 390, "height": 780}
TITLE = "Northwind Lamps"  # the demo page's data-title
ANSWERED = "Marked as answered — write again if you need anything else"


class Desk:
    """Sets where a conversation stands, as the desk's controls will, and
    tells its visitor (``announce``) as the server does after a change."""

    def __init__(self, database_path, queue_url: str):
        config = type(
            "DeskConfig",
            (TestConfig,),
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}"},
        )
        self.app = create_app(config)
        # Flask-SocketIO listens on its own channel, not python-socketio's default.
        self.queue = socketio.RedisManager(queue_url, channel="flask-socketio", write_only=True)

    def set(self, conversation_id: int, state: str = "open", agent: str | None = None, **extra):
        """Store the state and the assignee (an agent's name, or None) and announce it."""
        with self.app.app_context():
            conversation = db.session.get(Conversation, conversation_id)
            conversation.state = state
            conversation.assignee_id = (
                None if agent is None else db.session.query(Agent.id).filter_by(name=agent).scalar()
            )
            for name, value in extra.items():
                setattr(conversation, name, value)
            db.session.commit()
            payload = payloads.chat_state(history.summary(conversation_id).conversation)
            db.session.remove()
        self.queue.emit(
            "chat_state", payload, room=conversation_room(conversation_id), namespace="/"
        )

    def close(self):
        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def queued_server(tmp_path_factory):
    """A server of this module's own, with a Redis message queue."""
    redis = Redis()
    url = redis.start()
    try:
        workdir = tmp_path_factory.mktemp("states-server")
        with serving_chat(workdir, {"SOCKETIO_MESSAGE_QUEUE": url}) as server:
            server.queue_url = url
            yield server
    finally:
        redis.stop()


@pytest.fixture
def server(request, queued_server):
    """This module's server (overrides the session's)."""
    with watching(request.node, queued_server.process):
        yield queued_server


@pytest.fixture(scope="module")
def desk(queued_server):
    desk = Desk(queued_server.process.database_path, queued_server.queue_url)
    yield desk
    desk.close()


def header(widget: Widget):
    return widget.page.locator(".lc-title")


def answered(widget: Widget):
    return widget.page.locator(".lc-answered")


def reload(widget: Widget):
    """Load the page again: the widget reconnects, its panel open as before."""
    widget.page.reload()
    expect(widget.panel).to_be_visible()


def both_widths(widget: Widget, directory, name: str):
    """Screenshots of the panel at desktop width and of the page at phone width."""
    page = widget.page
    desktop = page.viewport_size
    widget.panel.screenshot(path=directory / f"{name}.png", **SHOT)
    page.set_viewport_size(PHONE)
    expect(widget.panel).to_be_visible()
    page.screenshot(path=directory / f"{name}-phone.png", **SHOT)
    page.set_viewport_size(desktop)


def test_the_assigned_agent_is_named_in_the_header(desk, visitor, agent, screenshots_dir):
    widget = visitor()
    conversation_id = widget.start_conversation("Is the Arc lamp dimmable?")
    expect(header(widget)).to_have_text(TITLE)
    expect(widget.presence).to_have_text("We'll reply soon")

    desk.set(conversation_id, agent=AGENT_NAME)
    expect(header(widget)).to_have_text(AGENT_NAME)
    expect(widget.presence).to_have_text("usually answers in a few minutes")

    inbox = agent().open(conversation_id)
    expect(widget.presence).to_have_text("is answering")
    expect(widget.presence).to_have_class("lc-presence lc-presence--online")
    inbox.send("Yes, with any trailing-edge dimmer.")
    expect(widget.message("Yes, with any trailing-edge dimmer.")).to_be_visible()
    both_widths(widget, screenshots_dir, "widget-agent")

    # A reconnect is told again; without an assignee the header is the site's.
    reload(widget)
    expect(header(widget)).to_have_text(AGENT_NAME)
    desk.set(conversation_id, agent=None)
    expect(header(widget)).to_have_text(TITLE)
    expect(widget.presence).to_have_text("We're online")


def test_a_resolved_chat_shows_as_answered_and_the_visitor_may_write_again(
    server, desk, visitor, agent, screenshots_dir
):
    widget = visitor()
    conversation_id = widget.start_conversation("Where is my order?")
    inbox = agent().open(conversation_id)
    inbox.send("It left our warehouse this morning.")
    expect(widget.message("It left our warehouse this morning.")).to_be_visible()

    desk.set(conversation_id, state="resolved", agent=AGENT_NAME)
    expect(answered(widget)).to_have_text(ANSWERED)
    expect(widget.input).to_be_editable()
    both_widths(widget, screenshots_dir, "widget-answered")

    reload(widget)
    expect(answered(widget)).to_be_visible()
    widget.send("One more thing: can I change the address?")
    expect(answered(widget)).to_be_hidden()
    assert server.bodies(conversation_id)[-1] == "One more thing: can I change the address?"


def test_a_snoozed_chat_looks_open(desk, visitor):
    widget = visitor()
    conversation_id = widget.start_conversation("I'll check and come back")

    desk.set(conversation_id, state="resolved")
    expect(answered(widget)).to_be_visible()
    desk.set(conversation_id, state="snoozed")

    expect(answered(widget)).to_be_hidden()
    expect(widget.ended).to_be_hidden()
    expect(widget.input).to_be_editable()
    expect(header(widget)).to_have_text(TITLE)


def test_an_ended_chat_offers_a_new_one(server, desk, visitor, screenshots_dir):
    widget = visitor()
    conversation_id = widget.start_conversation("Thanks, that's all")

    desk.set(conversation_id, agent=AGENT_NAME, status="closed")
    expect(widget.ended).to_be_visible()
    expect(widget.input).to_be_hidden()
    expect(widget.options).to_be_hidden()
    new_chat = widget.page.get_by_role("button", name="Start a new chat")
    expect(new_chat).to_be_focused()
    both_widths(widget, screenshots_dir, "widget-ended")

    # The chat stays on screen after a reload, until the visitor moves on.
    reload(widget)
    expect(widget.ended).to_be_visible()
    expect(widget.message("Thanks, that's all")).to_be_visible()
    new_chat.click()
    assert widget.session() is None
    expect(widget.messages).to_have_count(0)
    expect(header(widget)).to_have_text(TITLE)
    expect(widget.input).to_be_focused()

    widget.send("A new question")
    assert widget.conversation_id() != conversation_id
    expect(widget.ended).to_be_hidden()


def test_ending_from_the_widget_still_offers_a_new_chat(visitor):
    widget = visitor()
    conversation_id = widget.start_conversation("Bye")
    widget.options.click()
    widget.page.get_by_role("menuitem", name="End chat").click()
    widget.confirm.get_by_role("button", name="End chat").click()

    expect(widget.ended).to_be_visible()
    assert widget.session() is None
    widget.page.get_by_role("button", name="Start a new chat").click()
    widget.send("Hello again")
    assert widget.conversation_id() != conversation_id
