"""A visitor and an agent talking: typing, ticks, history, tabs, the inbox list, keyboard."""

import time

from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.pages import Inbox, Widget

pytestmark = BROWSER_TESTS

# The clients send "stopped typing" 3 s after the last key; the server ends
# a typing state after CHAT_TYPING_TIMEOUT (3 s here) without a refresh.
TYPING_GONE = 8_000


def wait_until(page, condition, timeout: float = 10.0):
    """Poll a condition on the test's side (Playwright events are handled meanwhile)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(20)


def start_chat(visitor, agent, first: str = "Hello!") -> tuple[Widget, Inbox, int]:
    """A visitor who wrote once, and the agent with that conversation open."""
    widget = visitor()
    conversation_id = widget.start_conversation(first)
    inbox = agent().open(conversation_id)
    expect(inbox.message(first)).to_be_visible()
    return widget, inbox, conversation_id


def test_a_chat_clicked_while_its_row_changes_opens(visitor, agent):
    widget = visitor()
    conversation_id = widget.start_conversation("First")
    inbox = agent()
    button = inbox.row(conversation_id).get_by_role("button")
    expect(button).to_contain_text("First")
    box = button.bounding_box()

    inbox.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    inbox.page.mouse.down()
    widget.send("Second")
    inbox.page.wait_for_timeout(500)  # the new summary arrives mid-click
    inbox.page.mouse.up()

    expect(inbox.pane).to_be_visible()
    expect(button).to_have_attribute("aria-current", "true")
    expect(button).to_contain_text("Second")  # the list caught up


def test_typing_shows_on_the_other_side_and_ends(visitor, agent):
    widget, inbox, conversation_id = start_chat(visitor, agent)
    row_preview = inbox.row(conversation_id).locator(".conv-item__preview")

    # The visitor types: the agent sees it in the open conversation and the list.
    widget.input.press_sequentially("Do you ship")
    expect(inbox.typing).to_have_text(f"Visitor #{conversation_id} is typing…")
    expect(row_preview).to_have_text("typing…")
    # ... and stops: it goes away by itself.
    expect(inbox.typing).to_be_hidden(timeout=TYPING_GONE)
    expect(row_preview).to_have_text("Hello!")

    # Typing again, then sending: it goes away with the message.
    widget.input.press_sequentially(" to Norway?")
    expect(inbox.typing).to_be_visible()
    widget.input.press("Enter")
    expect(inbox.message("Do you ship to Norway?")).to_be_visible()
    expect(inbox.typing).to_be_hidden()
    expect(row_preview).to_have_text("Do you ship to Norway?")

    # The other way round: "Tess is typing…" in the widget.
    inbox.input.press_sequentially("Yes, we")
    expect(widget.typing).to_have_text("Tess is typing…")
    expect(widget.typing).to_be_hidden(timeout=TYPING_GONE)
    inbox.input.press_sequentially(" do!")
    expect(widget.typing).to_have_text("Tess is typing…")
    inbox.input.press("Enter")
    expect(widget.message("Yes, we do!")).to_be_visible()
    expect(widget.typing).to_be_hidden()


def test_ticks_move_from_pending_to_seen_and_survive_a_reload(visitor, agent):
    widget = visitor().open()

    # Pending while the conversation is being created: hold that request.
    held = []
    widget.page.route("**/api/v1/conversations", lambda route: held.append(route))
    widget.input.fill("Is the Aurora 2 dimmable?")
    widget.input.press("Enter")
    tick = widget.tick("Is the Aurora 2 dimmable?")
    expect(tick).to_have_accessible_name("Sending")
    wait_until(widget.page, lambda: held)
    held[0].continue_()
    widget.page.unroute("**/api/v1/conversations")
    # Stored, and no agent is around to receive it.
    expect(tick).to_have_accessible_name("Sent")
    conversation_id = widget.conversation_id()

    # An agent's inbox receives it (the list shows it) ...
    inbox = agent()
    expect(tick).to_have_accessible_name("Delivered")
    # ... and the agent opens it.
    inbox.open(conversation_id)
    expect(tick).to_have_accessible_name("Seen")
    expect(widget.message("Is the Aurora 2 dimmable?").locator(".message__note")).to_have_text(
        "Seen"
    )

    # The agent answers while the visitor is away (panel closed, offline).
    widget.close()
    visitor_context, agent_context = widget.page.context, inbox.page.context
    visitor_context.set_offline(True)
    expect(inbox.presence).to_have_text("Offline")
    # Pending on the agent's side while the agent is offline too.
    agent_context.set_offline(True)
    expect(inbox.connection).to_have_text("Reconnecting…")
    inbox.input.fill("Yes, from 1 to 100 %.")
    inbox.input.press("Enter")
    reply_tick = inbox.tick("Yes, from 1 to 100 %.")
    expect(reply_tick).to_have_accessible_name("Sending")
    agent_context.set_offline(False)
    expect(reply_tick).to_have_accessible_name("Sent")
    # The visitor comes back: delivered (the panel is closed), with a badge.
    visitor_context.set_offline(False)
    expect(reply_tick).to_have_accessible_name("Delivered")
    expect(widget.badge).to_have_text("1")
    # The visitor opens the panel and reads it.
    widget.open()
    expect(reply_tick).to_have_accessible_name("Seen")

    # After a reload, each side still shows the same ticks.
    widget.page.reload()
    expect(widget.panel).to_be_visible()  # it was open in this tab
    expect(widget.tick("Is the Aurora 2 dimmable?")).to_have_accessible_name("Seen")
    expect(widget.message("Yes, from 1 to 100 %.")).to_be_visible()
    inbox.page.reload()
    Inbox(inbox.page).ready().open(conversation_id)
    expect(inbox.tick("Yes, from 1 to 100 %.")).to_have_accessible_name("Seen")
    expect(inbox.message("Is the Aurora 2 dimmable?")).to_be_visible()


def test_reload_and_second_tab_show_the_same_conversation(visitor, agent, new_context):
    context = new_context()
    first_tab = visitor(context=context).open()
    first_tab.send("First question")
    first_tab.send("Second question")
    conversation_id = first_tab.conversation_id()
    inbox = agent().open(conversation_id)
    inbox.send("An answer")
    expect(first_tab.message("An answer")).to_be_visible()

    first_tab.page.reload()
    expect(first_tab.panel).to_be_visible()
    history = ["First question", "Second question", "An answer"]
    expect(first_tab.bodies()).to_have_text(history)

    # A second tab of the same browser is the same visitor.
    second_tab = visitor(context=context).open()
    expect(second_tab.bodies()).to_have_text(history)
    second_tab.send("Sent from the second tab")
    expect(first_tab.message("Sent from the second tab")).to_be_visible()
    expect(inbox.message("Sent from the second tab")).to_be_visible()
    inbox.send("Seen in both tabs")
    for tab in (first_tab, second_tab):
        expect(tab.bodies()).to_have_text(
            [*history, "Sent from the second tab", "Seen in both tabs"]
        )
        # The agent has the conversation open: both tabs show it as seen.
        expect(tab.tick("Sent from the second tab")).to_have_accessible_name("Seen")
        expect(tab.tick("First question")).to_have_accessible_name("Seen")
    assert inbox.message("Sent from the second tab").count() == 1


def test_inbox_moves_a_conversation_up_with_an_unread_count(visitor, agent):
    inbox = agent()
    older = visitor()
    older_id = older.start_conversation("I have a question about my order")
    newer_id = visitor().start_conversation("Hi, do you sell spare parts?")

    first_row = inbox.rows.first
    expect(first_row).to_have_attribute("data-conversation-id", str(newer_id))
    expect(inbox.unread(newer_id)).to_have_text("1 unread")
    expect(inbox.unread(older_id)).to_have_text("1 unread")

    # A new message moves the older conversation to the top, counting up.
    older.send("It is order 1042")
    expect(first_row).to_have_attribute("data-conversation-id", str(older_id))
    expect(inbox.unread(older_id)).to_have_text("2 unread")
    expect(inbox.row(older_id).locator(".conv-item__preview")).to_have_text("It is order 1042")

    # Opening it clears the count; the other keeps its own.
    inbox.open(older_id)
    expect(inbox.unread(older_id)).to_have_count(0)
    expect(inbox.unread(newer_id)).to_have_text("1 unread")
    expect(older.tick("It is order 1042")).to_have_accessible_name("Seen")


def test_keyboard_enter_sends_shift_enter_breaks_escape_closes(visitor, agent):
    widget = visitor()
    widget.launcher.focus()
    widget.page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    expect(widget.input).to_be_focused()

    widget.page.keyboard.type("line one")
    widget.page.keyboard.press("Shift+Enter")
    widget.page.keyboard.type("line two")
    expect(widget.messages).to_have_count(0)  # nothing sent yet
    widget.page.keyboard.press("Enter")
    expect(widget.message("line one\nline two")).to_be_visible()
    expect(widget.input).to_have_value("")
    # Shown on two lines (one call, as the bubble is rebuilt when its tick changes).
    # The bubble is rebuilt when its tick changes; a detached one measures no
    # lines, so measure until the one on screen answers.
    body = widget.message("line one\nline two").locator(".message__body")
    count_lines = """(body) => {
        if (!body.isConnected) return 0;
        const range = document.createRange();
        range.selectNodeContents(body);
        return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
    }"""
    lines = 0
    for _attempt in range(20):
        lines = body.evaluate(count_lines)
        if lines:
            break
        widget.page.wait_for_timeout(100)
    assert lines == 2

    inbox = agent().open(widget.conversation_id())
    expect(inbox.message("line one\nline two")).to_be_visible()
    inbox.input.focus()
    inbox.page.keyboard.type("first")
    inbox.page.keyboard.press("Shift+Enter")
    inbox.page.keyboard.type("second")
    inbox.page.keyboard.press("Enter")
    expect(widget.message("first\nsecond")).to_be_visible()

    widget.input.focus()
    widget.page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")


def test_phone_panel_fills_the_screen(visitor, new_context):
    # Without the opening animation, so the panel's box is final at once.
    context = new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        reduced_motion="reduce",
    )
    widget = visitor(context=context)
    launcher = widget.launcher.bounding_box()
    assert launcher["x"] + launcher["width"] <= 390 and launcher["y"] + launcher["height"] <= 844
    widget.open()
    expect(widget.launcher).to_be_hidden()
    box = {key: round(value) for key, value in widget.panel.bounding_box().items()}
    assert box == {"x": 0, "y": 0, "width": 390, "height": 844}
    widget.send("Hi from my phone")
    expect(widget.tick("Hi from my phone")).to_have_accessible_name("Sent")
    widget.close()
    expect(widget.launcher).to_be_visible()
