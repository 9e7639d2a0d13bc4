"""Outside business hours the widget says when the team is back and asks
for an email address; the address reaches the inbox.

A server of its own: the business hours it sets hold for the whole desk.
"""

import re
import sqlite3
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import socketio
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import log_in, serving_chat
from tests.browser.pages import Widget
from tests.harness.api import expect_status
from tests.harness.credentials import AGENT_EMAIL
from tests.harness.logs import watching
from tests.harness.smtp import SmtpServer, text_of

pytestmark = BROWSER_TESTS

SHOT = {"animations": "disabled", "caret": "hide", "scale": "css"}
ZONE = "Europe/Copenhagen"  # the browser contexts' time zone too
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture(scope="module")
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="module")
def offline_server(tmp_path_factory, smtp):
    env = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "CHAT_OUTBOX_INTERVAL": "0.2"}
    with serving_chat(tmp_path_factory.mktemp("offline-server"), env) as server:
        server.process.flask("agents", "set-role", AGENT_EMAIL, "admin")
        yield server


@pytest.fixture
def server(request, offline_server):
    """This module's own server (overrides the session's)."""
    with watching(request.node, offline_server.process):
        yield offline_server


def closed_until(server, day: datetime) -> None:
    """Business hours: only ``day``, 09:00 to 17:00."""
    days = {name: [] for name in DAYS}
    days[DAYS[day.weekday()]] = [{"start": "09:00", "end": "17:00"}]
    schedule = {"enabled": True, "timezone": ZONE, "days": days}
    expect_status(server.api("PATCH", "/settings", json={"business_hours": schedule}), 200)


def test_outside_hours_the_widget_says_when_and_takes_an_email(
    server, new_context, agent, screenshots_dir
):
    back = datetime.now(ZoneInfo(ZONE)) + timedelta(days=3)
    closed_until(server, back)
    page = new_context(bypass_csp=True).new_page()  # axe is let in
    page.goto(server.url)
    widget = Widget(page).ready().open()

    card = page.locator(".lc-offline")
    expect(card).to_contain_text(f"We're back {back:%A} at 9:00.")
    expect(card).to_contain_text("Leave your email")
    widget.send("Does the Aurora 2 fit a 40 cm shade?")
    conversation_id = widget.conversation_id()
    page.screenshot(path=screenshots_dir / "offline-widget.png", **SHOT)
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 760})
    expect(card).to_be_visible()
    page.screenshot(path=screenshots_dir / "offline-widget-phone.png", **SHOT)

    email = page.get_by_label("Your email address")
    email.fill("not an address")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".lc-offline__error")).to_have_text(
        "Enter an email address such as name@example.com."
    )
    email.fill("maja@example.com")
    page.get_by_role("button", name="Save").click()
    expect(card).to_contain_text("We'll reply to maja@example.com")
    assert_accessible(page)
    assert server.summary(conversation_id)["visitor"]["email"] == "maja@example.com"
    inbox = agent().open(conversation_id)
    expect(inbox.page.locator("#conversation-email")).to_have_text("maja@example.com")


