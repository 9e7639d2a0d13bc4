"""The inbox's views in a real browser: tabs with live counts, a chat that an
agent claims moving between two agents' views, the sort switch, the badges,
and scrolling down through more conversations than one page holds.

A server of its own, so that the counts are this module's alone. The
assignment and lifecycle are set in its database here, then made known by
a visitor's message (any change sends the conversation's summary).
"""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
import socketio
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.clock import utcnow
from app.models import Agent, Conversation
from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import ChatServer, serving_chat
from tests.browser.pages import Inbox
from tests.harness.credentials import AGENT_EMAIL, AGENT_NAME, AGENT_PASSWORD
from tests.harness.logs import watching

pytestmark = BROWSER_TESTS

BEN = ("ben@example.com", "Ben", "another good passphrase")
SHOT = {"animations": "disabled", "caret": "hide", "scale": "css"}
SNOOZED_UNTIL = re.compile(r"Snoozed until (\w{3} )?\d{1,2}:\d{2}")


@pytest.fixture(scope="module")
def views_server(tmp_path_factory):
    with serving_chat(tmp_path_factory.mktemp("views-server")) as server:
        server.process.create_agent(*BEN)
        yield server


@pytest.fixture
def server(request, views_server):
    """This module's own server (overrides the session's); emptied after each test."""
    with watching(request.node, views_server.process):
        yield views_server
    with database(views_server) as connection:
        connection.execute(sa.delete(Conversation.__table__))


