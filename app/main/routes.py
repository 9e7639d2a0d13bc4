"""The pages: the demo site with the widget, and the agents' inbox."""

from flask import current_app, render_template, request
from flask_login import login_required

from app.main import bp

# The widget's languages (app/static/widget/locales), for the demo pages' ?locale=.
WIDGET_LOCALES = ("en", "es", "ar")


def demo_widget_locale() -> str | None:
    """The demo pages embed the widget with data-locale from ?locale=, to try a language."""
    locale = request.args.get("locale", "")
    return locale if locale in WIDGET_LOCALES else None


@bp.route("/")
def index():
    """A demo company site with the chat widget embedded."""
    return render_template("index.html", widget_locale=demo_widget_locale())


@bp.route("/demo/api")
def api_demo():
    """A host page that drives the widget through window.LiveChat (docs/widget.md)."""
    return render_template("demo_api.html", widget_locale=demo_widget_locale())


@bp.route("/widget.js")
def widget_script():
    """The one script a site embeds to get the chat launcher and panel."""
    response = current_app.send_static_file("widget/loader.js")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.max_age = 300
    return response


@bp.route("/chat/resume")
def resume_chat():
    """Where the link of a reply email leads: the visitor's chat, open.

    The page's script reads the signed link from the #fragment (never sent
    here), exchanges it for the conversation's token (``POST
    /api/v1/resume``), and starts the widget with it.
    """
    response = current_app.make_response(render_template("resume.html"))
    response.headers["Referrer-Policy"] = "no-referrer"
    response.cache_control.no_store = True
    return response


@bp.route("/agent")
@login_required
def inbox():
    """The agents' inbox."""
    return render_template("inbox.html")


@bp.route("/agent/tokens")
@login_required
def api_tokens():
    """The agent's API tokens: make, name, scope and revoke them."""
    return render_template("tokens.html")
