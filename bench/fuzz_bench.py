"""The long fuzz run: 100,000+ inputs across the four fuzz targets, no crash, none slow.

Drives the hypothesis strategies and ``check_*`` functions of ``tests/test_fuzz.py`` with large
``max_examples`` and a fixed seed (so a run is repeatable):

* feeds: parse_feed over random bytes, mutated RSS/Atom and hostile constructs, with random
  headers; every parsed feed is ingested and committed (SQLite in a temporary folder, or
  DATABASE_URL: a scratch database, the fuzz source and its items are left in it);
* classifier: any text;
* playbooks: mutated playbook files loaded from a temporary folder;
* config: generated override dicts and edited config TOML files.

Every input is timed; the run fails (exit 1) on any crash or any input taking 5 s or more.
Prints inputs per target, the total, crashes, the slowest input and the elapsed time.

    python bench/fuzz_bench.py [--scale 1.0] [--seed 20260101]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
LIMIT_S = 5.0
# target -> [(property, examples at scale 1)]; 105,000 inputs in all
PLAN = {
    "feeds (parse + ingest)": [("random-bytes", 15_000), ("mutated", 15_000), ("hostile", 15_000)],
    "classifier": [("any-text", 25_000)],
    "playbooks": [("mutated-files", 15_000)],
    "config": [("override-dicts", 10_000), ("toml-files", 10_000)],
}


@dataclass
class Tally:
    inputs: int = 0
    crashes: list[str] = field(default_factory=list)
    slowest: float = 0.0
    slowest_what: str = ""
    slowest_input: dict = field(default_factory=dict)
    slowest_check: Callable[..., None] | None = None
    replayed: float = 0.0  # the slowest input timed again, alone: its own cost, without pauses


def properties(fz, source, workdir: Path) -> dict[str, tuple[dict, Callable[..., None]]]:
    """Property name -> (strategies, check taking those keyword arguments)."""
    from incident_hub import config

    counter = iter(range(10**9))

    def fresh(name: str) -> Path:
        folder = workdir / f"{name}-{next(counter)}"
        folder.mkdir()
        return folder

    def feed(body: bytes, headers: dict) -> None:
        fz.check_feed(source, body, headers)

    return {
        "random-bytes": ({"body": st.binary(max_size=4000), "headers": fz.headers_strategy}, feed),
        "mutated": ({"body": fz.mutated(), "headers": fz.headers_strategy}, feed),
        "hostile": ({"body": fz.hostile(), "headers": fz.headers_strategy}, feed),
        "any-text": (
            {"title": fz.TEXTS, "summary": fz.TEXTS, "jurisdiction": st.none() | st.text()},
            fz.check_classifier,
        ),
        "mutated-files": (
            {
                "text": fz.playbook_text() | fz.number_edit(),
                "second": st.none() | fz.playbook_text(),
            },
            lambda text, second: fz.check_playbooks(fresh("pb"), text, second),
        ),
        "override-dicts": (
            {"overrides": fz.config_overrides() | fz.one_field},
            lambda overrides: fz.check_config(
                lambda: config.merge(config.defaults(), overrides, "bench")
            ),
        ),
        "toml-files": (
            {"edits": st.lists(fz.CONFIG_EDITS, max_size=5)},
            lambda edits: fz.check_config_toml(fresh("cfg") / "config.toml", edits),
        ),
    }


def run(name: str, examples: int, spec: tuple, tally: Tally, rng_seed: int) -> None:
    """Run one property for ``examples`` inputs, timing each; a failure is recorded, not raised."""
    strategies, check = spec

    def timed(**kwargs) -> None:
        start = time.perf_counter()
        try:
            check(**kwargs)
        finally:
            spent = time.perf_counter() - start
            tally.inputs += 1
            if spent > tally.slowest:
                size = sum(len(v) for v in kwargs.values() if isinstance(v, bytes | str))
                tally.slowest, tally.slowest_what = spent, f"{name}, {size:,} bytes/chars"
                tally.slowest_input, tally.slowest_check = kwargs, check
        assert spent < LIMIT_S, f"{name}: one input took {spent:.2f} s"

    test = seed(rng_seed)(
        settings(
            max_examples=examples,
            deadline=None,  # timed above, so one slow input is reported rather than retried
            database=None,
            phases=(Phase.generate, Phase.shrink),
            suppress_health_check=list(HealthCheck),
        )(given(**strategies)(timed))
    )
    try:
        test()
    except Exception as exc:  # noqa: BLE001 — a crash is a finding: record it, keep fuzzing
        tally.crashes.append(f"{name}: {type(exc).__name__}: {exc}")
        traceback.print_exc()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every input count")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--only", action="append", help="run only this property (repeatable)")
    args = parser.parse_args()

    import test_fuzz as fz

    from incident_hub import create_app
    from incident_hub.database import upgrade_database
    from incident_hub.extensions import db
    from incident_hub.watch.models import Source

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "feeds").mkdir()
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{work}/fuzz.sqlite3"
        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "bench", "FEEDS_DIR": str(work / "feeds")}
        )
        tallies: dict[str, Tally] = {}
        with app.app_context():
            upgrade_database()
            source = Source(key=f"fuzz-{os.getpid()}", title="fuzz", url="http://127.0.0.1/")
            db.session.add(source)
            db.session.commit()
            props = properties(fz, source, work)
            for target, plan in PLAN.items():
                tally = tallies[target] = Tally()
                for offset, (name, examples) in enumerate(plan):
                    if args.only and name not in args.only:
                        continue
                    count = max(1, round(examples * args.scale))
                    print(f"  {target} / {name}: {count:,} inputs ...", flush=True)
                    run(name, count, props[name], tally, args.seed + offset)
            elapsed = time.perf_counter() - started
            for tally in tallies.values():
                replay(tally)
    report(tallies, elapsed)


def replay(tally: Tally) -> None:
    """Time the slowest input once more (a feed is then mostly a re-ingest of known items)."""
    if tally.slowest_check is None:
        return
    start = time.perf_counter()
    with contextlib.suppress(Exception):
        tally.slowest_check(**tally.slowest_input)
    tally.replayed = time.perf_counter() - start


def report(tallies: dict[str, Tally], elapsed: float) -> None:
    print(f"\n{'target':<26}{'inputs':>10}{'crashes':>9}{'slowest':>10}")
    for target, tally in tallies.items():
        print(f"{target:<26}{tally.inputs:>10,}{len(tally.crashes):>9}{tally.slowest:>9.3f}s")
    total = sum(t.inputs for t in tallies.values())
    crashes = [c for t in tallies.values() for c in t.crashes]
    worst = max(tallies.values(), key=lambda t: t.slowest)
    print(f"{'total':<26}{total:>10,}{len(crashes):>9}")
    print(f"slowest input: {worst.slowest:.3f} s ({worst.slowest_what}); limit {LIMIT_S:.0f} s")
    print(f"  the same input timed again, alone: {worst.replayed:.3f} s")
    print(f"  {repr(worst.slowest_input)[:3000]}")
    print(f"elapsed: {elapsed:.1f} s ({total / elapsed:,.0f} inputs/s)")
    for crash in crashes:
        print(f"CRASH {crash[:2000]}")
    sys.exit(1 if crashes or worst.slowest >= LIMIT_S else 0)


if __name__ == "__main__":
    main()
