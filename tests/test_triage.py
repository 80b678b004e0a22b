"""The triage queue through the API and the web: filter, dismiss, restore, link, open a case."""

from __future__ import annotations

import pytest
from conftest import csrf_from, open_case, web_login
from feedserver import rss

from incident_hub.audit.models import AuditEvent
from incident_hub.extensions import db

ITEMS = [
    {
        "title": "Parliament passes law requiring platforms to remove posts within 24 hours",
        "description": "Germany's new law threatens fines for social networks.",
        "guid": "a",
    },
    {
        "title": "Regulator orders internet shutdown in Myanmar during protests",
        "description": "Telecoms operators were ordered to suspend mobile data.",
        "guid": "b",
    },
    {
        "title": "Government bill would force messaging apps to scan encrypted messages",
        "description": "The UK Home Office proposal would weaken end-to-end encryption.",
        "guid": "c",
    },
]


@pytest.fixture
def queue(app, api, runner, feeds):
    """Three flagged alerts from a loopback feed; returns their ids by guid."""
    url = feeds.serve("/law.xml", rss(ITEMS))
    assert (
        api("admin").post("/sources", json={"key": "laws", "title": "Laws", "url": url}).status_code
        == 201
    )
    assert runner.invoke(["poll"]).exit_code == 0
    alerts = api("legal").get("/alerts").get_json()
    assert len(alerts) == 3, [a["title"] for a in alerts]
    return {a["title"]: a["id"] for a in alerts}


def _id(queue, word: str) -> int:
    return next(i for title, i in queue.items() if word in title)


def test_queue_filters_by_topic_right_jurisdiction_source_and_score(api, queue):
    def titles(query: str) -> list[str]:
        response = api("exec").get(f"/alerts?{query}")
        assert response.status_code == 200, response.get_json()
        return [a["title"] for a in response.get_json()]

    assert len(titles("status=new")) == 3
    assert titles("jurisdiction=mm") == [ITEMS[1]["title"]]
    assert ITEMS[2]["title"] in titles("topic=encryption-lawful-access")
    assert ITEMS[0]["title"] in titles("right=expression")
    assert len(titles("source=laws")) == 3 and titles("source=other") == []
    assert len(titles("min_score=0")) == 3 and titles("min_score=1000") == []
    assert api("exec").get("/alerts?status=bogus").status_code == 422
    assert api("exec").get("/alerts?min_score=high").status_code == 422


def test_dismiss_is_kept_with_its_reason_and_can_be_undone(app, api, queue):
    alert_id = _id(queue, "Myanmar")
    dismissed = api("triager").post(f"/alerts/{alert_id}/dismiss", json={"reason": "duplicate"})
    assert dismissed.status_code == 200
    assert dismissed.get_json()["status"] == "dismissed"
    assert dismissed.get_json()["triage_note"] == "duplicate"
    assert len(api("legal").get("/alerts?status=new").get_json()) == 2
    assert len(api("legal").get("/alerts").get_json()) == 3  # without status: every status
    again = api("triager").post(f"/alerts/{alert_id}/dismiss", json={"reason": "x"})
    assert again.status_code == 409
    restored = api("triager").post(f"/alerts/{alert_id}/restore")
    assert restored.get_json()["status"] == "new"
    with app.app_context():
        actions = (
            db.session.execute(
                db.select(AuditEvent.action).where(AuditEvent.object_type == "alert")
            )
            .scalars()
            .all()
        )
    assert actions == ["alert.dismissed", "alert.new"]


def test_dismiss_needs_a_reason(api, queue):
    response = api("triager").post(f"/alerts/{_id(queue, 'Myanmar')}/dismiss", json={})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "reason"


def test_bulk_dismiss_is_all_or_nothing(api, queue):
    ids = list(queue.values())
    api("triager").post(f"/alerts/{ids[0]}/dismiss", json={"reason": "first"})
    refused = api("triager").post("/alerts/dismiss", json={"ids": ids, "reason": "noise"})
    assert refused.status_code == 409
    assert len(api("legal").get("/alerts?status=new").get_json()) == 2
    done = api("triager").post("/alerts/dismiss", json={"ids": ids[1:], "reason": "noise"})
    assert done.status_code == 200 and len(done.get_json()) == 2
    assert api("legal").get("/alerts?status=new").get_json() == []
    assert (
        api("triager").post("/alerts/dismiss", json={"ids": "1", "reason": "x"}).status_code == 422
    )


