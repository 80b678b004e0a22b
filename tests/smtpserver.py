"""A loopback SMTP server for tests: aiosmtpd on 127.0.0.1, a free port, scriptable per message.

It records every message it accepts (parsed, with its envelope) and every one it refuses, so
tests assert on what reached "the mail server" rather than on our own code. Scripting:
``smtp.script("451 4.3.0 try again later", ...)`` queues answers to the next DATA commands in
order (None: accept); ``smtp.delay_s`` slows every answer (a kill then lands mid-send).

Use in a test module::

    from smtpserver import smtp_fixture  # noqa: F401  (provides the ``smtp`` fixture)
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    answer: str

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def text(self) -> str:
        part = self.message.get_body(("plain",))
        return part.get_content() if part else ""

    def html(self) -> str:
        part = self.message.get_body(("html",))
        return part.get_content() if part else ""


class SmtpServer:
    def __init__(self, login: tuple[str, str] | None = None) -> None:
        """``login``: (user, password) the server requires (AUTH over plain TCP, loopback)."""
        self.login = login
        self.logins: list[tuple[str, bool]] = []  # (user, accepted)
        self.received: list[Received] = []  # accepted
        self.refused: list[Received] = []
        self._script: deque[str | None] = deque()
        self.delay_s = 0.0
        self._lock = threading.Lock()
        self.port = _free_port()
        self.controller = self._controller()

    def _controller(self) -> Controller:
        if self.login is None:
            return Controller(self, hostname="127.0.0.1", port=self.port)
        return Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._authenticate,
            auth_required=True,
            auth_require_tls=False,
        )

    def _authenticate(self, server, session, envelope, mechanism, data) -> AuthResult:  # noqa: ANN001
        given = (data.login.decode(), data.password.decode()) if data else ("", "")
        ok = given == self.login
        self.logins.append((given[0], ok))
        return AuthResult(success=ok)

    def script(self, *answers: str | None) -> None:
        with self._lock:
            self._script.extend(answers)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        with self._lock:
            answer = self._script.popleft() if self._script else None
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        row = Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, answer or "250 OK")
        with self._lock:
            (self.refused if answer else self.received).append(row)
        return answer or "250 Message accepted for delivery"

    def start(self) -> SmtpServer:
        """Start (again, after :meth:`stop`: a new controller on the same port)."""
        if self.controller.loop.is_closed():
            self.controller = self._controller()
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def config(self) -> dict:
        """The [EMAIL] section that points the app at this server."""
        return {
            "ENABLED": True,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": self.port,
            "FROM": "Incident Hub <hub@example.org>",
            "STARTTLS": False,
            "TIMEOUT_S": 5.0,
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(name="smtp")
def smtp_fixture() -> Iterator[SmtpServer]:
    """A running loopback SMTP server."""
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()
