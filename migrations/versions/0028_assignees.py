"""assignees: a named owner and delegates per assignment, and added functions' questions

``assignees``: the people named on an assignment, its ``owner`` (at most one) and its
``delegate``s: reminded, shown the work as theirs on My work, allowed to file the function's
analysis. ``membership`` says the naming put them on the case's need-to-know list.
``assignments.questions_from``: for a function added to a running case that its playbook does
not list, the playbook whose questions it answers ('' otherwise).

Existing assignments get an owner where the function has exactly one assigned lead on the case
(as a new case would); the others stay unowned until someone takes them. Downgrade drops the
table and the column (plain DROP COLUMN, as SQLite allows).

Revision ID: 0028_assignees
Revises: 0026_monitoring
Create Date: 2026-12-04 18:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0028_assignees'
down_revision = '0026_monitoring'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'assignments',
        sa.Column('questions_from', sa.String(length=60), server_default='', nullable=False),
    )
    op.create_table(
        'assignees',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=10), nullable=False),
        sa.Column('membership', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_assignees_assignment_id_assignments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assignees_user_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_assignees_added_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assignees')),
        sa.UniqueConstraint('assignment_id', 'user_id', name=op.f('uq_assignees_assignment_id_user_id')),
    )
    op.create_index('ix_assignees_user_id', 'assignees', ['user_id', 'assignment_id'], unique=False)
    # An assignment whose function has exactly one assigned lead on its case: that lead owns it
    # (already a member: no membership of its own).
    op.execute(
        """
        INSERT INTO assignees (assignment_id, user_id, role, membership, added_at)
        SELECT a.id, MIN(m.user_id), 'owner', false, MIN(m.added_at)
        FROM assignments a
        JOIN case_members m ON m.case_id = a.case_id AND m.kind = 'assigned'
             AND m.function_key = a.function_key
        GROUP BY a.id
        HAVING COUNT(*) = 1
        """
    )


def downgrade():
    op.drop_index('ix_assignees_user_id', table_name='assignees')
    op.drop_table('assignees')
    op.drop_column('assignments', 'questions_from')
