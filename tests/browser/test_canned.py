"""Canned responses in the inbox: managed in a dialog, inserted by "/shortcut"."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.pages import Inbox
from tests.harness.api import expect_status

pytestmark = BROWSER_TESTS

SHOT = {"animations": "disabled", "caret": "hide", "scale": "css"}
HELLO = "Hello! Thanks for writing to Acme Bikes. How can I help you today?"


@pytest.fixture
def canned(server):
    """``canned(shortcut, body)`` adds one over the API; all are deleted at the end."""

    def add(shortcut: str, body: str) -> dict:
        response = server.api("POST", "/canned", json={"shortcut": shortcut, "body": body})
        return expect_status(response, 201).json()

    yield add
    for item in expect_status(server.api("GET", "/canned"), 200).json()["canned"]:
        server.api("DELETE", f"/canned/{item['id']}")


def suggestions(inbox: Inbox):
    return inbox.page.get_by_role("listbox", name="Canned responses")


def option(inbox: Inbox, shortcut: str):
    return suggestions(inbox).get_by_role("option", name=shortcut)


def manager(inbox: Inbox):
    return inbox.page.get_by_role("dialog", name="Canned responses")


def test_agent_adds_hello_and_sends_it_by_its_shortcut(
    server, canned, visitor, agent, screenshots_dir
):
    inbox = agent()
    inbox.page.get_by_role("button", name="Canned responses").click()
    dialog = manager(inbox)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("No canned responses yet")).to_be_visible()
    dialog.get_by_label("Shortcut").fill("/hello")
    dialog.get_by_label("Text").fill(HELLO)
    dialog.get_by_role("button", name="Add response").click()
    expect(dialog.get_by_role("listitem").filter(has_text="/hello")).to_contain_text(HELLO)
    inbox.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    widget = visitor()
    conversation_id = widget.start_conversation("Do you sell child seats?")
    inbox.open(conversation_id)
    inbox.input.press_sequentially("/hel")
    expect(option(inbox, "/hello")).to_have_attribute("aria-selected", "true")
    expect(inbox.input).to_have_attribute("aria-activedescendant", re.compile(r"canned-option-\d+"))
    expect(inbox.page.locator('[data-count="all"]')).not_to_have_text("0")  # counts come soon after
    suggestions(inbox).screenshot(path=screenshots_dir / "canned-suggestions.png", **SHOT)
    inbox.page.screenshot(path=screenshots_dir / "canned-suggestions-inbox.png", **SHOT)
    inbox.input.press("Enter")

    expect(suggestions(inbox)).to_be_hidden()
    expect(inbox.input).to_have_value(HELLO)
    inbox.input.press("Enter")
    expect(inbox.message(HELLO)).to_be_visible()
    expect(widget.message(HELLO)).to_be_visible()
    assert server.bodies(conversation_id)[-1] == HELLO


def test_suggestions_filter_as_you_type_and_answer_keys_and_clicks(canned, visitor, agent):
    canned("hello", "Hello there!")
    canned("help", "Our help pages are at acme.example/help.")
    canned("refund", "Refunds take five working days.")
    widget = visitor()
    conversation_id = widget.start_conversation("Hi")
    inbox = agent().open(conversation_id)

    inbox.input.press_sequentially("Sure. /he")
    expect(suggestions(inbox).get_by_role("option")).to_have_count(2)
    inbox.input.press("ArrowDown")
    expect(option(inbox, "/help")).to_have_attribute("aria-selected", "true")
    expect(option(inbox, "/hello")).to_have_attribute("aria-selected", "false")
    inbox.input.press("Escape")
    expect(suggestions(inbox)).to_be_hidden()
    expect(inbox.input).to_have_value("Sure. /he")
    expect(inbox.input).not_to_have_attribute("aria-activedescendant", re.compile(".+"))

    inbox.input.press_sequentially("lp")
    expect(suggestions(inbox).get_by_role("option")).to_have_count(1)
    option(inbox, "/help").click()
    expect(inbox.input).to_have_value("Sure. Our help pages are at acme.example/help.")
    expect(inbox.input).to_be_focused()

    inbox.input.fill("")
    inbox.input.press_sequentially("/REF")
    inbox.input.press("Tab")
    expect(inbox.input).to_have_value("Refunds take five working days.")
    expect(inbox.input).to_be_focused()

    # A "/" inside a word, or a shortcut nobody has, offers nothing.
    inbox.input.fill("")
    inbox.input.press_sequentially("and/or /zz")
    expect(suggestions(inbox)).to_be_hidden()
    # Enter without a list open still sends.
    inbox.input.press("Enter")
    expect(widget.message("and/or /zz")).to_be_visible()


def test_dialog_edits_and_deletes_after_asking(canned, agent, screenshots_dir):
    canned("hello", "Hello there!")
    canned("opening-hours", "We are open 9 to 5, Monday to Friday.\nClosed on public holidays.")
    canned("refund", "Refunds take five working days.")
    inbox = agent()
    inbox.page.get_by_role("button", name="Canned responses").click()
    dialog = manager(inbox)
    rows = dialog.get_by_role("listitem")
    expect(rows).to_have_count(3)
    inbox.page.screenshot(path=screenshots_dir / "canned-dialog.png", **SHOT)

    dialog.get_by_role("button", name="Edit /hello").click()
    expect(dialog.get_by_role("heading", name="Edit /hello")).to_be_visible()
    expect(dialog.get_by_label("Text")).to_be_focused()
    dialog.get_by_label("Shortcut").fill("hi")
    dialog.get_by_label("Text").fill("Hi! How can I help?")
    dialog.get_by_role("button", name="Save changes").click()
    expect(rows.filter(has_text="/hi")).to_contain_text("Hi! How can I help?")
    expect(rows.filter(has_text="/hello")).to_have_count(0)

    dialog.get_by_role("button", name="Delete /refund").click()
    expect(rows.filter(has_text="/refund")).to_contain_text("Delete /refund?")
    # Escape answers "no" to the question; the dialog stays.
    inbox.page.keyboard.press("Escape")
    expect(dialog).to_be_visible()
    expect(rows.filter(has_text="/refund")).not_to_contain_text("Delete /refund?")
    expect(dialog.get_by_role("button", name="Delete /refund")).to_be_focused()
    dialog.get_by_role("button", name="Delete /refund").click()
    cancel = dialog.get_by_role("button", name="Cancel")
    expect(cancel).to_be_focused()
    cancel.click()
    expect(rows).to_have_count(3)
    dialog.get_by_role("button", name="Delete /refund").click()
    dialog.get_by_role("button", name="Delete /refund").click()
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="/refund")).to_have_count(0)

    # A taken shortcut is refused with the server's reason, and nothing changes.
    dialog.get_by_label("Shortcut").fill("hi")
    dialog.get_by_label("Text").fill("Another")
    dialog.get_by_role("button", name="Add response").click()
    expect(dialog.get_by_role("alert")).to_contain_text("/hi exists already")
    expect(dialog.get_by_label("Shortcut")).to_have_attribute("aria-invalid", "true")
    dialog.get_by_label("Shortcut").fill("no spaces please")
    dialog.get_by_role("button", name="Add response").click()
    expect(dialog.get_by_role("alert")).to_contain_text("1 to 32")
    inbox.page.screenshot(path=screenshots_dir / "canned-dialog-error.png", **SHOT)
    expect(rows).to_have_count(2)


def test_another_agent_gets_a_new_response_without_reloading(canned, new_context, visitor, agent):
    widget = visitor()
    conversation_id = widget.start_conversation("Hello?")
    first = agent().open(conversation_id)
    second = agent().open(conversation_id)
    second.input.press_sequentially("/")
    expect(suggestions(second)).to_be_hidden()

    first.page.get_by_role("button", name="Canned responses").click()
    dialog = manager(first)
    dialog.get_by_label("Shortcut").fill("shipping")
    dialog.get_by_label("Text").fill("Shipping is free over 50 EUR.")
    dialog.get_by_role("button", name="Add response").click()

    second.input.press_sequentially("sh")
    expect(option(second, "/shipping")).to_be_visible()


def test_phone_width(canned, new_context, agent, visitor, screenshots_dir):
    canned("hello", "Hello there!")
    canned("opening-hours", "We are open 9 to 5, Monday to Friday.")
    widget = visitor()
    conversation_id = widget.start_conversation("Hi from my phone")
    inbox = agent()
    inbox.page.set_viewport_size({"width": 390, "height": 780})
    inbox.row(conversation_id).get_by_role("button").click()
    expect(inbox.input).to_be_focused()
    inbox.input.press_sequentially("/")
    expect(suggestions(inbox).get_by_role("option")).to_have_count(2)
    inbox.page.screenshot(path=screenshots_dir / "canned-suggestions-phone.png", **SHOT)
    inbox.input.press("Escape")
    inbox.page.get_by_role("button", name="Back to conversations").click()
    inbox.page.get_by_role("button", name="Canned responses").click()
    expect(manager(inbox).get_by_role("listitem")).to_have_count(2)
    inbox.page.screenshot(path=screenshots_dir / "canned-dialog-phone.png", **SHOT)
