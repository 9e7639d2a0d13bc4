"""Every page state a person meets passes axe-core: WCAG 2.0/2.1 A and AA, and best practices.

Each state is a function registered with ``@page_state("name")``: it gets a
``Pages`` (contexts that let axe in, a visitor, a logged-in agent, the server)
and returns the Playwright page in the state to check. A new page or dialog
is one more such function; ``test_no_violations`` runs axe on each.
"""

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from app.clock import utcnow
from tests.browser.axe import assert_accessible
from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import log_in
from tests.browser.pages import Inbox, Widget
from tests.browser.test_admin import add_agent, admin_page, new_email
from tests.browser.test_tokens import make_token, tokens_page
from tests.browser.test_views import agent_id, change, visitor_writes
from tests.harness.api import expect_status
from tests.harness.credentials import AGENT_EMAIL, AGENT_NAME, AGENT_PASSWORD

pytestmark = BROWSER_TESTS

PHONE = {"width": 390, "height": 844}


class Pages:
    """What a page state needs to set itself up; every context lets axe in (``bypass_csp``)."""

    def __init__(self, server, new_context):
        self.server = server
        self.new_context = new_context
        # Undone after the check: the session's server is shared with other tests.
        self.cleanups: list[Callable[[], None]] = []

    def canned(self, shortcut: str, body: str) -> None:
        """A canned response, deleted after the check."""
        made = expect_status(
            self.server.api("POST", "/canned", json={"shortcut": shortcut, "body": body}), 201
        ).json()
        self.cleanups.append(lambda: self.server.api("DELETE", f"/canned/{made['id']}"))

    def context(self, **options) -> BrowserContext:
        return self.new_context(bypass_csp=True, **options)

    def page(self, path: str, **options) -> Page:
        """A new page at ``path`` on the chat server."""
        page = self.context(**options).new_page()
        page.goto(f"{self.server.url}{path}")
        return page

    def widget(self, **options) -> Widget:
        """A visitor on the demo site, with the widget mounted (closed)."""
        return Widget(self.page("/", **options)).ready()

    def inbox(self, query: str = "", **options) -> Inbox:
        """The agent, logged in through the form, on the inbox."""
        page = self.context(**options).new_page()
        log_in(page, self.server.url, next_path=f"/agent{query}")
        return Inbox(page).ready()


PAGE_STATES: dict[str, Callable[[Pages], Page]] = {}


def page_state(name: str):
    """Register a function that puts a page into a state axe must find clean."""

    def register(setup: Callable[[Pages], Page]) -> Callable[[Pages], Page]:
        PAGE_STATES[name] = setup
        return setup

    return register


@page_state("widget closed")
def widget_closed(pages: Pages) -> Page:
    return pages.widget().page


@page_state("widget open")
def widget_open(pages: Pages) -> Page:
    widget = pages.widget().open()
    widget.send("Hello, is anyone there?")
    return widget.page


@page_state("widget open at phone width")
def widget_phone(pages: Pages) -> Page:
    widget = pages.widget(viewport=PHONE, is_mobile=True, has_touch=True).open()
    widget.send("Hello from my phone")
    return widget.page


@page_state("login")
def login(pages: Pages) -> Page:
    return pages.page("/login")


@page_state("widget open in Arabic, right to left")
def widget_arabic(pages: Pages) -> Page:
    widget = Widget(pages.page("/?locale=ar", locale="ar")).ready().open()
    widget.page.locator(".lc-input").fill("مرحبًا")
    widget.page.locator(".lc-input").press("Enter")
    expect(widget.messages).to_have_count(1)
    return widget.page


@page_state("the JavaScript API demo page")
def api_demo(pages: Pages) -> Page:
    page = pages.page("/demo/api")
    expect(page.locator('#api-events li[data-event="ready"]')).to_have_count(1)
    return page


@page_state("login in Spanish")
def login_spanish(pages: Pages) -> Page:
    return pages.page("/login", locale="es-ES")


@page_state("login with an error message")
def login_error(pages: Pages) -> Page:
    page = pages.page("/login")
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Wrong email or password.")).to_be_visible()
    return page


@page_state("inbox with a conversation open, the visitor typing")
def inbox_conversation(pages: Pages) -> Page:
    widget = pages.widget()
    conversation_id = widget.start_conversation("My lamp does not turn on")
    inbox = pages.inbox().open(conversation_id)
    inbox.send("Sorry to hear that. Which model is it?")
    expect(widget.message("Sorry to hear that. Which model is it?")).to_be_visible()
    # Typing for longer than the test lasts, so the line stays while axe looks.
    keep_typing(widget, 60_000)
    expect(inbox.typing).to_be_visible()
    return inbox.page


