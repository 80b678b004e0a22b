"""Benchmark: poll 1,000 feed sources through one shared client, as the watcher does.

A loopback ThreadingHTTPServer (HTTP/1.1 keep-alive) runs in its own process, so client and
server do not share a GIL. Every source is polled with its stored ETag; 90% of them answer
304 Not Modified and 10% send a changed feed (about 3 KB). The fetches run on a
ThreadPoolExecutor sharing one ``make_client`` client, through the full guarded path
(connect-time guard, deadline, capped body reading).

    .venv/bin/python bench/fetch_bench.py [--sources 1000] [--workers 48] [--rounds 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from incident_hub.watch.fetch import FetchResult, FetchSettings, fetch, make_client

ENTRY = b"<entry><title>Amendment to the telecommunications act</title><id>urn:x:%d</id></entry>"
ENTRIES = b"".join(ENTRY % n for n in range(30))
BODY = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">' + ENTRIES + b"</feed>"


class SourceHandler(BaseHTTPRequestHandler):
    """/feed/N: sources whose N is not a multiple of 10 are unchanged (304 to their ETag)."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        """Answer one conditional GET."""
        number = int(self.path.rsplit("/", 1)[1])
        etag = f'"{number}-v1"'
        unchanged = number % 10 != 0 and self.headers.get("If-None-Match") == etag
        self.send_response_only(304 if unchanged else 200)
        self.send_header("ETag", etag if unchanged else f'"{number}-v2"')
        if not unchanged:
            self.send_header("Content-Type", "application/atom+xml")
            self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        if not unchanged:
            self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        """Keep the benchmark's output to the figures."""


class SourceServer(ThreadingHTTPServer):
    """A thread per keep-alive connection; a listen backlog deep enough for the pool."""

    daemon_threads = True
    request_queue_size = 256


def serve(ports: multiprocessing.Queue) -> None:
    """Run the feed server in a child process and report its port."""
    server = SourceServer(("127.0.0.1", 0), SourceHandler)
    ports.put(server.server_address[1])
    server.serve_forever()


def poll_all(port: int, sources: int, workers: int, settings: FetchSettings) -> tuple[float, int]:
    """Poll every source once with its stored ETag; return (seconds, number unchanged)."""
    urls = [(f"http://127.0.0.1:{port}/feed/{n}", f'"{n}-v1"') for n in range(sources)]
    with make_client(settings) as client, ThreadPoolExecutor(max_workers=workers) as pool:

        def poll(job: tuple[str, str]) -> FetchResult:
            """One source, exactly as the watcher fetches it."""
            return fetch(job[0], etag=job[1], settings=settings, client=client)

        started = time.perf_counter()
        results = list(pool.map(poll, urls))
        elapsed = time.perf_counter() - started
    assert all(r.body == BODY for r in results if not r.not_modified)
    return elapsed, sum(r.not_modified for r in results)


def main() -> None:
    """Start the server, poll the sources a few rounds, print seconds and requests/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ports: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports,), daemon=True)
    server.start()
    port = ports.get(timeout=10)
    settings = FetchSettings(timeout_s=10, allow_private_networks=True)  # loopback server
    timings = []
    try:
        for round_number in range(1, args.rounds + 1):
            elapsed, unchanged = poll_all(port, args.sources, args.workers, settings)
            timings.append(elapsed)
            print(
                f"round {round_number}: {args.sources} sources ({unchanged} not modified) "
                f"in {elapsed:.2f} s = {args.sources / elapsed:,.0f} requests/s"
            )
    finally:
        server.terminate()
    best, median = min(timings), statistics.median(timings)
    print(
        f"best {best:.2f} s ({args.sources / best:,.0f} req/s), "
        f"median {median:.2f} s ({args.sources / median:,.0f} req/s), "
        f"{args.workers} workers, one shared client"
    )


if __name__ == "__main__":
    main()
