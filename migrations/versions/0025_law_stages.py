"""law stages: the law's own timeline, one dated row per stage the case's law reached

``law_stages`` keeps the versions of a case's law: drafted, consulted on, adopted, in force,
amended, suspended, struck down, repealed, each dated, with its source link, a note, and the
alert that reported it (if it was attached from triage). ``cases.stage`` stays: it is the stage
of the latest-dated row. Every existing case with a stage gets that stage as its first row,
dated its effective date (else the day it was opened), its source link the case's when that is
an http(s) address. The stage vocabulary grows (amended, suspended, struck_down, repealed):
``cases.stage`` is a plain string column, so no type changes.

Downgrade drops the table; ``cases.stage`` keeps the current stage (a stage the old code does
not know, e.g. struck_down, is kept as stored).

Revision ID: 0025_law_stages
Revises: 0022_sources_admin
Create Date: 2026-12-04 01:40:00

"""

from datetime import timezone

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0025_law_stages"
down_revision = "0024_case_jurisdictions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "law_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("source_url", sa.String(length=2000), server_default="", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_law_stages_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_law_stages_alert_id_alerts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_law_stages_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_law_stages")),
    )
    with op.batch_alter_table("law_stages", schema=None) as batch_op:
        batch_op.create_index("ix_law_stages_case_id_dated", ["case_id", "dated"], unique=False)

    _backfill()


CASES = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    sa.column("stage", sa.String),
    sa.column("effective_date", sa.Date),
    sa.column("opened_at", sa.DateTime),
    sa.column("opened_by_id", sa.Integer),
    sa.column("source_url", sa.String),
)
STAGES = sa.table(
    "law_stages",
    sa.column("case_id", sa.Integer),
    sa.column("stage", sa.String),
    sa.column("dated", sa.Date),
    sa.column("source_url", sa.String),
    sa.column("note", sa.Text),
    sa.column("added_by_id", sa.Integer),
    sa.column("added_at", sa.DateTime),
)


def _web_link(url):
    """The case's source link if it is an http(s) address (a stage's source is a link)."""
    url = (url or "").strip()
    lowered = url.lower()
    if lowered.startswith(("http://", "https://")) and url.isprintable() and " " not in url:
        return url[:2000]
    return ""


def _backfill():
    """Each case's stage as its first row, read and written in batches (dates are computed
    here rather than in SQL, so both databases get the same answer)."""
    conn = op.get_bind()
    query = sa.select(CASES).where(CASES.c.stage.is_not(None), CASES.c.stage != "")
    rows = []
    for case in conn.execute(query.order_by(CASES.c.id)):
        opened = case.opened_at
        if opened is not None and opened.tzinfo is not None:  # PostgreSQL: in UTC, as stored
            opened = opened.astimezone(timezone.utc)
        dated = case.effective_date or (opened.date() if opened is not None else None)
        if dated is None:
            continue
        rows.append(
            {
                "case_id": case.id,
                "stage": case.stage,
                "dated": dated,
                "source_url": _web_link(case.source_url),
                "note": "",
                "added_by_id": case.opened_by_id,
                "added_at": opened,
            }
        )
        if len(rows) >= 1000:
            conn.execute(STAGES.insert(), rows)
            rows = []
    if rows:
        conn.execute(STAGES.insert(), rows)


def downgrade():
    with op.batch_alter_table("law_stages", schema=None) as batch_op:
        batch_op.drop_index("ix_law_stages_case_id_dated")
    op.drop_table("law_stages")
