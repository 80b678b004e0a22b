"""The reports dashboard, through the API and the web page: exact figures for a small seeded
set, and restricted cases left out of an outsider's figures."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import open_case, web_login
from feedserver import rss

from incident_hub.clock import frozen_at

# Wednesday noon of the current week: the seeded times fall in this week and the one before.
_TODAY = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
NOW = _TODAY + timedelta(days=2 - _TODAY.weekday())
MONDAY = (NOW - timedelta(days=2)).date()

LAWS = [
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
GAZETTE = [
    {
        "title": "Ministry orders social networks to block accounts of opposition journalists",
        "description": "The takedown order covers posts critical of the government.",
        "guid": "g1",
    },
    {
        "title": "New decree orders nationwide mobile internet shutdown during elections",
        "description": "Operators must suspend mobile data services in the capital.",
        "guid": "g2",
    },
]


def _at(days: float) -> frozen_at:
    return frozen_at(NOW + timedelta(days=days))


def _poll(api, runner, feeds, key: str, items: list, days: float) -> list[int]:
    url = feeds.serve(f"/{key}.xml", rss(items))
    created = api("admin").post("/sources", json={"key": key, "title": key.title(), "url": url})
    assert created.status_code == 201, created.get_json()
    at = (NOW + timedelta(days=days)).isoformat()
    result = runner.invoke(["poll", "--source", key, "--at", at])
    assert result.exit_code == 0, result.output
    alerts = api("legal").get(f"/alerts?source={key}").get_json()
    assert len(alerts) == len(items), [a["title"] for a in alerts]
    return sorted(a["id"] for a in alerts)


def _decide(api, ref: str, option: str = "comply-narrowly") -> None:
    body = {"option": option, "rationale": "the order is overbroad", "override": True}
    response = api("exec").post(f"/cases/{ref}/decision", json=body)
    assert response.status_code == 201, response.get_json()


@pytest.fixture
def seeded(app, api, runner, feeds):
    """Alerts in two weeks from two sources; decided, open and restricted cases."""
    laws = _poll(api, runner, feeds, "laws", LAWS, -8)
    gazette = _poll(api, runner, feeds, "gazette", GAZETTE, -1)
    refs = {}
    with _at(-10):
        for name, country in (("a", "TR"), ("b", "TR"), ("c", "DE")):
            refs[name] = open_case(api, jurisdiction=country)["ref"]
        refs["e"] = (
            api("admin")
            .post(
                "/cases",
                json={"title": "Secret", "playbook": "content-takedown", "jurisdiction": "RU"}
                | {"restricted": True},
            )
            .get_json()["ref"]
        )
    with _at(-6):
        _decide(api, refs["a"])  # 4 days
    with _at(-8):
        _decide(api, refs["b"])  # 2 days
    with _at(-9):
        _decide(api, refs["e"])  # 1 day, restricted
    with _at(0):
        _decide(api, refs["c"])  # 10 days
    with _at(-5):
        refs["d"] = open_case(
            api, playbook="network-shutdown", jurisdiction="MM", alert_ids=[laws[1]]
        )["ref"]
        refs["f"] = (
            api("admin")
            .post(
                "/cases",
                json={"title": "Secret 2", "playbook": "content-takedown", "jurisdiction": "RU"}
                | {"restricted": True},
            )
            .get_json()["ref"]
        )
    with _at(0):
        linked = api("triager").post(f"/alerts/{gazette[0]}/link", json={"case": refs["a"]})
        assert linked.status_code == 200, linked.get_json()
        dismissed = api("triager").post(f"/alerts/{gazette[1]}/dismiss", json={"reason": "dup"})
        assert dismissed.status_code == 200
    return refs


def _overdue(api, refs: list[str]) -> dict[str, int]:
    """Pending assignments past due now, per function, as the case API shows them."""
    counts: dict[str, int] = {}
    for ref in refs:
        for a in api("admin").get(f"/cases/{ref}").get_json()["assignments"]:
            due = datetime.fromisoformat(a["due_at"].replace("Z", "+00:00"))
            if a["status"] == "pending" and due < datetime.now(UTC):
                counts[a["function"]] = counts.get(a["function"], 0) + 1
    return counts


def test_summary_figures_are_exact_and_leave_out_restricted_cases(api, seeded):
    outsider = api("outsider").get("/reports/summary")
    assert outsider.status_code == 200
    figures = outsider.get_json()
    assert figures["open_cases"] == {
        "total": 1,
        "by_jurisdiction": [{"jurisdiction": "MM", "count": 1}],
        "by_playbook": [
            {"playbook": "network-shutdown", "title": "Network shutdown / service blocking"}
            | {"count": 1}
        ],
    }
    takedown = figures["time_to_decision"]["by_playbook"]
    assert [(t["playbook"], t["decided"], t["median_days"], t["p90_days"]) for t in takedown] == [
        ("content-takedown", 3, 4.0, 8.8)  # 2, 4, 10 days: p90 = 4 + 0.8 × 6
    ]
    overdue = _overdue(api, [seeded["d"]])
    assert figures["overdue_analyses"]["total"] == sum(overdue.values()) == 7
    assert {r["function"]: r["count"] for r in figures["overdue_analyses"]["by_function"]} == (
        overdue
    )

    weeks = figures["alerts_by_week"]
    assert len(weeks) == 12 and weeks[-1]["week_start"] == MONDAY.isoformat()
    assert weeks[-2]["week_start"] == (MONDAY - timedelta(weeks=1)).isoformat()
    assert [(w["flagged"], w["dismissed"]) for w in weeks[-2:]] == [(3, 0), (2, 1)]
    assert sum(w["flagged"] for w in weeks[:-2]) == sum(w["dismissed"] for w in weeks) - 1 == 0
    yields = {s["source"]: s for s in figures["source_yield"]}
    assert (yields["laws"]["alerts"], yields["laws"]["led_to_case"], yields["laws"]["linked"]) == (
        3,
        1,
        0,
    )
    assert (yields["gazette"]["alerts"], yields["gazette"]["linked"]) == (2, 1)
    assert yields["gazette"]["yield"] == 0.5

    # the executive sees the restricted cases, so they count for them
    exec_figures = api("exec").get("/reports/summary").get_json()
    assert exec_figures["open_cases"]["total"] == 2
    assert {
        r["jurisdiction"]: r["count"] for r in exec_figures["open_cases"]["by_jurisdiction"]
    } == {
        "MM": 1,
        "RU": 1,
    }
    ttd = exec_figures["time_to_decision"]["by_playbook"][0]
    assert (ttd["decided"], ttd["median_days"], ttd["p90_days"]) == (4, 3.0, 8.2)
    assert exec_figures["time_to_decision"]["overall"]["decided"] == 4
    both = _overdue(api, [seeded["d"], seeded["f"]])
    assert exec_figures["overdue_analyses"]["total"] == sum(both.values()) == 13
    assert api(None).get("/reports/summary").status_code == 401


def test_dashboard_page_draws_accessible_svg_charts(app, client, people, seeded):
    web_login(client, app, people["outsider"].email)
    page = client.get("/reports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('role="img"') == 6 and "aria-label=" in html
    assert "<script" not in html and "style=" not in html  # the CSP forbids both
    assert "reports.css" in html
    assert html.count("<details>") == 6 and "Data table" in html
    # a tooltip per bar, the figure written beside it, and the jurisdictions named
    assert "<title>Myanmar — 1</title>" in html
    assert re.search(r"<title>Content takedown[^<]*— Median: 4(\.0)? days</title>", html)
    outside_forms = re.sub(r"<select.*?</select>", "", html, flags=re.S)
    assert "RU" not in outside_forms and "Russia" not in outside_forms  # restricted
    # the outsider is no policy team: no download form, the rule is said instead
    assert "Download CSV" not in html and "admins, executives and triagers" in html
    assert 'href="/reports"' in html  # the nav link


def test_dashboard_with_no_data_says_so(app, client, people):
    web_login(client, app, people["exec"].email)
    html = client.get("/reports").get_data(as_text=True)
    assert html.count("No data yet.") >= 5
    assert "Download CSV" in html and "Download JSON" in html
    assert "gag order are excluded" in html
