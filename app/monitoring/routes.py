"""For the proxy, process managers and Prometheus: health and metrics.

Neither needs a login, neither is cached, neither is rate limited: a
check that the limiter refused would take a healthy process out of service.
"""

from flask import current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST

from app import lifecycle, limiter, metrics
from app.monitoring import bp
from app.realtime.payloads import error
from app.services.health import database_answers


def _uncached(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """200 while this process takes events and its database answers; 503 and why, if not."""
    if lifecycle.draining():
        body, status = {"status": "draining", "reason": "the server is shutting down"}, 503
    elif not database_answers():
        body, status = {"status": "unavailable", "reason": "the database does not answer"}, 503
    else:
        body, status = {"status": "ok"}, 200
    response = jsonify(body)
    response.status_code = status
    return _uncached(response)


@bp.route("/metrics")
@limiter.exempt
def scrape():
    """The Prometheus metrics, to the addresses of ``CHAT_METRICS_ALLOW``."""
    if not current_app.config["CHAT_METRICS"]:
        return _refused("not_found", "metrics are off (CHAT_METRICS)", 404)
    if not metrics.may_scrape(current_app, request.remote_addr):
        return _refused("forbidden", "this address may not read the metrics", 403)
    response = current_app.response_class(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
    return _uncached(response)


def _refused(code: str, message: str, status: int):
    response = jsonify({"error": error(code, message)})
    response.status_code = status
    return _uncached(response)
