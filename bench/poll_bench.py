"""One full poll of 1,000 sources on a loopback server, 90% answering 304 Not Modified.

Goes through the real path (`watch.service.poll`: thread-pooled fetch with the SSRF-guarded
client, parse, classify, dedup, store, health bookkeeping) against a fresh database (SQLite in
a temporary folder, or DATABASE_URL). A first poll primes ETags; the second is the one timed.
Target: <= 10 s on 2 cores.

    python bench/poll_bench.py [--sources 1000] [--fresh-share 0.1]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from feedserver import FeedServer, rss, start  # noqa: E402


def feed(index: int, version: int) -> bytes:
    items = [
        {
            "title": f"Source {index} post {n} v{version}",
            "guid": f"s{index}-{n}",
            "description": "Parliament debates a bill on online platforms and encryption.",
        }
        for n in range(10)
    ]
    return rss(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--fresh-share", type=float, default=0.1)
    args = parser.parse_args()

    from incident_hub import create_app
    from incident_hub.clock import now
    from incident_hub.database import upgrade_database
    from incident_hub.extensions import db
    from incident_hub.watch.models import Source
    from incident_hub.watch.service import poll

    server = FeedServer()
    httpd, _ = start(server)
    fresh = set(range(0, args.sources, round(1 / args.fresh_share)))
    for i in range(args.sources):
        server.serve(f"/f{i}.xml", feed(i, 1), etag=f'"v1-{i}"')
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        feeds_dir = Path(tmp) / "feeds"
        feeds_dir.mkdir()
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "FEEDS_DIR": str(feeds_dir),
                "FEEDS": {"ALLOW_PRIVATE_NETWORKS": True},
            }
        )
        with app.app_context():
            upgrade_database()
            db.session.add_all(
                Source(key=f"s{i}", title=f"S{i}", url=server.url(f"/f{i}.xml"), next_poll_at=now())
                for i in range(args.sources)
            )
            db.session.commit()
            first = time.perf_counter()
            poll()
            prime_s = time.perf_counter() - first
            for i in fresh:  # these now publish something new
                server.serve(f"/f{i}.xml", feed(i, 2), etag=f'"v2-{i}"')
            started = time.perf_counter()
            results = poll(at=now() + timedelta(days=1))
            elapsed = time.perf_counter() - started
    httpd.shutdown()
    not_modified = sum(r.status == "not_modified" for r in results)
    errors = sum(r.status == "error" for r in results)
    print(f"priming poll: {prime_s:.2f} s ({args.sources} sources, all new)")
    print(
        f"timed poll: {len(results)} sources in {elapsed:.2f} s "
        f"({len(results) / elapsed:.0f} sources/s): {not_modified} answered 304, "
        f"{sum(r.updated for r in results)} items updated, {errors} errors "
        f"[database {url.split(':')[0]}; target <= 10 s]"
    )


if __name__ == "__main__":
    main()
