"""Full-text search over every message and every visitor's name and email.

Every word of the query must match, each also as the start of a longer word
("refun" finds "refund"); case and accents never matter. What the agent
typed never reaches FTS5 or PostgreSQL as syntax: it is cut into words, and
each word is quoted. Hits come newest first, a page at a time.
"""

import heapq
import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app import db
from app.errors import ChatError
from app.models import Agent, Conversation, Message
from app.services import search_postgres
from app.services.history import Summary

# Words are runs of letters and digits, as FTS5's unicode61 splits text.
WORD = re.compile(r"[^\W_]+")
# Enough to find anything; more words only make a query slower.
MAX_WORDS = 16
# Characters of a message shown around its first matching word.
SNIPPET_CHARS = 160


@dataclass(frozen=True)
class Hit:
    """A conversation found by one of its messages or by its visitor."""

    summary: Summary
    message: Message | sa.Row | None  # None: the visitor's name or email matched
    snippet: list[tuple[str, bool]]  # (text, matched) parts
    at: datetime


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    cursor: str | None  # for the next page, or None when there is none


def fold(text: str) -> str:
    """Lower case without accents: "Café" -> "cafe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(query: str) -> list[str]:
    """The query's words, folded; punctuation and operators fall away."""
    found = WORD.findall(fold(query))
    if len(found) > MAX_WORDS:
        raise ChatError("invalid", f"a search may have at most {MAX_WORDS} words")
    return found


def search(query: str, cursor: str | None = None, limit: int = 20) -> Results:
    """Messages and visitors matching every word of ``query``, newest first.

    ``cursor`` continues from an earlier page (its ``Results.cursor``).
    """
    terms = words(query)
    before_message, before_visitor = parse_cursor(cursor)
    if not terms:
        return Results([], None)
    messages = _matching_messages(terms, before_message, limit + 1) if before_message != 0 else []
    visitors = _matching_visitors(terms, before_visitor, limit + 1) if before_visitor != 0 else []
    # Each kind comes newest id first; merged by time, a page shows the
    # first of each, so the next continues below the last shown.
    merged = heapq.merge(
        [(m.created_at, "m", m) for m in messages],
        [(c.created_at, "c", c) for c in visitors],
        key=lambda item: item[0],
        reverse=True,
    )
    page = list(itertools.islice(merged, limit))
    positions = (
        _position(messages, [row for _at, kind, row in page if kind == "m"]),
        _position(visitors, [row for _at, kind, row in page if kind == "c"]),
    )
    more = any(positions)
    return Results(_hits(page, terms), "{}.{}".format(*positions) if more else None)


def _position(fetched: list, shown: list) -> int:
    """Where the next page continues one kind of hit: below this id, or 0
    when every hit of that kind has been shown."""
    if len(shown) == len(fetched):
        return 0
    if shown:
        return min(row.id for row in shown)
    return max(row.id for row in fetched) + 1


def parse_cursor(cursor: str | None) -> tuple[int | None, int | None]:
    """The ids below which each kind of hit continues: None from the newest,
    0 for none left."""
    if cursor is None:
        return None, None
    parts = cursor.split(".")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) < 16 for p in parts):
        raise ChatError("invalid", "cursor is not one this search returned")
    return int(parts[0]), int(parts[1])


def _matching_messages(terms: list[str], before_id: int | None, limit: int) -> list[sa.Row]:
    if db.engine.dialect.name == "postgresql":
        return _postgres_messages(terms, before_id, limit)
    return _sqlite_messages(terms, before_id, limit)


def _matching_visitors(terms: list[str], before_id: int | None, limit: int) -> list[sa.Row]:
    if db.engine.dialect.name == "postgresql":
        return _postgres_visitors(terms, before_id, limit)
    return _sqlite_visitors(terms, before_id, limit)


# SQLite: FTS5 tables, read newest rowid first, so that LIMIT stops the scan.


def fts5_query(terms: list[str]) -> str:
    """An FTS5 query where every term is a quoted prefix: no operators."""
    return " AND ".join('"' + term.replace('"', '""') + '"*' for term in terms)


def _fts5_rowids(table: str) -> sa.Subquery:
    """Rowids of an FTS5 table's matches, newest first (the table name is ours)."""
    return (
        sa.text(
            f"SELECT rowid FROM {table} WHERE {table} MATCH :match"
            " AND rowid < :before ORDER BY rowid DESC LIMIT :limit"
        )
        .columns(rowid=sa.Integer)
        .subquery("found")
    )


