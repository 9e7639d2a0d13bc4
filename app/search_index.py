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
SQLITE_CREATE = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_messages USING fts5(
        body, content='messages', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2")""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_visitors USING fts5(
        visitor_name, visitor_email, content='conversations', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2")""",
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
POSTGRES_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    """CREATE OR REPLACE FUNCTION search_text(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
    $$ SELECT regexp_replace(public.unaccent('public.unaccent'::regdictionary, $1),
                             '[[:punct:]]+', ' ', 'g') $$""",
    """CREATE INDEX IF NOT EXISTS search_messages ON messages
    USING gin (to_tsvector('simple'::regconfig, search_text(body)))""",
    """CREATE INDEX IF NOT EXISTS search_visitors ON conversations
    USING gin (to_tsvector('simple'::regconfig,
        search_text(coalesce(visitor_name, '') || ' ' || coalesce(visitor_email, ''))))""",
)

POSTGRES_DROP = (
    "DROP INDEX IF EXISTS search_visitors",
    "DROP INDEX IF EXISTS search_messages",
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
