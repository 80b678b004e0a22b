"""user timezone: each person's own time zone for reminders

``users.timezone`` is an IANA name (``Asia/Tokyo``); NULL means ``[REMINDERS] TIMEZONE``.
A person's reminders go out within working hours in their own time zone (jobs.sweep_reminders).

Revision ID: 0023_user_timezone
Revises: 0022_sources_admin
Create Date: 2026-12-04 01:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023_user_timezone'
down_revision = '0022_sources_admin'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('timezone')
