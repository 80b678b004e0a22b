"""The law's own timeline: dated stages of a case's law (API, web form, CLI, triage), and a
linked alert whose feed item changes telling its case, end to end from a loopback feed."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import csrf_from, notices, open_case, web_login
from feedserver import rss
from test_migration_alert_reports import empty_database  # noqa: F401  (the fixture)

from incident_hub.audit.models import AuditEvent
from incident_hub.clock import now
from incident_hub.extensions import db

BILL = {
    "title": "Parliament passes bill ordering nationwide mobile internet shutdown powers",
    "description": "The telecoms regulator may order operators to suspend mobile data.",
    "link": "http://example.org/bill",
    "guid": "urn:bill:1",
}
AMENDED = dict(BILL, title="Amended bill limits mobile internet shutdown powers to 24 hours")
GAZETTE = "https://gazette.example/2026/17"


def stages(api, ref: str, who: str = "legal") -> list[dict]:
    response = api(who).get(f"/cases/{ref}/stages")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def add(api, ref: str, who: str = "legal", **body):
    return api(who).post(f"/cases/{ref}/stages", json=body)


def events(app, action: str, ref: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.object_ref == ref)
            .order_by(AuditEvent.id)
        ).scalars()
        found = list(rows)
        db.session.expunge_all()
        return found


def test_stages_via_the_api_and_the_current_stage_follows_the_latest_date(app, api):
    case = open_case(api, stage="draft", effective_date="2026-01-10", source_url=GAZETTE)
    ref = case["ref"]
    api("policy").post(f"/cases/{ref}/follow")
    (first,) = stages(api, ref)
    assert first["stage"] == "draft" and first["dated"] == "2026-01-10" and first["current"]
    assert first["source_url"] == GAZETTE

    adopted = add(api, ref, stage="adopted", dated="2026-03-01", source_url=GAZETTE + "/a")
    assert adopted.status_code == 201, adopted.get_json()
    assert [s["stage"] for s in adopted.get_json()] == ["draft", "adopted"]
    assert api("legal").get(f"/cases/{ref}").get_json()["intake"]["stage"] == "adopted"

    # An earlier stage recorded later goes in its place; the current stage stays the latest.
    late = add(api, ref, "triager", stage="consultation", dated="2026-02-01", note="Found late")
    assert late.status_code == 201, late.get_json()
    rows = stages(api, ref)
    assert [s["stage"] for s in rows] == ["draft", "consultation", "adopted"]
    assert [s["current"] for s in rows] == [False, False, True]
    assert rows[1]["note"] == "Found late" and rows[1]["added_by"] == "triager@example.org"
    assert api("legal").get(f"/cases/{ref}").get_json()["intake"]["stage"] == "adopted"

    struck = add(api, ref, "exec", stage="struck_down", dated="2026-06-30")
    assert struck.status_code == 201
    assert api("legal").get(f"/cases/{ref}").get_json()["intake"]["stage"] == "struck_down"
    dossier = api("exec").get(f"/cases/{ref}/dossier?format=md").get_data(as_text=True)
    assert (
        "The law’s timeline" in dossier
        and "Struck down" in dossier
        and "In consultation" in dossier
    )

    timeline = api("legal").get(f"/cases/{ref}/timeline").get_json()
    added = [e for e in timeline if e["action"] == "case.stage_added"]
    assert [e["details"]["stage"] for e in added] == ["adopted", "consultation", "struck_down"]
    assert added[1]["details"]["current"] == "adopted"
    told = notices(app, kind="stage_added")
    assert {n.audience for n in told} >= {"user:policy@example.org", "user:legal@example.org"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stage": "passed", "dated": "2026-03-01"}, "stage"),
        ({"stage": "adopted", "dated": "2026-13-40"}, "dated"),
        ({"stage": "adopted"}, "dated"),
        ({"stage": "adopted", "dated": ""}, "dated"),
        (
            {"stage": "adopted", "dated": "2026-03-01", "source_url": "ftp://x.example/a"},
            "source_url",
        ),
        (
            {"stage": "adopted", "dated": "2026-03-01", "source_url": "javascript:alert(1)"},
            "source_url",
        ),
        ({"stage": "adopted", "dated": "2026-03-01", "alert_id": 999999}, "alert_id"),
    ],
)
def test_a_bad_stage_is_a_422_naming_the_field(app, api, body, field):
    ref = open_case(api)["ref"]
    response = add(api, ref, **body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["field"] == field
    assert stages(api, ref) == []


def test_a_lead_not_on_the_case_is_refused_and_the_refusal_audited(app, api):
    ref = open_case(api)["ref"]
    response = add(api, ref, "outsider", stage="adopted", dated="2026-03-01")
    assert response.status_code == 403
    (refused,) = events(app, "case.stage_added", ref)
    assert refused.outcome == "denied" and refused.actor == "outsider@example.org"
    assert stages(api, ref) == []


def test_a_restricted_case_s_stages_are_not_there_for_those_who_may_not_see_it(app, api):
    ref = open_case(api, restricted=True, stage="adopted", effective_date="2026-01-01")["ref"]
    for who in ("outsider",):  # leads a function the case does not assign
        assert api(who).get(f"/cases/{ref}/stages").status_code == 404
        assert add(api, ref, who, stage="in_force", dated="2026-03-01").status_code == 404
    assert [s["stage"] for s in stages(api, ref, "triager")] == ["adopted"]  # the opener


def test_the_case_page_shows_the_law_s_timeline_and_records_a_stage(app, api, client):
    ref = open_case(api, stage="adopted", effective_date="2026-02-01")["ref"]
    web_login(client, app, "legal@example.org")
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "The law’s timeline" in page and "Record a stage of the law" in page
    token = csrf_from(page)
    form = {"stage": "in_force", "dated": "2026-04-01", "source_url": GAZETTE, "csrf_token": token}
    response = client.post(f"/cases/{ref}/stages", data=form)
    assert response.status_code == 302
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "In force" in page and GAZETTE in page and "recorded" in page
    bad = client.post(f"/cases/{ref}/stages", data=form | {"source_url": "ftp://x.example"})
    assert bad.status_code == 302 and "form=stages" in bad.headers["Location"]
    page = client.get(bad.headers["Location"]).get_data(as_text=True)
    assert "Source link must be an http:// or https:// address" in page
    assert [s["stage"] for s in stages(api, ref)] == ["adopted", "in_force"]


def test_the_case_page_offers_no_form_to_a_lead_not_on_the_case(app, api, client):
    ref = open_case(api)["ref"]
    web_login(client, app, "outsider@example.org")
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "The law’s timeline" in page and "Record a stage of the law" not in page
    response = client.post(
        f"/cases/{ref}/stages",
        data={"stage": "adopted", "dated": "2026-03-01", "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 403


def test_the_cli_adds_and_lists_stages(app, api, runner):
    ref = open_case(api)["ref"]
    args = ["cases", "add-stage", ref, "repealed", "--date", "2026-09-01", "--url", GAZETTE]
    result = runner.invoke([*args, "--as", "triager@example.org"])
    assert result.exit_code == 0, result.output
    assert "Repealed from 2026-09-01" in result.output
    listed = runner.invoke(["cases", "stages", ref, "--as", "legal@example.org"])
    assert listed.exit_code == 0 and "* 2026-09-01  Repealed" in listed.output
    bad = runner.invoke(["cases", "add-stage", ref, "passed", "--date", "2026-09-01",
                         "--as", "triager@example.org"])  # fmt: skip
    assert bad.exit_code != 0 and "stage must be one of" in bad.output
    refused = runner.invoke([*args, "--as", "outsider@example.org"])
    assert refused.exit_code != 0 and "can record a stage" in refused.output
    assert api("legal").get(f"/cases/{ref}").get_json()["intake"]["stage"] == "repealed"


def _poll(runner, *args: str) -> str:
    result = runner.invoke(["poll", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _feed_alert(api, runner, feeds, items: list[dict]) -> int:
    url = feeds.serve("/bill.xml", rss(items))
    response = api("admin").post(
        "/sources", json={"key": "bills", "title": "Bills", "url": url, "jurisdiction": "MM"}
    )
    assert response.status_code == 201, response.get_json()
    _poll(runner)
    (alert,) = api("legal").get("/alerts").get_json()
    return alert["id"]


def test_triage_links_an_alert_as_a_new_stage_in_one_step(app, api, runner, feeds):
    alert_id = _feed_alert(api, runner, feeds, [BILL])
    ref = open_case(api, stage="draft", effective_date="2026-01-05")["ref"]
    bad = api("triager").post(
        f"/alerts/{alert_id}/link", json={"case": ref, "stage": "passed", "dated": "2026-03-01"}
    )
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "stage"
    assert api("legal").get(f"/alerts/{alert_id}").get_json()["status"] == "new"
    linked = api("triager").post(
        f"/alerts/{alert_id}/link", json={"case": ref, "stage": "adopted", "dated": "2026-03-01"}
    )
    assert linked.status_code == 200, linked.get_json()
    assert linked.get_json()["status"] == "linked"
    rows = stages(api, ref)
    assert [s["stage"] for s in rows] == ["draft", "adopted"]
    assert rows[-1]["alert_id"] == alert_id and rows[-1]["source_url"] == BILL["link"]
    assert api("legal").get(f"/cases/{ref}").get_json()["intake"]["stage"] == "adopted"
    (event,) = [e for e in events(app, "case.stage_added", ref) if e.outcome == "ok"]
    assert event.details["alert"] == alert_id


def test_the_triage_page_links_as_a_new_stage(app, api, client, runner, feeds):
    alert_id = _feed_alert(api, runner, feeds, [BILL])
    ref = open_case(api)["ref"]
    web_login(client, app, "triager@example.org")
    page = client.get("/triage").get_data(as_text=True)
    assert f'id="link-stage-{alert_id}"' in page and "As new stage: In force" in page
    response = client.post(
        f"/triage/{alert_id}/link",
        data={"case": ref, "stage": "in_force", "dated": "", "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 302
    (row,) = stages(api, ref)
    assert row["stage"] == "in_force" and row["alert_id"] == alert_id
    assert row["dated"] == now().date().isoformat()  # the report has no date: first seen


def test_a_changed_linked_alert_shows_on_its_case_and_tells_its_people_once(
    app, api, client, runner, feeds
):
    alert_id = _feed_alert(api, runner, feeds, [BILL])
    case = open_case(api, alert_ids=[alert_id])
    ref = case["ref"]
    api("policy").post(f"/cases/{ref}/follow")
    feeds.serve("/bill.xml", rss([AMENDED]))
    assert "0 new, 1 updated" in _poll(runner, "--source", "bills")

    timeline = api("legal").get(f"/cases/{ref}/timeline").get_json()
    (changed,) = [e for e in timeline if e["action"] == "case.alert_changed"]
    assert changed["details"]["alert"] == alert_id
    assert changed["details"]["title"] == [BILL["title"], AMENDED["title"]]
    assert (
        changed["details"]["reason"]
        == f"Linked alert changed: title was “{BILL['title']}”, now “{AMENDED['title']}”"
    )
    told = {n.audience: n for n in notices(app, kind="linked_alert_changed")}
    assert {"user:legal@example.org", "user:policy@example.org"} <= set(told)
    assert "A linked alert changed" in told["user:legal@example.org"].payload["text"]
    web_login(client, app, "legal@example.org")
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Linked alert changed: title was" in page

    # The feed says the same again: nothing new on the case, nobody told twice.
    count = len(notices(app, kind="linked_alert_changed"))
    assert "0 updated" in _poll(runner, "--source", "bills")
    assert len(events(app, "case.alert_changed", ref)) == 1
    assert len(notices(app, kind="linked_alert_changed")) == count


def test_a_restricted_case_hears_of_its_changed_alert_by_reference_only(app, api, runner, feeds):
    alert_id = _feed_alert(api, runner, feeds, [BILL])
    ref = open_case(api, alert_ids=[alert_id], restricted=True)["ref"]
    feeds.serve("/bill.xml", rss([AMENDED]))
    _poll(runner, "--source", "bills")
    assert len(events(app, "case.alert_changed", ref)) == 1
    told = notices(app, kind="linked_alert_changed")
    assert told and all(n.payload.get("secret") for n in told)
    for notice in told:
        text = str(notice.payload)
        assert ref in text and "Order to remove" not in text and "Amended" not in text


def test_0025_copies_each_case_s_stage_into_its_first_row_down_and_up_again(empty_database):  # noqa: F811
    from conftest import _base_config
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    from incident_hub import MIGRATIONS_DIR, create_app
    from incident_hub.auth.models import User
    from incident_hub.cases.models import Case

    def law_rows() -> list[tuple]:
        query = text(
            "SELECT c.ref, s.stage, s.dated, s.source_url FROM law_stages s "
            "JOIN cases c ON c.id = s.case_id ORDER BY c.ref"
        )
        return [(r, s, str(d)[:10], u) for r, s, d, u in db.session.execute(query).all()]

    app = create_app(_base_config(empty_database))
    opened = now().replace(year=2026, month=1, day=20, hour=12)
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0024_case_jurisdictions")
        user = User(email="old@example.org", name="Old")
        db.session.add(user)
        db.session.flush()
        common = {"playbook_key": "content-takedown", "jurisdiction": "TR", "opened_by_id": user.id,
                  "opened_at": opened, "decision_due_at": opened}  # fmt: skip
        db.session.add_all([
            Case(ref="INC-2026-0001", title="A", stage="adopted", effective_date=date(2026, 2, 1),
                 source_url=GAZETTE, **common),
            Case(ref="INC-2026-0002", title="B", stage=None, **common),
            Case(ref="INC-2026-0003", title="C", stage="in_force", source_url="not a link",
                 **common),
        ])  # fmt: skip
        db.session.commit()
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision="0025_law_stages")
        expected = [
            ("INC-2026-0001", "adopted", "2026-02-01", GAZETTE),
            ("INC-2026-0003", "in_force", "2026-01-20", ""),
        ]
        assert law_rows() == expected
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision="0024_case_jurisdictions")
        assert "law_stages" not in inspect(db.engine).get_table_names()
        kept = db.session.execute(text("SELECT ref, stage FROM cases ORDER BY ref")).all()
        assert [tuple(r) for r in kept] == [
            ("INC-2026-0001", "adopted"),
            ("INC-2026-0002", None),
            ("INC-2026-0003", "in_force"),
        ]
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision="0025_law_stages")
        assert law_rows() == expected
        db.session.remove()
