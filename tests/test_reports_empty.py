"""Reports with nothing measured say so ("—", "No data yet", null), and a measured duration
that rounds to zero is written as such, never as a bare 0.0 beside "No data yet"."""

from __future__ import annotations

import re

from conftest import open_case, web_login


def _time_to_decision_chart(html: str) -> str:
    start = html.index('id="chart-time-to-decision-title"')
    return html[start : html.index("</figure>", start)]


def test_with_no_decision_the_api_gives_null_and_the_page_no_zero_figures(app, api, client, people):
    open_case(api)  # an open case: counted as open, but nothing decided
    summary = api("exec").get("/reports/summary").get_json()
    overall = summary["time_to_decision"]["overall"]
    assert overall == {"decided": 0, "median_days": None, "p90_days": None}
    assert summary["time_to_decision"]["by_playbook"] == []
    assert summary["source_yield"] == []
    web_login(client, app, people["exec"].email)
    html = client.get("/reports").get_data(as_text=True)
    assert re.search(r"<dt>Time to decision</dt><dd>— <span", html)
    figures = html[html.index("<h2>Cases</h2>") : html.index('<div class="charts">')]
    assert "0.0" not in figures and "median" not in figures
    assert "No data yet." in _time_to_decision_chart(html)
    assert "<title>Türkiye — 1</title>" in html  # the open-cases chart names the country


def test_a_decision_within_minutes_is_data_not_no_data(app, api, client, people):
    case = open_case(api)
    body = {"option": "comply-narrowly", "rationale": "narrow it", "override": True}
    decided = api("exec").post(f"/cases/{case['ref']}/decision", json=body)
    assert decided.status_code == 201, decided.get_json()
    overall = api("exec").get("/reports/summary").get_json()["time_to_decision"]["overall"]
    assert overall == {"decided": 1, "median_days": 0.0, "p90_days": 0.0}  # measured: 0.0
    web_login(client, app, people["exec"].email)
    html = client.get("/reports").get_data(as_text=True)
    assert "median under 0.1 days, 90th percentile under 0.1 days" in html
    assert "median 0.0 days" not in html
    chart = _time_to_decision_chart(html)
    assert "No data yet." not in chart and "<svg" in chart
    assert re.search(r"\(1 decided\) — Median: &lt; 0\.1 days</title>", chart)


def test_the_transparency_csv_of_a_year_without_cases_says_so(app, runner):
    result = runner.invoke(["reports", "transparency", "--format", "csv", "--year", "2001"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "# No case was opened in 2001: nothing to count." in lines
    assert lines[-1].startswith("year,")  # the header, and no row of zeros


def test_the_dossier_names_the_country_beside_its_code(app, api, client, people):
    ref = open_case(api)["ref"]
    web_login(client, app, people["admin"].email)
    dossier = client.get(f"/cases/{ref}/dossier.md")
    assert dossier.status_code == 200
    assert "Türkiye (TR)" in dossier.get_data(as_text=True)
