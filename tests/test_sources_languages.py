"""The shipped sources in other languages, and what the offline demo flags in their snapshots.

1. ``feeds/sources.toml``, read through the project's own loader, has recorded snapshots in at
   least six languages other than English; every snapshot exists, starts with the "recorded
   snapshot" comment and parses cleanly with feedparser.
2. Each non-English snapshot goes through the production path: ``parse_feed`` and the shipped
   rules (``feeds/rules.toml`` and ``feeds/rules/<language>.toml``). Every entry's detected
   language must be the source's, and at least one entry must be flagged. Detection only
   chooses among languages that have rules, so for a language whose rules file does not exist
   yet the entries are checked against every language the detector supports instead, and the
   flagging check is skipped, naming the missing file.

Run with ``-s`` to see how many entries of each snapshot the current rules flag.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import feedparser
import pytest

from incident_hub.watch import language as lang
from incident_hub.watch.classify import load_rules
from incident_hub.watch.parse import parse_feed
from incident_hub.watch.sources import load_source_files

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "feeds"
RULES = FEEDS / "rules.toml"
LEAD = (
    "Recorded snapshot for the offline demo: real feed structure; entries written for "
    "Incident Hub, not copied from the publisher."
)


def _raw_sources() -> list[dict]:
    """The [[sources]] tables as written (for test ids only; the checks use the loader)."""
    out = []
    for path in sorted(FEEDS.glob("*.toml")):
        if path.name != "rules.toml":
            out.extend(tomllib.loads(path.read_text(encoding="utf-8")).get("sources", []))
    return out


RECORDED_ELSEWHERE = sorted(
    s["key"] for s in _raw_sources() if s.get("snapshot") and s.get("language", "en") != "en"
)


@pytest.fixture
def shipped(app) -> dict[str, dict]:
    """The shipped sources by key, read with the loader the app uses at start-up."""
    with app.app_context():
        return {s["key"]: s for s in load_source_files(FEEDS)}


@pytest.fixture(scope="module")
def classifier():
    return load_rules(RULES)


def test_snapshots_cover_at_least_six_other_languages_and_parse(shipped):
    recorded = [s for s in shipped.values() if s["snapshot"]]
    others = {s["language"] for s in recorded} - {"en"}
    assert len(others) >= 6, f"snapshots in only {sorted(others)} besides English"
    for source in recorded:
        path = FEEDS / source["snapshot"]
        assert path.is_file(), f"{source['key']}: {source['snapshot']} does not exist"
        body = path.read_bytes()
        head = body.decode("utf-8").split("\n", 2)
        assert head[0].startswith("<?xml"), f"{path.name}: no XML declaration first"
        assert head[1].startswith(f"<!-- {LEAD}"), f"{path.name}: the snapshot comment is missing"
        assert b"<!ENTITY" not in body, f"{path.name}: declares entities"
        parsed = feedparser.parse(body)
        assert not parsed.bozo, f"{path.name}: {parsed.get('bozo_exception')}"
        assert 8 <= len(parsed.entries) <= 15, f"{path.name}: {len(parsed.entries)} entries"


@pytest.mark.parametrize("key", RECORDED_ELSEWHERE)
def test_non_english_snapshot_detected_and_flagged(key, shipped, classifier):
    source = shipped[key]
    code = source["language"]
    entries = parse_feed((FEEDS / source["snapshot"]).read_bytes()).entries
    assert entries
    has_rules = code in classifier.languages
    results = [
        classifier.classify(e.title, e.summary, source["jurisdiction"] or None) for e in entries
    ]
    for entry, result in zip(entries, results, strict=True):
        detected = (
            result.language
            if has_rules
            else lang.detect(f"{entry.title} {entry.summary}", lang.LANGUAGES)
        )
        assert detected == code, f"{key}: {entry.title!r} detected as {detected}, not {code}"
    flagged = [e.title for e, r in zip(entries, results, strict=True) if r.flagged]
    print(f"\n{key} ({code}): {len(flagged)} of {len(entries)} entries flagged")
    for title in flagged:
        print(f"  flagged: {title}")
    if not has_rules:
        pytest.skip(
            f"feeds/rules/{code}.toml does not exist yet: {key} cannot be flagged in {code} "
            "(language checked against every supported language instead)"
        )
    assert flagged, f"{key}: no entry of {source['snapshot']} is flagged by the current rules"
