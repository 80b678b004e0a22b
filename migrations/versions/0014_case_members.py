"""case members: explicit need-to-know, privileged analyses

A case's members (case_members) are the people named on it and the leads assigned to it; with
its opener, they are who may see it when it is restricted, and who may read its privileged
analyses (analyses.privileged, legal advice). Until now a case's participants were "every lead
of any function the case assigns", decided afresh on every request; this migration writes that
rule down once, as 'assigned' rows: every user who has the lead role and leads a function a
case assigns becomes an assigned member of that case for that function, on every existing case
(restricted ones, so that nobody loses access at upgrade; unrestricted ones too, because their
engagement logs and privileged analyses are for members). From now on a lead who joins a
function later is not a member of the cases opened before.

Downgrade drops the table and the column: the old rule comes back with the old code.

Revision ID: 0014_case_members
Revises: 0007_alert_reports
Create Date: 2026-12-03 15:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_case_members'
down_revision = '0013_tokens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('function_key', sa.String(length=50), server_default='', nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_case_members_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_members_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_members')),
    sa.UniqueConstraint('case_id', 'user_id', 'function_key', name=op.f('uq_case_members_case_id_user_id_function_key'))
    )
    with op.batch_alter_table('case_members', schema=None) as batch_op:
        batch_op.create_index('ix_case_members_user_id', ['user_id', 'case_id'], unique=False)

    with op.batch_alter_table('analyses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privileged', sa.Boolean(), server_default=sa.false(), nullable=False))

    _backfill()


CASES = sa.table('cases', sa.column('id', sa.Integer), sa.column('opened_at', sa.DateTime))
ASSIGNMENTS = sa.table('assignments', sa.column('case_id', sa.Integer),
                       sa.column('function_key', sa.String))
USER_FUNCTIONS = sa.table('user_functions', sa.column('user_id', sa.Integer),
                          sa.column('function_key', sa.String))
USER_ROLES = sa.table('user_roles', sa.column('user_id', sa.Integer), sa.column('role', sa.String))
MEMBERS = sa.table('case_members', sa.column('case_id', sa.Integer),
                   sa.column('user_id', sa.Integer), sa.column('kind', sa.String),
                   sa.column('function_key', sa.String), sa.column('added_by_id', sa.Integer),
                   sa.column('added_at', sa.DateTime))


def _backfill():
    """Yesterday's participants, written down: one 'assigned' row per (case, function it
    assigns, user who leads that function and has the lead role), in one INSERT … SELECT."""
    leads = (
        sa.select(
            ASSIGNMENTS.c.case_id,
            USER_FUNCTIONS.c.user_id,
            sa.literal('assigned', sa.String),
            ASSIGNMENTS.c.function_key,
            sa.null(),
            CASES.c.opened_at,
        )
        .join(CASES, CASES.c.id == ASSIGNMENTS.c.case_id)
        .join(USER_FUNCTIONS, USER_FUNCTIONS.c.function_key == ASSIGNMENTS.c.function_key)
        .join(USER_ROLES, sa.and_(USER_ROLES.c.user_id == USER_FUNCTIONS.c.user_id,
                                  USER_ROLES.c.role == 'lead'))
    )
    op.get_bind().execute(MEMBERS.insert().from_select(
        ['case_id', 'user_id', 'kind', 'function_key', 'added_by_id', 'added_at'], leads))


def downgrade():
    with op.batch_alter_table('analyses', schema=None) as batch_op:
        batch_op.drop_column('privileged')

    with op.batch_alter_table('case_members', schema=None) as batch_op:
        batch_op.drop_index('ix_case_members_user_id')

    op.drop_table('case_members')