def test_link_an_alert_to_an_existing_case(app, api, queue):
    case = open_case(api)
    alert_id = _id(queue, "24 hours")
    linked = api("triager").post(f"/alerts/{alert_id}/link", json={"case": case["ref"]})
    assert linked.status_code == 200 and linked.get_json()["status"] == "linked"
    timeline = api("legal").get(f"/cases/{case['ref']}/timeline").get_json()
    assert "alert.linked" in [e["action"] for e in timeline]
    unknown = api("triager").post(f"/alerts/{_id(queue, 'Myanmar')}/link", json={"case": "INC-1"})
    assert unknown.status_code == 404


def test_open_a_case_from_alerts_marks_them_case_opened(api, queue):
    ids = [_id(queue, "Myanmar")]
    response = api("triager").post(
        "/cases",
        json={
            "title": "Shutdown order",
            "playbook": "network-shutdown",
            "jurisdiction": "MM",
            "alert_ids": ids,
        },
    )
    assert response.status_code == 201
    alert = api("legal").get(f"/alerts/{ids[0]}").get_json()
    assert alert["status"] == "case-opened"
    again = api("triager").post(
        "/cases",
        json={
            "title": "Again",
            "playbook": "network-shutdown",
            "jurisdiction": "MM",
            "alert_ids": ids,
        },
    )
    assert again.status_code == 409
    assert api("triager").get("/cases").headers["X-Total-Count"] == "1"  # nothing half-made


@pytest.mark.parametrize("role", ["legal", "exec", "outsider"])
def test_leads_and_executives_read_the_queue_but_cannot_triage(api, queue, role):
    alert_id = _id(queue, "Myanmar")
    assert api(role).get("/alerts").status_code == 200
    for path, body in (
        (f"/alerts/{alert_id}/dismiss", {"reason": "x"}),
        ("/alerts/dismiss", {"ids": [alert_id], "reason": "x"}),
        (f"/alerts/{alert_id}/link", {"case": "INC-2026-0001"}),
    ):
        response = api(role).post(path, json=body)
        assert response.status_code == 403, (path, response.get_json())
    assert api(None).get("/alerts").status_code == 401


def test_unknown_alerts_are_404(api, queue):
    for alert_id in ("999999", "abc", "99999999999999999999999"):
        assert (
            api("triager").post(f"/alerts/{alert_id}/dismiss", json={"reason": "x"}).status_code
            == 404
        )


def test_sources_api_validates_and_is_admin_only(api, feeds):
    good = {"key": "eff", "title": "EFF", "url": "https://www.eff.org/rss/updates.xml"}
    assert api("triager").post("/sources", json=good).status_code == 403
    assert api("admin").post("/sources", json=good).status_code == 201
    assert api("admin").post("/sources", json=good).status_code == 409
    for bad, field in (
        ({"url": "file:///etc/passwd"}, "url"),
        ({"url": "gopher://x"}, "url"),
        ({"key": "Bad Key"}, "key"),
        ({"jurisdiction": "Narnia"}, "jurisdiction"),
        ({"interval_min": 0}, "interval_min"),
        ({"title": ""}, "title"),
    ):
        response = api("admin").post("/sources", json={**good, "key": "k2", **bad})
        assert response.status_code == 422, bad
        assert response.get_json()["error"]["field"] == field
    listed = api("legal").get("/sources").get_json()
    assert [s["key"] for s in listed] == ["eff"] and listed[0]["last_status"] == "never"


def test_triager_works_the_queue_in_the_browser_forms(app, client, api, people, queue):
    web_login(client, app, people["triager"].email)
    page = client.get("/triage?view=cards").get_data(as_text=True)
    assert ITEMS[1]["title"] in page and "Why flagged" in page
    token = csrf_from(page)
    alert_id = _id(queue, "Myanmar")
    response = client.post(
        f"/triage/{alert_id}/dismiss", data={"reason": "duplicate", "csrf_token": token}
    )
    assert response.status_code == 302
    assert ITEMS[1]["title"] not in client.get("/triage").get_data(as_text=True)
    assert ITEMS[1]["title"] in client.get("/triage?status=dismissed").get_data(as_text=True)
    prefill = client.get(f"/cases/new?alert_id={_id(queue, 'encrypted')}").get_data(as_text=True)
    assert ITEMS[2]["title"] in prefill and 'name="alert_ids"' in prefill
    assert 'value="encryption-lawful-access" selected' in prefill


def test_the_sources_page_shows_health_and_lets_admins_add(app, client, people, api, runner, feeds):
    api("admin").post("/sources", json={"key": "down", "title": "Down", "url": feeds.url("/x")})
    runner.invoke(["poll"])
    web_login(client, app, people["admin"].email)
    page = client.get("/sources").get_data(as_text=True)
    assert "Failing (1×)" in page and "404" in page
    response = client.post(
        "/sources",
        data={"key": "new-one", "title": "New", "url": "ftp://x", "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 422 and "http:// or https://" in response.get_data(as_text=True)
