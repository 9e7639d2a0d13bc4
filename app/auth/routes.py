"""The agents' login form, and logging out."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app import login as login_manager
from app.auth import bp
from app.auth.forms import LoginForm
from app.models import AgentLogin
from app.realtime.emit import sockets_of_closed_after
from app.services import agents
from app.web.attempts import limit_attempts


@login_manager.user_loader
def load_login(login_id: str) -> AgentLogin | None:
    """Flask-Login's user is the browser's login, while it lasts."""
    return agents.active_login(login_id)


@bp.route("/login", methods=["GET", "POST"])
@limit_attempts
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.inbox"))
    form = LoginForm()
    if form.validate_on_submit():
        agent = agents.authenticate(form.email.data, form.password.data)
        if agent is None:
            flash(_("Wrong email or password."), "error")
            return render_template("auth/login.html", form=form), 401
        login_user(agents.start_login(agent), remember=form.remember_me.data)
        next_page = request.args.get("next")
        if not next_page or urlsplit(next_page).netloc or not next_page.startswith("/"):
            next_page = url_for("main.inbox")
        return redirect(next_page)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out: end this login on the server and close the inbox sockets it opened."""
    login_id = current_user.get_id()
    logout_user()
    if login_id is not None:
        with sockets_of_closed_after(login_id=login_id):
            agents.end_login(login_id)
    return redirect(url_for("auth.login"))
