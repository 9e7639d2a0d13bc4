"""The widget in the visitor's language: chosen by the embed's data-locale,
else the browser's languages, else English; Arabic lays out right to left."""

import socketio
from playwright.sync_api import Page, expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.pages import Widget

pytestmark = BROWSER_TESTS


def demo_site(page: Page, server, path: str = "/") -> Widget:
    page.goto(f"{server.url}{path}")
    return Widget(page).ready()


def agent_replies(server, conversation_id: int, body: str, read_up_to: int | None = 1) -> None:
    """The agent reads the visitor's messages up to ``read_up_to`` and
    answers over Socket.IO, as the inbox does."""
    client = socketio.Client(reconnection=False)
    client.connect(
        server.url, auth={"token": server.agent_token}, transports=["polling"], wait_timeout=10
    )
    try:
        if read_up_to:
            seen = {"conversation_id": conversation_id, "status": "seen", "up_to_seq": read_up_to}
            assert client.call("receipt", seen, timeout=10)["ok"]
        ack = client.call(
            "send_message",
            {"conversation_id": conversation_id, "client_id": f"reply-{body}", "body": body},
            timeout=10,
        )
        assert ack["ok"], ack
    finally:
        client.disconnect()


def root_direction(page: Page) -> str:
    return page.locator(".lc-root").evaluate("(root) => getComputedStyle(root).direction")


def test_a_spanish_browser_gets_the_widget_in_spanish(server, new_context):
    page = new_context(locale="es-MX").new_page()
    page.goto(server.url)
    widget = Widget(page).ready()
    expect(widget.launcher).to_have_accessible_name("Abrir el chat")
    widget.launcher.click()
    textbox = page.get_by_role("textbox", name="Mensaje")
    expect(textbox).to_have_attribute("placeholder", "Escribe un mensaje…")
    expect(page.locator(".lc-close")).to_have_accessible_name("Cerrar el chat")
    expect(widget.presence).to_have_text("Estamos aquí para ayudarte")
    assert page.locator(".lc-root").get_attribute("lang") == "es"
    assert root_direction(page) == "ltr"

    textbox.fill("¿Tenéis la lámpara Aurora en blanco?")
    textbox.press("Enter")
    tick = widget.tick("¿Tenéis la lámpara Aurora en blanco?")
    expect(tick).to_have_accessible_name("Enviado")
    expect(page.locator(".day-separator")).to_have_text("Hoy")
    # The site's own title and greeting are shown as the site wrote them.
    expect(page.locator(".lc-title")).to_have_text("Northwind Lamps")

    conversation_id = widget.conversation_id()
    agent_replies(server, conversation_id, "Sí, en blanco y en negro.")
    expect(widget.message("Sí, en blanco y en negro.")).to_be_visible()
    expect(tick).to_have_accessible_name("Visto")


def test_data_locale_wins_over_the_browser_language(server, new_context):
    page = new_context(locale="en-US").new_page()
    widget = demo_site(page, server, "/demo/api?locale=es")
    assert page.locator("script[data-locale]").get_attribute("data-locale") == "es"
    expect(widget.launcher).to_have_accessible_name("Abrir el chat")
    widget.launcher.click()
    # No data-greeting: the widget's own, in the chosen language.
    expect(page.locator(".lc-greeting .message__body")).to_have_text(
        "¡Hola! ¿En qué podemos ayudarte hoy?"
    )


def test_a_language_that_does_not_ship_falls_back_to_english(server, new_context):
    page = new_context(locale="de-DE").new_page()
    widget = demo_site(page, server)
    expect(widget.launcher).to_have_accessible_name("Open chat")
    assert page.locator(".lc-root").get_attribute("lang") == "en"


def test_the_arabic_widget_runs_right_to_left(server, new_context, screenshots_dir):
    page = new_context(locale="ar-EG").new_page()
    widget = demo_site(page, server, "/?locale=ar")
    expect(widget.launcher).to_have_accessible_name("افتح المحادثة")
    # The launcher sits at the end of an Arabic line: bottom left.
    launcher = widget.launcher.bounding_box()
    assert launcher["x"] < 100, launcher

    widget.launcher.click()
    assert root_direction(page) == "rtl"
    assert page.locator(".lc-root").get_attribute("dir") == "rtl"
    panel = widget.panel.bounding_box()
    assert panel["x"] < 100, panel
    textbox = page.get_by_role("textbox", name="الرسالة")
    expect(textbox).to_have_attribute("placeholder", "اكتب رسالة…")
    textbox.fill("مرحبًا، هل المصباح متوفر باللون الأبيض؟")
    textbox.press("Enter")
    own = widget.message("مرحبًا، هل المصباح متوفر باللون الأبيض؟")
    expect(widget.tick("مرحبًا، هل المصباح متوفر باللون الأبيض؟")).to_have_accessible_name("أُرسلت")
    conversation_id = widget.conversation_id()
    agent_replies(server, conversation_id, "نعم، متوفر باللونين الأبيض والأسود.")
    theirs = widget.message("نعم، متوفر باللونين الأبيض والأسود.")
    expect(theirs).to_be_visible()
    expect(widget.tick("مرحبًا، هل المصباح متوفر باللون الأبيض؟")).to_have_accessible_name("قُرئت")

    # Mirrored: own bubbles on the left, the agent's on the right, the send
    # button at the composer's left end, the header's buttons on the left.
    left, right = panel["x"], panel["x"] + panel["width"]
    own_box, their_box = own.bounding_box(), theirs.bounding_box()
    assert own_box["x"] - left < 30 < right - (own_box["x"] + own_box["width"]), (own_box, panel)
    assert right - (their_box["x"] + their_box["width"]) < 30 < their_box["x"] - left, their_box
    send = page.locator(".lc-send").bounding_box()
    assert send["x"] < textbox.bounding_box()["x"]
    close = page.locator(".lc-close").bounding_box()
    assert close["x"] < page.locator(".lc-title").bounding_box()["x"]
    meta = own.locator(".message__meta").evaluate("(meta) => getComputedStyle(meta).direction")
    assert meta == "rtl"

    page.mouse.move(640, 790)
    page.screenshot(
        path=screenshots_dir / "widget-arabic.png", animations="disabled", caret="hide", scale="css"
    )
