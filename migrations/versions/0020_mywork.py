"""follows by user: an index on follows(user_id, case_id)

"Cases I follow" (on My work, and the ``?following=1`` filter of the case list) looks follows up
by user; the primary key (case_id, user_id) serves only lookups by case (the follower count).

Revision ID: 0020_mywork
Revises: 0016_search_split
Create Date: 2026-12-03 18:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020_mywork'
down_revision = '0017_drafts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.create_index('ix_follows_user_id', ['user_id', 'case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.drop_index('ix_follows_user_id')
