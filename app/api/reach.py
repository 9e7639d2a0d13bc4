"""What a visitor's widget needs to know before a chat exists: whether the
desk can answer now, or when it will."""

from app.api import bp
from app.api.description import described
from app.api.responses import Answer, Timestamp
from app.realtime import payloads
from app.services import mailer, reachable


class Hours(Answer):
    """The desk's business hours as they stand now."""

    open: bool
    closes_at: Timestamp | None
    opens_at: Timestamp | None


class Availability(Answer):
    """Whether anyone can answer now, and whether answers can come by email."""

    hours: Hours
    agents_online: bool
    mail: bool


@bp.route("/availability", methods=["GET"])
@described(tag="reach", auth="none", answers={200: Availability})
def availability():
    """Whether the desk can answer now (anyone).

    ``hours``: within business hours now, when that changes (both times
    ``null`` when the desk has no hours); ``agents_online``: what every
    visitor was last told; ``mail``: whether the desk answers by email.
    """
    return {
        "hours": payloads.hours(reachable.desk_hours()),
        "agents_online": reachable.agents_online(),
        "mail": mailer.enabled(),
    }
