"""email notices: each person chooses how notices reach them

``users.notify_by`` is ``slack`` (the default, what every existing user keeps), ``email`` or
``both``. E-mail notices are outbox rows like Slack's (audience ``email:<address>``), so the
notices table needs no change.

Revision ID: 0033_email_notices
Revises: 0026_monitoring
Create Date: 2026-12-04 18:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0033_email_notices"
down_revision = '0032_case_outcomes'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "users",
        sa.Column("notify_by", sa.String(length=10), nullable=False, server_default="slack"),
    )


def downgrade():
    # A plain DROP COLUMN, not batch mode: batch mode would recreate ``users``, which SQLite
    # refuses while rows reference it (see 0023_user_timezone).
    op.drop_column("users", "notify_by")
