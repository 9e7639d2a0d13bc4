"""Webhooks: endpoints admins register, and the events recorded for them.

``record(event, data)`` adds one delivery per endpoint that wants the event,
with its outbox job, to the caller's transaction: a delivery exists if and
only if its event was committed. The list of endpoints is cached per
process for ``CHAT_WEBHOOKS_CACHE_SECONDS``, so that an event nobody wants
(the common case: a message with no endpoint registered) costs no query;
a change made in this process clears the cache at once, other processes
see it within those seconds (a delivery recorded meanwhile for an endpoint
since deleted, or no longer wanting the event, is dropped, never sent).
"""

import json
import secrets
import time

import sqlalchemy as sa
from flask import current_app

from app import db
from app.clock import iso, utcnow
from app.errors import ChatError
from app.models import Agent, Conversation, WebhookDelivery, WebhookEndpoint
from app.schemas import MAX_INT
from app.services import outbox, settings

# Every event an endpoint may want, with what it means (the admin page shows it).
EVENTS = {
    "conversation.created": "A visitor started a conversation.",
    "message.created": "A message was sent, by the visitor or an agent "
    "(data.message.sender says which).",
    "conversation.assigned": "A conversation was assigned to an agent (or claimed).",
    "conversation.resolved": "An agent resolved a conversation.",
    "conversation.reopened": "A resolved or snoozed conversation was reopened.",
    "rating.received": "A visitor rated a conversation.",
}
# The activity lines (app/services/activity.py) that are events.
ACTIVITY_EVENTS = {
    "assigned": "conversation.assigned",
    "resolved": "conversation.resolved",
    "reopened": "conversation.reopened",
}
MAX_ENDPOINTS = 50
DELIVERY_JOB = "webhook.deliver"
ALLOW_PRIVATE = "webhooks_allow_private"

_INSERT_DELIVERIES = sa.insert(WebhookDelivery.__table__)
_conversations = Conversation.__table__
_CONVERSATION = (
    sa.select(
        _conversations.c.id,
        _conversations.c.status,
        _conversations.c.state,
        _conversations.c.visitor_name,
        _conversations.c.visitor_email,
        _conversations.c.page_url,
        _conversations.c.assignee_id,
        _conversations.c.created_at,
        Agent.__table__.c.name.label("assignee_name"),
    )
    .select_from(_conversations.outerjoin(Agent.__table__))
    .where(_conversations.c.id == sa.bindparam("cid"))
)

# --- recording events ----------------------------------------------------------------


def wants(event: str) -> bool:
    """Whether any endpoint wants ``event`` (no query while the cache holds)."""
    return bool(_subscribers().get(event))


def record(event: str, data: dict) -> list[str]:
    """Add a delivery of ``event`` to each endpoint that wants it, in the
    caller's transaction (no commit). Returns the deliveries' ids.

    Two statements however many endpoints there are, built once: this runs
    in the message hot path when an endpoint wants messages.
    """
    endpoint_ids = _subscribers().get(event, ())
    if not endpoint_ids:
        return []
    now = utcnow()
    body = {"type": event, "created_at": iso(now), "data": data}
    rows = []
    for endpoint_id in endpoint_ids:
        delivery_id = "msg_" + secrets.token_hex(12)
        text = json.dumps({"id": delivery_id, **body}, ensure_ascii=False, separators=(",", ":"))
        rows.append(
            {
                "id": delivery_id,
                "endpoint_id": endpoint_id,
                "event": event,
                "body": text,
                "status": "pending",
                "attempts": 0,
                "created_at": now,
            }
        )
    db.session.connection().execute(_INSERT_DELIVERIES, rows)
    outbox.add_many(DELIVERY_JOB, [{"delivery_id": row["id"]} for row in rows])
    return [row["id"] for row in rows]


def conversation_event(event: str, conversation_id: int, **extra) -> None:
    """Record a conversation's event with the conversation as it is now."""
    if wants(event):
        record(event, {"conversation": conversation_data(conversation_id), **extra})


def activity_event(
    kind: str, conversation_id: int, agent_id: int | None, actor_name: str | None, body
) -> None:
    """Record the event an activity line tells of (assigned, resolved, reopened)."""
    event = ACTIVITY_EVENTS.get(kind)
    if event is None or not wants(event):
        return
    actor = {"id": agent_id, "name": actor_name} if actor_name or agent_id else None
    extra = {"actor": actor}
    if event == "conversation.reopened":
        by = "agent" if actor else "snooze_ended" if body == "snooze ended" else "visitor_message"
        extra["reason"] = by
    conversation_event(event, conversation_id, **extra)


def rating_received(conversation_id: int, rating: dict) -> None:
    """Record a visitor's rating (``rating`` as the ratings' API shows it)."""
    conversation_event("rating.received", conversation_id, rating=rating)


def message_created(message) -> None:
    """Record a stored message (a row of the messages table)."""
    if not wants("message.created"):
        return
    data = {
        "id": message.id,
        "seq": message.seq,
        "client_id": message.client_id,
        "sender": message.sender,
        "author": {"name": message.author_name},
        "body": message.body,
        "created_at": iso(message.created_at),
    }
    conversation_event("message.created", message.conversation_id, message=data)


