"""One alert per development: the same story from several feeds, polled through `incident-hub
poll` from loopback feeds (real HTTP, real feedparser), is one alert listing every report."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import pytest
from conftest import ROOT, Runner, notices, open_case
from feedserver import rss

from incident_hub.clock import now
from incident_hub.extensions import db
from incident_hub.watch.classify import load_rules
from incident_hub.watch.models import Alert, AlertReport, FeedItem

TITLE = "Ministry orders nationwide mobile internet shutdown ahead of election"
SUMMARY = "The telecoms regulator ordered operators to suspend mobile data in Myanmar."
STORY = "https://news.example/world/2026/myanmar-shutdown"


def item(title: str = TITLE, link: str = STORY, days: float = 0, **extra) -> dict[str, str]:
    published = format_datetime(now() - timedelta(days=1) + timedelta(days=days), usegmt=True)
    return {"title": title, "description": SUMMARY, "link": link, "pubDate": published, **extra}


def add_feed(api, feeds, key: str, items: list[dict[str, str]]) -> None:
    url = feeds.serve(f"/{key}.xml", rss(items))
    body = {"key": key, "title": f"Source {key.upper()}", "url": url}
    assert api("admin").post("/sources", json=body).status_code == 201


def poll(runner, *args: str) -> str:
    result = runner.invoke(["poll", *args])
    assert result.exit_code == 0, result.output
    return result.output


def alerts(api, query: str = "") -> list[dict]:
    response = api("legal").get(f"/alerts{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def three_feeds_one_story(api, feeds) -> None:
    add_feed(api, feeds, "a", [item(link=f"{STORY}?utm_source=rss&utm_medium=feed")])
    copy = "https://WWW.news.example/world/2026/myanmar-shutdown/?fbclid=x#top"
    add_feed(api, feeds, "b", [item(link=copy)])
    add_feed(
        api,
        feeds,
        "c",
        [item(title=f"Myanmar: {TITLE.lower()}!", link="https://agency.example/m/88", days=1)],
    )


def test_the_same_story_from_three_feeds_is_one_alert_listing_every_report(app, api, runner, feeds):
    three_feeds_one_story(api, feeds)
    output = poll(runner, "--source", "a") + poll(runner, "--source", "b")
    output += poll(runner, "--source", "c")
    assert output.count("joined an existing alert") == 2
    (alert,) = alerts(api)
    assert alert["source"] == "a" and alert["title"] == TITLE and alert["status"] == "new"
    reports = alert["reports"]
    assert [(r["source"], r["matched_by"]) for r in reports] == [
        ("a", "first"),
        ("b", "url"),
        ("c", "title"),
    ]
    assert reports[1]["url"].startswith("https://WWW.news.example/")  # as the feed gave it
    assert reports[2]["title"].startswith("Myanmar:") and reports[2]["published_at"]
    assert api("legal").get(f"/alerts/{alert['id']}").get_json()["reports"] == reports
    assert len(notices(app, kind="alert_flagged")) <= 1  # one Slack post for the development
    with app.app_context():
        assert db.session.query(FeedItem).count() == 3  # every report is still stored


def test_feeds_polled_together_still_make_one_alert(app, api, runner, feeds):
    three_feeds_one_story(api, feeds)
    poll(runner)  # fetched in parallel; stored one source after another
    (alert,) = alerts(api)
    assert sorted(r["source"] for r in alert["reports"]) == ["a", "b", "c"]


def test_short_titles_that_differ_or_repeat_from_other_feeds_stay_apart(app, api, runner, feeds):
    add_feed(api, feeds, "a", [item(title="Court ruling", link="https://a.example/1")])
    add_feed(api, feeds, "b", [item(title="Court ruling on X", link="https://b.example/1")])
    add_feed(api, feeds, "c", [item(title="Court ruling", link="https://c.example/1")])
    poll(runner)
    found = alerts(api)
    assert sorted(a["title"] for a in found) == [
        "Court ruling",
        "Court ruling",
        "Court ruling on X",
    ]
    assert all(len(a["reports"]) == 1 for a in found)


@pytest.fixture
def rules_that_flag_newsletters(app, tmp_path):
    """A deployment whose own rules.toml does not exclude newsletters and roundups (the
    bundled rules do, so with them such posts never raise an alert to merge into)."""
    text = (ROOT / "feeds" / "rules.toml").read_text()
    kept = [
        line for line in text.splitlines() if "newsletter" not in line and "roundup" not in line
    ]
    (tmp_path / "rules.toml").write_text("\n".join(kept))
    app.extensions["incident_hub.classifier"] = load_rules(tmp_path / "rules.toml")


def test_generic_titles_from_two_feeds_stay_apart(
    app, api, runner, feeds, rules_that_flag_newsletters
):
    titles = ["Weekly roundup", "Newsletter"]
    news = "The regulator ordered a nationwide internet shutdown and the blocking of social media."
    for key in ("a", "b"):
        entries = [
            item(title=t, link=f"https://{key}.example/{n}", description=news)
            for n, t in enumerate(titles)
        ]
        add_feed(api, feeds, key, entries)
    poll(runner)
    found = alerts(api)
    assert sorted((a["title"], a["source"]) for a in found) == [
        ("Newsletter", "a"),
        ("Newsletter", "b"),
        ("Weekly roundup", "a"),
        ("Weekly roundup", "b"),
    ]


def test_one_feed_repeating_a_title_under_new_links_is_not_merged(app, api, runner, feeds):
    """A court docket or a column repeats its title: only another feed's copy is the story."""
    entries = [
        item(link=f"https://court.example/docket/{n}", guid=f"d{n}", description=f"{SUMMARY} #{n}")
        for n in range(2)
    ]
    add_feed(api, feeds, "docket", entries)
    poll(runner)
    assert len(alerts(api)) == 2


