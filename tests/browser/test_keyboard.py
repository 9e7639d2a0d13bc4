"""The inbox from the keyboard: move and open, reply, press the conversation's
buttons, the help overlay, and turning single-key shortcuts off."""

from playwright.sync_api import Page, expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import log_in
from tests.browser.pages import Inbox

pytestmark = BROWSER_TESTS

PHONE = {"width": 390, "height": 844}

# Every key the help overlay lists (inbox/keys.js SHORTCUTS).
SHORTCUT_COUNT = 13


def action(page: Page, name: str):
    """The open conversation's button for a key (``data-key-action``)."""
    return page.locator(f"#conversation [data-key-action={name}]")


def assignee(page: Page):
    return page.locator("#conversation .assignment__status")


def state_pill(page: Page):
    return page.locator("#conversation-state")


def list_button(inbox: Inbox, conversation_id: int):
    return inbox.row(conversation_id).get_by_role("button")


def help_overlay(page: Page):
    return page.get_by_role("dialog", name="Keyboard shortcuts")


def focus_is_in(page: Page, selector: str) -> bool:
    return page.evaluate(
        "(selector) => document.querySelector(selector).contains(document.activeElement)",
        selector,
    )


def test_move_through_the_list_and_open_with_keys(server, agent):
    inbox = agent()
    older = server.new_conversation(name="Olive Older").conversation_id
    newer = server.new_conversation(name="Nina Newer").conversation_id
    expect(inbox.row(older)).to_be_visible()
    expect(inbox.rows.nth(0)).to_have_attribute("data-conversation-id", str(newer))
    keys = inbox.page.keyboard

    keys.press("j")  # from nowhere: the top of the list
    expect(list_button(inbox, newer)).to_be_focused()
    keys.press("j")
    expect(list_button(inbox, older)).to_be_focused()
    keys.press("k")
    expect(list_button(inbox, newer)).to_be_focused()
    keys.press("ArrowDown")
    expect(list_button(inbox, older)).to_be_focused()
    keys.press("ArrowUp")
    expect(list_button(inbox, newer)).to_be_focused()
    keys.press("Alt+j")  # with a modifier it is not a shortcut
    expect(list_button(inbox, newer)).to_be_focused()

    keys.press("o")
    expect(inbox.header_name).to_have_text("Nina Newer")
    expect(list_button(inbox, newer)).to_have_attribute("aria-current", "true")
    expect(inbox.input).to_be_focused()
    expect(inbox.input).to_have_value("")  # the "o" was not typed

    # Esc leaves the reply box for the open conversation in the list; then on with j and Enter.
    keys.press("Escape")
    expect(list_button(inbox, newer)).to_be_focused()
    keys.press("j")
    keys.press("Enter")
    expect(inbox.header_name).to_have_text("Olive Older")
    expect(list_button(inbox, older)).to_have_attribute("aria-current", "true")


def test_r_focuses_the_reply_box_where_letters_are_just_text(server, agent):
    conversation_id = server.new_conversation(name="Rita Reply").conversation_id
    inbox = agent().open(conversation_id)
    keys = inbox.page.keyboard
    keys.press("Escape")
    expect(list_button(inbox, conversation_id)).to_be_focused()

    keys.press("r")
    expect(inbox.input).to_be_focused()
    keys.type("jk?/e")
    expect(inbox.input).to_have_value("jk?/e")
    expect(inbox.input).to_be_focused()
    expect(help_overlay(inbox.page)).to_be_hidden()


def test_help_overlay_lists_the_keys_traps_focus_and_gives_it_back(server, agent):
    conversation_id = server.new_conversation(name="Hugo Help").conversation_id
    inbox = agent().open(conversation_id)
    page = inbox.page
    page.keyboard.press("Escape")
    opener = list_button(inbox, conversation_id)
    expect(opener).to_be_focused()

    page.keyboard.press("?")
    overlay = help_overlay(page)
    expect(overlay).to_be_visible()
    expect(overlay).to_have_attribute("aria-modal", "true")
    rows = overlay.locator(".key-help__row")
    expect(rows).to_have_count(SHORTCUT_COUNT)
    expect(rows.filter(has_text="Go to the reply box")).to_contain_text("r")
    # An open chat has no Reopen button: listed, and marked as not available.
    expect(rows.filter(has_text="Reopen")).to_contain_text("Not available here")
    expect(rows.filter(has_text="Resolve")).not_to_contain_text("Not available")
    expect(rows.filter(has_text="Go to the reply box")).not_to_contain_text("Not available")

    for _press in range(4):  # round and round inside the dialog
        page.keyboard.press("Tab")
        assert focus_is_in(page, "#key-help")
    page.keyboard.press("Shift+Tab")
    assert focus_is_in(page, "#key-help")

    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()
    expect(opener).to_be_focused()


