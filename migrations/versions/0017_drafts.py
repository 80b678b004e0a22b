"""drafts: what a user typed into a form and has not submitted yet

One row per user and form (``analysis:<ref>:<function>``, ``decision:<ref>``, ``action:<ref>``):
the fields as posted (JSON), the case it belongs to (a draft goes with its case, and is read
only by someone who may still see the case) and when it was last saved. Autosave writes it as
the user types; an expired session or a re-authentication keeps a submitted form in it; a
successful submission deletes it.

Downgrade drops the table (unsubmitted drafts are lost, nothing else).

Revision ID: 0017_drafts
Revises: 0016_search_split
Create Date: 2026-12-03 18:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017_drafts'
down_revision = '0016_search_split'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('form_key', sa.String(length=120), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_drafts_case_id_cases'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_drafts_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts')),
        sa.UniqueConstraint('user_id', 'form_key', name=op.f('uq_drafts_user_id_form_key')),
    )
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drafts_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drafts_case_id'))
    op.drop_table('drafts')
