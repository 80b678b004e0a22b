"""Polling feeds from a loopback server through `incident-hub poll`: flag, dedup, update, health."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from feedserver import rss

from incident_hub.clock import now
from incident_hub.extensions import db
from incident_hub.watch.models import FeedItem, Source

SHUTDOWN = {
    "title": "Ministry orders nationwide mobile internet shutdown ahead of election",
    "description": "The telecoms regulator ordered operators to suspend mobile data in Myanmar.",
    "link": "http://example.org/shutdown",
    "guid": "urn:x:1",
}
LAUNCH = {
    "title": "Phone maker launches new handset with bigger battery",
    "description": "The company unveiled its latest model at an event on Tuesday.",
    "link": "http://example.org/launch",
    "guid": "urn:x:2",
}


def add_source(api, url: str, key: str = "test-feed", **extra) -> dict:
    response = api("admin").post(
        "/sources", json={"key": key, "title": key.title(), "url": url, **extra}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def poll(runner, *args: str):
    result = runner.invoke(["poll", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_poll_flags_relevant_items_and_stores_the_rest_as_seen(app, api, runner, feeds):
    add_source(api, feeds.serve("/a.xml", rss([SHUTDOWN, LAUNCH])), jurisdiction="MM")
    output = poll(runner)
    assert "2 new, 0 updated, 1 flagged" in output
    alerts = api("legal").get("/alerts").get_json()
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["title"] == SHUTDOWN["title"] and alert["status"] == "new"
    assert "shutdown-blocking" in alert["topics"] and "MM" in alert["jurisdictions"]
    assert alert["suggested_playbook"] == "network-shutdown" and alert["matched"]
    with app.app_context():
        assert db.session.query(FeedItem).count() == 2  # the launch is kept as seen


def test_second_poll_uses_conditional_get_and_304_means_nothing_to_do(app, api, runner, feeds):
    add_source(api, feeds.serve("/a.xml", rss([SHUTDOWN]), etag='"v1"'))
    poll(runner)
    later = (now() + timedelta(days=2)).isoformat()
    output = poll(runner, "--at", later)
    assert "(not modified)" in output
    assert feeds.requests[-1][1].get("if-none-match") == '"v1"'
    assert api("legal").get("/sources").get_json()[0]["last_status"] == "not_modified"


def test_duplicates_are_recognised_by_guid_then_link_then_content(app, api, runner, feeds):
    no_guid = {"title": "Court upholds data localisation law", "link": "http://example.org/c"}
    bare = {"title": "Parliament passes surveillance bill", "description": "Text."}
    url = feeds.serve("/a.xml", rss([SHUTDOWN, no_guid, bare]))
    add_source(api, url)
    poll(runner)
    moved = dict(SHUTDOWN, link="http://example.org/moved")  # same guid, new link
    feeds.serve("/a.xml", rss([moved, no_guid, bare, bare]))
    output = poll(runner, "--source", "test-feed")
    assert "0 new" in output
    with app.app_context():
        assert db.session.query(FeedItem).count() == 3


def test_an_amended_item_is_marked_updated_and_its_alert_shows_what_changed(
    app, api, runner, feeds
):
    add_source(api, feeds.serve("/a.xml", rss([SHUTDOWN])))
    poll(runner)
    alert_id = api("legal").get("/alerts").get_json()[0]["id"]
    api("triager").post(f"/alerts/{alert_id}/dismiss", json={"reason": "old news"})
    amended = dict(SHUTDOWN, description="The order now also covers fixed broadband in Myanmar.")
    feeds.serve("/a.xml", rss([amended]))
    output = poll(runner, "--source", "test-feed")
    assert "0 new, 1 updated" in output
    alert = api("legal").get(f"/alerts/{alert_id}").get_json()
    assert alert["version"] == 2
    assert alert["changes"]["summary"] == [SHUTDOWN["description"], amended["description"]]
    assert alert["status"] == "new", "a dismissed alert whose item changed comes back"


def test_one_broken_source_never_stops_the_others(app, api, runner, feeds):
    bad = {
        "html": feeds.serve(
            "/html",
            b"<!doctype html><html><body>Hi</body></html>",
            headers={"Content-Type": "text/html"},
        ),
        "empty": feeds.serve("/empty", b""),
        "server-error": feeds.serve("/500", b"oops", status=500),
        "missing": feeds.url("/nothing-here"),
        "garbage": feeds.serve("/garbage", b"\x00\xff\xfe not xml at all"),
    }
    for key, url in bad.items():
        add_source(api, url, key=key)
    add_source(api, feeds.serve("/good", rss([SHUTDOWN])), key="good")
    output = poll(runner)
    assert "good" in output and "1 flagged" in output
    sources = {s["key"]: s for s in api("legal").get("/sources").get_json()}
    assert sources["good"]["healthy"] is True
    for key in bad:
        assert sources[key]["healthy"] is False and sources[key]["error_count"] == 1, key
        assert sources[key]["last_error"], key
    assert "web page" in sources["html"]["last_error"]
    assert "empty" in sources["empty"]["last_error"]
    assert "500" in sources["server-error"]["last_error"]


def test_failing_sources_back_off_and_retry_after_is_honoured(app, api, runner, feeds):
    feeds.serve("/busy", b"slow down", status=429, headers={"Retry-After": "7200"})
    add_source(api, feeds.url("/busy"), key="busy")
    feeds.serve("/down", b"", status=503)
    add_source(api, feeds.url("/down"), key="down", interval_min=30)
    start = now()
    poll(runner, "--at", start.isoformat())
    with app.app_context():
        busy = db.session.query(Source).filter_by(key="busy").one()
        assert busy.next_poll_at >= start + timedelta(seconds=7200)
        down = db.session.query(Source).filter_by(key="down").one()
        first_wait = down.next_poll_at - start
    poll(runner, "--source", "down", "--at", start.isoformat())
    with app.app_context():
        down = db.session.query(Source).filter_by(key="down").one()
        assert down.error_count == 2
        assert down.next_poll_at - start == 2 * first_wait


def test_only_due_sources_are_polled(app, api, runner, feeds):
    add_source(api, feeds.serve("/a.xml", rss([SHUTDOWN])), interval_min=60)
    poll(runner)
    hits = feeds.hits("/a.xml")
    assert "No source is due." in poll(runner)
    assert feeds.hits("/a.xml") == hits
    poll(runner, "--at", (now() + timedelta(hours=25)).isoformat())
    assert feeds.hits("/a.xml") == hits + 1


def test_adaptive_interval_follows_how_often_the_feed_publishes(app, api, runner, feeds):
    stamps = [now() - timedelta(hours=6 * i) for i in range(10)]
    items = [
        {
            "title": f"Post {i}",
            "guid": f"g{i}",
            "pubDate": s.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        }
        for i, s in enumerate(stamps)
    ]
    add_source(api, feeds.serve("/a.xml", rss(items)), interval_min=15)
    poll(runner)
    source = api("legal").get("/sources").get_json()[0]
    assert source["effective_interval_min"] == 180  # half the six-hour gap, within bounds


@pytest.mark.config(FEEDS={"ALLOW_PRIVATE_NETWORKS": False})  # the default in production
def test_private_addresses_are_refused_unless_allowed(app, api, runner, feeds):
    url = feeds.serve("/a.xml", rss([SHUTDOWN]))
    added = api("admin").post("/sources", json={"key": "lan", "title": "LAN", "url": url})
    assert added.status_code == 422 and added.get_json()["error"]["field"] == "url"
    # A feed file is not checked when read: the guard refuses the address when it is polled.
    (Path(app.config["FEEDS_DIR"]) / "lan.toml").write_text(
        f'[[sources]]\nkey = "lan"\ntitle = "LAN"\nurl = "{url}"\n', encoding="utf-8"
    )
    poll(runner)
    source = api("legal").get("/sources").get_json()[0]
    assert source["healthy"] is False and "refused" in source["last_error"]
    assert feeds.requests == []


def test_poll_of_an_unknown_source_is_a_clear_error(runner):
    result = runner.invoke(["poll", "--source", "nope"])
    assert result.exit_code == 1 and "no source 'nope'" in result.output


def test_poll_rejects_a_bad_time(runner):
    result = runner.invoke(["poll", "--at", "yesterday"])
    assert result.exit_code == 2 and "not an ISO 8601 time" in result.output


def test_tick_polls_due_feeds(app, api, runner, feeds):
    add_source(api, feeds.serve("/a.xml", rss([SHUTDOWN])))
    result = runner.invoke(["tick"])
    assert result.exit_code == 0 and "poll: sources 1" in result.output
    assert "flagged 1" in result.output
