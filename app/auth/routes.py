"""The agents' login form."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from app import db
from app.auth import bp
from app.auth.forms import LoginForm
from app.auth.logins import end_login, start_login
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
        new_login = start_login(agent)
        db.session.commit()
        login_user(new_login, remember=form.remember_me.data)
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
        end_login(login_id)
        db.session.commit()
        disconnect_all(presence.sids_of(login_id=login_id))
    return redirect(url_for("auth.login"))
