"""The server's pages in the agent's language (Flask-Babel): chosen from the
browser's Accept-Language or the language menu's cookie; the translations
are complete and their compiled .mo files match the .po sources."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app import db
from app.web.languages import LANGUAGES, LOCALE_COOKIE
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
TRANSLATED = [code for code in LANGUAGES if code != "en"]


def log_in(client, **headers):
    return client.post(
        "/login", data={"email": AGENT_EMAIL, "password": AGENT_PASSWORD}, headers=headers
    )


def page_text(response) -> str:
    return response.get_data(as_text=True)


# --- Which language a page gets ------------------------------------------------


def test_the_login_page_follows_the_browser_language(client):
    page = page_text(client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}))
    assert '<html lang="es" dir="ltr">' in page
    assert "Inicia sesión en la bandeja de entrada" in page
    assert 'value="Iniciar sesión"' in page  # the form's button
    assert "Correo electrónico" in page


def test_english_without_a_language_or_with_one_that_does_not_ship(client):
    for headers in ({}, {"Accept-Language": "de-DE,fr;q=0.8"}):
        page = page_text(client.get("/login", headers=headers))
        assert '<html lang="en" dir="ltr">' in page
        assert "Sign in to the inbox" in page


def test_arabic_pages_run_right_to_left(client, agent):
    log_in(client)
    page = page_text(client.get("/agent", headers={"Accept-Language": "ar"}))
    assert '<html lang="ar" dir="rtl">' in page
    assert "صندوق الوارد" in page
    assert "المحادثات" in page


def test_a_wrong_password_is_told_in_the_agents_language(client, agent):
    response = client.post(
        "/login",
        data={"email": AGENT_EMAIL, "password": "not it"},
        headers={"Accept-Language": "es"},
    )
    assert response.status_code == 401
    assert "Correo o contraseña incorrectos." in page_text(response)


def test_the_inbox_and_admin_pages_in_spanish(client, agent):
    agent.role = "admin"
    db.session.commit()
    log_in(client)
    inbox = page_text(client.get("/agent", headers={"Accept-Language": "es"}))
    assert "Selecciona una conversación" in inbox
    assert 'placeholder="Escribe una respuesta…"' in inbox
    assert "Cerrar sesión" in inbox
    admin = page_text(client.get("/admin/agents", headers={"Accept-Language": "es"}))
    assert "Añadir agente" in admin
    assert "Último acceso" in admin


def test_the_language_menu_choice_wins_over_the_browser(client, agent):
    response = client.post("/language", data={"locale": "ar", "next": "/login?next=/agent"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/agent"
    cookie = client.get_cookie(LOCALE_COOKIE)
    assert cookie.value == "ar" and cookie.http_only and cookie.same_site == "Lax"
    page = page_text(client.get("/login", headers={"Accept-Language": "es"}))
    assert '<html lang="ar" dir="rtl">' in page


@pytest.mark.parametrize("locale", ["", "xx", "en'><script>", "../../etc"])
def test_the_language_menu_refuses_a_language_that_does_not_ship(client, locale):
    response = client.post("/language", data={"locale": locale})
    assert response.status_code == 400
    assert client.get_cookie(LOCALE_COOKIE) is None


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_the_language_menu_never_sends_the_agent_to_another_site(client, target):
    response = client.post("/language", data={"locale": "es", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/agent"


def test_a_forged_cookie_is_ignored(client):
    client.set_cookie(LOCALE_COOKIE, "zz")
    page = page_text(client.get("/login", headers={"Accept-Language": "es"}))
    assert '<html lang="es" dir="ltr">' in page


# --- The translations themselves ---------------------------------------------------


def extracted_messages() -> set[str]:
    """What pybabel extracts with babel.cfg now (README, "Translations")."""
    method_map = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_babel_cfg_extracts_the_templates_and_the_code():
    config = (ROOT / "babel.cfg").read_text()
    assert "[python: app/**.py]" in config and "[jinja2: app/templates/**.html]" in config


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_text_of_the_pages_is_translated(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as source:
        catalog = read_po(source)
    translated = {message.id for message in catalog if message.id and message.string}
    missing = extracted_messages() - translated
    assert not missing, f"not translated to {locale}: {sorted(missing)}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_compiled_catalogue_matches_its_source(locale):
    """The .mo files are committed (so a fresh checkout needs no compile
    step): each must be compiled from the .po as it is now."""
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as source, open(folder / "messages.mo", "rb") as mo:
        po, compiled = read_po(source), read_mo(mo)
    expected = {message.id: message.string for message in po if message.id}
    assert {message.id: message.string for message in compiled if message.id} == expected
