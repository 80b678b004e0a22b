"""What a case is about, read the way the feed watcher reads a feed item: precedent's concepts.

The app's classifier (``feeds/rules.toml`` and ``feeds/rules/<language>.toml``) reads the case's
title and intake (summary, instrument, issuing authority, legal basis): it detects the language
and matches the words as stems against that language's terms, so "carriers told to go dark" and
"mobile data shutdown", or a French case and an English one, name the same topic. Analyses and
decisions are left out: they weigh consequences and options ("restrict access only in …"), which
would blur what the situation is. One row per concept in ``case_concepts``, rewritten with the
search document (:mod:`.index`):

    topic:<topic>              every topic with points; weight = its strength (below)
    place:<CODE>               the case's jurisdiction and every jurisdiction its text names
    region:<name> (<CODE>)     places below the national level it names ("region:manipur (IN)")
    situation:<topic>@<CODE>   a reported topic in one of its places (for the candidate lookup)
    language:<code>            the language the text was read in (weight 0: kept, not compared)

A topic's strength is (min(points, topic_cap) / topic_cap)², in [0, 1]: a topic the text
establishes (a strong term in the title) counts fully, a word in passing next to nothing.
Places and regions weigh PLACE_WEIGHT, so in the lookup a shared topic counts more than a
shared country.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from ..vocabulary import TOPIC_LABELS
from ..watch.classify import Classifier

PLACE_WEIGHT = 0.5
LOOKUP_CONCEPTS = 6  # at most this many of the case's concepts are looked up
PER_CONCEPT = 40  # cases read per concept: the strongest, then the most recent
CANDIDATES = 20  # cases sharing the most concept weight, handed to scoring
TOPIC_NAMES = TOPIC_LABELS
_SMALL = frozenset("and of the de da do del di du la le".split())  # noqa: SIM905


@dataclass(frozen=True)
class Concepts:
    """A case's concepts: topic -> strength, places (codes), regions (key -> name (CODE))."""

    topics: dict[str, float] = field(default_factory=dict)
    places: frozenset[str] = frozenset()
    regions: dict[str, str] = field(default_factory=dict)
    language: str = ""
    floor: float = 0.25  # the strength of a reported topic (topic_min points)

    def rows(self) -> dict[str, float]:
        """concept -> weight, as stored in ``case_concepts``."""
        out = {f"topic:{t}": w for t, w in self.topics.items()}
        out |= {f"place:{code}": PLACE_WEIGHT for code in self.places}
        out |= {key: PLACE_WEIGHT for key in self.regions}
        for topic, weight in self.topics.items():
            if weight >= self.floor:
                out |= {f"situation:{topic}@{code}": weight for code in self.places}
        if self.language:
            out[f"language:{self.language}"] = 0.0
        return out

    def lookup(self) -> list[tuple[str, float]]:
        """The concepts to fetch candidates by: situations, regions, topics, places (each
        strongest first), at most LOOKUP_CONCEPTS, none weaker than a reported topic."""
        order = ("situation:", "region:", "topic:", "place:")
        found = [(k, w) for k, w in self.rows().items() if w >= self.floor]
        found.sort(key=lambda kw: (order.index(kw[0].split(":")[0] + ":"), -kw[1], kw[0]))
        return found[:LOOKUP_CONCEPTS]


def app_classifier() -> Classifier:
    """The app's classifier, the one that flags feed items (compiled at start-up)."""
    return current_app.extensions["incident_hub.classifier"]


def strength(points: float, cap: float) -> float:
    return round((min(points, cap) / cap) ** 2, 3)


def read(
    classifier: Classifier, title: str | None, intake: Iterable[str | None], jurisdiction: str
) -> Concepts:
    """The concepts of a case with this title, intake texts and jurisdiction."""
    text = "\n".join(part.strip() for part in intake if part and part.strip())
    result = classifier.classify(title or "", text)
    settings = classifier.settings
    cap = settings["topic_cap"]
    topics = {t: strength(p, cap) for t, p in result.topic_points}
    regions = {}
    for label in result.regions:  # "Manipur (IN)"
        name, _, code = label.rpartition(" (")
        regions[f"region:{' '.join(name.casefold().split())} ({code}"] = label
    return Concepts(
        topics={t: w for t, w in topics.items() if w > 0},  # not rounded away
        places=frozenset(c for c in (jurisdiction, *result.jurisdictions) if c),
        regions=regions,
        language=result.language,
        floor=strength(settings["topic_min"], cap),
    )


