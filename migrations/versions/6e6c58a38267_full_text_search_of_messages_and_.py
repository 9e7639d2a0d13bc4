"""full-text search of messages and visitors

Revision ID: 6e6c58a38267
Revises: a060eed5bae8
Create Date: 2026-11-29 07:29:23.823180

SQLite: FTS5 tables over messages.body and conversations' visitor name and
email (external content: the text is not stored twice), filled from the rows
already there and kept in step by triggers. PostgreSQL: GIN indexes over a
stored tsvector of the same text, accents removed by an IMMUTABLE unaccent
wrapper.
The SQL is spelled out here (not imported from app/search_index.py) so that
this revision stays what it was when the app changes.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '6e6c58a38267'
down_revision = 'a060eed5bae8'
branch_labels = None
depends_on = None


SQLITE_UPGRADE = (
    """CREATE VIRTUAL TABLE search_messages USING fts5(
        body, content='messages', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2", prefix='1 2 3')""",
    """CREATE VIRTUAL TABLE search_visitors USING fts5(
        visitor_name, visitor_email, content='conversations', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2", prefix='1 2 3')""",
    """CREATE TRIGGER search_messages_insert AFTER INSERT ON messages BEGIN
        INSERT INTO search_messages (rowid, body) VALUES (new.id, new.body);
    END""",
    """CREATE TRIGGER search_messages_delete AFTER DELETE ON messages BEGIN
        INSERT INTO search_messages (search_messages, rowid, body)
        VALUES ('delete', old.id, old.body);
    END""",
    """CREATE TRIGGER search_messages_update AFTER UPDATE OF body ON messages BEGIN
        INSERT INTO search_messages (search_messages, rowid, body)
        VALUES ('delete', old.id, old.body);
        INSERT INTO search_messages (rowid, body) VALUES (new.id, new.body);
    END""",
    """CREATE TRIGGER search_visitors_insert AFTER INSERT ON conversations BEGIN
        INSERT INTO search_visitors (rowid, visitor_name, visitor_email)
        VALUES (new.id, new.visitor_name, new.visitor_email);
    END""",
    """CREATE TRIGGER search_visitors_delete AFTER DELETE ON conversations BEGIN
        INSERT INTO search_visitors (search_visitors, rowid, visitor_name, visitor_email)
        VALUES ('delete', old.id, old.visitor_name, old.visitor_email);
    END""",
    """CREATE TRIGGER search_visitors_update
    AFTER UPDATE OF visitor_name, visitor_email ON conversations BEGIN
        INSERT INTO search_visitors (search_visitors, rowid, visitor_name, visitor_email)
        VALUES ('delete', old.id, old.visitor_name, old.visitor_email);
        INSERT INTO search_visitors (rowid, visitor_name, visitor_email)
        VALUES (new.id, new.visitor_name, new.visitor_email);
    END""",
    # Index what is already stored.
    "INSERT INTO search_messages (search_messages) VALUES ('rebuild')",
    "INSERT INTO search_visitors (search_visitors) VALUES ('rebuild')",
)

SQLITE_DOWNGRADE = (
    "DROP TRIGGER search_messages_insert",
    "DROP TRIGGER search_messages_delete",
    "DROP TRIGGER search_messages_update",
    "DROP TRIGGER search_visitors_insert",
    "DROP TRIGGER search_visitors_delete",
    "DROP TRIGGER search_visitors_update",
    "DROP TABLE search_messages",
    "DROP TABLE search_visitors",
)

POSTGRES_UPGRADE = (
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    """CREATE FUNCTION search_text(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
    $$ SELECT regexp_replace(public.unaccent('public.unaccent'::regdictionary, $1),
                             '[[:punct:]]+', ' ', 'g') $$""",
    # Computed for the rows already there, then kept by PostgreSQL itself.
    """ALTER TABLE messages ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text(body))) STORED""",
    """ALTER TABLE conversations ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text(
        coalesce(visitor_name, '') || ' ' || coalesce(visitor_email, '')))) STORED""",
    "CREATE INDEX search_messages ON messages USING gin (search_vector)",
    "CREATE INDEX search_visitors ON conversations USING gin (search_vector)",
)

# The unaccent extension stays: other objects of the database may use it.
POSTGRES_DOWNGRADE = (
    "DROP INDEX search_visitors",
    "DROP INDEX search_messages",
    "ALTER TABLE conversations DROP COLUMN search_vector",
    "ALTER TABLE messages DROP COLUMN search_vector",
    "DROP FUNCTION search_text(text)",
)


def run(statements_by_dialect):
    for statement in statements_by_dialect[op.get_bind().dialect.name]:
        op.execute(statement)


def upgrade():
    run({"sqlite": SQLITE_UPGRADE, "postgresql": POSTGRES_UPGRADE})


def downgrade():
    run({"sqlite": SQLITE_DOWNGRADE, "postgresql": POSTGRES_DOWNGRADE})
