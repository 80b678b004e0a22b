"""Case page throughput under gunicorn (2 workers) against a constant route, measured with wrk.

Seeds a database (``--cases``, ``--alerts``; SQLite file unless DATABASE_URL is set), starts
``gunicorn --workers 2 'seeded:wsgi()'`` on loopback, signs in once, then runs wrk (bounded by
``--seconds``) twice with the same session cookie: against ``/_bench/constant`` (a constant
answer through the same app, hooks and session as every page) and against random case pages.
Prints requests/s of each, latency percentiles, and the ratio (target ≥ 0.5).

    apt-get install wrk   # the load generator (C, event-driven: little CPU taken from the app)
    python bench/throughput_bench.py [--cases 10000] [--alerts 100000] [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from seeded import free_port, seeded_database, sign_in_cookie, wait_until_up  # noqa: E402

LUA = """
local paths = %s
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def wrk(base: str, cookie: str, seconds: int, paths: list[str], tmp: Path) -> dict:
    script = tmp / "paths.lua"
    script.write_text(LUA % ("{" + ",".join(json.dumps(p) for p in paths) + "}"))
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c8",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            "-H",
            f"Cookie: {cookie}",
            base,
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = dict(re.findall(r"\s+(50|90|99)%\s+([\d.]+\w+)", out))
    return {"rps": rps, "errors": int(non2xx.group(1)) if non2xx else 0, "latency": latency}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/throughput.sqlite3"
        seeded_database(url, cases=args.cases, alerts=args.alerts)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, DATABASE_URL=url)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "seeded:wsgi()",
            ],  # fmt: skip
            cwd=ROOT / "bench",
            env=env,
            stderr=open(os.environ.get("BENCH_LOG") or Path(tmp) / "gunicorn.log", "w"),  # noqa: SIM115
        )
        try:
            wait_until_up(base)
            cookies = sign_in_cookie(base)
            cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
            with httpx.Client(base_url=base, cookies=cookies, trust_env=False) as client:
                listed = client.get("/api/v1/cases?limit=2000", headers={}).status_code
                page = client.get("/cases").text
            refs = sorted(set(re.findall(r"/cases/(INC-\d{4}-\d{4,})", page)))
            refs += [f"INC-{y}-{n:04d}" for y in (2025, 2026) for n in range(1, 400)]
            rng = random.Random(7)
            paths = [f"/cases/{r}" for r in rng.sample(refs, min(300, len(refs)))]
            with httpx.Client(base_url=base, cookies=cookies, trust_env=False) as client:
                paths = [p for p in paths if client.get(p).status_code == 200][:200]
            assert paths, f"no case page answered 200 (cases list: {listed})"
            constant = wrk(base, cookie, args.seconds, ["/_bench/constant"], Path(tmp))
            case = wrk(base, cookie, args.seconds, paths, Path(tmp))
        finally:
            server.terminate()
            server.wait(30)
            log = Path(os.environ.get("BENCH_LOG") or Path(tmp) / "gunicorn.log")
            errors = [line for line in log.read_text().splitlines()
                      if " 500 " in line or "Error" in line]  # fmt: skip
            print(f"server errors: {len(errors)}", *errors[:5], sep="\n  ")
    print(f"\nmachine: {os.cpu_count()} cores; gunicorn 2 workers; wrk -t2 -c8 -d{args.seconds}s")
    print(f"database: {url.split(':')[0]}, {args.cases} cases, {args.alerts} alerts")
    for name, figures in (("constant route", constant), ("case page", case)):
        print(
            f"  {name:<15} {figures['rps']:8.1f} req/s  latency p50 {figures['latency'].get('50')}"
            f" p90 {figures['latency'].get('90')} p99 {figures['latency'].get('99')}"
            f"  non-2xx {figures['errors']}"
        )
    ratio = case["rps"] / constant["rps"]
    print(f"  ratio case page / constant = {ratio:.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
