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
    # A plain DROP COLUMN (SQLite 3.35+ has one), not batch mode: batch mode would recreate
    # ``users``, which every case, analysis and audit row references, and SQLite refuses to
    # drop a table rows still point at.
    op.drop_column('users', 'timezone')
