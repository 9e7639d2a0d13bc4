"""`flask db upgrade` gives API tokens a name, a scope and a last use: tokens
already issued keep working, read-write, with their expiry."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import db
from app.models import ApiToken
from app.services import tokens
from tests.harness.credentials import AGENT_EMAIL

# The head before API tokens had names and scopes.
BEFORE_SCOPES = "25cf6e447a3f"
SECRET = "an-existing-token-" + "x" * 30


def _fresh_database_at(revision: str) -> None:
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision=revision)


def _old_token() -> None:
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO agents (id, email, name, password_hash, disabled, role, available,"
                " connected, created_at) VALUES (1, :email, 'Tess', 'x', false, 'agent', true,"
                " false, '2026-03-01')"
            ),
            {"email": AGENT_EMAIL},
        )
        connection.execute(
            sa.text(
                "INSERT INTO api_tokens (agent_id, token_hash, created_at, expires_at)"
                " VALUES (1, :hash, '2026-03-01', '2999-01-01')"
            ),
            {"hash": tokens.hash_secret(SECRET)},
        )


def test_upgrade_keeps_tokens_working_and_read_write(app):
    _fresh_database_at(BEFORE_SCOPES)
    _old_token()

    upgrade()

    db.session.expire_all()
    [row] = db.session.scalars(sa.select(ApiToken))
    assert (row.name, row.scope, row.last_used_at) == (None, "read-write", None)
    assert row.expires_at.year == 2999
    assert tokens.find_token(SECRET).id == row.id
    # A token that never expires can now be stored.
    tokens.create_named_token(1, "bot", "read", None)


def test_downgrade_revokes_tokens_that_never_expire(app):
    _fresh_database_at(BEFORE_SCOPES)
    _old_token()
    upgrade()
    tokens.create_named_token(1, "bot", "read", None)
    db.session.remove()

    downgrade(revision=BEFORE_SCOPES)

    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM api_tokens")).scalar() == 1
    upgrade()
