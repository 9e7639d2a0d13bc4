"""Assignment and availability in two agents' inboxes, and the visitor's
"We're online" following who is available."""

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import serving_chat
from tests.browser.pages import Inbox
from tests.harness.logs import watching
from tests.harness.server import ServerError

pytestmark = BROWSER_TESTS

BEN_EMAIL, BEN_PASSWORD = "ben.assign@example.com", "another horse battery"


@pytest.fixture(scope="module")
def assignment_server(tmp_path_factory):
    """A server of its own: the assign menu lists every agent, and other
    modules (the admin pages, the accessibility checks) add agents to the session's."""
    with serving_chat(tmp_path_factory.mktemp("assignment-server")) as server:
        yield server


@pytest.fixture
def server(request, assignment_server):
    """This module's own server (overrides the session's)."""
    with watching(request.node, assignment_server.process):
        yield assignment_server


def ben_exists(server) -> None:
    """A second agent on the session's server (made once, by the CLI)."""
    try:
        server.process.create_agent(BEN_EMAIL, "Ben", BEN_PASSWORD)
    except ServerError as exc:
        assert "already" in str(exc).lower() or "exists" in str(exc).lower(), exc


def open_inbox_as_ben(server, new_context) -> Inbox:
    page = new_context().new_page()
    page.goto(f"{server.url}/login?next=/agent")
    page.get_by_label("Email").fill(BEN_EMAIL)
    page.get_by_label("Password").fill(BEN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/agent")
    return Inbox(page).ready()


def set_available(server, email, password) -> None:
    """Available again, whatever the test left (the server serves the session)."""
    token = requests.post(f"{server.url}/api/v1/tokens", auth=(email, password), timeout=10)
    response = requests.put(
        f"{server.url}/api/v1/agents/me/availability",
        json={"available": True},
        headers={"Authorization": f"Bearer {token.json()['token']}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def header(page: Page):
    return page.locator(".assignment__status")


def test_two_agents_claim_and_assign_and_away_agents_are_not_online(
    server, visitor, agent, new_context, screenshots_dir
):
    from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

    ben_exists(server)
    tess = agent()
    ben = open_inbox_as_ben(server, new_context)
    try:
        widget = visitor()
        conversation_id = widget.start_conversation("Is anyone there?")
        expect(widget.presence).to_have_text("We're online")
        tess.open(conversation_id)
        ben.open(conversation_id)
        expect(header(ben.page)).to_have_text("Unassigned")

        # Tess claims it: Ben sees it at once.
        tess.pane.locator("[data-key-action=claim]").click()
        expect(header(tess.page)).to_have_text("Assigned to you")
        expect(header(ben.page)).to_have_text("Assigned to Tess")
        expect(tess.pane.locator("[data-key-action=claim]")).to_be_hidden()
        expect(ben.pane.locator("[data-key-action=unassign]")).to_be_visible()

        # Ben assigns it to himself from the menu, by keyboard.
        ben.pane.locator("[data-key-action=assign]").click()
        menu = ben.page.get_by_role("menu")
        expect(menu).to_be_visible()
        expect(menu.get_by_role("menuitemradio", name="Tess")).to_be_focused()
        expect(menu.get_by_role("menuitemradio", name="Tess")).to_have_attribute(
            "aria-checked", "true"
        )
        expect(menu.get_by_role("menuitemradio")).to_have_count(2)
        box = ben.page.locator(".conversation__header").bounding_box()
        menu_box = menu.bounding_box()
        height = max(box["height"], menu_box["y"] + menu_box["height"] + 12 - box["y"])
        ben.page.screenshot(
            path=str(screenshots_dir / "inbox-assign-menu.png"), clip={**box, "height": height}
        )
        ben.page.keyboard.press("ArrowDown")
        expect(menu.get_by_role("menuitemradio", name="Ben (you)")).to_be_focused()
        ben.page.keyboard.press("ArrowUp")
        ben.page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        expect(ben.pane.locator("[data-key-action=assign]")).to_be_focused()
        ben.pane.locator("[data-key-action=assign]").press("Enter")
        menu.get_by_role("menuitemradio", name="Ben (you)").click()
        expect(header(ben.page)).to_have_text("Assigned to you")
        expect(header(tess.page)).to_have_text("Assigned to Ben")

        # Tess goes away: Ben is still there for the visitor.
        tess_switch = tess.page.get_by_role("switch", name="Available")
        expect(tess_switch).to_have_attribute("aria-checked", "true")
        tess_switch.click()
        expect(tess_switch).to_have_attribute("aria-checked", "false")
        ben.pane.locator("[data-key-action=assign]").click()
        expect(menu.get_by_role("menuitemradio", name="Tess")).to_contain_text("Away")
        ben.page.keyboard.press("Escape")
        # The widget names Ben, who has the chat, and says he is there.
        expect(widget.page.locator(".lc-title")).to_have_text("Ben")
        expect(widget.presence).to_have_text("is answering")
        expect(widget.presence).to_have_class("lc-presence lc-presence--online")

        # Ben goes away too: nobody answers now.
        ben.page.get_by_role("switch", name="Available").click()
        expect(widget.presence).to_have_text("usually answers in a few minutes")
        expect(widget.presence).to_have_class(re.compile("lc-presence--offline"))
        tess.page.set_viewport_size({"width": 390, "height": 800})
        tess.pane.locator("[data-key-action=assign]").click()
        expect(tess.page.get_by_role("menu")).to_be_in_viewport(ratio=1)
        tess.page.screenshot(path=str(screenshots_dir / "inbox-assign-phone.png"))
        tess.page.keyboard.press("Escape")

        # Tess is back while Ben, who has the chat, is still away.
        tess_switch.click()
        expect(widget.presence).to_have_class(re.compile("lc-presence--online"))
        expect(widget.presence).to_have_text("is away; the team is online")
    finally:
        set_available(server, AGENT_EMAIL, AGENT_PASSWORD)
        set_available(server, BEN_EMAIL, BEN_PASSWORD)
