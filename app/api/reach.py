"""What a visitor's widget needs to know before a chat exists: whether the
desk can answer now, or when it will."""

from app.api import bp
from app.realtime import payloads
from app.services import mailer, reachable


@bp.route("/availability", methods=["GET"])
def availability():
    """Business hours and whether an agent is online (anyone):
    ``{"hours": {"open", "closes_at", "opens_at"}, "agents_online", "mail"}``
    (``mail``: whether the desk answers by email)."""
    return {
        "hours": payloads.hours(reachable.desk_hours()),
        "agents_online": reachable.agents_online(),
        "mail": mailer.enabled(),
    }
