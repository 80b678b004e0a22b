"""sources: where a permanent redirect moved a feed from, and when

A 301 or 308 on every hop updates a source's URL; ``moved_from`` keeps the address it had
before (so a feed file that still names it does not undo the move), ``moved_at`` the time.

Revision ID: 0007_source_moved
Revises: 0006
Create Date: 2026-12-02 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_source_moved'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moved_from', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('moved_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('moved_at')
        batch_op.drop_column('moved_from')
