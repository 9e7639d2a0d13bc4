"""What a person sees and does on the two screens: the widget and the inbox.

Locators pierce the widget's (open) shadow root, as Playwright's CSS and
role locators do by default. Messages are found by their exact text; their
tick is read from its accessible name ("Sending", "Sent", "Delivered",
"Seen"), which is also its tooltip.
"""

import re

from playwright.sync_api import Locator, Page, expect

# The widget's key for the visitor's conversation: "livechat:" + the chat server's origin.
SESSION_KEY_JS = (
    "const key = Object.keys(localStorage)"
    r".find((k) => /^livechat:[a-z]+:\/\/[^:/]+(:\d+)?$/.test(k));"
)


def exactly(text: str) -> re.Pattern:
    return re.compile(f"^{re.escape(text)}$")


class Screen:
    """Where a person reads and writes messages: ``messages`` are the bubbles
    in ``scroll`` (a CSS selector), ``input`` the box they write in."""

    page: Page
    input: Locator
    scroll: str

    @property
    def messages(self) -> Locator:
        return self.page.locator(f"{self.scroll} .message")

    def send(self, text: str, stored: bool = True) -> Locator:
        """Write a message and press Enter; returns its bubble.

        Waits until the server has stored it (the clock turned into a tick),
        unless ``stored`` is false.
        """
        self.input.fill(text)
        self.input.press("Enter")
        bubble = self.message(text)
        expect(bubble).to_be_visible()
        if stored:
            expect(self.tick(text)).not_to_have_accessible_name("Sending")
        return bubble

    def message(self, text: str) -> Locator:
        """The bubble of a message, by its exact text."""
        return self.messages.filter(has=self.page.locator(".message__body", has_text=exactly(text)))

    def tick(self, text: str) -> Locator:
        """The status tick of an own message."""
        return self.message(text).locator(".message__status")

    def bodies(self) -> Locator:
        return self.page.locator(f"{self.scroll} .message__body")


class Widget(Screen):
    """The chat widget on a page of the visitor's."""

    scroll = ".lc-messages"

    def __init__(self, page: Page):
        self.page = page
        self.launcher = page.locator(".lc-launcher")
        self.panel = page.locator(".lc-panel")
        self.input = page.get_by_role("textbox", name="Message")
        self.typing = page.locator(".lc-typing")
        self.connection = page.locator(".lc-connection")
        self.presence = page.locator(".lc-presence")
        self.badge = page.locator(".lc-badge")
        self.options = page.get_by_role("button", name="Chat options")
        self.ended = page.locator(".lc-ended")
        self.confirm = page.get_by_role("alertdialog", name="End this chat?")

    def ready(self) -> "Widget":
        """Wait until the widget has mounted on the page."""
        expect(self.launcher).to_be_visible()
        return self

    def open(self) -> "Widget":
        if not self.panel.is_visible():
            self.launcher.click()
        expect(self.panel).to_be_visible()
        return self

    def close(self) -> "Widget":
        self.page.keyboard.press("Escape")
        expect(self.panel).to_be_hidden()
        return self

    def start_conversation(self, text: str) -> int:
        """Open the chat and send ``text``; returns the new conversation's id."""
        self.open().send(text)
        return self.conversation_id()

    def session(self) -> dict | None:
        """The conversation the widget keeps in localStorage, if any."""
        return self.page.evaluate(
            f"() => {{ {SESSION_KEY_JS} return key && JSON.parse(localStorage.getItem(key)); }}"
        )

    def conversation_id(self) -> int:
        """Wait until the widget has a conversation; returns its id."""
        self.page.wait_for_function(f"() => {{ {SESSION_KEY_JS} return Boolean(key); }}")
        return self.session()["conversation_id"]


class Inbox(Screen):
    """The agent's inbox page."""

    scroll = "#conversation-scroll"

    def __init__(self, page: Page):
        self.page = page
        self.rows = page.locator(".conv-list__row")
        self.header_name = page.locator("#conversation-name")
        self.presence = page.locator("#conversation-presence")
        self.ended = page.locator("#conversation-ended")
        self.typing = page.locator("#conversation-typing")
        self.input = page.get_by_role("textbox", name="Reply")
        self.pane = page.locator("#conversation")
        self.placeholder = page.get_by_text("Select a conversation")
        self.connection = page.locator("#connection-state")
        self.export = page.get_by_role("link", name="Export")
        self.delete = page.locator("#conversation-delete")
        self.dialog = page.get_by_role("dialog", name="Delete this conversation?")
        self.toast = page.locator("#inbox-toast")

    def ready(self) -> "Inbox":
        """Wait until the inbox is connected and has loaded its list."""
        expect(self.page.get_by_role("heading", name="Conversations")).to_be_visible()
        self.page.wait_for_function(
            "() => document.getElementById('conversation-list').children.length > 0"
            " || !document.getElementById('conversation-list-empty').hidden"
        )
        return self

    def row(self, conversation_id: int) -> Locator:
        return self.page.locator(f'.conv-list__row[data-conversation-id="{conversation_id}"]')

    def unread(self, conversation_id: int) -> Locator:
        return self.row(conversation_id).locator(".count-badge")

    def open(self, conversation_id: int) -> "Inbox":
        self.row(conversation_id).get_by_role("button").click()
        expect(self.pane).to_be_visible()
        expect(self.row(conversation_id).get_by_role("button")).to_have_attribute(
            "aria-current", "true"
        )
        # Joined, and the history shown: the header is as the server has it.
        expect(self.pane.locator("#conversation-scroll")).to_have_attribute("aria-busy", "false")
        return self
