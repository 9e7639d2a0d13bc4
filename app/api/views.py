"""The inbox's conversation list over HTTP: views, sorts, cursor paging."""

from flask import request

from app.api import bp
from app.api.auth import agent_caller
from app.api.conversations import int_params
from app.api.cursors import decode, encode
from app.errors import ChatError
from app.realtime import payloads
from app.realtime.counts import counts_payload
from app.services import views

DEFAULT_LIMIT, MAX_LIMIT = 50, 200


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, default)
    if value not in allowed:
        raise ChatError("invalid", f"{name} must be one of {', '.join(allowed)}")
    return value


@bp.route("/conversations", methods=["GET"])
def list_conversations():
    """The inbox: a page of conversation summaries (agents).

    Query: ``view`` (mine, unassigned, open, snoozed, resolved, all; default
    all), ``sort`` (latest, the default, or waiting), ``limit`` (1 to 200,
    default 50) and ``cursor`` (the ``next_cursor`` of the previous page).
    Answers ``{conversations, next_cursor}``; ``next_cursor`` is null on the
    last page (and left out there when none of view, sort and cursor was
    given, as the answer was before paging). A first page asked for by
    ``view`` also carries ``counts``.
    """
    identity = agent_caller()
    view = _choice("view", views.VIEWS, "all")
    sort = _choice("sort", views.SORTS, "latest")
    limit = int_params(("limit",)).get("limit", DEFAULT_LIMIT)
    if not 1 <= limit <= MAX_LIMIT:
        raise ChatError("invalid", f"limit must be 1 to {MAX_LIMIT}")
    cursor = request.args.get("cursor")
    after = decode(cursor, view, sort) if cursor is not None else None
    found = views.page(view, sort, identity.agent_id, limit, after)
    answer = {
        "conversations": [payloads.summary(summary) for summary in found.summaries],
        "next_cursor": encode(view, sort, found.next) if found.next is not None else None,
    }
    if answer["next_cursor"] is None and not request.args.keys() & {"view", "sort", "cursor"}:
        del answer["next_cursor"]  # the answer of old clients, unchanged but for paging
    if cursor is None and "view" in request.args:
        answer["counts"] = counts_payload(views.counts(), identity.agent_id)
    return answer
