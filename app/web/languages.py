"""The language of the server's pages (login, inbox, admin): the agent's own
choice (a cookie set from the language menu), else the browser's preferred
language among those that ship, else English. Texts are translated with
Flask-Babel from app/translations (.po sources and the compiled .mo files,
both committed: see README, "Translations")."""

from flask import Flask, has_request_context, request
from flask_babel import Babel, get_locale

# Every one has app/translations/<code>/LC_MESSAGES/messages.po, except English (the source).
LANGUAGES = {"en": "English", "es": "Español", "ar": "العربية"}
RIGHT_TO_LEFT = {"ar"}
LOCALE_COOKIE = "chat_locale"

babel = Babel()


def select_locale() -> str:
    """The page's language for this request; English outside a request (the
    emails that background jobs render, which visitors get in English)."""
    if not has_request_context():
        return "en"
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), default="en")


def page_language() -> dict:
    """For base.html: <html lang dir>, and the language menu."""
    locale = str(get_locale() or "en")
    return {
        "page_locale": locale,
        "page_direction": "rtl" if locale in RIGHT_TO_LEFT else "ltr",
        "languages": LANGUAGES,
    }


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(page_language)