def _sqlite_messages(terms: list[str], before_id: int | None, limit: int) -> list[sa.Row]:
    found = _fts5_rowids("search_messages")
    statement = (
        sa.select(*Message.__table__.c)
        .join(found, Message.id == found.c.rowid)
        .order_by(Message.id.desc())
    )
    params = {"match": fts5_query(terms), "before": before_id or 2**62, "limit": limit}
    return list(db.session.execute(statement, params))


def _sqlite_visitors(terms: list[str], before_id: int | None, limit: int) -> list[sa.Row]:
    found = _fts5_rowids("search_visitors")
    statement = (
        sa.select(Conversation.id, Conversation.created_at)
        .join(found, Conversation.id == found.c.rowid)
        .order_by(Conversation.id.desc())
    )
    params = {"match": fts5_query(terms), "before": before_id or 2**62, "limit": limit}
    return list(db.session.execute(statement, params))


# PostgreSQL: app/services/search_postgres.py picks the plan.


def message_query(words: list[str], before_id: int | None, limit: int) -> sa.Select:
    """Messages matching every lexeme as a prefix, newest first."""
    statement = (
        sa.select(*Message.__table__.c)
        .where(search_postgres.matching("messages", words))
        .order_by(Message.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        statement = statement.where(Message.id < before_id)
    return statement


def _postgres_messages(terms: list[str], before_id: int | None, limit: int) -> list[sa.Row]:
    words = search_postgres.lexemes(terms)
    if not words:
        return []
    plan = search_postgres.plan_for("messages", words)
    return search_postgres.execute_pinned(message_query(words, before_id, limit), plan)


def _postgres_visitors(terms: list[str], before_id: int | None, limit: int) -> list[sa.Row]:
    words = search_postgres.lexemes(terms)
    if not words:
        return []
    statement = (
        sa.select(Conversation.id, Conversation.created_at)
        .where(search_postgres.matching("conversations", words))
        .order_by(Conversation.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        statement = statement.where(Conversation.id < before_id)
    plan = search_postgres.plan_for("conversations", words)
    return search_postgres.execute_pinned(statement, plan)


# The hits: summaries of their conversations, and snippets.

_SUMMARIES = (
    sa.select(*Conversation.__table__.c, Agent.name.label("assignee_name"), Message)
    .outerjoin(Agent, Agent.id == Conversation.assignee_id)
    .outerjoin(
        Message,
        sa.and_(Message.conversation_id == Conversation.id, Message.seq == Conversation.last_seq),
    )
)


def _summaries(conversation_ids: set[int]) -> dict[int, Summary]:
    if not conversation_ids:
        return {}
    rows = db.session.execute(_SUMMARIES.where(Conversation.id.in_(conversation_ids)))
    return {row.id: Summary(row, row.Message) for row in rows}


def _hits(page: list, terms: list[str]) -> list[Hit]:
    cids = {row.conversation_id if kind == "m" else row.id for _at, kind, row in page}
    summaries = _summaries(cids)
    hits = []
    for at, kind, row in page:
        if kind == "m":
            hits.append(Hit(summaries[row.conversation_id], row, snippet(row.body, terms), at))
            continue
        conversation = summaries[row.id].conversation
        text = " · ".join(filter(None, (conversation.visitor_name, conversation.visitor_email)))
        hits.append(Hit(summaries[row.id], None, snippet(text, terms), at))
    return hits


def snippet(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """About SNIPPET_CHARS of ``text`` around its first matching word, as
    (text, matched) parts; the client marks the matched ones."""
    spans = [m.span() for m in WORD.finditer(text) if fold(m.group()).startswith(tuple(terms))]
    start = 0
    if spans and spans[0][1] > SNIPPET_CHARS:
        start = max(0, spans[0][0] - SNIPPET_CHARS // 3)
    end = min(len(text), start + SNIPPET_CHARS)
    parts: list[tuple[str, bool]] = [("…", False)] if start else []
    position = start
    for first, last in spans:
        if first < position or last > end:
            continue
        parts += [(text[position:first], False), (text[first:last], True)]
        position = last
    parts.append((text[position:end] + ("…" if end < len(text) else ""), False))
    return [(part, matched) for part, matched in parts if part]