def test_action_keys_press_the_conversations_buttons(server, agent):
    conversation_id = server.new_conversation(name="Abel Actions").conversation_id
    inbox = agent().open(conversation_id)
    page = inbox.page
    keys = page.keyboard
    keys.press("Escape")

    # c claims it, e resolves it, Shift+E reopens it.
    keys.press("c")
    expect(assignee(page)).to_have_text("Assigned to you")
    keys.press("e")
    expect(state_pill(page)).to_have_text("Resolved")
    keys.press("Shift+E")
    expect(state_pill(page)).to_be_hidden()

    # z opens the snooze menu; Esc closes it and gives focus back.
    keys.press("z")
    expect(page.get_by_role("dialog", name="Snooze until")).to_be_visible()
    keys.press("Escape")
    expect(page.get_by_role("dialog", name="Snooze until")).to_be_hidden()
    expect(action(page, "snooze")).to_be_focused()

    # a opens the assign menu; Esc closes it, focus back on its button.
    keys.press("a")
    expect(page.get_by_role("menu")).to_be_visible()
    expect(action(page, "assign")).to_have_attribute("aria-expanded", "true")
    keys.press("Escape")
    expect(page.get_by_role("menu")).to_be_hidden()
    expect(action(page, "assign")).to_be_focused()

    # n switches to a private note and puts the cursor in its box.
    keys.press("n")
    expect(page.get_by_role("textbox", name="Private note")).to_be_focused()
    keys.press("Escape")

    # / goes to the search field, without typing the slash.
    keys.press("/")
    search = page.get_by_role("textbox", name="Search messages, names and emails")
    expect(search).to_be_focused()
    expect(search).to_have_value("")

    # The help marks only what this open chat has no button for (Reopen, Claim).
    list_button(inbox, conversation_id).focus()
    keys.press("?")
    expect(help_overlay(page)).to_be_visible()
    unavailable = help_overlay(page).locator(".key-help__row--unavailable")
    expect(unavailable).to_have_count(2)
    expect(unavailable.filter(has_text="Reopen")).to_have_count(1)
    expect(unavailable.filter(has_text="Claim")).to_have_count(1)
    keys.press("Escape")


def test_keys_without_their_button_do_nothing(server, agent):
    conversation_id = server.new_conversation(name="Nora Nothing").conversation_id
    inbox = agent().open(conversation_id)
    page = inbox.page
    # A hidden or disabled button is not there for the keyboard either.
    action(page, "resolve").evaluate("(button) => { button.hidden = true; }")
    action(page, "claim").evaluate("(button) => { button.disabled = true; }")
    page.keyboard.press("Escape")
    focused = list_button(inbox, conversation_id)
    expect(focused).to_be_focused()

    page.keyboard.press("e")
    page.keyboard.press("c")
    page.wait_for_timeout(500)
    expect(state_pill(page)).to_be_hidden()
    expect(assignee(page)).to_have_text("Unassigned")
    expect(focused).to_be_focused()


def test_keys_rest_while_a_dialog_is_open(server, agent):
    conversation_id = server.new_conversation(name="Dina Dialog").conversation_id
    inbox = agent().open(conversation_id)
    inbox.delete.click()
    expect(inbox.dialog).to_be_visible()
    cancel = inbox.dialog.get_by_role("button", name="Cancel")
    expect(cancel).to_be_focused()
    for key in ["j", "r", "?"]:
        inbox.page.keyboard.press(key)
    expect(cancel).to_be_focused()
    expect(help_overlay(inbox.page)).to_be_hidden()
    inbox.page.keyboard.press("Escape")
    expect(inbox.dialog).to_be_hidden()


def test_single_key_shortcuts_can_be_turned_off_and_stay_off(server, agent):
    server.new_conversation(name="Una Under")
    conversation_id = server.new_conversation(name="Otto Off").conversation_id
    inbox = agent()
    expect(inbox.row(conversation_id)).to_be_visible()
    page = inbox.page
    toggle = help_overlay(page).get_by_role("checkbox", name="Single-key shortcuts")

    page.keyboard.press("?")
    expect(toggle).to_be_checked()
    toggle.uncheck()
    page.keyboard.press("Escape")
    expect(help_overlay(page)).to_be_hidden()

    page.reload()
    Inbox(page).ready()
    page.keyboard.press("j")
    page.keyboard.press("?")
    expect(help_overlay(page)).to_be_hidden()
    assert not focus_is_in(page, "#conversation-list")
    # Arrow keys in the list are not character keys: they still move.
    list_button(inbox, conversation_id).focus()
    page.keyboard.press("ArrowDown")
    expect(list_button(inbox, conversation_id)).not_to_be_focused()

    # The top bar's button opens the list, where they go back on.
    page.get_by_role("button", name="Shortcuts").click()
    expect(toggle).not_to_be_checked()
    toggle.check()
    help_overlay(page).get_by_role("button", name="Close").click()
    page.keyboard.press("?")
    expect(help_overlay(page)).to_be_visible()


def test_screenshot_of_the_help_overlay(server, new_context, agent, screenshots_dir):
    conversation_id = server.new_conversation(name="Sami Shot").conversation_id
    desktop = agent().open(conversation_id)
    phone_page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    log_in(phone_page, server.url)
    phone = Inbox(phone_page).ready()
    for name, inbox in [("keyboard-help", desktop), ("keyboard-help-phone", phone)]:
        inbox.page.get_by_role("button", name="Shortcuts").click()
        expect(help_overlay(inbox.page)).to_be_visible()
        inbox.page.screenshot(path=screenshots_dir / f"{name}.png", animations="disabled")
