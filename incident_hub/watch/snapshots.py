"""A loopback HTTP server for recorded feed snapshots: the demo's stand-in for the internet.

It serves one folder on 127.0.0.1 only, with ETag and Last-Modified so conditional GET works
exactly as against a real feed server.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _SnapshotHandler(SimpleHTTPRequestHandler):
    """Static files with an ETag; answers 304 to a matching If-None-Match."""

    def end_headers(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_file():
            self.send_header("ETag", self._etag(path))
        super().end_headers()

    @staticmethod
    def _etag(path: Path) -> str:
        return '"' + hashlib.sha256(path.read_bytes()).hexdigest()[:16] + '"'

    def send_head(self):  # noqa: ANN201
        path = Path(self.translate_path(self.path))
        if path.is_file() and self.headers.get("If-None-Match") == self._etag(path):
            self.send_response(304)
            self.end_headers()
            return None
        return super().send_head()

    def guess_type(self, path) -> str:  # noqa: ANN001
        return "application/xml" if str(path).endswith(".xml") else super().guess_type(path)

    def log_message(self, format: str, *args) -> None:  # noqa: A002, ANN002
        """Quiet: the demo prints its own summary."""


@contextmanager
def serve_snapshots(directory: str | Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) while the block runs; yield its base URL."""
    handler = partial(_SnapshotHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
