"""Migration 0014 (case members) on SQLite and PostgreSQL: yesterday's participants of every
case (each user with the lead role who leads a function the case assigns) become its assigned
members, so nobody loses access at upgrade; a lead of a function the case does not assign does
not; downgrade drops the table and the privileged column."""

from __future__ import annotations

from datetime import timedelta

from conftest import CLI, _base_config
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text
from test_migration_alert_reports import empty_database  # noqa: F401  (the fixture)

from incident_hub import MIGRATIONS_DIR, create_app
from incident_hub.auth import permissions as perm
from incident_hub.auth.models import User
from incident_hub.auth.service import create_user
from incident_hub.cases.models import Assignment, Case, CaseMember
from incident_hub.clock import now
from incident_hub.extensions import db

BEFORE = "0013_tokens"  # the revision before 0014


def _case(ref: str, opener_id: int, restricted: bool, at) -> Case:  # noqa: ANN001
    return Case(
        ref=ref,
        title=f"Case {ref}",
        playbook_key="content-takedown",
        jurisdiction="GB",
        opened_by_id=opener_id,
        opened_at=at,
        decision_due_at=at + timedelta(days=3),
        restricted=restricted,
        assignments=[
            Assignment(function_key=key, due_at=at + timedelta(days=1))
            for key in ("legal", "human-rights")
        ],
    )


def test_0014_backfills_assigned_members_and_downgrades_cleanly(empty_database):  # noqa: F811
    app = create_app(_base_config(empty_database))
    at = now()
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "case_members" not in inspect(db.engine).get_table_names()
        # Written through today's service; read back as rows (today's User model has columns
        # this revision lacks).
        people = {
            name: create_user(CLI, email=f"{name}@example.org", name=name, roles=roles,
                              functions=functions) and name
            for name, roles, functions in [
                ("admin", ["admin"], []),
                ("legal", ["lead"], ["legal"]),
                ("rights", ["lead"], ["human-rights", "export-control"]),
                ("outsider", ["lead"], ["export-control"]),
            ]
        }  # fmt: skip
        ids = {name: id_ for name, id_ in db.session.execute(text("SELECT name, id FROM users"))}
        db.session.add_all(
            [
                _case("INC-2026-0001", ids["admin"], True, at),
                _case("INC-2026-0002", ids["admin"], False, at),
            ]
        )
        db.session.commit()
        db.session.remove()

        upgrade(directory=MIGRATIONS_DIR)
        rows = db.session.execute(
            select(CaseMember.case_id, CaseMember.user_id, CaseMember.kind, CaseMember.function_key)
        ).all()
        cases = {c.ref: c for c in db.session.execute(select(Case)).scalars()}
        restricted, public = cases["INC-2026-0001"], cases["INC-2026-0002"]
        assert sorted(rows) == sorted(
            (case.id, ids[name], "assigned", function)
            for case in (restricted, public)
            for name, function in (("legal", "legal"), ("rights", "human-rights"))
        )
        users = {name: db.session.get(User, ids[name]) for name in people}
        assert perm.can_view_case(users["legal"], restricted)  # nobody lost access
        assert perm.can_view_case(users["rights"], restricted)
        assert not perm.can_view_case(users["outsider"], restricted)
        visible = select(Case.ref).where(perm.visible_case_clause(users["legal"]))
        assert sorted(db.session.execute(visible).scalars()) == ["INC-2026-0001", "INC-2026-0002"]
        db.session.remove()

        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        inspector = inspect(db.engine)
        assert "case_members" not in inspector.get_table_names()
        assert "privileged" not in {c["name"] for c in inspector.get_columns("analyses")}
        upgrade(directory=MIGRATIONS_DIR)  # and up again
        assert db.session.query(CaseMember).count() == 4
        db.session.remove()
        db.engine.dispose()
