"""rounds: each analysis belongs to the round it was filed in; a carried-over action says
which round it was first added in

``analyses.round`` is the case's round when the analysis was filed. Existing analyses are
numbered from the audit trail: a case's round goes up by one at each reopen (a ``case.open``
event), so an analysis filed after k reopens belongs to round k + 1.

``case_actions.carried_from_round`` is set when a reopen carries a still-open action over to
the new round: the round it was first added in (kept when it is carried again), so each
earlier round still shows it, as carried. Null for an action that never moved.

Revision ID: 0027_rounds
Revises: 0022_sources_admin
Create Date: 2026-12-04 01:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0027_rounds'
down_revision = '0023_user_timezone'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'analyses', sa.Column('round', sa.Integer(), nullable=False, server_default='1')
    )
    op.add_column('case_actions', sa.Column('carried_from_round', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE analyses SET round = 1 + ("
        "SELECT count(*) FROM audit_events e WHERE e.case_id = analyses.case_id "
        "AND e.action = 'case.open' AND e.outcome = 'ok' AND e.at <= analyses.filed_at)"
    )


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+), not batch mode's table rebuild (see 0023).
    op.drop_column('case_actions', 'carried_from_round')
    op.drop_column('analyses', 'round')
