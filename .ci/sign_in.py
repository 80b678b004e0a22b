"""Wait for the demo to answer /login with 200, then sign in with a login it printed.

    python3 .ci/sign_in.py BASE_URL DEMO_LOG PID

Standard library only: it runs before (and apart from) any project environment.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

INSTALL_AND_START_S = 900  # README's command installs the base dependencies first
LOGIN = re.compile(r"^(\S+@\S+)\s+(\S+)\s+ih_\S+\s*$", re.MULTILINE)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def main(base: str, log_path: str, pid: int) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    deadline = time.monotonic() + INSTALL_AND_START_S
    page = ""
    while time.monotonic() < deadline:
        if not alive(pid):
            print("sign_in: the demo command exited before serving", file=sys.stderr)
            return 1
        try:
            with opener.open(f"{base}/login", timeout=5) as answer:
                if answer.status == 200:
                    page = answer.read().decode("utf-8", "replace")
                    break
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    else:
        print(f"sign_in: {base}/login did not answer 200 in time", file=sys.stderr)
        return 1
    with open(log_path, encoding="utf-8", errors="replace") as log:
        logins = LOGIN.findall(log.read())
    if not logins:
        print("sign_in: the demo printed no login", file=sys.stderr)
        return 1
    email, password = logins[0]
    token = CSRF.search(page)
    if not token:
        print("sign_in: the login page has no CSRF token", file=sys.stderr)
        return 1
    form = urllib.parse.urlencode(
        {"email": email, "password": password, "csrf_token": token.group(1) or token.group(2)}
    ).encode()
    login = urllib.request.Request(f"{base}/login", data=form)  # noqa: S310 (the demo's http loopback)
    with opener.open(login, timeout=10) as answer:
        landed, body = answer.geturl(), answer.read().decode("utf-8", "replace")
    if answer.status != 200 or landed.rstrip("/").endswith("/login") or "Sign out" not in body:
        print(f"sign_in: signing in as {email} failed (landed on {landed})", file=sys.stderr)
        return 1
    print(f"sign_in: {base}/login answered 200; signed in as {email}, landed on {landed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
