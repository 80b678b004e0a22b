"""attachments: files kept as evidence on a case or on a function's analysis

``attachments`` holds one row per file: the case, the function ('' for the case itself), the
name it is shown under, its kind (extension), Content-Type, size, SHA-256 (the content's
address in the store, unique per case), description, whether it is privileged, who attached
it and when. The bytes live in the attachment store (instance folder or S3), not here.

Downgrade drops the table (the stored files stay where they are).

Revision ID: 0031_attachments
Revises: 0026_monitoring
Create Date: 2026-12-04 18:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0031_attachments'
down_revision = '0030_comments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('function_key', sa.String(length=50), server_default='', nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('content_type', sa.String(length=120), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('description', sa.Text(), server_default='', nullable=False),
        sa.Column('privileged', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_attachments_case_id_cases'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
        sa.UniqueConstraint('case_id', 'sha256', name=op.f('uq_attachments_case_id_sha256')),
    )
    op.create_index('ix_attachments_case_id_function_key', 'attachments', ['case_id', 'function_key'], unique=False)


def downgrade():
    op.drop_index('ix_attachments_case_id_function_key', table_name='attachments')
    op.drop_table('attachments')
