"""The pages: the demo site with the widget, and the agents' inbox."""

from flask import current_app, render_template
from flask_login import login_required

from app.main import bp


@bp.route("/")
def index():
    """A demo company site with the chat widget embedded."""
    return render_template("index.html")


@bp.route("/widget.js")
def widget_script():
    """The one script a site embeds to get the chat launcher and panel."""
    response = current_app.send_static_file("widget/loader.js")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.max_age = 300
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