@contextmanager
def database(server: ChatServer):
    """A transaction on the server's SQLite database, deletions cascading."""
    engine = sa.create_engine(server.process.database_url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            connection.commit()
            with connection.begin():
                yield connection
    finally:
        engine.dispose()


def agent_id(server: ChatServer, email: str) -> int:
    with database(server) as connection:
        return connection.scalar(sa.select(Agent.id).where(Agent.email == email))


def change(server: ChatServer, conversation_id: int, **values) -> None:
    with database(server) as connection:
        connection.execute(
            sa.update(Conversation.__table__)
            .where(Conversation.id == conversation_id)
            .values(**values)
        )


def visitor_writes(server: ChatServer, visitor_token: str, body: str) -> None:
    """The visitor sends a message: the conversation's summary goes to every agent."""
    client = socketio.Client(reconnection=False)
    client.connect(
        server.url, auth={"visitor_token": visitor_token}, transports=["polling"], wait_timeout=10
    )
    try:
        ack = client.call("send_message", {"client_id": body[:60], "body": body}, timeout=10)
        assert ack["ok"], ack
    finally:
        client.disconnect()


def inbox_of(server: ChatServer, new_context, email: str, password: str, **options) -> Inbox:
    page = new_context(**options).new_page()
    page.goto(f"{server.url}/login?next=/agent")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/agent")
    return Inbox(page).ready()


def tab(page: Page, name: str):
    return page.get_by_role("tab", name=re.compile(f"^{re.escape(name)}( [0-9k]+)?$"))


def count(page: Page, view: str):
    return page.locator(f'[data-count="{view}"]')


def test_a_claimed_chat_leaves_unassigned_for_everyone_and_joins_its_agents_mine(
    server, agent, new_context
):
    tess = agent()
    ben = inbox_of(server, new_context, BEN[0], BEN[2])
    tab(tess.page, "Mine").click()
    tab(ben.page, "Unassigned").click()
    expect(tab(ben.page, "Unassigned")).to_have_attribute("aria-selected", "true")

    conversation_id, token = server.new_conversation(name="Ana Lima")
    visitor_writes(server, token, "Is the Halo lamp dimmable?")
    expect(ben.row(conversation_id)).to_be_visible()
    expect(ben.row(conversation_id)).to_contain_text("Unassigned")
    expect(count(ben.page, "unassigned")).to_have_text("1")
    expect(count(tess.page, "mine")).to_have_text("0")
    expect(tess.rows).to_have_count(0)

    change(server, conversation_id, assignee_id=agent_id(server, "tess@example.com"))
    visitor_writes(server, token, "It is for a bedroom")

    expect(ben.row(conversation_id)).to_have_count(0)
    expect(count(ben.page, "unassigned")).to_have_text("0")
    expect(tess.row(conversation_id)).to_be_visible()
    expect(tess.row(conversation_id)).to_contain_text(AGENT_NAME)
    expect(count(tess.page, "mine")).to_have_text("1")
    # Ben's own "Mine" stays empty: mine is per agent.
    expect(count(ben.page, "mine")).to_have_text("0")
    # The view is remembered across a reload.
    tess.page.reload()
    Inbox(tess.page).ready()
    expect(tab(tess.page, "Mine")).to_have_attribute("aria-selected", "true")
    expect(tess.row(conversation_id)).to_be_visible()


def desk(server: ChatServer) -> dict[str, int]:
    """Conversations in every state, made over the API and set in the database."""
    now = utcnow()
    made = {}
    for name, body in [
        ("ended", "Thanks, all sorted"),
        ("resolved", "Where is my order 1042?"),
        ("snoozed", "I will send the photo tomorrow"),
        ("long_wait", "Do you ship to Iceland?"),
        ("short_wait", "Can I change my address?"),
        ("answered", "Hello again"),
    ]:
        conversation_id, token = server.new_conversation(name=name.replace("_", " ").title())
        visitor_writes(server, token, body)
        made[name] = conversation_id
        if name == "ended":
            response = server.http.post(
                f"{server.url}/api/v1/conversations/{conversation_id}/end",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 204
    ben = agent_id(server, BEN[0])
    change(server, made["resolved"], state="resolved", assignee_id=ben, waiting_since=None)
    change(server, made["snoozed"], state="snoozed", snoozed_until=now + timedelta(hours=3))
    change(server, made["long_wait"], waiting_since=now - timedelta(minutes=42))
    change(server, made["short_wait"], waiting_since=now - timedelta(minutes=12))
    change(server, made["answered"], waiting_since=None, assignee_id=ben)
    return made


def test_badges_sort_and_views_show_where_each_chat_stands(
    server, agent, new_context, screenshots_dir
):
    made = desk(server)
    inbox = agent()
    inbox.page.reload()
    Inbox(inbox.page).ready()
    page = inbox.page

    expect(inbox.row(made["ended"])).to_contain_text("Ended")
    expect(inbox.row(made["resolved"])).to_contain_text("Resolved")
    expect(inbox.row(made["resolved"])).to_contain_text("Ben")
    # Today just the time; another day with its weekday ("Mon 00:16").
    expect(inbox.row(made["snoozed"])).to_contain_text(SNOOZED_UNTIL)
    expect(inbox.row(made["long_wait"])).to_contain_text("waiting 42 min")
    expect(inbox.row(made["short_wait"])).to_contain_text("waiting 12 min")
    expect(count(page, "open")).to_have_text("3")
    expect(count(page, "resolved")).to_have_text("2")
    expect(count(page, "snoozed")).to_have_text("1")

    page.get_by_label("Sort").select_option("waiting")
    expect(inbox.rows.first).to_have_attribute("data-conversation-id", str(made["long_wait"]))
    expect(inbox.rows.nth(1)).to_have_attribute("data-conversation-id", str(made["short_wait"]))
    page.screenshot(path=screenshots_dir / "inbox-views.png", **SHOT)

    tab(page, "Resolved").click()
    expect(inbox.rows).to_have_count(2)
    tab(page, "All open").focus()
    page.keyboard.press("ArrowRight")  # keyboard moves between the tabs
    expect(tab(page, "Snoozed")).to_be_focused()
    expect(inbox.rows).to_have_count(1)
    expect(inbox.row(made["snoozed"])).to_be_visible()

    phone = inbox_of(
        server,
        new_context,
        AGENT_EMAIL,
        AGENT_PASSWORD,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    ).page
    tab(phone, "All").click()
    expect(phone.locator(".conv-list__row")).to_have_count(6)
    phone.screenshot(path=screenshots_dir / "inbox-views-phone.png", **SHOT)


def test_scrolling_down_reads_every_page(server, agent):
    now = utcnow()
    rows = [
        {
            "visitor_name": f"Visitor {n:03}",
            "last_activity_at": now - timedelta(minutes=n),
            "created_at": now - timedelta(minutes=n),
        }
        for n in range(130)
    ]
    with database(server) as connection:
        connection.execute(sa.insert(Conversation.__table__), rows)
    inbox = agent()
    inbox.page.reload()
    Inbox(inbox.page).ready()
    tab(inbox.page, "All").click()
    expect(inbox.rows).to_have_count(50)
    for shown in (100, 130):
        inbox.rows.last.scroll_into_view_if_needed()
        expect(inbox.rows).to_have_count(shown)
    expect(inbox.page.locator("#conversation-list-more")).to_be_hidden()
    names = inbox.page.locator(".conv-item__name").all_inner_texts()
    assert names == [f"Visitor {n:03}" for n in range(130)]
