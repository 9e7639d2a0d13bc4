"""The language menu of the agents' pages: the choice is kept in a cookie of
this browser, for the login page too, and wins over the browser's language."""

from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, url_for

from app.auth import bp
from app.web.languages import LANGUAGES, LOCALE_COOKIE

ONE_YEAR = 365 * 24 * 3600


def same_site_path(target: str | None) -> str:
    """Where to go back to: a path of this site only, never another site."""
    if not target or urlsplit(target).netloc or not target.startswith("/") or "\\" in target:
        return url_for("main.inbox")
    return target


@bp.route("/language", methods=["POST"])
def choose_language():
    """Show the server's pages in the chosen language from now on."""
    locale = request.form.get("locale", "")
    if locale not in LANGUAGES:
        abort(400)
    response = redirect(same_site_path(request.form.get("next")))
    response.set_cookie(
        LOCALE_COOKIE,
        locale,
        max_age=ONE_YEAR,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response
