"""Admins manage webhook endpoints and read their delivery logs (docs/webhooks.md)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api import bp
from app.api.auth import admin_caller, admin_changer
from app.api.conversations import json_body, validated
from app.api.description import described
from app.api.responses import Answer, Timestamp
from app.clock import iso
from app.models import WebhookDelivery, WebhookEndpoint
from app.schemas import Text
from app.services import webhooks

ENDPOINT = "/admin/webhooks/<int(max=2147483647):endpoint_id>"

EventName = Literal[tuple(webhooks.EVENTS)]
Url = Annotated[Text, StringConstraints(min_length=1, max_length=2048)]
Description = Annotated[Text, StringConstraints(max_length=200)]
Events = Annotated[list[EventName], Field(min_length=1, max_length=len(webhooks.EVENTS))]


class NewWebhook(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    url: Url
    description: Description = ""
    events: Events


class WebhookChange(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    url: Url | None = None
    description: Description | None = None
    events: Events | None = None


class WebhookAnswer(Answer):
    """A webhook endpoint, with the secret that signs its deliveries."""

    id: int
    url: str
    description: str
    events: list[EventName]
    secret: str
    created_at: Timestamp


class WebhookList(Answer):
    """Every endpoint, and the events one may want."""

    webhooks: list[WebhookAnswer]
    events: dict[str, str] = Field(description="every event an endpoint may want: what it means")


class DeliveryAnswer(Answer):
    """A line of an endpoint's delivery log."""

    id: str = Field(description="the Webhook-Id header, the same on every attempt")
    event: EventName
    status: Literal["pending", "delivered", "failed", "dropped"]
    attempts: int
    response_code: int | None = Field(description="the receiver's HTTP status at the last attempt")
    last_error: str | None
    created_at: Timestamp
    last_attempt_at: Timestamp | None
    body: str = Field(description="the JSON body sent, byte for byte")


class DeliveryList(Answer):
    """The endpoint's newest deliveries, newest first."""

    deliveries: list[DeliveryAnswer]


def endpoint_details(endpoint: WebhookEndpoint) -> dict:
    """An endpoint as admins see it, with the secret that signs its deliveries."""
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events.split(),
        "secret": endpoint.secret,
        "created_at": iso(endpoint.created_at),
    }


def delivery_details(delivery: WebhookDelivery) -> dict:
    """A line of the delivery log."""
    return {
        "id": delivery.id,
        "event": delivery.event,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "response_code": delivery.response_code,
        "last_error": delivery.last_error,
        "created_at": iso(delivery.created_at),
        "last_attempt_at": iso(delivery.last_attempt_at),
        "body": delivery.body,
    }


@bp.route("/admin/webhooks", methods=["GET"])
@described(tag="webhooks", auth="admin", answers={200: WebhookList})
def list_webhooks():
    """Every endpoint, and the events one may want: ``{"webhooks", "events"}`` (admins)."""
    admin_caller()
    return {
        "webhooks": [endpoint_details(endpoint) for endpoint in webhooks.endpoints()],
        "events": webhooks.EVENTS,
    }


@bp.route("/admin/webhooks", methods=["POST"])
@described(
    tag="webhooks",
    auth="admin",
    body=NewWebhook,
    answers={201: WebhookAnswer},
    errors=("conflict",),
)
def create_webhook():
    """Register an endpoint: ``{"url", "description", "events": [...]}`` (admins).

    Answers ``201`` with it and its new secret. A URL on a loopback, private
    or link-local address is ``400 invalid`` unless the desk setting
    ``webhooks_allow_private`` is on.
    """
    admin_changer()
    details = validated(NewWebhook, json_body())
    endpoint = webhooks.register(details.url, details.description, list(details.events))
    return endpoint_details(endpoint), 201


@bp.route(ENDPOINT, methods=["GET"])
@described(tag="webhooks", auth="admin", answers={200: WebhookAnswer}, errors=("not_found",))
def read_webhook(endpoint_id: int):
    """One endpoint (admins)."""
    admin_caller()
    return endpoint_details(webhooks.get_endpoint(endpoint_id))


@bp.route(ENDPOINT, methods=["PATCH"])
@described(
    tag="webhooks",
    auth="admin",
    body=WebhookChange,
    answers={200: WebhookAnswer},
    errors=("not_found",),
)
def change_webhook(endpoint_id: int):
    """Change an endpoint's ``url``, ``description`` or ``events`` (admins)."""
    admin_changer()
    details = validated(WebhookChange, json_body())
    events = list(details.events) if details.events is not None else None
    endpoint = webhooks.change(endpoint_id, details.url, details.description, events)
    return endpoint_details(endpoint)


@bp.route(ENDPOINT, methods=["DELETE"])
@described(tag="webhooks", auth="admin", answers={204: None}, errors=("not_found",))
def delete_webhook(endpoint_id: int):
    """Delete an endpoint and its delivery log; nothing more is sent (admins). 204."""
    admin_changer()
    webhooks.delete(endpoint_id)
    return "", 204


@bp.route(f"{ENDPOINT}/secret", methods=["POST"])
@described(tag="webhooks", auth="admin", answers={200: WebhookAnswer}, errors=("not_found",))
def roll_webhook_secret(endpoint_id: int):
    """Replace the endpoint's secret; answers the endpoint with the new one (admins).

    Deliveries from now on, retries included, are signed with the new secret.
    """
    admin_changer()
    return endpoint_details(webhooks.roll_secret(endpoint_id))


@bp.route(f"{ENDPOINT}/deliveries", methods=["GET"])
@described(tag="webhooks", auth="admin", answers={200: DeliveryList}, errors=("not_found",))
def list_webhook_deliveries(endpoint_id: int):
    """The endpoint's 50 newest deliveries, newest first (admins)."""
    admin_caller()
    return {"deliveries": [delivery_details(d) for d in webhooks.deliveries(endpoint_id)]}


@bp.route(f"{ENDPOINT}/deliveries/<delivery_id>/send", methods=["POST"])
@described(
    tag="webhooks", auth="admin", answers={202: DeliveryAnswer}, errors=("not_found", "conflict")
)
def send_webhook_again(endpoint_id: int, delivery_id: str):
    """Send a delivered or failed delivery again (admins); ``202`` with it.

    It keeps its ``Webhook-Id`` and body, with a new timestamp and signature;
    one still being tried is ``409 conflict``.
    """
    admin_changer()
    return delivery_details(webhooks.send_again(endpoint_id, delivery_id)), 202
