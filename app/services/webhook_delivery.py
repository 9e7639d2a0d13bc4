"""Sending one webhook delivery: signed, with a timeout, retried by the outbox.

The request is a POST of the recorded JSON body with three headers (as in
the Standard Webhooks specification): ``Webhook-Id`` (the delivery's id,
the same on every attempt), ``Webhook-Timestamp`` (Unix seconds of this
attempt) and ``Webhook-Signature``: ``v1=`` and the hex HMAC-SHA256 of
``f"{timestamp}.{body}"`` keyed with the endpoint's secret as shown to
admins. A 2xx answer is delivered; anything else, a timeout or a refused
connection is retried with backoff, and failed after the outbox's limit.
"""

import hashlib
import hmac
import time
from dataclasses import dataclass

import requests
from flask import current_app

from app import db
from app.clock import utcnow
from app.models import WebhookDelivery, WebhookEndpoint
from app.services import outbox, webhook_targets, webhooks

USER_AGENT = "LiveChat-Webhooks/1"
ERROR_CHARS = 500


def signature(secret: str, timestamp: int, body: str) -> str:
    """The ``Webhook-Signature`` header of a body sent at ``timestamp``."""
    signed = f"{timestamp}.{body}".encode()
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def headers(delivery_id: str, secret: str, body: str, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": delivery_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": signature(secret, timestamp, body),
    }


@dataclass(frozen=True)
class Outcome:
    response_code: int | None
    error: str | None  # None when delivered


@outbox.handler(webhooks.DELIVERY_JOB)
def deliver(job: outbox.Job) -> None:
    """Send one delivery; ``Retry`` unless the receiver answered 2xx."""
    delivery = db.session.get(WebhookDelivery, job.payload["delivery_id"])
    if delivery is None:  # its endpoint was deleted
        return
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint.deleted_at is not None or delivery.event not in endpoint.events.split():
        delivery.status = "dropped"
        return
    request = (endpoint.url, delivery.id, endpoint.secret, delivery.body)
    allow_private = webhooks.allow_private()
    db.session.rollback()  # no transaction open while waiting on the receiver
    outcome = post(*request, allow_private=allow_private)
    _note(job, request[1], outcome)
    if outcome.error is not None:
        raise outbox.Retry(outcome.error)


def post(url: str, delivery_id: str, secret: str, body: str, allow_private: bool) -> Outcome:
    """POST the body, signed now, to a vetted address; what came of it."""
    timeout = current_app.config["CHAT_WEBHOOK_TIMEOUT"]
    try:
        with webhook_targets.session(allow_private) as http:
            response = http.post(
                url,
                data=body.encode(),
                headers=headers(delivery_id, secret, body),
                timeout=timeout,
                allow_redirects=False,
                stream=True,  # the answer's body is never read
            )
            response.close()
    except webhook_targets.TargetRefused as refused:
        return Outcome(None, f"refused: {refused}")
    except requests.Timeout:
        return Outcome(None, f"no answer within {timeout:g} s")
    except requests.RequestException as exc:
        return Outcome(None, f"could not connect: {exc}")
    if 200 <= response.status_code < 300:
        return Outcome(response.status_code, None)
    return Outcome(response.status_code, f"HTTP {response.status_code}")


def _note(job: outbox.Job, delivery_id: str, outcome: Outcome) -> None:
    """Log the attempt on the delivery (committed with the job's outcome)."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return
    delivery.attempts += 1
    delivery.last_attempt_at = utcnow()
    delivery.response_code = outcome.response_code
    delivery.last_error = outcome.error[:ERROR_CHARS] if outcome.error else None
    if outcome.error is None:
        delivery.status = "delivered"
    elif job.last_attempt:
        delivery.status = "failed"
