"""The full-text index of messages and visitors' names and emails, in SQL.

SQLite keeps two FTS5 tables over the rows themselves (external content, so
the text is stored once), kept in step by triggers. PostgreSQL needs no
table: GIN indexes over a ``tsvector`` expression of the same text.

These statements run with ``db.create_all()`` (tests, a new database); the
migration that adds the index to an existing database holds its own copy,
as a migration must not change when this file does. Objects are named
``search_*`` so that migrations/env.py leaves them out of autogenerate.
"""

import sqlalchemy as sa

from app import db

# unicode61 with diacritics removed: "café", "CAFE" and "cafe" are one word.
# Prefix indexes for 1 to 3 letters: without them a short prefix ("t", "re")
# merges the lists of thousands of words, 0.1 to 1.5 s over a million
# messages; with them it is one list read newest first (under 1 ms). They
# make the index about three times larger (41 MB to 128 MB for 1,000,000
# messages, beside 200 MB of messages).
SQLITE_CREATE = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_messages USING fts5(
        body, content='messages', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2", prefix='1 2 3')""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_visitors USING fts5(
        visitor_name, visitor_email, content='conversations', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2", prefix='1 2 3')""",
    """CREATE TRIGGER IF NOT EXISTS search_messages_insert AFTER INSERT ON messages BEGIN
        INSERT INTO search_messages (rowid, body) VALUES (new.id, new.body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_messages_delete AFTER DELETE ON messages BEGIN
        INSERT INTO search_messages (search_messages, rowid, body)
        VALUES ('delete', old.id, old.body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_messages_update AFTER UPDATE OF body ON messages
    BEGIN
        INSERT INTO search_messages (search_messages, rowid, body)
        VALUES ('delete', old.id, old.body);
        INSERT INTO search_messages (rowid, body) VALUES (new.id, new.body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_visitors_insert AFTER INSERT ON conversations BEGIN
        INSERT INTO search_visitors (rowid, visitor_name, visitor_email)
        VALUES (new.id, new.visitor_name, new.visitor_email);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_visitors_delete AFTER DELETE ON conversations BEGIN
        INSERT INTO search_visitors (search_visitors, rowid, visitor_name, visitor_email)
        VALUES ('delete', old.id, old.visitor_name, old.visitor_email);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_visitors_update
    AFTER UPDATE OF visitor_name, visitor_email ON conversations BEGIN
        INSERT INTO search_visitors (search_visitors, rowid, visitor_name, visitor_email)
        VALUES ('delete', old.id, old.visitor_name, old.visitor_email);
        INSERT INTO search_visitors (rowid, visitor_name, visitor_email)
        VALUES (new.id, new.visitor_name, new.visitor_email);
    END""",
)

SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_messages_insert",
    "DROP TRIGGER IF EXISTS search_messages_delete",
    "DROP TRIGGER IF EXISTS search_messages_update",
    "DROP TRIGGER IF EXISTS search_visitors_insert",
    "DROP TRIGGER IF EXISTS search_visitors_delete",
    "DROP TRIGGER IF EXISTS search_visitors_update",
    "DROP TABLE IF EXISTS search_messages",
    "DROP TABLE IF EXISTS search_visitors",
)

# unaccent() is only STABLE (its dictionary could change), so an index needs
# an IMMUTABLE wrapper; it also turns punctuation into spaces, so that words
# split as SQLite's unicode61 splits them ("ana@example.com" is three words).
# The tsvector is a stored column, not only an index expression: a query
# for a common word reads the newest messages in id order and checks each,
# which costs a microsecond against a stored vector and 35 recomputing it.
_VISITOR_TEXT = "coalesce(visitor_name, '') || ' ' || coalesce(visitor_email, '')"
POSTGRES_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    """CREATE OR REPLACE FUNCTION search_text(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
    $$ SELECT regexp_replace(public.unaccent('public.unaccent'::regdictionary, $1),
                             '[[:punct:]]+', ' ', 'g') $$""",
    """ALTER TABLE messages ADD COLUMN IF NOT EXISTS search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text(body))) STORED""",
    f"""ALTER TABLE conversations ADD COLUMN IF NOT EXISTS search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text({_VISITOR_TEXT}))) STORED""",
    "CREATE INDEX IF NOT EXISTS search_messages ON messages USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS search_visitors ON conversations USING gin (search_vector)",
)

POSTGRES_DROP = (
    "DROP INDEX IF EXISTS search_visitors",
    "DROP INDEX IF EXISTS search_messages",
    "ALTER TABLE conversations DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE messages DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS search_text(text)",
)

CREATE = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}
DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}


def create(connection: sa.Connection) -> None:
    """Create the index (where missing) on this connection's database."""
    for statement in CREATE.get(connection.dialect.name, ()):
        connection.exec_driver_sql(statement)


def drop(connection: sa.Connection) -> None:
    for statement in DROP.get(connection.dialect.name, ()):
        connection.exec_driver_sql(statement)


def _after_create(_metadata, connection, **_kw) -> None:
    create(connection)


def _before_drop(_metadata, connection, **_kw) -> None:
    drop(connection)


def listen(metadata: sa.MetaData) -> None:
    """Create the index with the tables and drop it before them."""
    sa.event.listen(metadata, "after_create", _after_create)
    sa.event.listen(metadata, "before_drop", _before_drop)


listen(db.metadata)
