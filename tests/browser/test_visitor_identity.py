"""Who the visitor is, in the browser: a visitor the site signs sees one
history in two browsers; the inbox shows the contact, their past
conversations and the browser's context; the optional pre-chat form.

A server of its own: these tests change desk settings (the pre-chat form,
the identity secret) that the session's other tests must not see.
"""

import hashlib
import hmac
import json
import re

import pytest
import socketio
from playwright.sync_api import BrowserContext, expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import ChatServer, serving_chat
from tests.browser.pages import Widget
from tests.harness.api import expect_status
from tests.harness.credentials import AGENT_EMAIL
from tests.harness.logs import watching

pytestmark = BROWSER_TESTS

SHOT = {"animations": "disabled", "caret": "hide", "scale": "css"}
PHONE = {"width": 390, "height": 780}


@pytest.fixture(scope="module")
def identity_server(tmp_path_factory):
    with serving_chat(tmp_path_factory.mktemp("identity-server")) as server:
        server.process.flask("agents", "set-role", AGENT_EMAIL, "admin")
        yield server


@pytest.fixture
def server(request, identity_server):
    """This module's own server (overrides the session's)."""
    with watching(request.node, identity_server.process):
        yield identity_server


@pytest.fixture(scope="module")
def secret(identity_server):
    answer = expect_status(identity_server.api("POST", "/admin/identity-secret"), 200)
    return answer.json()["secret"]["secret"]


def signed(secret: str, user_id: str, **details) -> dict:
    """What the site's server puts in its page for a logged-in user."""
    digest = hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()
    return {"user_id": user_id, "user_hash": digest, **details}


def signed_in(context: BrowserContext, identity: dict) -> BrowserContext:
    """Every page of this browser identifies its user, as a site's template would."""
    context.add_init_script(f"window.LiveChat = {{identity: {json.dumps(identity)}}};")
    return context


def write(server: ChatServer, visitor_token: str, body: str) -> None:
    """A message of the visitor's, sent by a Socket.IO client of their own."""
    client = socketio.Client(reconnection=False)
    client.connect(server.url, auth={"visitor_token": visitor_token}, transports=["polling"])
    try:
        ack = client.call("send_message", {"client_id": "w-1", "body": body}, timeout=10)
        assert ack["ok"], ack
    finally:
        client.disconnect()


def open_widget(server: ChatServer, context: BrowserContext) -> Widget:
    page = context.new_page()
    page.goto(server.url)
    return Widget(page).ready().open()


def test_a_signed_visitor_sees_the_same_history_in_two_browsers(server, new_context, secret):
    user = signed(secret, "cust-1001", name="Ana Lima", email="ana@example.com")
    laptop = open_widget(server, signed_in(new_context(), user))
    laptop.send("Hello from my laptop")
    conversation_id = laptop.conversation_id()

    phone = open_widget(server, signed_in(new_context(viewport=PHONE), user))
    expect(phone.message("Hello from my laptop")).to_be_visible()
    assert phone.conversation_id() == conversation_id
    phone.send("And from my phone")
    expect(laptop.message("And from my phone")).to_be_visible()
    assert server.bodies(conversation_id) == ["Hello from my laptop", "And from my phone"]


def test_a_visitor_who_logs_in_takes_the_anonymous_chat_along(server, new_context, secret):
    context = new_context()
    widget = open_widget(server, context)
    widget.send("Before I logged in")
    conversation_id = widget.conversation_id()

    user = signed(secret, "cust-5005", name="Ola Nordmann", email="ola@example.com")
    signed_in(context, user)  # the site's pages carry the identity from now on
    widget.page.reload()
    widget.page.wait_for_function(
        "() => Object.values(localStorage).some((v) => v.includes('cust-5005'))"
    )
    assert widget.session()["conversation_id"] == conversation_id
    assert server.summary(conversation_id)["visitor"]["name"] == "Ola Nordmann"

    elsewhere = open_widget(server, signed_in(new_context(), user))
    expect(elsewhere.message("Before I logged in")).to_be_visible()


def test_a_wrongly_signed_visitor_chats_anonymously(server, new_context, secret):
    forged = {**signed(secret, "cust-1001"), "user_id": "cust-2002"}
    context = signed_in(new_context(), forged)
    page = context.new_page()
    refusals = []
    page.on("console", lambda line: line.type == "error" and refusals.append(line.text))
    page.goto(server.url)
    widget = Widget(page).ready().open()
    widget.send("Who am I?")
    conversation_id = widget.conversation_id()
    assert server.summary(conversation_id)["visitor"]["name"] is None
    assert any("identity was refused" in text for text in refusals), refusals