@page_state("inbox keyboard shortcuts overlay")
def inbox_key_help(pages: Pages) -> Page:
    conversation_id = pages.server.new_conversation(name="Kira Keys").conversation_id
    inbox = pages.inbox().open(conversation_id)
    inbox.page.keyboard.press("Escape")
    inbox.page.keyboard.press("?")
    expect(inbox.page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    return inbox.page


# The desk: a conversation's state, notes and menus, the views, search, the
# admin pages and what the visitor sees of it all.


def action(inbox: Inbox, name: str) -> Locator:
    """The open conversation's button for a keyboard action (``data-key-action``)."""
    return inbox.pane.locator(f'[data-key-action="{name}"]')


def open_chat(pages: Pages, text: str, **options) -> tuple[Widget, Inbox]:
    """A visitor's new conversation, open in the agent's inbox."""
    widget = pages.widget()
    conversation_id = widget.start_conversation(text)
    inbox = pages.inbox(**options).open(conversation_id)
    expect(inbox.message(text)).to_be_visible()
    return widget, inbox


@page_state("inbox: activity lines, a private note, the note box")
def inbox_note(pages: Pages) -> Page:
    _widget, inbox = open_chat(pages, "Where is my parcel?")
    action(inbox, "resolve").click()
    expect(inbox.page.locator("#conversation-state")).to_have_text("Resolved")
    action(inbox, "reopen").click()
    expect(inbox.page.locator(".activity-line")).to_have_count(2)
    action(inbox, "note").click()
    note_box = inbox.page.get_by_role("textbox", name="Private note")
    note_box.fill("Courier says Tuesday")
    note_box.press("Enter")
    expect(inbox.page.locator("#conversation-scroll .note")).to_contain_text("Courier says")
    expect(note_box).to_be_focused()
    return inbox.page


@page_state("inbox: snooze menu open")
def inbox_snooze(pages: Pages) -> Page:
    _widget, inbox = open_chat(pages, "Call me next week")
    action(inbox, "snooze").click()
    expect(inbox.page.get_by_role("dialog", name="Snooze until")).to_be_visible()
    return inbox.page


@page_state("inbox: assign menu open, a claimed chat")
def inbox_assign(pages: Pages) -> Page:
    _widget, inbox = open_chat(pages, "Who is on this?")
    action(inbox, "claim").click()
    expect(inbox.page.locator(".assignment__status")).to_have_text("Assigned to you")
    action(inbox, "assign").click()
    expect(inbox.page.get_by_role("menu")).to_be_visible()
    return inbox.page


@page_state("inbox: the agent away")
def inbox_away(pages: Pages) -> Page:
    inbox = pages.inbox()
    switch = inbox.page.get_by_role("switch", name="Available")
    expect(switch).to_have_attribute("aria-checked", "true")
    pages.cleanups.append(lambda: set_available(pages.server))
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")
    return inbox.page


@page_state("inbox: canned responses offered in the reply box")
def inbox_canned_suggestions(pages: Pages) -> Page:
    pages.canned("hello", "Hello! How can I help you today?")
    pages.canned("help", "Our help pages are at acme.example/help.")
    _widget, inbox = open_chat(pages, "Hi there")
    inbox.input.press_sequentially("/he")
    offered = inbox.page.get_by_role("listbox", name="Canned responses").get_by_role("option")
    expect(offered).to_have_count(2)
    return inbox.page


@page_state("inbox: canned responses dialog")
def inbox_canned_dialog(pages: Pages) -> Page:
    pages.canned("refund", "Refunds take five working days.")
    inbox = pages.inbox()
    inbox.page.get_by_role("button", name="Canned responses").click()
    dialog = inbox.page.get_by_role("dialog", name="Canned responses")
    expect(dialog.get_by_role("listitem")).to_have_count(1)
    dialog.get_by_role("button", name="Delete /refund").click()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    return inbox.page


def with_every_badge(pages: Pages) -> None:
    """Conversations resolved, snoozed, waiting, claimed and ended, on the session's server."""
    me = agent_id(pages.server, AGENT_EMAIL)
    now = utcnow()
    settings = {
        "Rhea Resolved": {"state": "resolved", "assignee_id": me, "waiting_since": None},
        "Sami Snoozed": {"state": "snoozed", "snoozed_until": now + timedelta(hours=3)},
        "Wendy Waiting": {"waiting_since": now - timedelta(minutes=42)},
        "Mira Mine": {"assignee_id": me, "waiting_since": None},
        "Ed Ended": {"status": "closed", "waiting_since": None},
    }
    for name, values in settings.items():
        conversation_id, token = pages.server.new_conversation(name=name)
        visitor_writes(pages.server, token, f"Hello from {name}")
        change(pages.server, conversation_id, **values)
    pages.server.new_conversation(name="Una Unread")


VIEWS = ["Mine", "Unassigned", "All open", "Snoozed", "Resolved", "All"]


def view_state(view: str, sort: str = "latest"):
    def setup(pages: Pages) -> Page:
        with_every_badge(pages)
        inbox = pages.inbox()
        tab = inbox.page.get_by_role("tab", name=re.compile(f"^{re.escape(view)}( [0-9k]+)?$"))
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        inbox.page.get_by_label("Sort").select_option(sort)
        inbox.page.wait_for_function(
            "() => document.querySelector('#conversation-list').children.length > 0"
            " || !document.querySelector('#conversation-list-empty').hidden"
        )
        return inbox.page

    return setup


for _view in VIEWS:
    page_state(f"inbox: the {_view} view")(view_state(_view))
page_state("inbox: All open, longest waiting first")(view_state("All open", "waiting"))


def search(pages: Pages, query: str) -> Inbox:
    inbox = pages.inbox()
    inbox.page.get_by_role("textbox", name="Search messages, names and emails").fill(query)
    return inbox


@page_state("inbox: search results")
def search_results(pages: Pages) -> Page:
    chat = pages.server.new_conversation(name="Amélie Searchable", email="amelie@example.com")
    visitor_writes(pages.server, chat.token, "Mon colis est arrivé à la mauvaise adresse")
    inbox = search(pages, "amelie")
    results = inbox.page.get_by_role("list", name="Search results")
    expect(results.locator("mark").first).to_be_visible()
    return inbox.page


@page_state("inbox: nothing found")
def search_nothing(pages: Pages) -> Page:
    inbox = search(pages, "zzqxnothing")
    expect(inbox.page.get_by_role("status").filter(has_text="Nothing found")).to_be_visible()
    return inbox.page


@page_state("inbox at phone width: the list")
def inbox_phone_list(pages: Pages) -> Page:
    pages.server.new_conversation(name="Pia Phone")
    return pages.inbox(viewport=PHONE, is_mobile=True, has_touch=True).page


@page_state("inbox at phone width: a conversation")
def inbox_phone_conversation(pages: Pages) -> Page:
    conversation_id = pages.widget().start_conversation("Writing from the bus")
    inbox = pages.inbox(viewport=PHONE, is_mobile=True, has_touch=True)
    inbox.row(conversation_id).get_by_role("button").click()
    expect(inbox.message("Writing from the bus")).to_be_visible()
    action(inbox, "resolve").click()
    expect(inbox.page.locator("#conversation-state")).to_have_text("Resolved")
    return inbox.page


def admin(pages: Pages, **options) -> Page:
    page, _name = admin_page(pages.server, pages.context, **options)
    return page


@page_state("admin: agents")
def admin_agents(pages: Pages) -> Page:
    page = admin(pages)
    add_agent(page, f"Bo {uuid.uuid4().hex[:4]}", new_email("bo"), AGENT_PASSWORD)
    return page


@page_state("admin: the add-agent form")
def admin_add(pages: Pages) -> Page:
    page = admin(pages)
    page.get_by_role("button", name="Add agent").click()
    expect(page.get_by_role("dialog", name="Add an agent")).to_be_visible()
    return page


@page_state("admin: a password shown once")
def admin_password(pages: Pages) -> Page:
    page = admin(pages)
    name = f"Cy {uuid.uuid4().hex[:4]}"
    add_agent(page, name, new_email("cy"), AGENT_PASSWORD)
    page.get_by_role("button", name=f"Reset password for {name}").click()
    page.get_by_role("button", name="Set password", exact=True).click()
    expect(page.get_by_role("button", name="Done")).to_be_visible()
    return page


@page_state("admin: settings")
def admin_settings(pages: Pages) -> Page:
    page = admin(pages)
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("switch").first).to_be_enabled()
    return page