def test_near_identical_titles_join_only_within_the_window(api, runner, feeds, make_app):
    add_feed(api, feeds, "a", [item(link="https://a.example/1")])
    add_feed(api, feeds, "b", [item(link="https://b.example/1", days=-5)])
    poll(runner, "--source", "a")
    poll(runner, "--source", "b")
    assert len(alerts(api)) == 2  # five days apart: the default window is three
    widened = make_app(FEEDS={"SAME_STORY_DAYS": 7})  # restarted with a week's window
    add_feed(api, feeds, "c", [item(link="https://c.example/1", days=-5)])
    poll(Runner(widened), "--source", "c")
    assert len(alerts(api)) == 2 and max(len(a["reports"]) for a in alerts(api)) == 2


def test_an_unflagged_report_of_the_same_url_joins_without_raising_an_alert(
    app, api, runner, feeds
):
    add_feed(api, feeds, "a", [item()])
    quiet = {"title": "Mobile data", "description": "A short note.", "link": f"{STORY}?ref=home"}
    add_feed(api, feeds, "b", [quiet])
    poll(runner, "--source", "a")
    assert "0 flagged, 1 joined an existing alert" in poll(runner, "--source", "b")
    (alert,) = alerts(api)
    assert [r["title"] for r in alert["reports"]] == [TITLE, "Mobile data"]


def test_a_later_report_of_a_dismissed_development_joins_it_silently(app, api, runner, feeds):
    add_feed(api, feeds, "a", [item()])
    poll(runner, "--source", "a")
    (alert,) = alerts(api)
    dismissed = api("triager").post(f"/alerts/{alert['id']}/dismiss", json={"reason": "known"})
    assert dismissed.status_code == 200
    sent = len(notices(app, kind="alert_flagged"))
    add_feed(api, feeds, "b", [item(link=f"{STORY}?mc_cid=1&mc_eid=2")])
    add_feed(api, feeds, "c", [item(title=f"{TITLE} - wire", link="https://wire.example/1")])
    poll(runner)
    assert alerts(api, "?status=new") == []
    (after,) = alerts(api)
    assert after["status"] == "dismissed" and after["triage_note"] == "known"
    assert sorted(r["source"] for r in after["reports"]) == ["a", "b", "c"]
    assert len(notices(app, kind="alert_flagged")) == sent  # nothing posted again


