"""The inbox's conversation list over HTTP: views, sorts, cursor paging."""

from typing import Annotated, Literal

from flask import request
from pydantic import BaseModel, ConfigDict, Field

from app.api import bp
from app.api import responses as answers
from app.api.auth import agent_caller
from app.api.conversations import validated
from app.api.cursors import MAX_CURSOR_CHARS, decode, encode
from app.api.description import described, query_args
from app.realtime import payloads
from app.realtime.counts import counts_payload
from app.services import views

DEFAULT_LIMIT, MAX_LIMIT = 50, 200


class ListQuery(BaseModel):
    """The query of ``GET /api/v1/conversations``."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    view: Literal[views.VIEWS] = "all"
    sort: Literal[views.SORTS] = "latest"
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    cursor: (
        Annotated[
            str,
            Field(max_length=MAX_CURSOR_CHARS, description="the next_cursor of the page before"),
        ]
        | None
    ) = None


@bp.route("/conversations", methods=["GET"])
@described(
    tag="conversations", auth="agent", query=ListQuery, answers={200: answers.ConversationPage}
)
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
    query = validated(ListQuery, query_args(ListQuery))
    view, sort, cursor = query.view, query.sort, query.cursor
    after = decode(cursor, view, sort) if cursor is not None else None
    found = views.page(view, sort, identity.agent_id, query.limit, after)
    answer = {
        "conversations": [payloads.summary(summary) for summary in found.summaries],
        "next_cursor": encode(view, sort, found.next) if found.next is not None else None,
    }
    if answer["next_cursor"] is None and not request.args.keys() & {"view", "sort", "cursor"}:
        del answer["next_cursor"]  # the answer of old clients, unchanged but for paging
    if cursor is None and "view" in request.args:
        answer["counts"] = counts_payload(views.counts(), identity.agent_id)
    return answer