@page_state("admin: agents at phone width")
def admin_phone(pages: Pages) -> Page:
    return admin(pages, viewport=PHONE, is_mobile=True, has_touch=True)


@page_state("admin pages refused to an agent (403)")
def admin_forbidden(pages: Pages) -> Page:
    page = pages.inbox().page
    assert page.goto(f"{pages.server.url}/admin/agents").status == 403
    return page


@page_state("widget: the assigned agent named")
def widget_assigned(pages: Pages) -> Page:
    widget, inbox = open_chat(pages, "Is the Arc lamp dimmable?")
    action(inbox, "claim").click()
    expect(widget.page.locator(".lc-title")).to_have_text(AGENT_NAME)
    inbox.send("Yes, with any trailing-edge dimmer.")
    expect(widget.message("Yes, with any trailing-edge dimmer.")).to_be_visible()
    return widget.page


@page_state("widget: a resolved chat, answered")
def widget_answered(pages: Pages) -> Page:
    widget, inbox = open_chat(pages, "Where is my order?")
    action(inbox, "resolve").click()
    expect(widget.page.locator(".lc-answered")).to_be_visible()
    return widget.page


@page_state("widget: an ended chat offering a new one")
def widget_ended(pages: Pages) -> Page:
    widget = pages.widget()
    widget.start_conversation("Thanks, that's all")
    widget.options.click()
    widget.page.get_by_role("menuitem", name="End chat").click()
    widget.confirm.get_by_role("button", name="End chat").click()
    expect(widget.page.get_by_role("button", name="Start a new chat")).to_be_focused()
    return widget.page


