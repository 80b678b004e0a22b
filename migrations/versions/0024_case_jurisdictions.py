"""case jurisdictions: a case may concern several countries

``case_jurisdictions`` holds every jurisdiction (ISO 3166 code or EU) a case concerns, in
order (``position`` 0 is the primary one, which ``cases.jurisdiction`` keeps holding for
whoever reads a single jurisdiction). Upgrade copies every case's ``jurisdiction`` into it as
its only row; downgrade drops the table (``cases.jurisdiction``, the primary one, stays).

Revision ID: 0024_case_jurisdictions
Revises: 0022_sources_admin
Create Date: 2026-12-04 01:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024_case_jurisdictions"
down_revision = "0027_rounds"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_jurisdictions",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_jurisdictions_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "code", name=op.f("pk_case_jurisdictions")),
    )
    with op.batch_alter_table("case_jurisdictions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_jurisdictions_code"), ["code"], unique=False)
    op.execute(
        "INSERT INTO case_jurisdictions (case_id, code, position) "
        "SELECT id, jurisdiction, 0 FROM cases WHERE jurisdiction <> ''"
    )


def downgrade():
    with op.batch_alter_table("case_jurisdictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_jurisdictions_code"))
    op.drop_table("case_jurisdictions")