def of_case(classifier: Classifier, case: Any) -> Concepts:
    """The concepts of a case (a :class:`~incident_hub.cases.models.Case` or a row like it)."""
    intake = (case.summary, case.instrument, case.authority, case.legal_basis)
    return read(classifier, case.title, intake, case.jurisdiction)


def parse(stored: str | None) -> Concepts:
    """Concepts from stored ``concept=weight`` pairs joined by "|" (as the similar-cases query
    reads them; situations and the language are not needed there)."""
    topics: dict[str, float] = {}
    places: set[str] = set()
    regions: dict[str, str] = {}
    for pair in (stored or "").split("|"):
        kind, _, rest = pair.partition(":")
        value, _, weight = rest.rpartition("=")
        if kind == "topic":
            topics[value] = float(weight)
        elif kind == "place":
            places.add(value)
        elif kind == "region":
            regions[f"region:{value}"] = value  # shown with capitals once it is a reason
    return Concepts(topics, frozenset(places), regions)


def _shown(region: str) -> str:
    """ "jammu and kashmir (IN)" -> "Jammu and Kashmir (IN)"."""
    words = region.split(" ")
    return " ".join(w if w in _SMALL or w.startswith("(") else w[:1].upper() + w[1:] for w in words)


def topic_name(topic: str) -> str:
    return TOPIC_NAMES.get(topic, topic.replace("-", " "))


def compare(
    mine: Concepts, theirs: Concepts, explain: bool = False
) -> tuple[float, float, list[str]]:
    """(situation share, place share, reasons if ``explain``): the weighted Dice coefficient
    of the topic strengths, and the Dice coefficient of the places and regions named."""
    shared = {t: min(w, theirs.topics[t]) for t, w in mine.topics.items() if t in theirs.topics}
    total = sum(mine.topics.values()) + sum(theirs.topics.values())
    situation = 2 * sum(shared.values()) / total if total else 0.0
    mine_places = mine.places | mine.regions.keys()
    theirs_places = theirs.places | theirs.regions.keys()
    both = mine_places & theirs_places
    places = 2 * len(both) / (len(mine_places) + len(theirs_places)) if both else 0.0
    reasons: list[str] = []
    if explain:
        ranked = sorted(shared.items(), key=lambda tw: (-tw[1], tw[0]))
        named = [t for t, w in ranked if w >= mine.floor]  # reported on both sides
        if named:
            reasons.append("same situation: " + ", ".join(topic_name(t) for t in named[:3]))
        regions = sorted(_shown(theirs.regions[k]) for k in both if k in theirs.regions)
        if regions:
            reasons.append("same region: " + ", ".join(regions))
    return situation, places, reasons


def lookup_branch(concepts: Concepts, params: dict[str, Any], seen: str = "") -> str | None:
    """SQL for the CANDIDATES cases sharing the most concept weight with the case (each
    concept's weight times theirs, summed), reading at most PER_CONCEPT index entries for each
    of its :meth:`Concepts.lookup` concepts (the strongest, then the most recent: the lookup
    index's own order). Adds its bound parameters to ``params``; ``:self`` is the case itself.
    None when the case has no concept to look up. ``seen``: SQL limiting ``case_id`` to the
    cases the viewer may see (none: every case)."""
    wanted = concepts.lookup()
    if not wanted:
        return None
    params["cfloor"] = concepts.floor
    arms = []
    for i, (concept, weight) in enumerate(wanted):
        params[f"c{i}"], params[f"cw{i}"] = concept, weight
        arms.append(
            f"SELECT case_id, weight * :cw{i} AS w FROM (SELECT case_id, weight "  # noqa: S608
            f"FROM case_concepts WHERE concept = :c{i} AND weight >= :cfloor "
            f"AND case_id != :self{' AND ' + seen if seen else ''} "
            f"ORDER BY weight DESC, case_id DESC LIMIT {PER_CONCEPT}) c{i}"
        )
    return (
        "SELECT id, 0 AS mask FROM (SELECT case_id AS id FROM ("  # noqa: S608
        + " UNION ALL ".join(arms)
        + f") shared GROUP BY case_id ORDER BY SUM(w) DESC, case_id DESC LIMIT {CANDIDATES}) alike"
    )