@page_state("widget at phone width: answered")
def widget_phone_answered(pages: Pages) -> Page:
    widget = pages.widget(viewport=PHONE, is_mobile=True, has_touch=True)
    conversation_id = widget.start_conversation("Sent from my phone")
    inbox = pages.inbox().open(conversation_id)
    action(inbox, "resolve").click()
    expect(widget.page.locator(".lc-answered")).to_be_visible()
    return widget.page


@page_state("api tokens: the new-token form")
def tokens_form(pages: Pages) -> Page:
    page = tokens_page(pages.server, pages.context)
    page.get_by_role("button", name="New token").click()
    expect(page.get_by_role("dialog", name="New API token")).to_be_visible()
    return page


@page_state("api tokens: a token shown once, at phone width")
def tokens_shown(pages: Pages) -> Page:
    page = tokens_page(pages.server, pages.context, viewport=PHONE, is_mobile=True)
    make_token(page, "Opening hours bot", "Read", "In 7 days")
    return page


@page_state("api tokens: listed")
def tokens_listed(pages: Pages) -> Page:
    page = tokens_page(pages.server, pages.context)
    make_token(page, "CRM sync", "Read and write", "Never")
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_role("row", name="CRM sync")).to_be_visible()
    return page


@page_state("inbox at phone width: the visitor's details")
def inbox_phone_visitor_details(pages: Pages) -> Page:
    conversation_id = pages.widget().start_conversation("Which bulb fits the Arc?")
    inbox = pages.inbox(viewport=PHONE, is_mobile=True, has_touch=True)
    inbox.row(conversation_id).get_by_role("button").click()
    inbox.page.get_by_role("button", name="Visitor details").click()
    expect(inbox.page.get_by_role("complementary", name="Visitor")).to_contain_text("Anonymous")
    return inbox.page


@page_state("widget: the pre-chat form with an error")
def widget_prechat(pages: Pages) -> Page:
    email = new_email("ada")
    pages.server.process.flask(
        "agents", "create", email, "--name", "Ada", "--password", AGENT_PASSWORD, "--admin"
    )
    answer = pages.server.http.post(
        f"{pages.server.url}/api/v1/tokens", auth=(email, AGENT_PASSWORD)
    )
    admin_auth = {"Authorization": f"Bearer {expect_status(answer, 200).json()['token']}"}

    def ask(prechat: dict) -> None:
        answer = pages.server.api("PATCH", "/settings", json=prechat, headers=admin_auth)
        expect_status(answer, 200)

    ask({"prechat_name": "required", "prechat_email": "optional"})
    pages.cleanups.append(lambda: ask({"prechat_name": "off", "prechat_email": "off"}))
    widget = pages.widget()
    widget.launcher.click()
    widget.page.get_by_role("button", name="Start the chat").click()
    expect(widget.page.get_by_text("Please enter your name.")).to_be_visible()
    return widget.page


