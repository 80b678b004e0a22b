"""monitoring: a decided case's re-review schedule and its re-reviews

``case_monitoring`` holds one row per case under monitoring (status ``monitoring``): the
review's owner, when the next re-review is due, the cadence in days, the last date a review may
fall on (``until``, e.g. when the law is fully in force), the round it was started in and when
the owner was last reminded. ``case_reviews`` keeps every re-review recorded (due, reviewed at,
by whom, outcome continue/reopen/end, note): the history stays when monitoring ends.

Downgrade drops both tables; a case still under monitoring goes back to ``decided`` (the
status the code before this revision knows).

Revision ID: 0026_monitoring
Revises: 0022_sources_admin
Create Date: 2026-12-04 01:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026_monitoring'
down_revision = '0025_law_stages'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_monitoring',
        sa.Column('case_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('next_review_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('every_days', sa.Integer(), nullable=False),
        sa.Column('until', sa.Date(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_by_id', sa.Integer(), nullable=True),
        sa.Column('last_reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_monitoring_case_id_cases'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_case_monitoring_owner_id_users')),
        sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_case_monitoring_started_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_monitoring')),
    )
    with op.batch_alter_table('case_monitoring', schema=None) as batch_op:
        batch_op.create_index('ix_case_monitoring_next_review_at', ['next_review_at'], unique=False)
        batch_op.create_index('ix_case_monitoring_owner_id', ['owner_id', 'next_review_at'], unique=False)
    op.create_table(
        'case_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=10), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_reviews_case_id_cases'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_case_reviews_reviewer_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_reviews')),
    )
    with op.batch_alter_table('case_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_reviews_case_id'), ['case_id'], unique=False)


def downgrade():
    op.execute("UPDATE cases SET status = 'decided' WHERE status = 'monitoring'")
    with op.batch_alter_table('case_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_reviews_case_id'))
    op.drop_table('case_reviews')
    with op.batch_alter_table('case_monitoring', schema=None) as batch_op:
        batch_op.drop_index('ix_case_monitoring_owner_id')
        batch_op.drop_index('ix_case_monitoring_next_review_at')
    op.drop_table('case_monitoring')
