"""case outcomes: what the government did next after a round of a case, and the lesson learned

``case_outcomes`` holds one row per case and round: the government's response (a word of
``vocabulary.GovernmentResponse``: backed_down, amended, fined, blocked, court_ruling_for_us…),
a note on it, the lesson learned, who recorded it and when. Closing a case asks for it; it can
be recorded or corrected later. A reopen starts a new round, so the earlier round's row stays.
The unique (case_id, round) index also serves precedent's lookup of a case's latest outcome.

Downgrade drops the table.

Revision ID: 0032_case_outcomes
Revises: 0026_monitoring
Create Date: 2026-12-04 18:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0032_case_outcomes'
down_revision = '0031_attachments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_outcomes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('government_response', sa.String(length=40), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('lesson', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_outcomes_case_id_cases'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_case_outcomes_recorded_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_outcomes')),
        sa.UniqueConstraint('case_id', 'round', name=op.f('uq_case_outcomes_case_id_round')),
    )


def downgrade():
    op.drop_table('case_outcomes')
