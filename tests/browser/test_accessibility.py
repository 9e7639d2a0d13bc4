"""Every page state a person meets passes axe-core: WCAG 2.0/2.1 A and AA, and best practices.

Each state is a function registered with ``@page_state("name")``: it gets a
``Pages`` (contexts that let axe in, a visitor, a logged-in agent, the server)
and returns the Playwright page in the state to check. A new page or dialog
is one more such function; ``test_no_violations`` runs axe on each.
"""

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import log_in
from tests.browser.pages import Inbox, Widget

pytestmark = BROWSER_TESTS

PHONE = {"width": 390, "height": 844}


class Pages:
    """What a page state needs to set itself up; every context lets axe in (``bypass_csp``)."""

    def __init__(self, server, new_context):
        self.server = server
        self.new_context = new_context

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
def pages(server, new_context) -> Pages:
    return Pages(server, new_context)


@pytest.mark.parametrize("state", list(PAGE_STATES))
def test_no_violations(pages, state):
    page = PAGE_STATES[state](pages)
    assert_accessible(page)


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
