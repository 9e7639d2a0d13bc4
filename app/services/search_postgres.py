"""Search on PostgreSQL: the stored ``search_vector`` columns and their GIN
indexes (app/search_index.py).

Two plans answer "the newest matches": read the newest rows in id order and
check each (fast when many rows match, hopeless when few do), or collect
the matches from the GIN index and sort them (the other way round). The
planner cannot tell which words are rare when they are prefixes: it takes
at least 0.5% of the rows to match and walks a million rows for a word
that is in none. So the choice is made here, from ANALYZE's statistics of
the most common words, and the plan is pinned for that one statement.
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

from app import db

# Above this estimated share of matching rows, reading the newest rows in
# order finds a page within 21 / share rows (10,000 at most).
COMMON_SHARE = 0.002
VECTORS = {
    "messages": sa.literal_column("messages.search_vector", TSVECTOR),
    "conversations": sa.literal_column("conversations.search_vector", TSVECTOR),
}
_STATISTICS = sa.text(
    "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
    " WHERE schemaname = current_schema() AND tablename = :table AND attname = 'search_vector'"
)
# What each plan needs switched off, so that the planner takes it.
PINNED = {
    "in order": ("enable_bitmapscan",),
    "from the index": ("enable_indexscan", "enable_seqscan"),
}


def lexemes(terms: list[str]) -> list[str]:
    """The words normalised as the index normalises text (accents, case)."""
    vector = sa.func.to_tsvector(
        sa.literal_column("'simple'::regconfig"), sa.func.search_text(sa.literal(" ".join(terms)))
    )
    return list(db.session.scalars(sa.select(sa.func.unnest(sa.func.tsvector_to_array(vector)))))


def tsquery(words: list[str]) -> sa.ColumnElement:
    """Every lexeme as a prefix, each quoted: nothing is read as an operator."""
    quoted = ("'" + word.replace("\\", "\\\\").replace("'", "''") + "':*" for word in words)
    return sa.cast(" & ".join(quoted), TSQUERY)


def matching(table: str, words: list[str]) -> sa.ColumnElement:
    return VECTORS[table].op("@@")(tsquery(words))


def plan_for(table: str, words: list[str]) -> str:
    """ "in order" when the words are common enough, else "from the index"."""
    row = db.session.execute(_STATISTICS, {"table": table}).first()
    if row is None or row[0] is None:
        return "from the index"
    common = dict(zip(row[0], row[1], strict=False))
    share = 1.0
    for word in words:
        share *= min(1.0, sum(freq for elem, freq in common.items() if elem.startswith(word)))
    return "in order" if share >= COMMON_SHARE else "from the index"


def execute_pinned(statement: sa.Select, plan: str) -> list[sa.Row]:
    """Run ``statement`` with the planner held to ``plan``."""
    for setting in PINNED[plan]:
        db.session.execute(sa.text(f"SET LOCAL {setting} = off"))
    try:
        return list(db.session.execute(statement))
    finally:
        for setting in PINNED[plan]:
            db.session.execute(sa.text(f"RESET {setting}"))
