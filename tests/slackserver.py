"""A loopback Slack Web API for tests and benches: real HTTP on 127.0.0.1, scriptable per call.

It answers ``POST /api/<method>`` for chat.postMessage, conversations.create / setTopic /
invite / archive, views.open, chat.getPermalink and auth.test the way Slack does (JSON bodies,
``ok``, ids, unique ``ts``; a message whose blocks break Block Kit's limits is refused with
``invalid_blocks``; ``views.open`` takes only a trigger id issued by :meth:`SlackServer.trigger`,
once and within 3 seconds, and a view slack-sdk's own models accept),
and records every call (method, parsed parameters with ``blocks`` decoded, token, monotonic
arrival time), so tests assert on what reached "Slack" rather than on our own code.

Scripting: ``slack.script(reply, ...)`` queues answers used by the next calls in order, and
``slack.decide = fn`` picks an answer per call (``fn(call) -> Reply | None``; None = normal).
Use in a test module::

    from slackserver import slack_fixture  # noqa: F401  (provides the ``slack`` fixture)
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

TOKEN = "xoxb-test"


@dataclass
class Call:
    """One request as Slack would have seen it."""

    method: str
    params: dict[str, Any]
    token: str
    at: float  # time.monotonic() on arrival
    status: int = 200  # what we answered
    error: str = ""
    answer: dict[str, Any] | None = None


@dataclass
class Reply:
    """A scripted answer; ``drop`` closes the connection without answering."""

    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def rate_limited(retry_after: int = 1) -> Reply:
    return Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})


def server_error(status: int = 500) -> Reply:
    return Reply(status, None)


def error(code: str) -> Reply:
    return Reply(200, {"ok": False, "error": code})


class SlackServer:
    """State shared with the handler threads; every public method is thread-safe."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.url = ""
        self.calls: list[Call] = []
        self.decide: Callable[[Call], Reply | None] | None = None
        self.channels: dict[str, str] = {}  # name -> id, for conversations.create
        self.archived: set[str] = set()
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._serial = 0
        self._triggers: dict[str, float] = {}  # trigger id -> when Slack issued it (monotonic)
        self._used: set[str] = set()

    def trigger(self, *, age_s: float = 0.0) -> str:
        """A trigger id as Slack puts in an interaction, issued ``age_s`` seconds ago."""
        trigger_id = f"{self._next_id('')}.{time.time_ns()}.trigger"
        with self._lock:
            self._triggers[trigger_id] = time.monotonic() - age_s
        return trigger_id

    def views_opened(self) -> list[dict[str, Any]]:
        """The views Slack opened (answered ok), in order."""
        return [
            c.params["view"] for c in self.calls_to("views.open") if c.status == 200 and not c.error
        ]

    def script(self, *replies: Reply) -> None:
        """Answer the next calls (of any method) with these replies, in order."""
        with self._lock:
            self._script.extend(replies)

    def calls_to(self, method: str, channel: str | None = None) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and (channel is None or c.params.get("channel") == channel)
            ]

    def messages(self, channel: str | None = None, *, ok_only: bool = True) -> list[Call]:
        """chat.postMessage calls (answered ok unless ``ok_only`` is false)."""
        calls = self.calls_to("chat.postMessage", channel)
        return [c for c in calls if not ok_only or (c.status == 200 and not c.error)]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._script.clear()
            self.decide = None

    # -- request handling (called from the server's threads) --------------------------------

    def handle(self, method: str, params: dict[str, Any], token: str) -> tuple[Call, Reply]:
        call = Call(method, params, token, time.monotonic())
        with self._lock:
            self.calls.append(call)
            scripted = self._script.popleft() if self._script else None
        reply = scripted or (self.decide(call) if self.decide else None) or self._answer(call)
        call.status, call.answer = reply.status, reply.body
        call.error = "dropped" if reply.drop else str((reply.body or {}).get("error", ""))
        if reply.status == 200 and reply.body and not reply.body.get("ok", True):
            call.error = str(reply.body.get("error"))
        return call, reply

    def _next_id(self, prefix: str) -> str:
        with self._lock:
            self._serial += 1
            return f"{prefix}{self._serial:08d}"

    def _answer(self, call: Call) -> Reply:
        """What a healthy Slack workspace answers."""
        if not call.token:
            return error("not_authed")
        if call.token != self.token:
            return error("invalid_auth")
        method, params = call.method, call.params
        channel = str(params.get("channel", ""))
        if method == "auth.test":
            return Reply(body={"ok": True, "user_id": "UBOT", "team_id": "T0001", "bot_id": "B1"})
        if method == "chat.postMessage":
            if not channel:
                return error("channel_not_found")
            if channel in self.archived:
                return error("is_archived")
            if not (params.get("text") or params.get("blocks")):
                return error("no_text")
            if refused := _refused(params):
                return error(refused)
            resolved = self._resolve(channel)
            ts = f"{int(time.time())}.{self._next_id('')[-6:]}"
            return Reply(body={"ok": True, "channel": resolved, "ts": ts})
        if method == "views.open":
            return self._open_view(params)
        if method == "chat.getPermalink":
            ts = str(params.get("message_ts", ""))
            if not channel or not ts:
                return error("message_not_found")
            link = f"https://example.slack.com/archives/{channel}/p{ts.replace('.', '')}"
            return Reply(body={"ok": True, "channel": channel, "permalink": link})
        if method == "conversations.create":
            name = str(params.get("name", ""))
            with self._lock:
                taken = name in self.channels
            if taken:
                return error("name_taken")
            new_id = self._next_id("G" if _truthy(params.get("is_private")) else "C")
            with self._lock:
                self.channels[name] = new_id
            return Reply(body={"ok": True, "channel": {"id": new_id, "name": name}})
        if method in ("conversations.setTopic", "conversations.invite"):
            return Reply(body={"ok": True, "channel": {"id": channel}})
        if method == "conversations.archive":
            with self._lock:
                self.archived.add(channel)
            return Reply(body={"ok": True})
        return Reply(404, {"ok": False, "error": "unknown_method"})

    def _open_view(self, params: dict[str, Any]) -> Reply:
        """views.open: a trigger id is good once, for 3 seconds; the view must be valid."""
        trigger_id = str(params.get("trigger_id", ""))
        with self._lock:
            issued = self._triggers.pop(trigger_id, None)
            if issued is None and trigger_id in self._used:
                return error("exchanged_trigger_id")
            self._used.add(trigger_id)
        if issued is None:
            return error("invalid_trigger_id")
        if time.monotonic() - issued > 3.0:
            return error("expired_trigger_id")
        view = params.get("view")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError:
                return error("invalid_arguments")
            params["view"] = view
        if refused := _refused_view(view):
            return Reply(200, {"ok": False, "error": "invalid_arguments", "detail": refused})
        view_id = self._next_id("V")
        return Reply(body={"ok": True, "view": {**view, "id": view_id}})

    def _resolve(self, channel: str) -> str:
        """#name -> a stable channel id (created ones keep theirs); a user id -> a DM id."""
        if channel.startswith("#"):
            with self._lock:
                return self.channels.setdefault(channel[1:], f"C{abs(hash(channel)) % 10**8:08d}")
        return "D" + channel[1:] if channel[:1] in "UW" else channel


