"""feed items and alerts: the language detected, and regions below the national level

Each item's language is detected among the languages the flagging rules cover; an alert keeps
the language of the item that raised it and the regions its reports named ("Manipur (IN)").
Rows from before stay "" and [] (they were read as English, without regions).

Revision ID: 0010_item_language
Revises: 0009
Create Date: 2026-12-02 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_item_language'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=False, server_default=''))
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('regions', sa.JSON(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('regions')
        batch_op.drop_column('language')
    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.drop_column('language')
