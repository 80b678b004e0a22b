"""JSON Feed 1.1 (and 1.0) polled from the loopback feed server through `incident-hub poll`:
the same entries, dedup, flagging and health as RSS and Atom; a broken document is a readable
source error; random documents never crash parse or ingest."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz import FUZZ, check_feed

from incident_hub.clock import now
from incident_hub.extensions import db
from incident_hub.watch.fetch import FetchSettings, fetch
from incident_hub.watch.models import FeedItem, Source
from incident_hub.watch.parse import parse_feed

V11, V10 = "https://jsonfeed.org/version/1.1", "https://jsonfeed.org/version/1"
SHUTDOWN = {
    "id": "urn:jf:1",
    "url": "https://ministry.example/orders/17",
    "title": "Ministry orders nationwide mobile internet shutdown ahead of election",
    "content_html": "<p>The telecoms regulator ordered operators to suspend mobile data in "
    "<b>Myanmar</b>.</p>",
    "date_published": "2026-11-30T10:00:00+01:00",
}
LAUNCH = {
    "id": 2,  # JSON Feed: a number is read as its string
    "external_url": "https://press.example/launch",
    "title": "Phone maker launches new handset with bigger battery",
    "content_text": "The company unveiled its latest model at an event on Tuesday.",
    "date_modified": "2026-11-29T08:30:00Z",
}


def json_feed(items: list, version: str = V11, **top: object) -> bytes:
    return json.dumps({"version": version, "title": "Ministry", "items": items, **top}).encode()


def add_and_poll(api, runner, url: str, key: str = "json-feed") -> dict:
    created = api("admin").post("/sources", json={"key": key, "title": key, "url": url})
    assert created.status_code == 201, created.get_json()
    result = runner.invoke(["poll", "--source", key])
    assert result.exit_code == 0, result.output
    return next(s for s in api("legal").get("/sources").get_json() if s["key"] == key)


def items(app) -> dict[str, FeedItem]:
    with app.app_context():
        return {i.guid: i for i in db.session.query(FeedItem)}


@pytest.mark.parametrize(
    ("content_type", "version"),
    [("application/feed+json", V11), ("application/json; charset=utf-8", V11),
     ("application/feed+json", V10), ("text/plain", V11)],
    ids=["feed+json-1.1", "json-1.1", "feed+json-1.0", "text-plain-sniffed"],
)  # fmt: skip
def test_a_json_feed_is_polled_flagged_and_stored_like_rss(
    app, api, runner, feeds, content_type, version
):
    body = json_feed([SHUTDOWN, LAUNCH], version)
    url = feeds.serve("/feed.json", body, headers={"Content-Type": content_type})
    source = add_and_poll(api, runner, url)
    assert source["healthy"] is True and source["items_seen"] == 2, source["last_error"]
    assert "application/feed+json" in feeds.requests[-1][1]["accept"]
    stored = items(app)
    assert set(stored) == {"urn:jf:1", "2"}
    shutdown, launch = stored["urn:jf:1"], stored["2"]
    assert shutdown.link == SHUTDOWN["url"] and shutdown.title == SHUTDOWN["title"]
    assert shutdown.summary.startswith("The telecoms regulator") and "<b>" not in shutdown.summary
    assert shutdown.published_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert launch.link == "https://press.example/launch"  # external_url when there is no url
    assert launch.summary == LAUNCH["content_text"]
    assert launch.published_at == datetime(2026, 11, 29, 8, 30, tzinfo=UTC)  # date_modified
    (alert,) = api("legal").get("/alerts").get_json()
    assert alert["title"] == SHUTDOWN["title"] and alert["url"] == SHUTDOWN["url"]
    assert "shutdown-blocking" in alert["topics"]


def test_a_json_feed_item_is_deduplicated_and_updated_by_its_id(app, api, runner, feeds):
    url = feeds.serve("/feed.json", json_feed([SHUTDOWN]))
    add_and_poll(api, runner, url)
    amended = dict(SHUTDOWN, content_html="<p>The order now also covers fixed broadband.</p>")
    feeds.serve("/feed.json", json_feed([amended, SHUTDOWN]))  # the older copy is ignored
    result = runner.invoke(["poll", "--source", "json-feed"])
    assert "0 new, 1 updated" in result.output, result.output
    assert items(app)["urn:jf:1"].version == 2


def test_summary_is_preferred_then_plain_text_then_html():
    both = dict(SHUTDOWN, summary="Short summary.", content_text="Full text.")
    text_only = dict(SHUTDOWN, content_text="Full text.")
    parsed = parse_feed(json_feed([both, text_only]), {"content-type": "application/feed+json"})
    assert [e.summary for e in parsed.entries] == ["Short summary.", "Full text."]


@pytest.mark.parametrize(
    ("top", "item_url", "expected"),
    [
        ({"home_page_url": "/ministry/"}, "orders/17", "/ministry/orders/17"),
        ({"home_page_url": "https://ministry.example/"}, "/orders/17",
         "https://ministry.example/orders/17"),
        ({"feed_url": "/v2/feed.json"}, "orders/17", "/v2/orders/17"),
        ({"home_page_url": "javascript:void(0)", "feed_url": "/v2/feed.json"}, "o/17", "/v2/o/17"),
        ({}, "orders/17", "/feeds/orders/17"),
        ({}, "//cdn.example/orders/17", "http://cdn.example/orders/17"),
    ],
    ids=["home-relative", "home-absolute", "feed-url", "bad-home-skipped", "fetch-url",
         "scheme-relative"],
)  # fmt: skip
def test_relative_item_urls_resolve_against_home_page_then_feed_url_then_fetch_url(
    app, api, runner, feeds, top, item_url, expected
):
    body = json_feed([dict(SHUTDOWN, url=item_url)], **top)
    add_and_poll(api, runner, feeds.serve("/feeds/feed.json", body))
    link = items(app)["urn:jf:1"].link
    assert link == (expected if expected.startswith("http") else feeds.url(expected))


def test_languages_come_from_the_item_then_the_feed(feeds):
    body = json_feed([dict(SHUTDOWN, language="my"), LAUNCH], language="en-GB")
    result = fetch(
        feeds.serve("/lang.json", body), settings=FetchSettings(allow_private_networks=True)
    )
    parsed = parse_feed(result.body or b"", result.headers, url=result.final_url)
    assert parsed.language == "en-GB" and parsed.version == "json11"
    assert [e.language for e in parsed.entries] == ["my", "en-GB"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "the JSON is invalid"),
        (b"[1, 2, 3]", "the document is a list, not an object"),
        (b'{"title": "an API answer", "items": []}', 'no "version"'),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', '"items" must be a list'),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": {"a": 1}}',
         '"items" must be a list (it is an object)'),
        (json_feed([1, "two", None]), "none of its 3 items could be read (items[0] is a number"),
        (b"[" * 100_000, "nested too deeply"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [], "n": ' + b"9" * 5000
         + b"}", "number too long"),
        (b'{"version": "\xff\xfe"}', "not valid UTF-8"),
    ],
    ids=["truncated", "top-level-list", "no-version", "no-items", "items-object",
         "no-readable-item", "deep-nesting", "huge-number", "bad-utf8"],
)  # fmt: skip
def test_a_broken_json_feed_is_a_clear_source_error(app, api, runner, feeds, body, says):
    url = feeds.serve("/bad.json", body, headers={"Content-Type": "application/feed+json"})
    add_and_poll(api, runner, feeds.serve("/good.json", json_feed([SHUTDOWN])), key="good")
    source = add_and_poll(api, runner, url, key="bad")
    assert source["healthy"] is False and source["error_count"] == 1
    assert says in source["last_error"], source["last_error"]
    healthy = {s["key"]: s["healthy"] for s in api("legal").get("/sources").get_json()}
    assert healthy == {"good": True, "bad": False}


def test_items_of_the_wrong_shape_are_skipped_and_named(feeds):
    body = json_feed([SHUTDOWN, 7, dict(LAUNCH, title=["not", "text"], id={"x": 1})])
    parsed = parse_feed(body, {"content-type": "application/feed+json"})
    assert [e.guid for e in parsed.entries] == ["urn:jf:1", None]
    assert "items[1] is a number, not an object" in parsed.warning
    assert "items[2].title is a list, not a string" in parsed.warning


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
FIELDS = ("id", "url", "external_url", "title", "content_text", "content_html", "summary",
          "date_published", "date_modified", "language")  # fmt: skip
STRINGS = st.text(max_size=60) | st.sampled_from(
    ("/a", "//x.example/b", "javascript:alert(1)", "http://[::1", "2026-11-30T10:00:00Z",
     "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00", "\x00", "\ud800", "<b>x</b>")
)  # fmt: skip
ITEMS = st.dictionaries(st.sampled_from(FIELDS), STRINGS | JSON_VALUES, max_size=8) | JSON_VALUES
DOCUMENTS = st.fixed_dictionaries(
    {"version": st.sampled_from((V11, V10, "1.1")) | JSON_VALUES,
     "items": st.lists(ITEMS, max_size=6) | JSON_VALUES},
    optional={k: STRINGS | JSON_VALUES for k in ("home_page_url", "feed_url", "title", "language")},
)  # fmt: skip


@pytest.fixture
def fuzz_source(ctx) -> Source:
    source = Source(key="fuzz", title="fuzz", url="http://127.0.0.1/", next_poll_at=now())
    db.session.add(source)
    db.session.commit()
    return source


@FUZZ
@given(document=DOCUMENTS)
def test_random_json_feeds_parse_or_refuse_and_ingest(fuzz_source, document):
    """Any JSON of roughly the right shape: a ParsedFeed or FeedParseError, and what parses
    ingests and commits (no NUL, no lone surrogate reaches the database)."""
    body = json.dumps(document).encode()
    check_feed(fuzz_source, body, {"content-type": "application/feed+json"})
