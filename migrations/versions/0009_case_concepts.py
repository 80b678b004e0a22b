"""case concepts: what each case is about, as the feed classifier reads it (precedent)

One row per topic, place, region, topic in a place and language of a case, with its weight,
and an index for fetching the cases that share a concept. Existing cases are read with the
app's classifier (the flagging rules of the app running the upgrade), from their title and
intake, exactly as the app does when a case changes; `incident-hub search reindex` does the
same again at any time (after a change to the rules, say).

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-02 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0007_source_moved'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    op.create_table('case_concepts',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('concept', sa.String(length=200), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_concepts_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'concept', name=op.f('pk_case_concepts'))
    )
    with op.batch_alter_table('case_concepts', schema=None) as batch_op:
        batch_op.create_index('ix_case_concepts_concept_weight', ['concept', 'weight', 'case_id'], unique=False)

    _backfill()


def _backfill():
    """Concepts for every existing case, in batches (the app's own reading, see
    incident_hub.precedent.concepts)."""
    from incident_hub.precedent.concepts import app_classifier, of_case

    classifier = app_classifier()
    bind = op.get_bind()
    table = sa.table(
        'case_concepts', sa.column('case_id'), sa.column('concept'), sa.column('weight')
    )
    read = sa.text(
        "SELECT id, title, summary, instrument, authority, legal_basis, jurisdiction "
        "FROM cases WHERE id > :last ORDER BY id LIMIT :batch"
    )
    last = 0
    while True:
        cases = bind.execute(read, {"last": last, "batch": BATCH}).all()
        if not cases:
            break
        rows = [
            {"case_id": case.id, "concept": concept, "weight": weight}
            for case in cases
            for concept, weight in of_case(classifier, case).rows().items()
        ]
        if rows:
            bind.execute(sa.insert(table), rows)
        last = cases[-1].id


def downgrade():
    with op.batch_alter_table('case_concepts', schema=None) as batch_op:
        batch_op.drop_index('ix_case_concepts_concept_weight')

    op.drop_table('case_concepts')
