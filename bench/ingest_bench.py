"""Ingestion speed: parse + classify + dedup + store versus bare ``feedparser.parse``.

Runs both over the same bytes in one process, on a fresh database (SQLite in a temporary folder
by default, or DATABASE_URL), and prints the times and their ratio. The target is ingestion
within 1.25x the bare parse. The corpus defaults to ../shared/corpora/real-feeds (194 real
feeds); pass another folder as the first argument.

    python bench/ingest_bench.py [CORPUS_DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import feedparser

ROOT = Path(__file__).resolve().parent.parent


def load_corpus(folder: Path) -> list[bytes]:
    if not folder.is_dir():
        sys.exit(f"corpus folder not found: {folder}")
    return [p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix != ".md"]


def bare_parse(bodies: list[bytes]) -> float:
    start = time.perf_counter()
    for body in bodies:
        feedparser.parse(io.BytesIO(body), response_headers={"content-type": "application/xml"})
    return time.perf_counter() - start


def ingest_all(bodies: list[bytes], round_no: int) -> tuple[float, int, int]:
    from incident_hub.clock import now
    from incident_hub.extensions import db
    from incident_hub.watch.ingest import ingest
    from incident_hub.watch.models import Source
    from incident_hub.watch.parse import FeedParseError, parse_feed
    from incident_hub.watch.service import classifier

    sources = [
        Source(key=f"bench-{round_no}-{i}", title="bench", url="http://127.0.0.1/")
        for i in range(len(bodies))
    ]
    db.session.add_all(sources)
    db.session.commit()
    rules, items, flagged = classifier(), 0, 0
    start = time.perf_counter()
    for source, body in zip(sources, bodies, strict=True):
        try:
            parsed = parse_feed(body, {"content-type": "application/xml"})
        except FeedParseError:
            continue
        counts = ingest(source, parsed.entries, rules, now())
        db.session.commit()
        items += counts.new
        flagged += counts.flagged
    return time.perf_counter() - start, items, flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared/corpora/real-feeds"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bodies = load_corpus(Path(args.corpus))
    size = sum(map(len, bodies))

    from incident_hub import create_app
    from incident_hub.database import upgrade_database

    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade_database()
            bare_parse(bodies[:20])  # warm imports and caches
            rows = []
            for round_no in range(args.repeat):
                parse_s = bare_parse(bodies)
                ingest_s, items, flagged = ingest_all(bodies, round_no)
                rows.append((parse_s, ingest_s))
                print(
                    f"round {round_no + 1}: bare parse {parse_s:.2f} s, ingest {ingest_s:.2f} s,"
                    f" ratio {ingest_s / parse_s:.2f}  ({items} items stored, {flagged} flagged)"
                )
    best = min(i / p for p, i in rows)
    print(f"\n{len(bodies)} feeds, {size / 1e6:.1f} MB, database {url.split(':')[0]}")
    print(
        f"ingest / bare feedparser.parse: best {best:.2f}, "
        f"median {sorted(i / p for p, i in rows)[len(rows) // 2]:.2f} (target <= 1.25)"
    )


if __name__ == "__main__":
    main()
