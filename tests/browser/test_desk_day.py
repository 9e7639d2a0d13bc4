"""A day on the desk, end to end: two agents (Tess, an admin, and Ben) in two
browsers and visitors in their own, on a server of its own.

The admin turns on automatic assignment; visitors write and their chats go
round robin to the available agents, every inbox showing it at once; Ben
claims one from Tess; Tess answers with a canned response; Ben writes a
private note that the visitor never gets; Tess resolves a chat, the widget
shows it answered and the visitor's next message reopens it; Ben snoozes
one, sets himself away and the new chats go to Tess only; the views hold
what they should; and last month's chat is found by a prefix of a word.
"""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.clock import utcnow
from app.models import Conversation, Message
from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import ChatServer, serving_chat
from tests.browser.pages import Inbox, Widget
from tests.harness.api import expect_status
from tests.harness.credentials import AGENT_EMAIL
from tests.harness.logs import watching

pytestmark = BROWSER_TESTS

BEN = ("ben@example.com", "Ben", "another horse battery")
REFUND = "Your refund is on its way: it shows on your statement within 5 working days."
NOTE = "Customer since 2019, be generous"
OLD_WORD = "Thermoskanne"


@pytest.fixture(scope="module")
def desk_server(tmp_path_factory):
    """A server of its own, so the counts are this day's alone: Tess is an
    admin, Ben an agent, and one canned response is on file."""
    with serving_chat(tmp_path_factory.mktemp("desk-day-server")) as server:
        server.process.flask("agents", "set-role", AGENT_EMAIL, "admin")
        server.process.create_agent(*BEN)
        answer = server.api("POST", "/canned", json={"shortcut": "/refund", "body": REFUND})
        expect_status(answer, 201)
        yield server


@pytest.fixture
def server(request, desk_server):
    """This module's own server (overrides the session's)."""
    with watching(request.node, desk_server.process):
        yield desk_server


