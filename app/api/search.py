"""Full-text search for agents."""

from typing import Annotated

from flask import current_app
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app import limiter
from app.api import bp
from app.api import responses as answers
from app.api.auth import agent_caller
from app.api.conversations import validated
from app.api.description import described, query_args
from app.realtime import payloads
from app.schemas import Text
from app.services import search

# Longer queries find nothing a shorter one would not.
MAX_QUERY_CHARS = 200


def _has_words(text: str) -> str:
    if not text.strip():
        raise ValueError("q is required")
    return text


class SearchQuery(BaseModel):
    """The query of ``GET /api/v1/search``."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    q: Annotated[
        Text,
        StringConstraints(min_length=1, max_length=MAX_QUERY_CHARS),
        AfterValidator(_has_words),
        Field(description="the words to find"),
    ]
    limit: Annotated[int, Field(ge=1, le=50)] = 20
    cursor: Annotated[str, Field(description="the next_cursor of the page before")] | None = None


def search_rate() -> str:
    return current_app.config["CHAT_SEARCH_RATE"]


@bp.route("/search", methods=["GET"])
@described(
    tag="search",
    auth="agent",
    query=SearchQuery,
    answers={200: answers.SearchPage},
    errors=("rate_limited",),
)
@limiter.limit(search_rate)
def search_messages():
    """Conversations whose messages, or visitor's name or email, contain
    every word of ``q`` (each also as a prefix; case and accents ignored),
    newest hit first (agents).

    Query: ``q`` (1 to 200 characters), ``limit`` (1 to 50, default 20),
    ``cursor`` (the ``next_cursor`` of the page before). Answers
    ``{"hits": [...], "next_cursor": str | null}``.
    """
    agent_caller()
    query = validated(SearchQuery, query_args(SearchQuery))
    results = search.search(query.q, query.cursor, query.limit)
    hits = [payloads.search_hit(hit) for hit in results.hits]
    return {"hits": hits, "next_cursor": results.cursor}
