"""The agents' login form."""

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from app import db
from app.auth import bp
from app.auth.forms import LoginForm
from app.models import Agent


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.inbox"))
    form = LoginForm()
    if form.validate_on_submit():
        agent = db.session.scalar(
            sa.select(Agent).where(Agent.email == form.email.data.strip().lower())
        )
        if agent is None or not agent.check_password(form.password.data) or not agent.is_active:
            flash("Wrong email or password.")
            return render_template("auth/login.html", form=form), 401
        login_user(agent, remember=form.remember_me.data)
        next_page = request.args.get("next")
        if not next_page or urlsplit(next_page).netloc or not next_page.startswith("/"):
            next_page = url_for("main.inbox")
        return redirect(next_page)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