@page_state("admin: rolling the identity secret")
def admin_identity_secret(pages: Pages) -> Page:
    page = admin(pages)
    page.get_by_role("link", name="Settings").click()
    roll = page.locator("#identity-secret-roll")
    expect(roll).to_be_enabled()
    if roll.text_content() == "Create the secret":
        roll.click()
        expect(roll).to_have_text("Roll the secret")
    roll.click()
    expect(page.get_by_role("dialog", name="Roll the identity secret?")).to_be_visible()
    return page


def set_available(server) -> None:
    """The agent available again (the server serves the whole session)."""
    response = server.api("PUT", "/agents/me/availability", json={"available": True})
    expect_status(response, 200)


KEEP_TYPING = """(box, ms) => {
  const input = () => box.dispatchEvent(new Event("input", { bubbles: true }));
  const timer = setInterval(input, 300);
  setTimeout(() => clearInterval(timer), ms);
}"""


def keep_typing(screen: Widget | Inbox, milliseconds: int) -> None:
    """Type a letter, then go on typing (an input event every 300 ms) for a while."""
    screen.input.press_sequentially("a")
    screen.input.evaluate(KEEP_TYPING, milliseconds)


@pytest.fixture
def pages(server, new_context) -> Iterator[Pages]:
    pages = Pages(server, new_context)
    yield pages
    for cleanup in pages.cleanups:
        cleanup()


# An id given twice in the document or in one shadow root. axe 4 reports a
# duplicated id only for review (``duplicate-id-aria``), not as a violation.
DUPLICATE_IDS = """() => {
  const duplicates = [];
  const scan = (root) => {
    const seen = new Set();
    for (const element of root.querySelectorAll("*")) {
      if (element.id && seen.has(element.id)) duplicates.push(element.id);
      if (element.id) seen.add(element.id);
      if (element.shadowRoot) scan(element.shadowRoot);
    }
  };
  scan(document);
  return duplicates;
}"""


@pytest.mark.parametrize("state", list(PAGE_STATES))
def test_no_violations(pages, state):
    page = PAGE_STATES[state](pages)
    assert_accessible(page)
    assert page.evaluate(DUPLICATE_IDS) == [], "ids used twice"


# What axe cannot see: the typing line is spoken, and once, not on every refresh.

COUNT_CHANGES = """(line) => {
  const region = line.closest("[aria-live]");
  window.typingChanges = 0;
  new MutationObserver((records) => { window.typingChanges += records.length; })
    .observe(region, { childList: true, subtree: true, characterData: true });
  return { live: region.getAttribute("aria-live"), hidden: region.closest("[hidden]") !== null };
}"""

# The clients refresh "typing" every 2 s while keys are pressed.
TYPING_REFRESHES_MS = 5_000


def test_typing_line_is_announced_once_per_typing_spell(visitor, agent):
    widget = visitor()
    conversation_id = widget.start_conversation("Hello")
    inbox = agent().open(conversation_id)
    expect(inbox.message("Hello")).to_be_visible()

    for typist, reader in ((widget, inbox), (inbox, widget)):
        # A polite live region that is in the page before anyone types.
        assert reader.typing.evaluate(COUNT_CHANGES) == {"live": "polite", "hidden": False}
        keep_typing(typist, TYPING_REFRESHES_MS)
        expect(reader.typing).to_be_visible()
        reader.page.wait_for_timeout(TYPING_REFRESHES_MS)
        # Shown once; the refreshes did not rewrite it.
        assert reader.page.evaluate("() => window.typingChanges") == 1
        typist.input.fill("")


# Reflow (WCAG 1.4.10): at phone width nothing needs a sideways scroll, and
# the top bar's controls are all on screen, in the banner landmark.


@pytest.mark.parametrize("width", [390, 320])
def test_inbox_top_bar_fits_a_phone(pages, width):
    conversation_id = pages.server.new_conversation(name="Flo Fits").conversation_id
    inbox = pages.inbox(viewport={"width": width, "height": 700}, is_mobile=True, has_touch=True)
    banner = inbox.page.get_by_role("banner")
    switch = banner.get_by_role("switch", name="Available")
    expect(switch).to_be_visible()
    for control in banner.get_by_role("button").all() + [switch]:
        if control.is_visible():
            expect(control).to_be_in_viewport(ratio=1)
    inbox.row(conversation_id).get_by_role("button").click()
    expect(inbox.input).to_be_in_viewport(ratio=1)
    assert inbox.page.evaluate("() => document.documentElement.scrollWidth") <= width
