"""The agents' login form."""

import secrets
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.auth import bp
from app.auth.forms import LoginForm
from app.auth.passwords import authenticate, limit_attempts
from app.chat import presence
from app.chat.broadcast import disconnect_all


@bp.route("/login", methods=["GET", "POST"])
@limit_attempts
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.inbox"))
    form = LoginForm()
    if form.validate_on_submit():
        agent = authenticate(form.email.data, form.password.data)
        if agent is None:
            flash("Wrong email or password.", "error")
            return render_template("auth/login.html", form=form), 401
        login_user(agent, remember=form.remember_me.data)
        session["login_id"] = secrets.token_hex(16)
        next_page = request.args.get("next")
        if not next_page or urlsplit(next_page).netloc or not next_page.startswith("/"):
            next_page = url_for("main.inbox")
        return redirect(next_page)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out, and close the inbox sockets this login opened."""
    login_id = session.pop("login_id", None)
    logout_user()
    if login_id is not None:
        disconnect_all(presence.sids_of(login_id=login_id))
    return redirect(url_for("auth.login"))