def test_the_inbox_shows_the_contact_past_chats_and_context(
    server, new_context, agent, secret, screenshots_dir
):
    user = signed(secret, "cust-3003", name="Maja Kovač", email="maja@example.com")
    earlier = server.http.post(
        f"{server.url}/api/v1/conversations", json={"identity": user}, timeout=10
    ).json()
    write(server, earlier["visitor_token"], "Can I return a lamp after 30 days?")
    server.http.post(
        f"{server.url}/api/v1/conversations/{earlier['conversation_id']}/end",
        headers={"Authorization": f"Bearer {earlier['visitor_token']}"},
        timeout=10,
    )
    context = signed_in(new_context(locale="pt-BR", timezone_id="America/Sao_Paulo"), user)
    widget = open_widget(server, context)
    widget.send("Does the Halo pendant ship to Brazil?")
    conversation_id = widget.conversation_id()

    inbox = agent()
    inbox.open(conversation_id)
    details = inbox.page.get_by_role("complementary", name="Visitor")
    expect(details.get_by_text("Maja Kovač")).to_be_visible()
    expect(details.get_by_text("Verified", exact=True)).to_be_visible()
    expect(details.get_by_text("maja@example.com")).to_be_visible()
    expect(details.locator("dd[data-fact=time]")).to_contain_text("America/Sao Paulo")
    expect(details.locator("dl")).to_contain_text("Chrome")
    expect(details.locator("dl")).to_contain_text("pt-BR")
    expect(details.get_by_role("link", name=re.compile("Northwind Lamps"))).to_have_attribute(
        "href", f"{server.url}/"
    )
    expect(details.locator("[data-fact=since]")).to_be_visible()
    inbox.page.mouse.move(10, 790)
    inbox.page.screenshot(path=screenshots_dir / "inbox-visitor-details.png", **SHOT)

    past = details.locator(f'[data-conversation-id="{earlier["conversation_id"]}"]')
    expect(past).to_contain_text("Ended")
    expect(past).to_contain_text("Can I return a lamp after 30 days?")
    past.click()
    expect(inbox.page.locator("#conversation-ended")).to_be_visible()

    inbox.page.set_viewport_size(PHONE)
    inbox.page.get_by_role("button", name="Back to conversations").click()
    inbox.row(conversation_id).get_by_role("button").click()
    expect(inbox.pane).to_be_visible()
    expect(details).to_be_hidden()
    expect(inbox.message("Does the Halo pendant ship to Brazil?")).to_be_visible()
    inbox.page.get_by_role("button", name="Visitor details").click()
    expect(details.get_by_text("Maja Kovač")).to_be_visible()
    inbox.page.screenshot(path=screenshots_dir / "inbox-visitor-details-phone.png", **SHOT)
    inbox.page.keyboard.press("Escape")
    expect(details).to_be_hidden()


def test_the_prechat_form_names_the_visitor(server, new_context, agent, screenshots_dir):
    ask = {"prechat_name": "required", "prechat_email": "optional"}
    expect_status(server.api("PATCH", "/settings", json=ask), 200)
    try:
        page = new_context(viewport=PHONE).new_page()
        page.goto(server.url)
        widget = Widget(page).ready().open()
        form = page.get_by_role("form", name="Before we start")
        expect(form).to_be_visible()
        expect(widget.input).to_be_hidden()
        page.screenshot(path=screenshots_dir / "widget-prechat.png", **SHOT)
        form.get_by_role("button", name="Start the chat").click()
        expect(form.get_by_role("alert")).to_have_text("Please enter your name.")
        form.get_by_label("Your name").fill("Jonas Berg")
        form.get_by_label("Your email").fill("jonas@example.com")
        form.get_by_role("button", name="Start the chat").click()
        expect(form).to_be_hidden()
        expect(widget.input).to_be_focused()
        widget.send("My Aurora Desk flickers")
        conversation_id = widget.conversation_id()
        assert server.summary(conversation_id)["visitor"] == {
            "name": "Jonas Berg",
            "email": "jonas@example.com",
        }
        page.reload()
        expect(widget.input).to_be_visible()  # the panel stays open, asking nothing again
        expect(form).to_be_hidden()

        inbox = agent()
        expect(inbox.row(conversation_id)).to_contain_text("Jonas Berg")
        inbox.open(conversation_id)
        details = inbox.page.get_by_role("complementary", name="Visitor")
        expect(details.get_by_text("Not verified")).to_be_visible()
    finally:
        off = {"prechat_name": "off", "prechat_email": "off"}
        expect_status(server.api("PATCH", "/settings", json=off), 200)


def test_what_the_visitors_browser_says_is_shown_as_text(server, new_context, agent):
    page = new_context().new_page()
    page.goto(server.url)
    hostile = '<img src=x onerror="alert(1)"><b>Checkout</b>'
    page.evaluate("(title) => { document.title = title; }", hostile)
    widget = Widget(page).ready().open()
    widget.send("Is this safe?")
    conversation_id = widget.conversation_id()
    inbox = agent()
    inbox.open(conversation_id)
    details = inbox.page.get_by_role("complementary", name="Visitor")
    expect(details.get_by_role("link", name=hostile)).to_be_visible()
    expect(details.locator("img, b")).to_have_count(0)


