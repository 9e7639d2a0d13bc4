"""The host page's JavaScript API, window.LiveChat, on the demo page that
uses every call (/demo/api): calls queued before the widget loads, open,
close, toggle, setLocale, identify, and the events with their data."""

import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.pages import Widget
from tests.browser.test_widget_languages import agent_replies

pytestmark = BROWSER_TESTS


def events(page: Page, name: str) -> list[dict]:
    """What the demo page's listeners heard of one event, oldest first."""
    items = page.locator(f'#api-events li[data-event="{name}"]').all_text_contents()
    return [json.loads(item.split(" ", 1)[1]) for item in reversed(items)]


def api_page(server, new_context, query: str = "") -> tuple[Page, Widget]:
    page = new_context().new_page()
    page.goto(f"{server.url}/demo/api{query}")
    widget = Widget(page).ready()
    expect(page.locator('#api-events li[data-event="ready"]')).to_have_count(1)
    return page, widget


def test_ready_is_heard_by_a_listener_queued_before_the_widget_loaded(server, new_context):
    page, _ = api_page(server, new_context)
    assert events(page, "ready") == [{"locale": "en", "open": False, "unread": 0}]


def test_open_close_and_toggle_move_the_panel_and_fire_events(server, new_context):
    page, widget = api_page(server, new_context)
    page.get_by_role("button", name="Open", exact=True).click()
    expect(widget.panel).to_be_visible()
    expect(widget.launcher).to_have_attribute("aria-expanded", "true")
    page.evaluate("() => window.LiveChat.close()")
    expect(widget.panel).to_be_hidden()
    page.get_by_role("button", name="Toggle").click()
    expect(widget.panel).to_be_visible()
    page.evaluate("() => window.LiveChat('toggle')")  # the queue's call form works too
    expect(widget.panel).to_be_hidden()
    # The visitor's own clicks fire the same events.
    widget.launcher.click()
    expect(widget.panel).to_be_visible()
    widget.close()
    expect(page.locator("#api-events li")).to_have_count(7)
    order = page.locator("#api-events li").evaluate_all(
        "(items) => items.map((item) => item.dataset.event).reverse()"
    )
    assert order == ["ready", "open", "close", "open", "close", "open", "close"]
    # Opening an open panel changes nothing, so nothing fires.
    page.evaluate("() => { LiveChat.open(); LiveChat.open(); }")
    expect(widget.panel).to_be_visible()
    expect(page.locator("#api-events li")).to_have_count(8)


def test_set_locale_changes_the_language_of_an_open_widget(server, new_context):
    page, widget = api_page(server, new_context)
    widget.open()
    widget.send("Hello from the API page")
    page.get_by_label("Widget language").select_option("es")
    expect(page.get_by_role("textbox", name="Mensaje")).to_have_attribute(
        "placeholder", "Escribe un mensaje…"
    )
    expect(widget.tick("Hello from the API page")).to_have_accessible_name("Enviado")
    expect(page.locator(".day-separator")).to_have_text("Hoy")
    page.get_by_label("Widget language").select_option("ar")
    expect(page.locator(".lc-root")).to_have_attribute("dir", "rtl")
    expect(widget.launcher).to_have_accessible_name("أغلق المحادثة")
    locale = page.evaluate("() => LiveChat.setLocale('en')")
    assert locale == "en"
    expect(page.locator(".lc-root")).to_have_attribute("dir", "ltr")
    expect(widget.launcher).to_have_accessible_name("Close chat")


def test_a_reply_fires_message_and_unread_while_the_panel_is_closed(server, new_context):
    page, widget = api_page(server, new_context)
    widget.open()
    widget.send("Is the Halo Pendant dimmable?")
    conversation_id = widget.conversation_id()
    widget.close()

    agent_replies(server, conversation_id, "Yes, down to 1%.")
    expect(page.locator("#api-unread")).to_have_text("1")
    [message] = events(page, "message")
    assert message["conversation_id"] == conversation_id
    assert message["body"] == "Yes, down to 1%."
    assert message["author"] == {"name": "Tess"}
    assert isinstance(message["seq"], int) and message["created_at"]
    assert events(page, "unread") == [{"count": 1}]

    page.evaluate("() => LiveChat.open()")
    expect(page.locator("#api-unread")).to_have_text("0")
    assert events(page, "unread") == [{"count": 1}, {"count": 0}]


@pytest.mark.parametrize("bad", ["null", "{}", "{user_id: ''}", "'u-1'"])
def test_identify_ignores_what_is_not_an_identity(server, new_context, bad):
    page, widget = api_page(server, new_context)
    page.evaluate(f"() => LiveChat.identify({bad})")
    widget.open()
    with page.expect_request("**/api/v1/conversations") as created:
        widget.input.fill("Anonymous question")
        widget.input.press("Enter")
    assert "identity" not in created.value.post_data_json


def test_calls_queued_before_the_script_runs_are_made_in_order(server, new_context):
    context = new_context()
    # A site's own script, before widget.js: it opens the chat in Spanish.
    context.add_init_script(
        "window.LiveChat = function () {"
        " (window.LiveChat.q = window.LiveChat.q || []).push(arguments); };"
        " LiveChat('setLocale', 'es'); LiveChat('open');"
    )
    page = context.new_page()
    page.goto(server.url)
    widget = Widget(page).ready()
    expect(widget.panel).to_be_visible()
    expect(page.get_by_role("textbox", name="Mensaje")).to_be_visible()
    assert page.evaluate("() => typeof LiveChat.setLocale") == "function"


def test_a_listener_that_throws_does_not_stop_the_others(server, new_context):
    page, widget = api_page(server, new_context)
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.evaluate(
        """() => {
          window.heard = [];
          LiveChat.on("open", () => { throw new Error("the site's bug"); });
          LiveChat.on("open", () => window.heard.push("second"));
        }"""
    )
    page.evaluate("() => LiveChat.open()")
    expect(widget.panel).to_be_visible()
    assert page.evaluate("() => window.heard") == ["second"]
    assert any("LiveChat open listener failed" in text for text in errors)
    expect(page.locator('#api-events li[data-event="open"]')).to_have_count(1)
