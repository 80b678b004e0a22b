"""Relative entry links, polled from the loopback feed server: resolved against xml:base, or
against the address the feed was fetched from (after redirects), never dropped or left relative."""

from __future__ import annotations

from feedserver import rss

from incident_hub.extensions import db
from incident_hub.watch.models import FeedItem

ATOM_WITH_BASE = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://ministry.example/news/">
  <title>Ministry news</title><id>urn:ministry</id><updated>2026-11-30T10:00:00Z</updated>
  <entry><id>urn:m:1</id><title>Order on encrypted messaging</title>
    <updated>2026-11-30T10:00:00Z</updated><link href="2026/encryption-order"/></entry>
  <entry xml:base="/archive/"><id>urn:m:2</id><title>Data retention decree</title>
    <updated>2026-11-29T10:00:00Z</updated><link href="retention.html"/></entry>
  <entry><id>urn:m:3</id><title>Press contact</title>
    <updated>2026-11-28T10:00:00Z</updated><link href="javascript:alert(1)"/></entry>
</feed>"""
ATOM_NO_BASE = ATOM_WITH_BASE.replace(b' xml:base="https://ministry.example/news/"', b"")


def stored_links(app) -> dict[str, str]:
    with app.app_context():
        return {item.guid: item.link for item in db.session.query(FeedItem)}


def poll(api, runner, url: str) -> None:
    created = api("admin").post("/sources", json={"key": "links", "title": "Links", "url": url})
    assert created.status_code == 201, created.get_json()
    result = runner.invoke(["poll", "--source", "links"])
    assert result.exit_code == 0 and "error" not in result.output, result.output


def test_relative_rss_links_resolve_against_the_feed_address(app, api, runner, feeds):
    items = [
        {"title": "Shutdown order published", "link": "/orders/17", "guid": "urn:r:1"},
        {"title": "Second reading of the bill", "link": "bill-2.html", "guid": "urn:r:2"},
        {"title": "Already absolute", "link": "https://gazette.example/a", "guid": "urn:r:3"},
    ]
    poll(api, runner, feeds.serve("/regulator/feed.xml", rss(items)))
    assert stored_links(app) == {
        "urn:r:1": feeds.url("/orders/17"),
        "urn:r:2": feeds.url("/regulator/bill-2.html"),
        "urn:r:3": "https://gazette.example/a",
    }


def test_atom_xml_base_wins_over_the_feed_address_and_nests(app, api, runner, feeds):
    poll(api, runner, feeds.serve("/atom", ATOM_WITH_BASE, headers={"Content-Type": "text/xml"}))
    assert stored_links(app) == {
        "urn:m:1": "https://ministry.example/news/2026/encryption-order",
        "urn:m:2": "https://ministry.example/archive/retention.html",
        "urn:m:3": "",  # not a web address: dropped, as before
    }


def test_links_resolve_against_where_a_redirect_led(app, api, runner, feeds):
    target = feeds.serve("/v2/ministry.atom", ATOM_NO_BASE, headers={"Content-Type": "text/xml"})
    start = feeds.serve("/ministry.atom", b"", status=302, headers={"Location": target})
    poll(api, runner, start)
    assert stored_links(app)["urn:m:1"] == feeds.url("/v2/2026/encryption-order")
    assert stored_links(app)["urn:m:2"] == feeds.url("/archive/retention.html")
