"""API tokens: name, scope, last use; optional expiry

Revision ID: 1716169293ee
Revises: 25cf6e447a3f
Create Date: 2026-11-29 10:10:42.889313

Tokens already issued (for an email and password) keep their expiry and
become "read-write": they keep doing all they did.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1716169293ee'
down_revision = '25cf6e447a3f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column('scope', sa.String(length=16), server_default='read-write', nullable=False)
        )
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(), nullable=True))
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(), nullable=True)


def downgrade():
    # A token that never expires cannot be kept without an expiry: revoke it.
    op.execute("DELETE FROM api_tokens WHERE expires_at IS NULL")
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('scope')
        batch_op.drop_column('name')
