"""Logging: text or JSON lines ([OPS] LOG_FORMAT), and one line per web request.

Request lines carry a request id (the caller's ``X-Request-ID`` when it looks like one, else a
new one; echoed in the response), method, path, status, milliseconds and the user id. Query
strings are left out: they can hold search terms about confidential cases.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, request
from flask_login import current_user
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
request_log = logging.getLogger("incident_hub.request")


class _NoServerRequestLines(logging.Filter):
    """Drops werkzeug's own access line (``127.0.0.1 - - [date] "GET / HTTP/1.1" 200 -``),
    which the development server (``incident-hub demo``, ``flask run``) logs for every request
    on top of our request line: one request, one line. Its other messages (the address it
    serves on, errors) still pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.endswith('"%s" %s %s'))


_SERVER_FILTER = _NoServerRequestLines()


class _Stderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (as logging's own last resort does)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):  # noqa: ANN201
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:  # noqa: ANN001
        pass


def configure_logging(app: Flask) -> None:
    """Point the ``incident_hub`` loggers at stderr in the configured format (once per
    process: several apps in one process share the handler)."""
    ops = app.config["OPS"]
    logger = logging.getLogger("incident_hub")
    logger.setLevel(ops["LOG_LEVEL"].upper())
    handler = next((h for h in logger.handlers if getattr(h, "_incident_hub", False)), None)
    if handler is None:
        handler = _Stderr()
        handler._incident_hub = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False
    if ops["LOG_FORMAT"] == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    # addFilter ignores a filter already there, so several apps add it once.
    logging.getLogger("werkzeug").addFilter(_SERVER_FILTER)
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_t0 = time.perf_counter()


def _finish(response: Response) -> Response:
    request_id = getattr(g, "request_id", "")
    response.headers["X-Request-ID"] = request_id
    elapsed = (time.perf_counter() - getattr(g, "request_t0", time.perf_counter())) * 1000
    user = getattr(current_user, "id", None) if current_user else None
    request_log.info(
        "%s %s %s %.1fms",
        request.method,
        request.path,
        response.status_code,
        elapsed,
        extra={
            "request_id": request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "ms": round(elapsed, 1),
            "user": user,
        },
    )
    return response
