"""A loopback feed server for tests: real HTTP on 127.0.0.1, scripted per path.

Each route is a function ``(request_headers) -> (status, headers, body)``; the server records
every request so tests can assert on conditional-GET headers or that nothing was contacted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[[dict[str, str]], tuple[int, dict[str, str], bytes]]


@dataclass
class FeedServer:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def serve(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        etag: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Serve a fixed body (answering 304 to a matching If-None-Match when etag is set)."""

        def route(request_headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
            out = {"Content-Type": "application/rss+xml", **(headers or {})}
            if etag:
                out["ETag"] = etag
                if request_headers.get("if-none-match") == etag:
                    return 304, out, b""
            return status, out, body

        self.routes[path] = route
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


def start(server_state: FeedServer) -> tuple[ThreadingHTTPServer, threading.Thread]:
    state = server_state

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append((self.path, headers))
            route = state.routes.get(self.path)
            status, out, body = route(headers) if route else (404, {}, b"not found")
            self.send_response(status)
            for name, value in out.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002, ANN002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd, thread


def rss(items: list[dict[str, str]], title: str = "Test feed") -> bytes:
    """A small RSS 2.0 document; each item may have title, description, link, guid, pubDate."""
    parts = [
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.org/</link>"
        "<description>test</description>"
    ]
    for item in items:
        parts.append("<item>" + "".join(f"<{k}>{v}</{k}>" for k, v in item.items()) + "</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")
