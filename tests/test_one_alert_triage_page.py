"""The triage page shows one row per development with its sources; acting on it acts on the
development, so a later report of a dismissed one does not come back to the queue."""

from __future__ import annotations

import re

from conftest import csrf_from, web_login
from test_one_alert_per_development import (
    TITLE,
    add_feed,
    alerts,
    item,
    poll,
    three_feeds_one_story,
)


def cards(page: str) -> list[str]:
    return re.findall(r'<li class="alert-card"', page)


def test_the_queue_shows_one_row_per_development_with_its_sources(
    app, client, api, people, runner, feeds
):
    three_feeds_one_story(api, feeds)
    for key in ("a", "b", "c"):
        poll(runner, "--source", key)
    web_login(client, app, people["triager"].email)
    page = client.get("/triage?view=cards").get_data(as_text=True)
    assert len(cards(page)) == 1 and page.count(TITLE) >= 1
    line = re.search(r'<p class="reports">(.*?)</p>', page, re.S).group(1)
    assert line.startswith("3 reports: ")
    assert [m for m in re.findall(r">(Source [ABC])<", line)] == [
        "Source A",
        "Source B",
        "Source C",
    ]
    assert 'href="https://WWW.news.example/world/2026/myanmar-shutdown/?fbclid=x#top"' in line
    assert 'href="https://agency.example/m/88"' in line


def test_a_single_report_shows_no_reports_line(app, client, api, people, runner, feeds):
    add_feed(api, feeds, "a", [item()])
    poll(runner)
    web_login(client, app, people["legal"].email)
    page = client.get("/triage?view=cards").get_data(as_text=True)
    assert len(cards(page)) == 1 and 'class="reports"' not in page


def test_dismissing_in_the_browser_dismisses_the_development(
    app, client, api, people, runner, feeds
):
    three_feeds_one_story(api, feeds)
    poll(runner)
    (alert,) = alerts(api)
    web_login(client, app, people["triager"].email)
    token = csrf_from(client.get("/triage?view=cards").get_data(as_text=True))
    response = client.post(
        f"/triage/{alert['id']}/dismiss", data={"reason": "not new", "csrf_token": token}
    )
    assert response.status_code == 302
    add_feed(api, feeds, "d", [item(link="https://news.example/world/2026/myanmar-shutdown?ref=d")])
    poll(runner, "--source", "d")
    assert cards(client.get("/triage?view=cards").get_data(as_text=True)) == []
    dismissed = client.get("/triage?status=dismissed&view=cards").get_data(as_text=True)
    assert len(cards(dismissed)) == 1 and "4 reports: " in dismissed and "not new" in dismissed