@pytest.mark.parametrize("how", ["linked", "case-opened"])
def test_a_later_report_of_a_development_in_a_case_is_recorded_on_its_alert(
    app, api, runner, feeds, how
):
    add_feed(api, feeds, "a", [item()])
    poll(runner, "--source", "a")
    (alert,) = alerts(api)
    if how == "linked":
        case = open_case(api)
        linked = api("triager").post(f"/alerts/{alert['id']}/link", json={"case": case["ref"]})
        assert linked.status_code == 200
    else:
        open_case(api, playbook="network-shutdown", jurisdiction="MM", alert_ids=[alert["id"]])
    add_feed(api, feeds, "b", [item(link=f"{STORY}/?utm_campaign=x")])
    poll(runner, "--source", "b")
    (after,) = alerts(api)
    assert after["status"] == how and [r["source"] for r in after["reports"]] == ["a", "b"]


def test_a_flagged_report_adds_what_it_was_flagged_for(app, api, runner, feeds):
    add_feed(api, feeds, "a", [item()])
    more = item(
        link=STORY,
        description="The order also requires platforms to remove posts criticising the army "
        "within 24 hours, under the new cyber law.",
    )
    add_feed(api, feeds, "b", [more])
    poll(runner, "--source", "a")
    before = alerts(api)[0]
    poll(runner, "--source", "b")
    after = alerts(api)[0]
    assert set(before["topics"]) <= set(after["topics"]) and after["score"] >= before["score"]
    assert after["status"] == "new" and len(after["reports"]) == 2


def test_an_amended_report_from_another_feed_shows_on_the_alert(app, api, runner, feeds):
    add_feed(api, feeds, "a", [item(guid="a1")])
    add_feed(api, feeds, "b", [item(link=f"{STORY}?ref=b", guid="b1")])
    poll(runner, "--source", "a")
    poll(runner, "--source", "b")
    (alert,) = alerts(api)
    api("triager").post(f"/alerts/{alert['id']}/dismiss", json={"reason": "old news"})
    amended = item(link=f"{STORY}?ref=b", guid="b1", description=f"{SUMMARY} Fixed lines too.")
    feeds.serve("/b.xml", rss([amended]))
    assert "0 new, 1 updated" in poll(runner, "--source", "b")
    (after,) = alerts(api)
    assert after["changes"]["report"] == "b" and after["changes"]["summary"][1].endswith("too.")
    assert after["status"] == "new", "a changed report may matter, as a changed item does"
    assert [r["source"] for r in after["reports"]] == ["a", "b"]


def test_an_item_changed_twice_in_one_body_keeps_one_report_with_fresh_keys(
    app, api, runner, feeds
):
    add_feed(api, feeds, "a", [item(guid="g1")])
    poll(runner, "--source", "a")
    # One entry keeps the GUID under a new link, another the old link under a new GUID: both
    # are the same stored item, changed twice in this body.
    by_guid = item(title=f"{TITLE} (updated)", link="https://news.example/moved", guid="g1")
    by_link = item(title=f"{TITLE} (corrected)", guid="g2", description=f"{SUMMARY} More.")
    feeds.serve("/a.xml", rss([by_guid, by_link]))
    assert "0 new, 2 updated" in poll(runner, "--source", "a")
    (alert,) = alerts(api)
    assert len(alert["reports"]) == 1 and alert["reports"][0]["title"].endswith("(corrected)")
    with app.app_context():
        (report,) = db.session.execute(db.select(AlertReport)).scalars()
        assert report.title_key.endswith("corrected")


def test_alerts_written_without_reports_list_their_own_item(app, api):
    """Seeded history and older code paths: the alert's own item is its one report."""
    with app.app_context():
        from incident_hub.watch.models import Source

        source = Source(key="gazette", title="Gazette", url="https://gazette.example/feed")
        entry = FeedItem(source=source, guid="1", content_hash="0" * 64, title="Order published")
        db.session.add(Alert(item=entry, source=source, score=5.0))
        db.session.commit()
        assert db.session.query(AlertReport).count() == 0
    (alert,) = alerts(api)
    assert alert["reports"] == [
        {
            "source": "gazette",
            "source_title": "Gazette",
            "title": "Order published",
            "url": "",
            "published_at": None,
            "matched_by": "first",
        }
    ]
