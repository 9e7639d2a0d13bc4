"""The agents' pages in the agent's language: the login page and the inbox
in Spanish from the browser's language, and the language menu's choice."""

from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.pages import Inbox
from tests.browser.test_admin import admin_page
from tests.browser.test_widget_languages import agent_replies
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

pytestmark = BROWSER_TESTS

SHOT = {"animations": "disabled", "caret": "hide", "scale": "css"}


def spanish_inbox(server, new_context) -> Inbox:
    page = new_context(locale="es-ES").new_page()
    page.goto(f"{server.url}/login?next=/agent")
    expect(
        page.get_by_role("heading", name="Inicia sesión en la bandeja de entrada")
    ).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_label("Correo electrónico").fill(AGENT_EMAIL)
    page.get_by_label("Contraseña").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(f"{server.url}/agent")
    expect(page.get_by_role("heading", name="Conversaciones")).to_be_visible()
    return Inbox(page)


def test_the_login_page_and_the_inbox_in_spanish(server, new_context, screenshots_dir):
    conversation_id, visitor_token = server.new_conversation(
        name="Lucía", email="lucia@example.com"
    )
    inbox = spanish_inbox(server, new_context)
    page = inbox.page
    expect(page.get_by_role("tab", name="Sin asignar")).to_be_visible()
    expect(page.get_by_role("textbox", name="Buscar mensajes, nombres y correos")).to_be_visible()
    expect(page.get_by_text("Selecciona una conversación")).to_be_visible()

    inbox.row(conversation_id).get_by_role("button").click()
    expect(inbox.pane).to_be_visible()
    reply = page.get_by_role("textbox", name="Respuesta")
    expect(reply).to_have_attribute("placeholder", "Escribe una respuesta…")
    reply.fill("¡Hola Lucía! ¿En qué te ayudo?")
    reply.press("Enter")
    # The script-made texts come from the inbox's catalogue: ticks and days.
    expect(inbox.tick("¡Hola Lucía! ¿En qué te ayudo?")).to_have_accessible_name("Enviado")
    expect(page.locator("#conversation-scroll .day-separator")).to_have_text("Hoy")
    page.mouse.move(640, 790)
    page.screenshot(path=screenshots_dir / "inbox-spanish.png", **SHOT)


def test_the_language_menu_switches_the_inbox_to_arabic(server, new_context):
    conversation_id, _ = server.new_conversation(name="Omar")
    agent_replies(server, conversation_id, "أهلًا عمر", read_up_to=None)
    inbox = spanish_inbox(server, new_context)
    page = inbox.page
    # Choosing is enough: the page comes back in that language.
    expect(page.get_by_role("button", name="Cambiar idioma")).to_be_hidden()
    page.get_by_label("Idioma").select_option("ar")
    expect(page.get_by_role("heading", name="المحادثات")).to_be_visible()
    assert page.locator("html").get_attribute("dir") == "rtl"
    direction = page.locator("body").evaluate("(body) => getComputedStyle(body).direction")
    assert direction == "rtl"
    Inbox(page).open(conversation_id)
    expect(page.locator("#conversation-scroll .day-separator")).to_have_text("اليوم")
    expect(page.get_by_role("button", name="حل", exact=True)).to_be_visible()


def test_the_admin_page_in_spanish(server, new_context):
    page, name = admin_page(server, new_context)
    # The language menu is on the admin pages too; the choice stays for the next page.
    page.get_by_label("Language").select_option("es")
    expect(page.get_by_role("heading", name="Agentes")).to_be_visible()
    row = page.get_by_role("row", name=name)
    expect(row.get_by_role("cell").nth(2)).to_have_text("Activo")
    expect(row.get_by_role("combobox", name=f"Rol de {name}")).to_have_value("admin")
    expect(row.get_by_role("option", name="Administrador")).to_be_attached()
    expect(row.get_by_role("button", name=f"Restablecer la contraseña de {name}")).to_be_visible()
    page.get_by_role("link", name="Bandeja de entrada").click()
    expect(page.get_by_role("heading", name="Conversaciones")).to_be_visible()


def test_the_reports_and_webhooks_pages_in_spanish(server, new_context, screenshots_dir):
    page, _ = admin_page(server, new_context)
    page.get_by_label("Language").select_option("es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("link", name="Informes").click()
    expect(page.get_by_role("heading", name="Informes")).to_be_visible()
    # The figures are the script's: words, plurals and numbers in Spanish.
    expect(page.locator("#report-status")).to_contain_text("Del ")
    expect(page.locator("#tile-conversations-sub")).to_contain_text("respondidas")
    expect(page.locator("#tile-rating-sub")).to_contain_text("valoraci")
    agents = page.get_by_role("region", name="Por agente")
    expect(agents.get_by_role("row", name="Todos los agentes")).to_be_visible()
    ratings = page.get_by_role("figure", name="Valoraciones")
    ratings.get_by_text("Ver como tabla").click()
    expect(ratings.get_by_role("row", name="4 – Buena")).to_be_visible()
    page.screenshot(path=screenshots_dir / "reports-spanish.png", full_page=True, **SHOT)

    page.get_by_role("link", name="Webhooks").click()
    # A click lands once the page's script is wired: its list has loaded.
    expect(page.locator("#webhook-list")).to_have_attribute("aria-busy", "false")
    page.get_by_role("button", name="Añadir destino").click()
    dialog = page.get_by_role("dialog", name="Añadir un destino")
    expect(dialog.get_by_text("Un visitante inició una conversación.")).to_be_visible()
    dialog.get_by_role("button", name="Añadir destino").click()
    expect(dialog.get_by_role("alert")).to_have_text("La URL es obligatoria.")
    page.screenshot(path=screenshots_dir / "webhooks-spanish.png", **SHOT)


def test_the_settings_and_tokens_pages_in_arabic(server, new_context, screenshots_dir):
    page, _ = admin_page(server, new_context)
    page.get_by_label("Language").select_option("ar")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    page.get_by_role("link", name="الإعدادات").click()
    expect(page.get_by_role("heading", name="ساعات العمل")).to_be_visible()
    # The weekdays come from Intl in the page's language.
    expect(page.locator(".hours__day-name").first).to_have_text("الاثنين")
    expect(page.locator("#identity-secret-state")).not_to_have_text("جارٍ التحميل…")
    page.screenshot(path=screenshots_dir / "settings-arabic.png", full_page=True, **SHOT)
    for section, loaded in (("webhooks", "#webhook-list"), ("reports", "#report-body")):
        page.goto(f"{server.url}/admin/{section}")
        expect(page.locator(loaded)).to_have_attribute("aria-busy", "false")
        page.screenshot(path=screenshots_dir / f"{section}-arabic.png", full_page=True, **SHOT)

    page.goto(f"{server.url}/agent/tokens")
    expect(page.get_by_role("heading", name="رموز واجهة البرمجة", exact=True)).to_be_visible()
    page.get_by_role("button", name="رمز جديد").click()
    dialog = page.get_by_role("dialog", name="رمز جديد لواجهة البرمجة")
    dialog.get_by_role("button", name="إنشاء الرمز").click()
    expect(dialog.get_by_role("alert")).to_have_text("أعطِ الرمز اسمًا.")
    page.screenshot(path=screenshots_dir / "tokens-arabic.png", **SHOT)
