"""required questions: a function's draft filing, kept until it files for real

``analysis_drafts`` holds at most one row per case and function: what a lead submitted while a
required playbook question was still open (or asked to keep as a draft): its text, answers,
recommendation, privilege flag, author, the case's round and when it was saved. An assignment
with such a filing and no complete one is ``draft`` (``assignments.status``, a String(10): no
column changes).

Downgrade drops the table (draft filings are lost; every filed version is kept) and turns
``draft`` assignments back into ``pending``, the status the code before this revision knows.

Revision ID: 0029_required_questions
Revises: 0026_monitoring
Create Date: 2026-12-04 18:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0029_required_questions'
down_revision = '0028_assignees'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'analysis_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('function_key', sa.String(length=50), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('recommendation', sa.String(length=60), nullable=False),
        sa.Column('privileged', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('round', sa.Integer(), server_default='1', nullable=False),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_analysis_drafts_author_id_users')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_analysis_drafts_case_id_cases'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_drafts')),
        sa.UniqueConstraint('case_id', 'function_key', name=op.f('uq_analysis_drafts_case_id_function_key')),
    )


def downgrade():
    op.execute("UPDATE assignments SET status = 'pending' WHERE status = 'draft'")
    op.drop_table('analysis_drafts')
