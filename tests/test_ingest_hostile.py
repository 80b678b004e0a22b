"""Hostile and broken feeds through the real ingester: refused with a reason, never a crash.

Also runs feedparser's own test corpus and a corpus of 194 real feeds through parse + classify
+ dedup + store (read-only, beside the checkout; skipped, saying why, where absent).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from conftest import SHARED
from feedserver import rss

from incident_hub.clock import now
from incident_hub.extensions import db
from incident_hub.watch.ingest import ingest
from incident_hub.watch.models import FeedItem, Source
from incident_hub.watch.parse import FeedParseError, parse_feed
from incident_hub.watch.service import classifier

LAUGHS_ONE_LINE = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;'
    b'&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b'<rss version="2.0"><channel><title>&c;</title></channel></rss>'
)
LAUGHS_MULTI_LINE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>t</title><item><title>&lol9;</title></item></channel></rss>
"""


def _xxe(target: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY  xxe SYSTEM "{target}" >\n]>\n'
        '<rss version="2.0"><channel><title>t</title><item><title>&xxe;</title>'
        "<description>&xxe;</description></item></channel></rss>"
    ).encode()


def _poll_one(api, runner, url: str, key: str = "hostile") -> dict:
    assert (
        api("admin").post("/sources", json={"key": key, "title": key, "url": url}).status_code
        == 201
    )
    result = runner.invoke(["poll", "--source", key])
    assert result.exit_code == 0, result.output
    return next(s for s in api("legal").get("/sources").get_json() if s["key"] == key)


@pytest.mark.parametrize(
    "body",
    [LAUGHS_ONE_LINE, LAUGHS_MULTI_LINE],
    ids=["billion-laughs-one-line", "billion-laughs-multi-line"],
)
def test_billion_laughs_is_refused(api, runner, feeds, body):
    source = _poll_one(api, runner, feeds.serve("/laughs.xml", body))
    assert source["healthy"] is False and "entities" in source["last_error"]


@pytest.mark.parametrize("target", ["file:///etc/passwd", "canary"])
def test_external_entities_are_never_read_nor_contacted(app, api, runner, feeds, target):
    canary = feeds.url("/canary")
    feeds.serve("/canary", b"CANARY-SECRET")
    url = feeds.serve("/xxe.xml", _xxe(canary if target == "canary" else target))
    source = _poll_one(api, runner, url)
    assert source["healthy"] is False
    assert feeds.hits("/canary") == 0
    with app.app_context():
        stored = " ".join(f"{i.title} {i.summary}" for i in db.session.query(FeedItem))
    assert "root:" not in stored and "CANARY" not in stored


@pytest.mark.config(FEEDS={"MAX_BYTES": 1_000_000})
def test_a_gzip_bomb_stops_at_the_size_cap(app, api, runner, feeds):
    bomb = gzip.compress(b"<rss>" + b" " * 50_000_000, compresslevel=9)
    url = feeds.serve("/bomb.xml", bomb, headers={"Content-Encoding": "gzip"})
    source = _poll_one(api, runner, url)
    assert source["healthy"] is False and "larger than" in source["last_error"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            b"<?xml version='1.0' encoding='utf-8'?>"
            + rss([{"title": "Caf\xe9"}])[38:].replace("Caf\xc3\xa9".encode("latin-1"), b"Caf\xe9"),
            "application/rss+xml",
        ),
        (rss([{"title": "Zensur"}]), "application/rss+xml; charset=utf-16"),
        (
            rss([{"title": "Gesetz"}]).decode().replace("utf-8", "utf-16").encode("utf-16"),
            "application/xml",
        ),
    ],
    ids=["latin1-bytes-declared-utf8", "header-says-utf16-body-utf8", "utf16-body"],
)
def test_wrong_or_unusual_encodings_still_ingest(app, api, runner, feeds, body, content_type):
    url = feeds.serve("/enc.xml", body, headers={"Content-Type": content_type})
    source = _poll_one(api, runner, url)
    with app.app_context():
        titles = [i.title for i in db.session.query(FeedItem)]
    assert source["healthy"] is True and len(titles) == 1, source["last_error"]


def _ingest_corpus(files: list[Path]) -> tuple[int, int, int]:
    """Parse + classify + dedup + store every file; return (stored feeds, refused, items)."""
    source = Source(key="corpus", title="corpus", url="http://127.0.0.1/", next_poll_at=now())
    db.session.add(source)
    db.session.commit()
    rules, stored, refused = classifier(), 0, 0
    for path in files:
        try:
            parsed = parse_feed(path.read_bytes(), {"content-type": "application/xml"})
        except FeedParseError as exc:
            assert exc.reason, path
            refused += 1
            continue
        ingest(source, parsed.entries, rules, now())
        db.session.commit()
        stored += 1
    return stored, refused, db.session.query(FeedItem).count()


def _corpus(name: str) -> list[Path]:
    folder = SHARED / "corpora" / name
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: the shared corpora are not beside this checkout")
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".md")


def test_feedparser_corpus_goes_through_the_ingester_without_unhandled_errors(ctx):
    files = _corpus("feedparser-tests")
    stored, refused, items = _ingest_corpus(files)
    assert stored + refused == len(files) and len(files) > 2000
    assert stored > len(files) * 0.9 and items > 50


def test_real_feeds_go_through_the_ingester_without_unhandled_errors(ctx):
    files = _corpus("real-feeds")
    stored, refused, items = _ingest_corpus(files)
    assert stored + refused == len(files) and stored > len(files) * 0.9 and items > 1000
