"""Hostile text is shown as text; the widget works on listed sites only."""

import json

import requests
from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.pages import Widget

pytestmark = BROWSER_TESTS

HOSTILE_MESSAGES = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    '<a href="javascript:alert(3)">click me</a>',
    "javascript:alert(4)",
    "[free lamp](javascript:alert(5)) <svg onload=alert(6)>",
]
HOSTILE_REPLY = (
    "<b>bold?</b><iframe src=javascript:alert(7)></iframe><style>*{display:none}</style>"
)


def elements_in_bodies(page, scope: str) -> list[str]:
    """Tags of any element inside message bodies (plain text has none)."""
    return page.locator(f"{scope} .message__body *").evaluate_all(
        "els => els.map((e) => e.tagName)"
    )


def test_html_and_script_in_messages_show_as_text(visitor, agent):
    widget = visitor().open()
    for text in HOSTILE_MESSAGES:
        widget.send(text)
    conversation_id = widget.conversation_id()
    inbox = agent().open(conversation_id)
    expect(inbox.bodies()).to_have_text(HOSTILE_MESSAGES)
    inbox.send(HOSTILE_REPLY)
    expect(widget.message(HOSTILE_REPLY)).to_be_visible()
    expect(widget.bodies()).to_have_text([*HOSTILE_MESSAGES, HOSTILE_REPLY])
    expect(inbox.row(conversation_id).locator(".conv-item__preview")).to_have_text(
        f"You: {HOSTILE_REPLY}"
    )

    # Clicking the would-be links does nothing (no link was made).
    widget.message("javascript:alert(4)").locator(".message__body").click()
    inbox.message('<a href="javascript:alert(3)">click me</a>').locator(".message__body").click()

    assert elements_in_bodies(widget.page, ".lc-messages") == []
    assert elements_in_bodies(inbox.page, "#conversation-scroll") == []
    for page in (widget.page, inbox.page):
        injected = page.locator(
            "img[src='x'], iframe, svg[onload], b, style:not(link)"
        ).evaluate_all("els => els.filter((e) => !e.closest('head')).map((e) => e.outerHTML)")
        assert injected == []
    # Nothing ran: no dialog opened (the new_context fixture fails the test otherwise).


