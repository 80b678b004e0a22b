"""comments: discussion on a case and on each function's analysis

``comments`` holds each comment: its case, its thread (``function_key`` '' for the case's own,
else the function whose analysis it discusses), an optional question to another function
(``to_function``), the author, the text, whether it was written in a privileged thread, the
analysis version and round it was written in, its version and when it was posted and last
edited. ``comment_versions`` keeps every earlier text of an edited comment;
``comment_mentions`` the people a comment mentioned and told.

Downgrade drops the three tables.

Revision ID: 0030_comments
Revises: 0026_monitoring
Create Date: 2026-12-04 18:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0030_comments'
down_revision = '0029_required_questions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('function_key', sa.String(length=50), server_default='', nullable=False),
        sa.Column('to_function', sa.String(length=50), server_default='', nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('privileged', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('analysis_version', sa.Integer(), nullable=True),
        sa.Column('round', sa.Integer(), server_default='1', nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_comments_author_id_users')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_comments_case_id_cases'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comments')),
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_case_id_created_at', ['case_id', 'created_at'], unique=False)
    op.create_table(
        'comment_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_versions_comment_id_comments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_versions')),
        sa.UniqueConstraint('comment_id', 'version', name=op.f('uq_comment_versions_comment_id_version')),
    )
    op.create_table(
        'comment_mentions',
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('notified_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_mentions_comment_id_comments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_comment_mentions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('comment_id', 'user_id', name=op.f('pk_comment_mentions')),
    )


def downgrade():
    op.drop_table('comment_mentions')
    op.drop_table('comment_versions')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_case_id_created_at')
    op.drop_table('comments')
