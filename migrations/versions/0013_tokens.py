"""API tokens: a name and an expiry

``api_tokens.label`` becomes ``name`` (every token has one: an empty label becomes
``token-<id>``; a name repeated among one user's live tokens gets ``-<id>`` appended, so each
live name is unique, see incident_hub/auth/tokens.py), and ``expires_at`` is added. Existing
tokens expire 90 days after the upgrade (not after their creation): nobody's integration is
locked out by the upgrade itself, and every old token still stops working within 90 days.

Downgrade drops the expiry and renames ``name`` back to ``label``.

Revision ID: 0013_tokens
Revises: 0007_alert_reports
Create Date: 2026-12-03 15:00:00.000000

"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_tokens'
down_revision = '0012_sessions_oidc'
branch_labels = None
depends_on = None

UPGRADE_GRACE_DAYS = 90


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('label', new_column_name='name', existing_type=sa.String(length=100),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table(
        'api_tokens',
        sa.column('id', sa.Integer),
        sa.column('user_id', sa.Integer),
        sa.column('name', sa.String),
        sa.column('revoked_at', sa.DateTime(timezone=True)),
        sa.column('expires_at', sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    expires = datetime.now(UTC) + timedelta(days=UPGRADE_GRACE_DAYS)
    seen = set()
    rows = bind.execute(
        sa.select(tokens.c.id, tokens.c.user_id, tokens.c.name, tokens.c.revoked_at)
        .order_by(tokens.c.id)
    ).all()
    for token_id, user_id, name, revoked_at in rows:
        name = (name or '').strip()[:90] or f'token-{token_id}'
        if revoked_at is None:
            if (user_id, name) in seen:
                name = f'{name}-{token_id}'
            seen.add((user_id, name))
        bind.execute(
            tokens.update().where(tokens.c.id == token_id).values(name=name, expires_at=expires)
        )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.alter_column('name', new_column_name='label', existing_type=sa.String(length=100),
                              existing_nullable=False)