def conversation_data(conversation_id: int) -> dict:
    """The conversation as events carry it."""
    conversation = db.session.connection().execute(_CONVERSATION, {"cid": conversation_id}).one()
    assignee = None
    if conversation.assignee_id is not None:
        assignee = {"id": conversation.assignee_id, "name": conversation.assignee_name}
    return {
        "id": conversation.id,
        "state": "ended" if conversation.status == "closed" else conversation.state,
        "visitor": {"name": conversation.visitor_name, "email": conversation.visitor_email},
        "page_url": conversation.page_url,
        "assignee": assignee,
        "created_at": iso(conversation.created_at),
    }


def _subscribers() -> dict[str, list[int]]:
    """Endpoint ids by the event they want, cached for this process and app."""
    cache = current_app.extensions.setdefault("webhooks", {"until": 0.0})
    if time.monotonic() >= cache["until"]:
        rows = db.session.execute(
            sa.select(WebhookEndpoint.id, WebhookEndpoint.events).where(
                WebhookEndpoint.deleted_at.is_(None)
            )
        ).all()
        by_event: dict[str, list[int]] = {}
        for endpoint_id, events in rows:
            for event in events.split():
                by_event.setdefault(event, []).append(endpoint_id)
        cache["by_event"] = by_event
        cache["until"] = time.monotonic() + current_app.config["CHAT_WEBHOOKS_CACHE_SECONDS"]
    return cache["by_event"]


def forget_endpoints() -> None:
    """Read the endpoints again at the next event (after a change here)."""
    current_app.extensions.setdefault("webhooks", {})["until"] = 0.0


# --- endpoints -----------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def allow_private() -> bool:
    return bool(settings.get(ALLOW_PRIVATE, False))


def endpoints() -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            sa.select(WebhookEndpoint)
            .where(WebhookEndpoint.deleted_at.is_(None))
            .order_by(WebhookEndpoint.id)
        )
    )


def get_endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id) if 1 <= endpoint_id <= MAX_INT else None
    if endpoint is None or endpoint.deleted_at is not None:
        raise ChatError("not_found", "no such webhook endpoint")
    return endpoint


def register(url: str, description: str, events: list[str]) -> WebhookEndpoint:
    """Add an endpoint with a new secret, and commit."""
    if len(endpoints()) >= MAX_ENDPOINTS:
        raise ChatError("conflict", f"at most {MAX_ENDPOINTS} webhook endpoints")
    endpoint = WebhookEndpoint(
        url=_checked_url(url),
        description=description,
        events=_checked_events(events),
        secret=new_secret(),
    )
    db.session.add(endpoint)
    return _saved(endpoint)


def change(
    endpoint_id: int, url: str | None, description: str | None, events: list[str] | None
) -> WebhookEndpoint:
    """Change what is given of an endpoint, and commit."""
    endpoint = get_endpoint(endpoint_id)
    if url is not None:
        endpoint.url = _checked_url(url)
    if description is not None:
        endpoint.description = description
    if events is not None:
        endpoint.events = _checked_events(events)
    return _saved(endpoint)


def roll_secret(endpoint_id: int) -> WebhookEndpoint:
    """Give the endpoint a new secret: deliveries from now on are signed with it."""
    endpoint = get_endpoint(endpoint_id)
    endpoint.secret = new_secret()
    return _saved(endpoint)


def delete(endpoint_id: int) -> None:
    """Delete an endpoint and its delivery log; nothing more is sent to it."""
    endpoint = get_endpoint(endpoint_id)
    endpoint.deleted_at = utcnow()
    db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id))
    _saved(endpoint)


def _saved(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    db.session.commit()
    forget_endpoints()
    return endpoint


def _checked_url(url: str) -> str:
    from app.services.webhook_targets import check_url

    return check_url(url.strip(), allow_private())


def _checked_events(events: list[str]) -> str:
    unknown = [event for event in events if event not in EVENTS]
    if unknown:
        raise ChatError("invalid", f"unknown event {unknown[0][:64]!r}")
    if not events:
        raise ChatError("invalid", "choose at least one event")
    return " ".join(event for event in EVENTS if event in events)


# --- the delivery log ------------------------------------------------------------------


def deliveries(endpoint_id: int, limit: int = 50) -> list[WebhookDelivery]:
    """The endpoint's newest deliveries, newest first."""
    get_endpoint(endpoint_id)
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
            .limit(limit)
        )
    )


def send_again(endpoint_id: int, delivery_id: str) -> WebhookDelivery:
    """Deliver a delivered or failed event once more (same id and body, a new
    timestamp and signature), and commit. A delivery still being tried is
    ``conflict``: it goes out by itself."""
    delivery = db.session.get(WebhookDelivery, delivery_id[:40])
    if delivery is None or delivery.endpoint_id != get_endpoint(endpoint_id).id:
        raise ChatError("not_found", "no such delivery")
    if delivery.status == "pending":
        raise ChatError("conflict", "this delivery is still being tried")
    delivery.status = "pending"
    outbox.add(DELIVERY_JOB, {"delivery_id": delivery.id})
    db.session.commit()
    return delivery


from app.services import webhook_delivery  # noqa: E402,F401 (registers the outbox handler)