def test_an_admin_sees_rolls_and_chooses_the_prechat_fields(server, agent, secret, screenshots_dir):
    page = agent().page
    page.goto(f"{server.url}/admin/settings")
    card = page.get_by_role("region", name="Visitor identity")
    expect(card.locator("#identity-secret-value")).to_have_text(secret)
    page.get_by_label("Pre-chat form: email").select_option("optional")
    expect(page.locator("#admin-toast")).to_contain_text("Pre-chat form: email is optional")
    page.screenshot(path=screenshots_dir / "admin-settings-identity.png", full_page=True, **SHOT)

    card.get_by_role("button", name="Roll the secret").click()
    dialog = page.get_by_role("dialog", name="Roll the identity secret?")
    dialog.get_by_role("button", name="Roll the secret").click()
    expect(dialog).to_be_hidden()
    expect(card.locator("#identity-secret-value")).not_to_have_text(secret)
    rolled = card.locator("#identity-secret-value").text_content()
    user = signed(rolled, "cust-4004")
    answer = server.http.post(f"{server.url}/api/v1/identify", json={"identity": user}, timeout=10)
    assert answer.status_code == 200
    stale = server.http.post(
        f"{server.url}/api/v1/identify", json={"identity": signed(secret, "cust-4004")}, timeout=10
    )
    assert stale.status_code == 401
    assert server.api("GET", "/widget/settings").json()["prechat"]["email"] == "optional"
    expect_status(server.api("PATCH", "/settings", json={"prechat_email": "off"}), 200)


def current_secret(server: ChatServer) -> str:
    """The identity secret now (a test before may have rolled it)."""
    return expect_status(server.api("GET", "/admin/identity-secret"), 200).json()["secret"][
        "secret"
    ]


def test_an_admin_downloads_then_erases_a_contacts_data(server, agent, secret, screenshots_dir):
    user = signed(current_secret(server), "cust-4004", name="Ivo Horvat", email="ivo@example.com")
    chats = []
    for text in ("My parcel never came", "Please delete my data"):
        made = server.http.post(
            f"{server.url}/api/v1/conversations", json={"identity": user}, timeout=10
        ).json()
        write(server, made["visitor_token"], text)
        chats.append(made["conversation_id"])
        server.http.post(
            f"{server.url}/api/v1/conversations/{made['conversation_id']}/end",
            headers={"Authorization": f"Bearer {made['visitor_token']}"},
            timeout=10,
        )

    inbox = agent()
    inbox.open(chats[1])
    details = inbox.page.get_by_role("complementary", name="Visitor")
    with inbox.page.expect_download() as download:
        details.get_by_role("link", name="Download their data").click()
    assert download.value.suggested_filename.endswith(".zip")

    details.get_by_role("button", name="Erase contact").click()
    dialog = inbox.page.get_by_role("dialog", name="Erase Ivo Horvat's data?")
    expect(dialog).to_be_visible()
    inbox.page.screenshot(path=screenshots_dir / "inbox-erase-contact.png", **SHOT)
    dialog.get_by_role("button", name="Erase everything").click()
    expect(dialog).to_be_hidden()
    for conversation_id in chats:
        expect(inbox.row(conversation_id)).to_have_count(0)


def host_api_page(server: ChatServer, new_context) -> tuple:
    """The example page of the host page's JavaScript API (window.LiveChat)."""
    page = new_context().new_page()
    page.goto(f"{server.url}/demo/api")
    widget = Widget(page).ready()
    expect(page.locator('#api-events li[data-event="ready"]')).to_have_count(1)
    return page, widget


def test_identify_on_the_host_page_signs_the_new_conversation(server, new_context, secret):
    page, widget = host_api_page(server, new_context)
    user = signed(current_secret(server), "u-4242", name="Ada Lovelace", email="ada@example.com")
    for field in ("user_id", "name", "email", "user_hash"):
        page.get_by_label(field, exact=True).fill(user[field])
    page.get_by_role("button", name="Identify").click()
    widget.open()
    with page.expect_request("**/api/v1/conversations") as created:
        widget.input.fill("Hello, it's Ada")
        widget.input.press("Enter")
    body = created.value.post_data_json
    assert body["identity"] == user
    assert body["page_url"].endswith("/demo/api")
    widget.conversation_id()
    assert widget.session()["user_id"] == "u-4242"


def test_another_signed_in_user_does_not_get_the_held_chat(server, new_context, secret):
    page, widget = host_api_page(server, new_context)
    key = current_secret(server)
    ada, bob = signed(key, "u-5001", name="Ada"), signed(key, "u-5002", name="Bob")
    page.evaluate("(user) => LiveChat.identify(user)", ada)
    widget.open()
    widget.send("Ada's private question")
    widget.conversation_id()
    assert widget.session()["user_id"] == "u-5001"

    # The same user again (another page of the site): the chat stays.
    page.evaluate("(user) => LiveChat.identify(user)", ada)
    expect(widget.message("Ada's private question")).to_be_visible()
    # Someone else logs in on this browser: the chat goes.
    page.evaluate("(user) => LiveChat.identify(user)", bob)
    expect(widget.message("Ada's private question")).to_have_count(0)
    page.reload()
    widget = Widget(page).ready().open()
    expect(widget.messages).to_have_count(0)
