"""conversations count the visitor's messages: the first is found without a query

Revision ID: 3c0d9b7e51a2
Revises: 1adc3ddae600
Create Date: 2026-11-29 13:50:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3c0d9b7e51a2"
down_revision = "1adc3ddae600"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "conversations",
        sa.Column("visitor_messages", sa.Integer(), nullable=False, server_default="0"),
    )
    op.execute(
        "UPDATE conversations SET visitor_messages = (SELECT count(*) FROM messages"
        " WHERE messages.conversation_id = conversations.id AND messages.sender = 'visitor')"
    )


def downgrade():
    # Not a batch: recreating the table would drop its search triggers.
    op.drop_column("conversations", "visitor_messages")
