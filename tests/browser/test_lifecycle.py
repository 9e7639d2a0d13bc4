"""Two agents run a conversation while its visitor writes: resolve, reopen by
the visitor's message, snooze, and a private note that the widget never shows."""

import pytest
from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import serving_chat
from tests.browser.pages import Inbox
from tests.harness.logs import watching

pytestmark = BROWSER_TESTS

BEN = ("ben@example.com", "Ben", "another horse battery")
NOTE = "Refund approved, tell her once the courier confirms"


@pytest.fixture(scope="module")
def desk_server(tmp_path_factory):
    """A server of its own, with a second agent: Ben."""
    with serving_chat(tmp_path_factory.mktemp("lifecycle-server")) as server:
        server.process.create_agent(*BEN)
        yield server


@pytest.fixture
def server(request, desk_server):
    """This module's own server (overrides the session's)."""
    with watching(request.node, desk_server.process):
        yield desk_server


def ben_inbox(server, new_context) -> Inbox:
    page = new_context().new_page()
    page.goto(f"{server.url}/login?next=/agent")
    page.get_by_label("Email").fill(BEN[0])
    page.get_by_label("Password").fill(BEN[2])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/agent")
    return Inbox(page).ready()


def header_action(inbox: Inbox, action: str):
    return inbox.page.locator(f'#conversation [data-key-action="{action}"]')


def state_pill(inbox: Inbox):
    return inbox.page.locator("#conversation-state")


def activity_lines(inbox: Inbox):
    return inbox.page.locator("#conversation-scroll .activity-line")


def test_two_agents_resolve_reopen_and_note_while_the_visitor_writes(
    server, visitor, agent, new_context, screenshots_dir
):
    widget = visitor()
    cid = widget.start_conversation("Hello, my order has not arrived")
    tess = agent().open(cid)
    ben = ben_inbox(server, new_context).open(cid)
    tess.send("Sorry to hear that! Let me check.")

    # Tess resolves: Ben's inbox shows it at once, with the line.
    header_action(tess, "resolve").click()
    for inbox in (tess, ben):
        expect(state_pill(inbox)).to_have_text("Resolved")
        expect(activity_lines(inbox).last).to_contain_text("Tess resolved this · ")
        expect(header_action(inbox, "reopen")).to_be_visible()
        expect(header_action(inbox, "resolve")).to_be_hidden()
    # Replying to a resolved chat is possible, and leaves it resolved.
    expect(ben.input).to_be_enabled()

    # The visitor writes again: reopened for both, after that message.
    widget.send("One more thing: can I change the address?")
    for inbox in (tess, ben):
        expect(state_pill(inbox)).to_be_hidden()
        expect(header_action(inbox, "resolve")).to_be_visible()
        expect(activity_lines(inbox).last).to_contain_text("Reopened by the visitor's message")
        order = inbox.page.locator("#conversation-scroll .messages > *").evaluate_all(
            "nodes => nodes.map(n => n.className.split(' ')[0])"
        )
        assert order[-4:] == ["message", "activity-line", "message", "activity-line"], order

    # A private note by Tess: amber for Ben, not a word of it in the widget,
    # and no "typing" shown to the visitor while it is written.
    header_action(tess, "note").click()
    expect(tess.page.get_by_role("button", name="Private note")).to_have_attribute(
        "aria-pressed", "true"
    )
    note_box = tess.page.get_by_role("textbox", name="Private note")
    note_box.press_sequentially(NOTE)
    tess.page.wait_for_timeout(1000)
    expect(widget.typing).to_be_hidden()
    note_box.press("Enter")
    note = ben.page.locator("#conversation-scroll .note")
    expect(note).to_contain_text(NOTE)
    expect(note).to_contain_text("Private note · only agents see this")
    expect(note).to_contain_text("Tess · ")
    # Back to replying: the visitor gets this reply, and never the note before it.
    tess.page.get_by_role("button", name="Reply", exact=True).click()
    tess.send("Yes, I have changed it for you.")
    expect(widget.message("Yes, I have changed it for you.")).to_be_visible()
    assert NOTE not in widget.page.content()
    assert NOTE not in widget.panel.inner_text()
    expect(ben.unread(cid)).to_be_hidden()

    # Ben snoozes it until tomorrow morning: Tess sees when it comes back.
    header_action(ben, "snooze").click()
    ben.page.get_by_role("button", name="Tomorrow, 9:00").click()
    for inbox in (tess, ben):
        expect(state_pill(inbox)).to_contain_text("Snoozed until ")
        expect(activity_lines(inbox).last).to_contain_text("Ben snoozed this until ")
        expect(header_action(inbox, "reopen")).to_be_visible()
    expect(header_action(ben, "snooze")).to_be_focused()
    expect(ben.page.locator('[data-count="snoozed"]')).to_have_text("1")

    ben.page.screenshot(path=screenshots_dir / "inbox-lifecycle.png")
    ben.page.set_viewport_size({"width": 390, "height": 844})
    expect(header_action(ben, "reopen")).to_be_in_viewport()
    ben.page.screenshot(path=screenshots_dir / "inbox-lifecycle-phone.png")


