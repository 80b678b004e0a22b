"""sources admin: the settings an admin changed on a source, which the feed files no longer set

``sources.admin_fields`` lists the settings (title, url, jurisdiction, language, interval_min,
covers) an admin edited on the Sources page or through ``PATCH /api/v1/sources/<key>``: the
sync from ``feeds/*.toml`` leaves those alone, so an admin's edit is not undone by the next
``poll``/``tick``. Whether a source is enabled was never synced from the files.

Revision ID: 0022_sources_admin
Revises: 0016_search_split
Create Date: 2026-12-03 18:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022_sources_admin'
down_revision = '0020_mywork'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'sources',
        sa.Column('admin_fields', sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )


def downgrade():
    with op.batch_alter_table('sources') as batch_op:
        batch_op.drop_column('admin_fields')