@contextmanager
def database(server: ChatServer):
    """A transaction on the server's SQLite database."""
    engine = sa.create_engine(server.process.database_url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def inbox_of(server: ChatServer, new_context, email: str, password: str) -> Inbox:
    page = new_context().new_page()
    page.goto(f"{server.url}/login?next=/agent")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/agent")
    return Inbox(page).ready()


def tab(page: Page, name: str):
    return page.get_by_role("tab", name=re.compile(f"^{re.escape(name)}( [0-9k]+)?$"))


def count(inbox: Inbox, view: str):
    return inbox.page.locator(f'[data-count="{view}"]')


def assignee(inbox: Inbox):
    """What the open conversation's header says about who has it."""
    return inbox.page.locator("#conversation .assignment__status")


def action(inbox: Inbox, name: str):
    return inbox.page.locator(f'#conversation [data-key-action="{name}"]')


def lines(inbox: Inbox):
    return inbox.page.locator("#conversation-scroll .activity-line")


def visitor_writes(visitor, text: str) -> tuple[Widget, int]:
    widget = visitor()
    return widget, widget.start_conversation(text)


def set_auto_assign(page: Page, on: bool) -> None:
    """The admin's Settings page, reached from the inbox's top bar."""
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Settings").click()
    switch = page.get_by_role("switch", name="Assign new conversations automatically")
    expect(switch).to_be_enabled()
    if switch.is_checked() != on:
        switch.click()
        expect(page.locator("#admin-toast")).to_contain_text("is on" if on else "is off")
    page.get_by_role("link", name="Inbox").click()
    Inbox(page).ready()


def availability(inbox: Inbox):
    return inbox.page.get_by_role("switch", name="Available")


def fits_the_width(inbox: Inbox, width: int) -> None:
    """Every part's buttons in the top bar and the conversation header are
    on screen, in their place, and crowd neither the bar nor the name."""
    inbox.page.set_viewport_size({"width": width, "height": 800})
    expect(inbox.page.locator(".topbar").get_by_role("switch", name="Available")).to_be_visible()
    for name in ("claim", "assign", "unassign", "resolve", "snooze"):
        expect(action(inbox, name)).to_be_in_viewport(ratio=1)
    for element in (inbox.export, inbox.delete, inbox.page.get_by_role("button", name="Log out")):
        expect(element).to_be_in_viewport(ratio=1)
    for selector in (".topbar", "#conversation-name", ".conversation__details"):
        overflow = inbox.page.locator(selector).evaluate("e => e.scrollWidth - e.clientWidth")
        assert overflow <= 0, f"{selector} overflows by {overflow}px at {width}px"
    name = inbox.header_name.bounding_box()
    assert name["width"] >= 120, f"the name is squeezed to {name['width']}px at {width}px"
    inbox.page.set_viewport_size({"width": 1280, "height": 800})


@pytest.fixture
def desk(server, agent, new_context):
    """Tess and Ben on the inbox, automatic assignment on; the desk as it was
    afterwards (assignment off, both available), for the module's next test."""
    tess = agent()
    ben = inbox_of(server, new_context, BEN[0], BEN[2])
    set_auto_assign(tess.page, True)
    yield tess, ben
    set_auto_assign(tess.page, False)
    for inbox in (tess, ben):
        if availability(inbox).get_attribute("aria-checked") == "false":
            availability(inbox).click()
            expect(availability(inbox)).to_have_attribute("aria-checked", "true")


def test_two_agents_and_their_visitors_run_a_day(server, desk, visitor):
    tess, ben = desk

    # Morning: three visitors write; their chats go round robin, live.
    ada, ada_chat = visitor_writes(visitor, "Hi, I was charged twice for order 1042")
    expect(tess.row(ada_chat)).to_contain_text("Tess")
    bo, bo_chat = visitor_writes(visitor, "Does the Halo pendant come in brass?")
    expect(ben.row(bo_chat)).to_contain_text("Ben")
    cy, cy_chat = visitor_writes(visitor, "Can I pick my order up in the shop?")
    expect(tess.row(cy_chat)).to_contain_text("Tess")
    for inbox, mine in ((tess, "2"), (ben, "1")):
        expect(count(inbox, "mine")).to_have_text(mine)
        expect(count(inbox, "unassigned")).to_have_text("0")
        expect(count(inbox, "open")).to_have_text("3")
    tess.open(ada_chat)
    expect(assignee(tess)).to_have_text("Assigned to you")
    expect(lines(tess).first).to_contain_text("Assigned to Tess automatically")
    expect(ada.page.locator(".lc-title")).to_have_text("Tess")

    # Ben takes Cy's chat off Tess: both inboxes follow at once.
    tess.open(cy_chat)
    ben.open(cy_chat)
    expect(assignee(ben)).to_have_text("Assigned to Tess")
    action(ben, "claim").click()
    expect(assignee(ben)).to_have_text("Assigned to you")
    expect(assignee(tess)).to_have_text("Assigned to Ben")
    expect(lines(tess).last).to_contain_text("Ben claimed this")
    expect(tess.row(cy_chat)).to_contain_text("Ben")
    expect(count(tess, "mine")).to_have_text("1")
    expect(count(ben, "mine")).to_have_text("2")
    for width in (1280, 390):
        fits_the_width(tess, width)

    # Tess answers Ada with a canned response, by its shortcut.
    tess.open(ada_chat)
    tess.input.press_sequentially("/ref")
    suggestions = tess.page.get_by_role("listbox", name="Canned responses")
    expect(suggestions.get_by_role("option", name="/refund")).to_have_attribute(
        "aria-selected", "true"
    )
    tess.input.press("Enter")
    expect(tess.input).to_have_value(REFUND)
    tess.input.press("Enter")
    expect(ada.message(REFUND)).to_be_visible()

    # Ben writes a private note on Bo's chat: Tess sees it, Bo never does.
    ben.open(bo_chat)
    tess.open(bo_chat)
    action(ben, "note").click()
    note_box = ben.page.get_by_role("textbox", name="Private note")
    expect(note_box).to_be_focused()
    note_box.fill(NOTE)
    note_box.press("Enter")
    expect(tess.page.locator("#conversation-scroll .note")).to_contain_text(NOTE)
    ben.page.get_by_role("button", name="Reply", exact=True).click()
    ben.send("Yes, in brushed brass too.")
    expect(bo.message("Yes, in brushed brass too.")).to_be_visible()
    assert NOTE not in bo.page.content()
    assert NOTE not in bo.panel.evaluate("panel => panel.getRootNode().innerHTML")

    # Tess resolves Ada's chat; Ada's widget shows it answered; Ada writes
    # again and it is open once more, in both inboxes, with the line.
    tess.open(ada_chat)
    ben.open(ada_chat)
    action(tess, "resolve").click()
    expect(ada.page.locator(".lc-answered")).to_be_visible()
    for inbox in (tess, ben):
        expect(lines(inbox).last).to_contain_text("Tess resolved this")
        expect(count(inbox, "resolved")).to_have_text("1")
        expect(count(inbox, "open")).to_have_text("2")
    ada.send("Sorry, one more question: is it the same card?")
    expect(ada.page.locator(".lc-answered")).to_be_hidden()
    for inbox in (tess, ben):
        expect(lines(inbox).last).to_contain_text("Reopened by the visitor's message")
        expect(action(inbox, "resolve")).to_be_visible()
        expect(count(inbox, "resolved")).to_have_text("0")
        expect(count(inbox, "open")).to_have_text("3")

    # Ben snoozes Bo's chat until tomorrow.
    ben.open(bo_chat)
    action(ben, "snooze").click()
    ben.page.get_by_role("button", name="Tomorrow, 9:00").click()
    expect(lines(ben).last).to_contain_text("Ben snoozed this until ")
    # The list says when it comes back as the header does.
    until = ben.page.locator("#conversation-state").inner_text()
    expect(tess.row(bo_chat).locator(".state-badge")).to_have_text(until)
    for inbox in (tess, ben):
        expect(count(inbox, "snoozed")).to_have_text("1")
        expect(count(inbox, "open")).to_have_text("2")
    expect(count(ben, "mine")).to_have_text("1")

    # Ben steps away: the next chats all go to Tess.
    availability(ben).click()
    expect(availability(ben)).to_have_attribute("aria-checked", "false")
    _dan, dan_chat = visitor_writes(visitor, "Is the shop open on Sunday?")
    expect(tess.row(dan_chat)).to_contain_text("Tess")
    _eve, eve_chat = visitor_writes(visitor, "Do you have gift cards?")
    expect(tess.row(eve_chat)).to_contain_text("Tess")
    expect(count(tess, "mine")).to_have_text("3")
    expect(count(ben, "mine")).to_have_text("1")

    # Tess settles Dan's chat. The views hold where every chat stands.
    tess.open(dan_chat)
    tess.send("Yes, from 10 to 16.")
    action(tess, "resolve").click()
    expect(count(tess, "resolved")).to_have_text("1")
    for inbox, mine, reading in ((tess, {ada_chat, eve_chat}, dan_chat), (ben, {cy_chat}, bo_chat)):
        views = {
            "Resolved": {dan_chat},
            "Snoozed": {bo_chat},
            "Mine": mine,
            "All open": {ada_chat, cy_chat, eve_chat},
        }
        for view, chats in views.items():
            tab(inbox.page, view).click()
            # The chat being read stays listed whatever the view.
            others = inbox.rows.filter(has_not=inbox.page.locator("[aria-current]"))
            expect(others).to_have_count(len(chats - {reading}))
            for chat in chats:
                expect(inbox.row(chat)).to_be_visible()

    # Bo's snooze ends (the clock moved on): Bo's chat comes back to
    # "All open" and the counts follow, without a reload.
    with database(server) as connection:
        connection.execute(
            sa.update(Conversation.__table__)
            .where(Conversation.id == bo_chat)
            .values(snoozed_until=utcnow() - timedelta(seconds=1))
        )
    expect(lines(ben).last).to_contain_text("Reopened: the snooze ended")
    for inbox in (tess, ben):
        expect(count(inbox, "snoozed")).to_have_text("0")
        expect(count(inbox, "open")).to_have_text("4")
        expect(inbox.row(bo_chat)).to_be_visible()


def last_months_chat(server: ChatServer) -> tuple[int, int]:
    """A chat from five weeks ago, written into the database as it would
    have been then; returns its id and the seq of the message to find."""
    then = utcnow() - timedelta(days=35)
    bodies = [
        ("visitor", "Hello, a question about my order"),
        ("agent", "Of course, what is it?"),
        ("visitor", f"The {OLD_WORD} arrived with a dent in the lid"),
        ("agent", "Sorry! A new one is on its way."),
    ]
    with database(server) as connection:
        chat = connection.scalar(
            sa.insert(Conversation.__table__)
            .values(
                visitor_name="Greta Holm",
                visitor_email="greta@example.com",
                state="resolved",
                created_at=then,
                last_activity_at=then + timedelta(minutes=len(bodies)),
                last_seq=len(bodies),
            )
            .returning(Conversation.id)
        )
        connection.execute(
            sa.insert(Message.__table__),
            [
                {
                    "conversation_id": chat,
                    "seq": seq,
                    "client_id": f"old-{seq}",
                    "sender": sender,
                    "author_name": "Greta Holm" if sender == "visitor" else "Tess",
                    "body": body,
                    "created_at": then + timedelta(minutes=seq),
                }
                for seq, (sender, body) in enumerate(bodies, start=1)
            ],
        )
    return chat, 3


def test_last_months_chat_is_found_by_a_prefix_and_opens_at_the_message(server, agent):
    chat, seq = last_months_chat(server)
    tess = agent()
    box = tess.page.get_by_role("textbox", name="Search messages, names and emails")
    box.fill(OLD_WORD[:6].lower())
    hit = tess.page.get_by_role("list", name="Search results").get_by_role("button")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("Greta Holm")
    expect(hit.locator("mark")).to_have_text(OLD_WORD)

    hit.click()
    expect(tess.header_name).to_have_text("Greta Holm")
    found = tess.page.locator(f'{tess.scroll} .message[data-seq="{seq}"]')
    expect(found).to_have_class(re.compile("message--found"))
    expect(found).to_be_in_viewport()
    expect(found).to_be_focused()