def test_snooze_menu_offers_a_custom_time_and_closes_with_escape(visitor, agent, screenshots_dir):
    widget = visitor()
    cid = widget.start_conversation("Can you call me next week?")
    tess = agent().open(cid)
    expect(tess.message("Can you call me next week?")).to_be_visible()
    menu = tess.page.get_by_role("dialog", name="Snooze until")

    header_action(tess, "snooze").click()
    expect(menu).to_be_visible()
    expect(tess.page.get_by_role("button", name="In 1 hour")).to_be_focused()
    tess.page.screenshot(path=screenshots_dir / "inbox-snooze-menu.png")
    tess.page.set_viewport_size({"width": 390, "height": 844})
    expect(menu).to_be_in_viewport(ratio=1)
    tess.page.screenshot(path=screenshots_dir / "inbox-snooze-menu-phone.png")
    tess.page.set_viewport_size({"width": 1280, "height": 800})
    tess.page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(header_action(tess, "snooze")).to_be_focused()

    header_action(tess, "snooze").click()
    custom = tess.page.get_by_label("Until a date and time")
    custom.fill("2099-01-01T09:00")
    tess.page.get_by_role("button", name="Snooze", exact=True).last.click()
    # More than 90 days ahead: the form refuses it, and nothing changes.
    assert custom.evaluate("input => input.validity.rangeOverflow")
    expect(menu).to_be_visible()
    expect(state_pill(tess)).to_be_hidden()

    in_two_hours = custom.evaluate(
        "() => { const d = new Date(Date.now() + 2 * 3600e3);"
        " d.setMinutes(d.getMinutes() - d.getTimezoneOffset());"
        " return d.toISOString().slice(0, 16); }"
    )
    custom.fill(in_two_hours)
    tess.page.get_by_role("button", name="Snooze", exact=True).last.click()
    expect(menu).to_be_hidden()
    expect(state_pill(tess)).to_contain_text("Snoozed until ")
    expect(activity_lines(tess).last).to_contain_text("Tess snoozed this until ")


LINES = [
    ({"kind": "resolved", "actor": {"name": "Tess"}}, "Tess resolved this"),
    ({"kind": "reopened", "actor": None}, "Reopened by the visitor's message"),
    ({"kind": "reopened", "actor": None, "body": "snooze ended"}, "Reopened: the snooze ended"),
    ({"kind": "reopened", "actor": {"name": "Ben"}}, "Ben reopened this"),
    (
        {"kind": "assigned", "actor": {"name": "Ben"}, "subject": "Tess"},
        "Ben assigned this to Tess",
    ),
    ({"kind": "assigned", "actor": {"name": "Tess"}, "subject": "Tess"}, "Tess claimed this"),
    ({"kind": "assigned", "actor": None, "subject": "Tess"}, "Assigned to Tess automatically"),
    ({"kind": "claimed", "actor": {"name": "Tess"}}, "Tess claimed this"),
    ({"kind": "unassigned", "actor": {"name": "Ben"}}, "Ben unassigned this"),
]


def test_every_kind_of_line_reads_as_a_sentence(agent):
    """The inbox's table of sentences, for the lines other parts of the desk record too."""
    inbox = agent()
    said = inbox.page.evaluate(
        "async (lines) => { const m = await import('/static/inbox/activity.js');"
        " return lines.map((line) => m.describeLine(line)); }",
        [line for line, _sentence in LINES],
    )

    assert said == [sentence for _line, sentence in LINES]
