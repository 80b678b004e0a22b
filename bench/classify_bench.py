"""Benchmark the feed classifier (``feeds/rules.toml``) on a labelled set of feed items.

Prints precision / recall / F1 overall, per language, per feed host and per year, the confusion
counts, language-detection accuracy, rights and jurisdiction agreement on true positives, and
throughput (items per second on one core, language detection included, over the set repeated to
at least 100,000 items). Why: the rules are tuned by hand, so every change needs a quick,
repeatable answer to "did the queue get noisier or miss more?".

    .venv/bin/python bench/classify_bench.py [ITEMS.jsonl ...] [--rules FILE] [--errors]

The default datasets are both development sets beside the repository:
``../shared/corpora/labelled-dev/items.jsonl`` (English) and
``../shared/corpora/labelled-dev-multilingual/items.jsonl``.
``--errors`` lists false positives / negatives by item id only (the texts are third-party
excerpts and must not be copied anywhere).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from incident_hub.watch.classify import Classifier, RulesError, load_rules  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
DEFAULT_DATA = [
    CORPORA / name / "items.jsonl" for name in ("labelled-dev", "labelled-dev-multilingual")
]
DEFAULT_RULES = ROOT / "feeds" / "rules.toml"
YEAR_RE = re.compile(r"(20\d\d)")


def host(source: str) -> str:
    """The feed host, without ``www.``: the README groups sources this way."""
    name = urlsplit(source).hostname or source
    return name.removeprefix("www.")


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0.0 when undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load_items(path: Path) -> list[dict]:
    """The labelled items, one JSON object per line."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(classifier: Classifier, items: list[dict]) -> dict:
    """Classify every item; return counts per group and the ids of the errors."""
    groups: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    rights_exact = rights_overlap = 0
    jur_top = jur_any = jur_total = 0
    fps, fns = [], []
    lang_ok = 0
    for item in items:
        result = classifier.classify(item["title"], item["summary"])
        lang_ok += result.language == item.get("lang", "en")
        truth = item["label"] == "relevant"
        cell = {(True, True): "tp", (True, False): "fp", (False, True): "fn"}.get(
            (result.flagged, truth), "tn"
        )
        year = YEAR_RE.search(item.get("published", "")) or YEAR_RE.search(item["link"])
        for key in (
            "overall",
            f"lang {item.get('lang', 'en')}",
            f"source {host(item['source'])}",
            f"year {year.group(1) if year else '?'}",
        ):
            groups[key][cell].append(item["id"])
        if cell == "fp":
            fps.append(item["id"])
        elif cell == "fn":
            fns.append(item["id"])
        elif cell == "tp":
            rights_exact += set(result.rights) == set(item["rights"])
            rights_overlap += bool(set(result.rights) & set(item["rights"]))
            if item["jurisdiction"]:
                jur_total += 1
                jur_top += result.jurisdictions[:1] == (item["jurisdiction"],)
                jur_any += item["jurisdiction"] in result.jurisdictions
    return {
        "groups": groups,
        "fps": fps,
        "fns": fns,
        "rights_exact": rights_exact,
        "rights_overlap": rights_overlap,
        "jur_top": jur_top,
        "jur_any": jur_any,
        "jur_total": jur_total,
        "lang_ok": lang_ok,
        "n": len(items),
    }


def report(stats: dict) -> None:
    """Print the quality tables."""
    print(
        f"{'group':<34}{'n':>5}{'tp':>5}{'fp':>5}{'fn':>5}{'tn':>5}"
        f"{'prec':>7}{'recall':>7}{'F1':>7}"
    )
    groups = stats["groups"]
    for key in sorted(
        groups,
        key=lambda k: (k != "overall", k.split()[0], -sum(len(v) for v in groups[k].values())),
    ):
        c = {cell: len(groups[key][cell]) for cell in ("tp", "fp", "fn", "tn")}
        p, r, f = prf(c["tp"], c["fp"], c["fn"])
        shown = [f"{v:>7.3f}" for v in (p, r, f)]
        if not c["tp"] + c["fp"]:  # nothing flagged: precision (and F1) undefined
            shown[0] = shown[2] = f"{'-':>7}"
        if not c["tp"] + c["fn"]:  # nothing relevant: recall undefined
            shown[1] = shown[2] = f"{'-':>7}"
        counts = "".join(f"{c[cell]:>5}" for cell in ("tp", "fp", "fn", "tn"))
        print(f"{key:<34}{sum(c.values()):>5}{counts}{''.join(shown)}")
    print(f"\nlanguage detected right: {stats['lang_ok']}/{stats['n']}")
    tp = len(groups["overall"]["tp"])
    if tp:
        print(
            f"\nrights on true positives: exact {stats['rights_exact']}/{tp} "
            f"({stats['rights_exact'] / tp:.0%}), overlapping {stats['rights_overlap']}/{tp} "
            f"({stats['rights_overlap'] / tp:.0%})"
        )
    if stats["jur_total"]:
        n = stats["jur_total"]
        print(
            f"jurisdiction on true positives with a labelled jurisdiction: first detected "
            f"{stats['jur_top']}/{n} ({stats['jur_top'] / n:.0%}), among detected "
            f"{stats['jur_any']}/{n} ({stats['jur_any'] / n:.0%})"
        )


def throughput(classifier: Classifier, items: list[dict], minimum: int) -> tuple[int, float]:
    """Items per second classifying title + summary over the set repeated to ``minimum``."""
    pairs = [(item["title"], item["summary"]) for item in items]
    pairs = pairs * (-(-minimum // len(pairs)))
    classify = classifier.classify
    start = time.perf_counter()
    for title, summary in pairs:
        classify(title, summary)
    elapsed = time.perf_counter() - start
    return len(pairs), len(pairs) / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="*", default=[str(p) for p in DEFAULT_DATA])
    parser.add_argument("--rules", default=str(DEFAULT_RULES))
    parser.add_argument("--errors", action="store_true", help="list FP/FN item ids")
    parser.add_argument("--min-items", type=int, default=100_000)
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.dataset]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(
            f"dataset not found: {', '.join(map(str, missing))}\n(pass the paths of labelled "
            "items.jsonl files; the defaults are the development sets in ../shared/corpora/)",
            file=sys.stderr,
        )
        return 2
    try:
        classifier = load_rules(args.rules)
    except RulesError as exc:
        print("rules are broken:\n" + "\n".join(exc.problems), file=sys.stderr)
        return 1
    items = [item for path in paths for item in load_items(path)]
    print(f"{len(items)} items from {', '.join(map(str, paths))}\nrules: {args.rules}\n")
    stats = evaluate(classifier, items)
    report(stats)
    if args.errors:
        print(f"\nfalse positives ({len(stats['fps'])}): {' '.join(map(str, stats['fps']))}")
        print(f"false negatives ({len(stats['fns'])}): {' '.join(map(str, stats['fns']))}")
    count, rate = throughput(classifier, items, args.min_items)
    print(
        f"\nthroughput: {count} items in {count / rate:.2f} s = {rate:,.0f} items/s "
        f"(target >= 20,000)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
