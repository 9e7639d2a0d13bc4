"""Live typing previews in the browser: off by default; when an admin turns
them on, the widget says so and the agent watching sees the unsent words,
cleared when the message is sent; turned off, they stop."""

import pytest
from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import log_in, serving_chat
from tests.browser.pages import Inbox, Widget
from tests.harness.api import expect_status
from tests.harness.credentials import AGENT_EMAIL

pytestmark = BROWSER_TESTS

SHOT = {"animations": "disabled", "caret": "hide", "scale": "css"}
NOTICE = "Agents can see what you type before you send it."


@pytest.fixture(scope="module")
def preview_server(tmp_path_factory):
    """A server of its own: the setting holds for every widget on it."""
    with serving_chat(tmp_path_factory.mktemp("preview-server")) as server:
        server.process.flask("agents", "set-role", AGENT_EMAIL, "admin")
        yield server


def set_previews(server, on: bool) -> None:
    expect_status(server.api("PATCH", "/settings", json={"typing_preview": on}), 200)


def test_previews_reach_the_agent_only_when_the_desk_shows_them(
    preview_server, new_context, screenshots_dir
):
    server = preview_server
    visitor_page = new_context().new_page()
    visitor_page.goto(server.url)
    widget = Widget(visitor_page).ready()
    cid = widget.start_conversation("Hello")
    agent_page = new_context().new_page()
    log_in(agent_page, server.url)
    inbox = Inbox(agent_page).ready().open(cid)
    preview = agent_page.locator("#conversation-preview")
    notice = visitor_page.get_by_text(NOTICE)

    # Off (the default): no notice, nothing shown to the agent.
    widget.input.fill("first draft")
    expect(inbox.typing).to_be_visible()
    agent_page.wait_for_timeout(700)
    expect(preview).to_be_hidden()
    expect(notice).to_be_hidden()

    set_previews(server, True)
    visitor_page.reload()
    widget = Widget(visitor_page).ready().open()
    expect(notice).to_be_visible()
    expect(widget.input).to_have_attribute("aria-describedby", "lc-preview-notice")
    widget.input.press_sequentially("Where is my order", delay=20)
    expect(preview).to_contain_text("Typing, not sent: Where is my order")
    visitor_page.screenshot(path=screenshots_dir / "widget-typing-preview.png", **SHOT)
    agent_page.screenshot(path=screenshots_dir / "inbox-typing-preview.png", **SHOT)

    widget.input.press("Enter")
    expect(inbox.message("Where is my order")).to_be_visible()
    expect(preview).to_be_hidden()

    # Turned off: the next keystrokes are refused, and the widget says nothing more.
    set_previews(server, False)
    widget.input.press_sequentially("one more", delay=20)
    expect(notice).to_be_hidden()
    agent_page.wait_for_timeout(700)
    expect(preview).to_be_hidden()
