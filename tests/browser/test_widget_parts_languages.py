"""The widget's later parts in Spanish and Arabic: the offline card (with its
day and time in the visitor's language), the rating prompt, files and the
uploads tray, the typing-preview notice and the pre-chat form; a change of
language (LiveChat.setLocale) rewrites them at once, and in Arabic they
mirror.

A server of its own: outside business hours, with email and typing previews on.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import serving_chat
from tests.browser.pages import Widget
from tests.browser.test_files import PDF, file_payload, image_loaded, photo
from tests.harness.api import expect_status
from tests.harness.credentials import AGENT_EMAIL
from tests.harness.logs import watching
from tests.harness.smtp import SmtpServer

pytestmark = BROWSER_TESTS

SHOT = {"animations": "disabled", "caret": "hide", "scale": "css"}
ZONE = "Europe/Copenhagen"  # the browser contexts' time zone too
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_FILE_BYTES = 300_000
BACK = datetime.now(ZoneInfo(ZONE)) + timedelta(days=3)


@pytest.fixture(scope="module")
def parts_server(tmp_path_factory):
    with SmtpServer() as smtp:
        env = {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp.port),
            "CHAT_MAX_FILE_BYTES": str(MAX_FILE_BYTES),
        }
        with serving_chat(tmp_path_factory.mktemp("parts-server"), env) as server:
            server.process.flask("agents", "set-role", AGENT_EMAIL, "admin")
            days = {name: [] for name in DAYS}
            days[DAYS[BACK.weekday()]] = [{"start": "09:00", "end": "17:00"}]
            hours = {"enabled": True, "timezone": ZONE, "days": days}
            settings = {"business_hours": hours, "typing_preview": True}
            expect_status(server.api("PATCH", "/settings", json=settings), 200)
            yield server


@pytest.fixture
def server(request, parts_server):
    """This module's own server (overrides the session's)."""
    with watching(request.node, parts_server.process):
        yield parts_server


def widget_in(new_context, server, locale: str) -> tuple[Page, Widget]:
    page = new_context(locale=locale, bypass_csp=True).new_page()  # axe is let in
    page.goto(server.url)
    return page, Widget(page).ready().open()


def send(page: Page, box_name: str, text: str) -> None:
    box = page.get_by_role("textbox", name=box_name)
    box.fill(text)
    box.press("Enter")


def set_locale(page: Page, code: str) -> None:
    assert page.evaluate("(code) => LiveChat.setLocale(code)", code) == code


def test_the_offline_card_says_when_in_spanish_then_arabic(server, new_context, screenshots_dir):
    page, widget = widget_in(new_context, server, "es-ES")
    card = page.locator(".lc-offline")
    weekday = format_date(BACK, "EEEE", locale="es")
    expect(card).to_contain_text(f"Volvemos el {weekday} a las 9:00.")
    expect(card).to_contain_text("Déjanos tu correo")
    card.get_by_role("button", name="Guardar").click()
    expect(card.get_by_role("alert")).to_have_text(
        "Escribe una dirección de correo como nombre@ejemplo.com."
    )

    set_locale(page, "ar")
    expect(card).to_contain_text(f"نعود يوم {format_date(BACK, 'EEEE', locale='ar')} الساعة")
    expect(card.get_by_role("alert")).to_have_text("أدخل عنوان بريد إلكتروني مثل name@example.com.")
    email = page.get_by_role("textbox", name="بريدك الإلكتروني")
    save = card.get_by_role("button", name="حفظ")
    # Mirrored: the box starts at the right, its button follows on the left.
    assert save.bounding_box()["x"] < email.bounding_box()["x"]
    page.mouse.move(5, 5)
    page.screenshot(path=screenshots_dir / "widget-arabic-offline.png", **SHOT)
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 760})
    expect(save).to_be_visible()
    page.screenshot(path=screenshots_dir / "widget-arabic-offline-phone.png", **SHOT)

    email.fill("maja@example.com")
    save.click()
    expect(card).to_contain_text("سنرد على maja@example.com")
    expect(card.get_by_role("button", name="تغيير")).to_be_visible()


def test_the_rating_prompt_in_spanish_then_arabic(server, new_context, screenshots_dir):
    page, widget = widget_in(new_context, server, "es-MX")
    send(page, "Mensaje", "¿Ya salió mi pedido?")
    expect(widget.tick("¿Ya salió mi pedido?")).to_have_accessible_name("Enviado")
    cid = widget.conversation_id()
    expect_status(server.api("POST", f"/conversations/{cid}/resolve"), 200)
    prompt = page.get_by_role("region", name="Valora este chat")
    expect(prompt).to_be_visible()
    stars = prompt.get_by_role("radiogroup", name="¿Qué tal fue este chat?")
    expect(stars.get_by_role("radio", name="4 de 5, Bueno")).to_have_count(1)
    prompt.locator("label[for=lc-score-4]").click()
    expect(prompt.locator(".lc-rating__word")).to_have_text("Bueno")
    expect(prompt.get_by_role("textbox", name="Comentario (opcional)")).to_have_attribute(
        "placeholder", "Cuéntanos más (opcional)"
    )

    set_locale(page, "ar")
    prompt = page.get_by_role("region", name="قيّم هذه المحادثة")
    stars = prompt.get_by_role("radiogroup", name="كيف كانت هذه المحادثة؟")
    expect(stars.get_by_role("radio", name="جيدة")).to_be_checked()
    expect(prompt.locator(".lc-rating__word")).to_have_text("جيدة")
    expect(prompt.get_by_role("button", name="أرسل التقييم")).to_be_enabled()
    # Mirrored: the first star is the rightmost.
    first = prompt.locator("label[for=lc-score-1]").bounding_box()
    fifth = prompt.locator("label[for=lc-score-5]").bounding_box()
    assert first["x"] > fifth["x"], (first, fifth)
    expect(page.locator(".lc-preview-notice")).to_have_text("يرى الموظفون ما تكتبه قبل أن ترسله.")
    page.mouse.move(5, 5)
    page.screenshot(path=screenshots_dir / "widget-arabic-rating.png", **SHOT)
    assert_accessible(page)

    prompt.get_by_role("button", name="أرسل التقييم").click()
    expect(prompt).to_contain_text("شكرًا على تقييمك")
    expect(prompt.get_by_role("button", name="غيّر تقييمك")).to_be_visible()
    page.screenshot(path=screenshots_dir / "widget-arabic-rated.png", **SHOT)


def test_files_and_the_uploads_tray_in_arabic(server, new_context, screenshots_dir):
    page, widget = widget_in(new_context, server, "ar-EG")
    send(page, "الرسالة", "انكسر الجرس، هذه صورة والفاتورة")
    widget.conversation_id()
    file_input = page.locator(".lc-composer input[type=file]")
    expect(page.get_by_role("button", name="أرسل ملفًا أو صورة")).to_be_visible()
    file_input.set_input_files(file_payload("bell.jpg", "image/jpeg", photo()))
    image = page.locator(".lc-messages img.attachment__image")
    image_loaded(image)
    file_input.set_input_files(file_payload("invoice.pdf", "application/pdf", PDF))
    card = page.locator(".lc-messages .attachment--file")
    expect(card).to_contain_text("invoice.pdf")
    expect(card.locator(".attachment__size")).to_contain_text("· تنزيل")
    expect(card).to_have_attribute("title", "تنزيل invoice.pdf")
    expect(page.locator(".lc-messages .attachment--image")).to_have_attribute(
        "title", "فتح bell.jpg"
    )

    # The tray: a refusal said in Arabic, and an upload on its way (held here).
    too_big = file_payload("big.txt", "text/plain", b"a" * (MAX_FILE_BYTES + 1))
    file_input.set_input_files(too_big)
    tray = page.get_by_role("list", name="ملفات قيد الإرسال")
    expect(tray.get_by_role("alert")).to_have_text("لم يُرسل big.txt: الملف كبير جدًا")
    page.route("**/files", lambda route: None)
    file_input.set_input_files(file_payload("slow.pdf", "application/pdf", PDF))
    expect(tray.get_by_role("progressbar", name="جارٍ رفع slow.pdf")).to_be_visible()
    panel = widget.panel.bounding_box()
    own = image.bounding_box()
    assert own["x"] - panel["x"] < 40, (own, panel)  # own messages on the left
    page.mouse.move(5, 5)
    widget.panel.screenshot(path=screenshots_dir / "widget-arabic-files.png", **SHOT)

    # Another language at once: the tray, the files' cards and the paperclip follow.
    set_locale(page, "es")
    tray = page.get_by_role("list", name="Archivos en envío")
    expect(tray.get_by_role("alert")).to_have_text(
        "big.txt no se ha enviado: el archivo es demasiado grande"
    )
    expect(tray.get_by_role("progressbar", name="Subiendo slow.pdf")).to_be_visible()
    tray.get_by_role("button", name="Cancelar").click()
    tray.get_by_role("button", name="Cerrar").click()
    expect(tray.locator(".upload")).to_have_count(0)
    expect(card).to_have_attribute("title", "Descargar invoice.pdf")
    expect(card.locator(".attachment__size")).to_contain_text("· Descargar")
    expect(page.get_by_role("button", name="Enviar un archivo o una imagen")).to_be_visible()


def test_the_prechat_form_in_spanish_then_arabic(server, new_context, screenshots_dir):
    ask = {"prechat_name": "required", "prechat_email": "optional"}
    expect_status(server.api("PATCH", "/settings", json=ask), 200)
    try:
        page, widget = widget_in(new_context, server, "es-ES")
        form = page.locator(".lc-prechat")
        expect(form).to_contain_text("Antes de empezar")
        expect(form.get_by_label("Tu correo electrónico (opcional)")).to_be_visible()
        form.get_by_role("button", name="Empezar el chat").click()
        expect(form.get_by_role("alert")).to_have_text("Escribe tu nombre.")

        set_locale(page, "ar")
        expect(form).to_contain_text("قبل أن نبدأ")
        expect(form.get_by_role("alert")).to_have_text("يرجى إدخال اسمك.")
        name = form.get_by_role("textbox", name="اسمك")
        expect(form.get_by_label("بريدك الإلكتروني (اختياري)")).to_be_visible()
        # Mirrored: a label's words start at the right edge of its box.
        label = form.locator(".lc-prechat__label > span").first.bounding_box()
        box = name.bounding_box()
        assert abs((label["x"] + label["width"]) - (box["x"] + box["width"])) < 4, (label, box)
        page.mouse.move(5, 5)
        page.screenshot(path=screenshots_dir / "widget-arabic-prechat.png", **SHOT)
        name.fill("مايا")
        form.get_by_role("button", name="ابدأ المحادثة").click()
        expect(page.get_by_role("textbox", name="الرسالة")).to_be_focused()
    finally:
        off = {"prechat_name": "off", "prechat_email": "off"}
        expect_status(server.api("PATCH", "/settings", json=off), 200)
