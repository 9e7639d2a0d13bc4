"""Search in the inbox: results replace the list, a hit opens its conversation
at the message found, far back in its history."""

import re

import socketio
from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS

pytestmark = BROWSER_TESTS


def send_as_visitor(server, visitor_token: str, bodies: list[str]) -> None:
    client = socketio.Client(reconnection=False)
    client.connect(
        server.url, auth={"visitor_token": visitor_token}, transports=["polling"], wait_timeout=10
    )
    try:
        for number, body in enumerate(bodies):
            payload = {"client_id": f"s-{number}", "body": body}
            ack = client.call("send_message", payload, timeout=10)
            assert ack["ok"], ack
    finally:
        client.disconnect()


def test_a_prefix_of_an_accented_word_opens_the_conversation_at_an_old_message(
    server, agent, screenshots_dir
):
    chat = server.new_conversation(name="Amélie Laurent", email="amelie@example.com")
    old = "My order was délivrée to the wrong address"
    before = [f"Earlier note {n} about the parcel" for n in range(40)]
    after = [f"Follow-up number {n} about the parcel" for n in range(120)]
    send_as_visitor(server, chat.token, [*before, old, *after])
    other = server.new_conversation(name="Someone Else")
    send_as_visitor(server, other.token, ["Nothing to see here"])
    inbox = agent()
    page = inbox.page
    box = page.get_by_role("textbox", name="Search messages, names and emails")
    expect(box).to_have_attribute("data-key-action", "search")

    box.fill("DELIV")
    results = page.get_by_role("list", name="Search results")
    hit = results.get_by_role("button").filter(has_text="Amélie Laurent")
    expect(hit).to_have_count(1)
    expect(hit.locator("mark")).to_have_text("délivrée")
    expect(page.get_by_role("status").filter(has_text="1 result")).to_be_visible()
    expect(page.locator("#conversation-list")).to_be_hidden()

    hit.click()
    expect(inbox.header_name).to_have_text("Amélie Laurent")
    found = page.locator(f"{inbox.scroll} .message").filter(has_text=old)
    expect(found).to_be_in_viewport()
    expect(found).to_have_class(re.compile("message--found"))
    expect(found).to_be_focused()
    # The page around it is loaded, and everything from there to the newest
    # message, without a gap; older pages load when scrolled up to.
    messages = page.locator(f"{inbox.scroll} .message")
    expect(messages.filter(has_text="Earlier note 39 about")).to_have_count(1)
    expect(messages.filter(has_text="Follow-up number 119 about")).to_have_count(1)
    expect(messages.filter(has_text="Earlier note 0 about")).to_have_count(0)
    seqs = messages.evaluate_all("rows => rows.map(row => Number(row.dataset.seq))")
    assert seqs == list(range(seqs[0], 162)), seqs
    page.screenshot(path=str(screenshots_dir / "inbox-search-opened.png"))

    # Escape empties the search and brings the list back.
    box.focus()
    page.keyboard.press("Escape")
    expect(box).to_have_value("")
    expect(results).to_be_hidden()
    expect(inbox.row(chat.conversation_id)).to_be_visible()


def test_a_visitor_found_by_email_and_nothing_found(server, agent, screenshots_dir):
    chat = server.new_conversation(name="Bruno Díaz", email="bruno.diaz@example.org")
    send_as_visitor(server, chat.token, ["hello"])
    inbox = agent()
    page = inbox.page
    box = page.get_by_role("textbox", name="Search messages, names and emails")
    box.fill("bruno.diaz@exam")
    hit = page.get_by_role("list", name="Search results").get_by_role("button")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("Visitor")
    expect(hit.locator("mark")).to_have_text(["Bruno", "Díaz", "bruno", "diaz", "example"])

    # At phone width the results fill the screen; the conversation opens over
    # them and Back returns to them.
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshots_dir / "inbox-search-phone.png"))
    hit.click()
    expect(inbox.header_name).to_have_text("Bruno Díaz")
    page.get_by_role("button", name="Back to conversations").click()
    expect(hit).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 800})

    box.fill('zzqx "NEAR(')
    expect(page.get_by_role("status").filter(has_text="Nothing found")).to_be_visible()
    page.get_by_role("button", name="Clear the search").click()
    expect(box).to_be_focused()
    expect(inbox.row(chat.conversation_id)).to_be_visible()