def test_visitor_name_with_html_shows_as_text_in_the_inbox(server, agent):
    name = "<img src=x onerror=alert('name')><b>Mallory</b>"
    inbox = agent()
    response = requests.post(
        f"{server.url}/api/v1/conversations",
        json={"name": name, "email": "mallory@example.com"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    conversation_id = response.json()["conversation_id"]

    row = inbox.row(conversation_id)
    expect(row.locator(".conv-item__name")).to_have_text(name)
    inbox.open(conversation_id)
    expect(inbox.header_name).to_have_text(name)
    assert inbox.row(conversation_id).locator("img, b").count() == 0
    assert inbox.header_name.locator("*").count() == 0
    assert inbox.page.locator("img").count() == 0


def widget_looks_intact(widget: Widget) -> None:
    """The widget's own styles hold against the host page's CSS."""
    styles = widget.input.evaluate(
        """(input) => {
            const style = getComputedStyle(input);
            const body = getComputedStyle(input.getRootNode().querySelector('.lc-title'));
            return {width: input.getBoundingClientRect().width, background: style.backgroundColor,
                    transform: body.textTransform, spacing: body.letterSpacing,
                    font: body.fontFamily, color: body.color};
        }"""
    )
    assert styles["width"] > 200
    assert styles["background"] == "rgb(255, 255, 255)"
    assert styles["transform"] == "none"
    assert styles["spacing"] == "normal"
    assert "Comic" not in styles["font"]
    assert styles["color"] == "rgb(255, 255, 255)"
    expect(widget.page.locator(".lc-menu")).to_be_hidden()
    expect(widget.page.locator(".lc-confirm")).to_be_hidden()
    # Layout size (the box grows a little on hover).
    size = widget.launcher.evaluate("(button) => [button.offsetWidth, button.offsetHeight]")
    assert size == [58, 58]


def test_widget_embedded_on_a_listed_site(server, new_context, agent):
    site = server.allowed_site
    page = new_context().new_page()
    page.goto(site.url)
    expect(page.get_by_role("heading", name="Acme Bikes")).to_be_visible()
    widget = Widget(page).ready().open()
    expect(page.get_by_role("heading", name="Acme help")).to_be_visible()
    widget_looks_intact(widget)

    widget.send("Hello from the Acme site")
    expect(widget.tick("Hello from the Acme site")).to_have_accessible_name("Sent")
    conversation_id = widget.conversation_id()
    inbox = agent().open(conversation_id)
    expect(inbox.message("Hello from the Acme site")).to_be_visible()
    expect(inbox.page.locator("#conversation-page a")).to_have_text(
        site.url.removeprefix("http://")
    )
    inbox.send("Hi Acme visitor!")
    expect(widget.message("Hi Acme visitor!")).to_be_visible()
    expect(widget.tick("Hello from the Acme site")).to_have_accessible_name("Seen")
    assert server.bodies(conversation_id) == ["Hello from the Acme site", "Hi Acme visitor!"]

    # Ending the chat is a cross-origin call with the visitor's token.
    widget.options.click()
    page.get_by_role("menuitem", name="End chat").click()
    widget.confirm.get_by_role("button", name="End chat").click()
    expect(widget.ended).to_contain_text("Chat ended")
    expect(inbox.ended).to_be_visible()


def test_host_pages_query_and_fragment_never_reach_the_chat_server(server, new_context, agent):
    """A password-reset token in the host page's address stays in the browser."""
    site = server.allowed_site
    page = new_context().new_page()
    sent = []
    page.on("request", lambda request: sent.append(request))
    # Long-polling only, so that everything the widget sends is an HTTP request.
    page.goto(f"{site.url}/account/reset?token=s3cret-reset&transport=polling#code=s3cret-code")
    widget = Widget(page).ready().open()

    widget.send("I cannot reset my password")

    conversation_id = widget.conversation_id()
    inbox = agent().open(conversation_id)
    expect(inbox.page.locator("#conversation-page a")).to_have_text(
        site.url.removeprefix("http://") + "/account/reset"
    )
    to_chat_server = [request for request in sent if request.url.startswith(server.url)]
    assert to_chat_server
    for request in to_chat_server:
        seen = f"{request.url} {request.headers} {request.post_data or ''}"
        assert "s3cret" not in seen, seen
    summaries = server.api("GET", "/conversations").json()["conversations"]
    by_id = {summary["id"]: summary for summary in summaries}
    assert by_id[conversation_id]["page_url"] == f"{site.url}/account/reset"


def test_widget_on_an_unlisted_site_is_refused(server, new_context):
    site = server.refused_site
    before = server.conversation_ids()
    page = new_context().new_page()
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(site.url)
    widget = Widget(page).ready().open()

    # Starting a conversation: the browser blocks the cross-origin call.
    widget.input.fill("Can anyone hear me?")
    widget.input.press("Enter")
    expect(widget.connection).to_have_text("Reconnecting…")
    expect(widget.tick("Can anyone hear me?")).to_have_accessible_name("Sending")
    assert any(url.endswith("/api/v1/conversations") for url in failed)
    assert server.conversation_ids() == before
    assert widget.session() is None

    # Even with a valid visitor token, its socket cannot connect.
    response = requests.post(f"{server.url}/api/v1/conversations", timeout=10)
    session = response.json()
    page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)",
        [f"livechat:{server.url}", json.dumps(session)],
    )
    failed.clear()
    page.reload()
    widget.ready().open()
    expect(widget.connection).to_have_text("Reconnecting…")
    expect(widget.presence).to_have_text("We're here to help")  # never heard from the server
    assert any("/socket.io/" in url for url in failed)
    summaries = server.api("GET", "/conversations?limit=200").json()["conversations"]
    summary = next(s for s in summaries if s["id"] == session["conversation_id"])
    assert summary["visitor_online"] is False
    # The message written before is still waiting, and was never stored.
    expect(widget.tick("Can anyone hear me?")).to_have_accessible_name("Sending")
    assert server.bodies(session["conversation_id"]) == []