def _refused(params: dict[str, Any]) -> str:
    """What Slack answers a message it will not post: blocks that break Block Kit's rules
    (slack-sdk's own validators: a section over 3,000 characters, a button label over 75, …)
    are ``invalid_blocks``; a ``text`` over 40,000 characters is ``msg_too_long``."""
    from slack_sdk.errors import SlackObjectFormationError
    from slack_sdk.models.blocks import Block

    if len(str(params.get("text") or "")) > 40_000:
        return "msg_too_long"
    blocks = params.get("blocks") or []
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "invalid_blocks"
    try:
        for raw in blocks:
            block = Block.parse(raw)
            if block is None:
                return "invalid_blocks"
            block.to_dict()  # validates the block and everything inside it
    except (SlackObjectFormationError, TypeError, KeyError, AttributeError):
        return "invalid_blocks"
    return ""


def _refused_view(view: Any) -> str:
    """Why Slack would refuse this modal (slack-sdk's own view and block validators), or ""."""
    from slack_sdk.errors import SlackObjectFormationError
    from slack_sdk.models.blocks import Block
    from slack_sdk.models.views import View

    if not isinstance(view, dict) or view.get("type") != "modal":
        return "not a modal"
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        return "no blocks"
    try:
        for raw in blocks:
            block = Block.parse(raw)
            if block is None:
                return "unknown block"
            block.to_dict()
        View(**view).to_dict()
    except (SlackObjectFormationError, TypeError, KeyError, AttributeError) as exc:
        return str(exc) or type(exc).__name__
    return ""


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _parse(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    """JSON bodies (chat.postMessage) and form bodies (conversations.*), as Slack accepts."""
    params: dict[str, Any] = dict(parse_qsl(query))
    if content_type.startswith("application/json"):
        params.update(json.loads(body or b"{}"))
    else:
        params.update(parse_qsl(body.decode("utf-8")))
    if isinstance(params.get("blocks"), str):  # form-encoded blocks are a JSON string
        params["blocks"] = json.loads(params["blocks"])
    return params


def start(state: SlackServer) -> ThreadingHTTPServer:
    """Serve ``state`` on a free loopback port in a daemon thread; ``state.url`` is set."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            path = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if not path.path.startswith("/api/"):
                self._send(Reply(404, {"ok": False, "error": "unknown_method"}))
                return
            try:
                params = _parse(self.headers.get("Content-Type", ""), body, path.query)
            except ValueError:
                self._send(Reply(200, {"ok": False, "error": "invalid_json"}))
                return
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ").strip() or str(params.pop("token", ""))
            _call, reply = state.handle(path.path[len("/api/") :], params, token)
            if reply.drop:
                self.close_connection = True
                self.connection.close()
                return
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            if reply.body is None:
                payload, kind = b"<html>Internal Server Error</html>", "text/html"
            else:
                payload, kind = json.dumps(reply.body).encode(), "application/json; charset=utf-8"
            self.send_response(reply.status)
            self.send_header("Content-Type", kind)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256  # a burst of parallel callers must not overflow the backlog

        def handle_error(self, request: Any, client_address: Any) -> None:
            if not isinstance(sys.exc_info()[1], ConnectionError):  # a caller killed mid-call
                super().handle_error(request, client_address)

    httpd = Server(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd


@pytest.fixture(name="slack")
def slack_fixture() -> Iterator[SlackServer]:
    """A running loopback Slack; the deliverer's per-channel pacing starts fresh."""
    from incident_hub.notify.deliver import forget_pacing

    forget_pacing()
    state = SlackServer()
    httpd = start(state)
    yield state
    httpd.shutdown()
    httpd.server_close()
    forget_pacing()
