"""notices: when the current claim started the notice's own Slack call

A deliverer killed mid-pass leaves its claimed rows 'sending'. Only a row whose own call was
started spends an attempt when its claim is taken back; the others return untouched.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('send_started_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('send_started_at')
