"""agents: when automatic assignment last gave each a chat; connected as told

Revision ID: 56a210313da2
Revises: ab52467899a5
Create Date: 2026-11-29 07:29:30.446638

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '56a210313da2'
down_revision = 'ab52467899a5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auto_assigned_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('connected', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_column('connected')
        batch_op.drop_column('auto_assigned_at')
