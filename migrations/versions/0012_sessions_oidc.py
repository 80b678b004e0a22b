"""server-side web sessions, and the single sign-on identity of each user

web_sessions: one row per signed-in browser, keyed by the SHA-256 of the random id its session
cookie holds; deleting the row ends the session, whatever copy of the cookie exists. Sessions
from before this migration have no row: their users sign in again.

users.oidc_issuer / users.oidc_subject: who the provider says the user is, unique together;
set at the next single sign-on (which links by verified email once), matched on afterwards.

Revision ID: 0012_sessions_oidc
Revises: 0007_alert_reports
Create Date: 2026-12-03 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_sessions_oidc'
down_revision = '0007_alert_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'web_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('auth_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('user_agent', sa.String(length=200), nullable=False),
        sa.Column('id_token', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_web_sessions_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_user_id'), ['user_id'], unique=False)
    # Plain ALTER TABLE ... ADD COLUMN and a unique index: no table rebuild, so SQLite never
    # drops the users table (which every other table refers to: with foreign keys on, with data,
    # a rebuild fails).
    op.add_column('users', sa.Column('oidc_issuer', sa.String(length=500), nullable=True))
    op.add_column('users', sa.Column('oidc_subject', sa.String(length=255), nullable=True))
    op.create_index(
        'uq_users_oidc_issuer_oidc_subject', 'users', ['oidc_issuer', 'oidc_subject'], unique=True
    )


def downgrade():
    op.drop_index('uq_users_oidc_issuer_oidc_subject', table_name='users')
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL): again no rebuild of users.
    op.execute('ALTER TABLE users DROP COLUMN oidc_subject')
    op.execute('ALTER TABLE users DROP COLUMN oidc_issuer')
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_user_id'))
    op.drop_table('web_sessions')