def test_an_email_given_before_the_first_message_is_stored_with_it(server, new_context):
    closed_until(server, datetime.now(ZoneInfo(ZONE)) + timedelta(days=2))
    page = new_context().new_page()
    page.goto(server.url)
    widget = Widget(page).ready().open()
    page.get_by_label("Your email address").fill("jonas@example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".lc-offline")).to_contain_text("We'll reply to jonas@example.com")
    widget.send("Is there a warranty on the Halo?")
    conversation_id = widget.conversation_id()
    for _ in range(50):
        if server.summary(conversation_id)["visitor"]["email"]:
            break
        page.wait_for_timeout(100)
    assert server.summary(conversation_id)["visitor"]["email"] == "jonas@example.com"


def test_an_address_the_server_refuses_is_asked_for_again(server, new_context):
    closed_until(server, datetime.now(ZoneInfo(ZONE)) + timedelta(days=2))
    page = new_context().new_page()
    page.goto(server.url)
    widget = Widget(page).ready().open()
    page.get_by_label("Your email address").fill("maja@localhost")  # a browser lets it pass
    page.get_by_role("button", name="Save").click()
    widget.send("Hello?")
    expect(page.locator(".lc-offline__error")).to_contain_text("Not saved: email:")
    expect(page.get_by_label("Your email address")).to_be_visible()
    assert server.summary(widget.conversation_id())["visitor"]["email"] is None


def test_in_hours_with_an_agent_online_there_is_no_card(server, new_context, agent):
    expect_status(
        server.api(
            "PATCH",
            "/settings",
            json={
                "business_hours": {
                    "enabled": False,
                    "timezone": ZONE,
                    "days": {name: [] for name in DAYS},
                }
            },
        ),
        200,
    )
    agent()
    page = new_context().new_page()
    page.goto(server.url)
    widget = Widget(page).ready().open()
    widget.send("Hello")
    expect(widget.presence).to_contain_text("We're online")
    expect(page.locator(".lc-offline")).to_be_hidden()


def test_an_admin_sets_business_hours_in_settings(server, new_context, screenshots_dir):
    weekdays = [{"start": "09:00", "end": "17:00"}]
    days = {name: (weekdays if name not in ("sat", "sun") else []) for name in DAYS}
    schedule = {"enabled": False, "timezone": "UTC", "days": days}
    expect_status(server.api("PATCH", "/settings", json={"business_hours": schedule}), 200)
    page = new_context(bypass_csp=True).new_page()
    log_in(page, server.url, next_path="/admin/settings")
    enabled = page.get_by_role("switch", name="Use business hours")
    expect(enabled).to_be_enabled()
    enabled.uncheck()
    page.get_by_label("Time zone").select_option("Europe/Copenhagen")
    page.get_by_role("button", name="Add hours on Saturday").click()
    page.get_by_label("Saturday: opens at").fill("10:00")
    page.get_by_label("Saturday: closes at").fill("14:00")
    page.get_by_role("button", name="Add hours on Monday").click()
    page.get_by_label("Monday: opens at").nth(1).fill("12:00")
    page.get_by_label("Monday: closes at").nth(1).fill("18:00")
    page.get_by_role("button", name="Save hours").click()
    expect(page.get_by_role("alert")).to_contain_text("Monday: a day's intervals must not overlap")

    page.get_by_role("button", name="Remove Monday 12:00 to 18:00").click()
    enabled.check()
    page.get_by_role("button", name="Save hours").click()
    expect(page.locator("#admin-toast")).to_have_text("Saved: business hours are on.")
    stored = server.api("GET", "/settings").json()["settings"]["business_hours"]
    assert stored["enabled"] is True and stored["timezone"] == "Europe/Copenhagen"
    assert stored["days"]["sat"] == [{"start": "10:00", "end": "14:00"}]
    assert stored["days"]["mon"] == [{"start": "09:00", "end": "17:00"}]
    assert stored["days"]["sun"] == []

    minutes = page.get_by_label("Email a reply the visitor has not seen after")
    minutes.fill("15")
    minutes.press("Tab")
    expect(page.locator("#admin-toast")).to_contain_text("after 15 minutes")
    page.reload()
    expect(page.get_by_label("Saturday: opens at")).to_have_value("10:00")
    assert_accessible(page)
    page.screenshot(path=screenshots_dir / "admin-business-hours.png", full_page=True, **SHOT)
    page.set_viewport_size({"width": 390, "height": 800})
    page.screenshot(path=screenshots_dir / "admin-business-hours-phone.png", full_page=True, **SHOT)


def reply_as_agent(server, conversation_id: int, body: str) -> None:
    client = socketio.Client(reconnection=False)
    client.connect(server.url, auth={"token": server.agent_token}, transports=["polling"])
    try:
        payload = {"conversation_id": conversation_id, "client_id": "reply-1", "body": body}
        assert client.call("send_message", payload, timeout=10)["ok"]
    finally:
        client.disconnect()


def mail_to(smtp, address: str, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in smtp.messages:
            if message["To"] == address:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email to {address}")


def test_the_link_in_a_reply_email_opens_the_conversation(
    server, new_context, smtp, screenshots_dir
):
    closed_until(server, datetime.now(ZoneInfo(ZONE)) + timedelta(days=1))
    visitor_context = new_context()
    page = visitor_context.new_page()
    page.goto(server.url)
    widget = Widget(page).ready().open()
    widget.send("Can I return a lamp after 60 nights?")
    page.get_by_label("Your email address").fill("sofie@example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".lc-offline")).to_contain_text("We'll reply to sofie@example.com")
    conversation_id = widget.conversation_id()
    visitor_context.close()  # the visitor leaves

    answer = "Yes: within a year, unused or not. Reply here and we'll send a label."
    reply_as_agent(server, conversation_id, answer)
    # Minutes pass: the reply's email job is due now.
    with sqlite3.connect(server.process.database_path) as database:
        database.execute("UPDATE outbox_jobs SET due_at = '2000-01-01 00:00:00'")
    message = mail_to(smtp, "sofie@example.com")
    assert answer in text_of(message)
    fragment = re.search(r"/chat/resume#(\S+)", text_of(message)).group(1)

    phone = new_context(viewport={"width": 390, "height": 760}).new_page()
    phone.goto(f"{server.url}/chat/resume#{fragment}")
    expect(phone.get_by_role("status").first).to_have_text("Here is your conversation.")
    assert "#" not in phone.url
    resumed = Widget(phone)
    expect(resumed.panel).to_be_visible()
    expect(resumed.message(answer)).to_be_visible()
    expect(resumed.message("Can I return a lamp after 60 nights?")).to_be_visible()
    phone.screenshot(path=screenshots_dir / "resumed-from-email-phone.png", **SHOT)
    resumed.send("Great, please send the label.")
    assert server.bodies(conversation_id)[-1] == "Great, please send the label."

    again = new_context().new_page()
    again.goto(f"{server.url}/chat/resume#{fragment}x")
    expect(again.locator("#resume-status")).to_have_text(
        "This link is not valid. Open it again from your email."
    )


def test_the_visitor_asks_for_the_transcript_by_email(server, new_context, smtp):
    closed_until(server, datetime.now(ZoneInfo(ZONE)) + timedelta(days=1))
    page = new_context().new_page()
    page.goto(server.url)
    widget = Widget(page).ready().open()
    widget.send("Which bulb does the Halo take?")
    page.get_by_label("Your email address").fill("ida@example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".lc-offline")).to_contain_text("We'll reply to ida@example.com")

    widget.options.click()
    transcript = page.get_by_role("menuitem", name="Email me the transcript")
    expect(transcript).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="End chat")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(transcript).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".lc-notice")).to_have_text(
        "We're emailing the transcript to ida@example.com."
    )
    message = mail_to(smtp, "ida@example.com")
    assert message["Subject"] == "Your chat transcript"
    assert "Which bulb does the Halo take?" in text_of(message)
