"""The admins' pages: agents, the desk's settings, webhooks and reports.

They are shells; their scripts read and change everything through the
admin API (app/api/agents.py, app/api/settings.py), which checks again.
"""

from flask import abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.admin import bp
from app.services import mailer
from app.services import webhooks as webhook_events
from app.services.settings import MAX_RETENTION_DAYS

# What each webhook event means, in the admin's language (the API's English is
# webhook_events.EVENTS; an event missing here fails the page loudly).
EVENT_MEANINGS = {
    "conversation.created": _l("A visitor started a conversation."),
    "message.created": _l(
        "A message was sent, by the visitor or an agent (data.message.sender says which)."
    ),
    "conversation.assigned": _l("A conversation was assigned to an agent (or claimed)."),
    "conversation.resolved": _l("An agent resolved a conversation."),
    "conversation.reopened": _l("A resolved or snoozed conversation was reopened."),
    "rating.received": _l("A visitor rated a conversation."),
}


@bp.before_request
@login_required
def admins_only():
    """A plain agent gets a 403 page; someone not logged in, the login form."""
    if not current_user.agent.is_admin:
        abort(403)


@bp.errorhandler(403)
def forbidden(_exc):
    return render_template("admin/forbidden.html"), 403


@bp.route("")
@bp.route("/")
def index():
    return redirect(url_for("admin.agents"))


@bp.route("/agents")
def agents():
    """Add agents, change their role, disable or enable them, reset passwords."""
    return render_template("admin/agents.html", section="agents")


@bp.route("/settings")
def settings():
    """The desk's settings, such as automatic assignment."""
    return render_template(
        "admin/settings.html",
        section="settings",
        max_retention_days=MAX_RETENTION_DAYS,
        mail_enabled=mailer.enabled(),
    )


@bp.route("/webhooks")
def webhooks():
    """Webhook endpoints: register them, see their secrets and delivery logs."""
    events = {name: EVENT_MEANINGS[name] for name in webhook_events.EVENTS}
    return render_template("admin/webhooks.html", section="webhooks", events=events)


@bp.route("/reports")
def reports():
    """Conversations, response and resolution times and ratings over a period."""
    return render_template("admin/reports.html", section="reports")
