"""Compressed feed bodies, from the loopback feed server through the real fetcher and poll:
each Content-Encoding we offer decodes, and none can inflate past the size cap."""

from __future__ import annotations

import tracemalloc
import zlib

import pytest
from feedserver import rss

from incident_hub.extensions import db
from incident_hub.watch import decoding
from incident_hub.watch.fetch import FetchError, FetchSettings, fetch
from incident_hub.watch.models import FeedItem

LOOSE = FetchSettings(timeout_s=2, max_bytes=10**6, allow_private_networks=True)
FEED = rss([
    {"title": "Regulator orders platforms to remove posts criticising the government",
     "description": "The order applies to every platform operating in the country.",
     "guid": "urn:enc:1"},
])  # fmt: skip


def deflate(data: bytes, wbits: int) -> bytes:
    """zlib-wrapped (wbits 15), raw (-15) or gzip-wrapped (31) deflate."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return squeeze.compress(data) + squeeze.flush()


def poll_one(api, runner, url: str, key: str = "enc") -> dict:
    created = api("admin").post("/sources", json={"key": key, "title": key, "url": url})
    assert created.status_code == 201, created.get_json()
    result = runner.invoke(["poll", "--source", key])
    assert result.exit_code == 0, result.output
    return next(s for s in api("legal").get("/sources").get_json() if s["key"] == key)


@pytest.mark.parametrize("wbits", [15, -15, 31], ids=["zlib-wrapped", "raw", "gzip-wrapped"])
def test_deflate_bodies_decode_whether_wrapped_or_raw(feeds, wbits):
    url = feeds.serve("/d.xml", deflate(FEED, wbits), headers={"Content-Encoding": "deflate"})
    result = fetch(url, settings=LOOSE)
    assert result.body == FEED
    assert "deflate" in feeds.requests[-1][1]["accept-encoding"]


def test_a_raw_deflate_feed_is_polled_and_stored(app, api, runner, feeds):
    url = feeds.serve("/raw.xml", deflate(FEED, -15), headers={"Content-Encoding": "deflate"})
    source = poll_one(api, runner, url)
    assert source["healthy"] is True, source["last_error"]
    with app.app_context():
        assert [i.guid for i in db.session.query(FeedItem)] == ["urn:enc:1"]


def test_the_deflate_header_is_recognised_even_when_it_arrives_one_byte_at_a_time():
    for wbits in (15, -15):
        decoder = decoding.decoder_for("deflate")
        assert decoder is not None
        out = b"".join(decoder.decode(bytes([b]), 10**6) for b in deflate(FEED, wbits))
        assert out + decoder.finish() == FEED


def test_a_raw_deflate_bomb_stops_at_the_cap(feeds):
    bomb = deflate(bytes(100 * 2**20), -15)  # 100 MB of zeros in about 100 KB
    url = feeds.serve("/bomb", bomb, headers={"Content-Encoding": "deflate"})
    tracemalloc.start()
    with pytest.raises(FetchError) as caught:
        fetch(url, settings=LOOSE)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert caught.value.kind == "too_large" and "1,000,000-byte limit" in caught.value.reason
    assert peak < 12_000_000, f"peak {peak:,} bytes: the bomb was inflated past the cap"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (deflate(FEED, -15)[:40], "cut short"),
        (deflate(FEED, 15)[:1], "cut short"),
        (b"\x78\x9c" + bytes(range(200, 256)) * 4, "corrupt"),
        (b"\xff" * 100, "corrupt"),
    ],
    ids=["raw-truncated", "one-byte", "zlib-header-then-garbage", "garbage"],
)
def test_broken_deflate_bodies_are_a_clear_source_error(app, api, runner, feeds, body, says):
    url = feeds.serve("/bad", body, headers={"Content-Encoding": "deflate"})
    source = poll_one(api, runner, url)
    assert source["healthy"] is False and says in source["last_error"], source["last_error"]


NO_BROTLI = pytest.mark.skipif(
    decoding.BROTLI is None,
    reason="no Brotli decoder that can cap its output (brotli or brotlicffi >= 1.2) is "
    "installed, so br is neither offered nor tested: pip install -c constraints.txt -e '.[test]'",
)


def test_br_is_offered_only_when_a_brotli_decoder_is_installed():
    assert decoding.accept_encoding(None) == "gzip, deflate"
    with_decoder = decoding.accept_encoding(object())
    assert with_decoder == "gzip, deflate, br"
    assert decoding.accept_encoding() == (with_decoder if decoding.BROTLI else "gzip, deflate")


@NO_BROTLI
def test_a_brotli_feed_is_polled_and_stored(app, api, runner, feeds):
    body = decoding.BROTLI.compress(FEED)
    source = poll_one(api, runner, feeds.serve("/br.xml", body, headers={"Content-Encoding": "br"}))
    assert "br" in feeds.requests[-1][1]["accept-encoding"].split(", ")
    assert source["healthy"] is True, source["last_error"]
    with app.app_context():
        assert [i.guid for i in db.session.query(FeedItem)] == ["urn:enc:1"]


@NO_BROTLI
def test_a_brotli_bomb_stops_at_the_cap(feeds):
    bomb = decoding.BROTLI.compress(bytes(100 * 2**20))  # 100 MB of zeros in 160 bytes
    url = feeds.serve("/br-bomb", bomb, headers={"Content-Encoding": "br"})
    tracemalloc.start()
    with pytest.raises(FetchError) as caught:
        fetch(url, settings=LOOSE)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert caught.value.kind == "too_large" and "1,000,000-byte limit" in caught.value.reason
    assert peak < 12_000_000, f"peak {peak:,} bytes: the bomb was inflated past the cap"


@NO_BROTLI
@pytest.mark.parametrize(("broken", "says"), [("truncated", "cut short"), ("garbage", "corrupt")])
def test_broken_brotli_bodies_are_a_clear_source_error(app, api, runner, feeds, broken, says):
    whole = decoding.BROTLI.compress(FEED * 20)
    body = whole[: len(whole) // 2] if broken == "truncated" else b"\xff" * 64
    url = feeds.serve("/br-bad", body, headers={"Content-Encoding": "br"})
    source = poll_one(api, runner, url)
    assert source["healthy"] is False and says in source["last_error"], source["last_error"]
