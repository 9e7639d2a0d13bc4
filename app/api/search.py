"""Full-text search for agents."""

from flask import current_app, request

from app import limiter
from app.api import bp
from app.api.auth import agent_caller
from app.api.conversations import int_params
from app.errors import ChatError
from app.realtime import payloads
from app.services import search

# Longer queries find nothing a shorter one would not.
MAX_QUERY_CHARS = 200


def search_rate() -> str:
    return current_app.config["CHAT_SEARCH_RATE"]


@bp.route("/search", methods=["GET"])
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
    query = request.args.get("q", "")
    if not query.strip():
        raise ChatError("invalid", "q is required")
    if len(query) > MAX_QUERY_CHARS:
        raise ChatError("invalid", f"q may have at most {MAX_QUERY_CHARS} characters")
    limit = int_params(("limit",)).get("limit", 20)
    if not 1 <= limit <= 50:
        raise ChatError("invalid", "limit must be 1 to 50")
    results = search.search(query, request.args.get("cursor"), limit)
    hits = [payloads.search_hit(hit) for hit in results.hits]
    return {"hits": hits, "next_cursor": results.cursor}
