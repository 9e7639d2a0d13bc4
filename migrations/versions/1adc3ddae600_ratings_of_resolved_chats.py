"""ratings of resolved chats: one per resolution, with an optional comment

Revision ID: 1adc3ddae600
Revises: 126b03a2d9e1
Create Date: 2026-11-29 10:11:15.174822

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "1adc3ddae600"
down_revision = "126b03a2d9e1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("resolution_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="ck_ratings_score"),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name="fk_ratings_agent", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_ratings_conversation",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"], ["activities.id"], name="fk_ratings_resolution", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("resolution_id", name="uq_ratings_resolution"),
    )
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.create_index("ix_ratings_agent_id", ["agent_id"], unique=False)
        batch_op.create_index("ix_ratings_conversation", ["conversation_id", "id"], unique=False)

    # Reports read the conversations that started in a period.
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index("ix_conversations_created_at", ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_created_at")

    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_ratings_conversation")
        batch_op.drop_index("ix_ratings_agent_id")

    op.drop_table("ratings")
