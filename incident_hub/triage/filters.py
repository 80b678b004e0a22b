"""What people type in the queue's filters, read as the keys alerts store, and those keys as
people read them.

A triager types ``encryption``, ``Lawful access``, ``germany`` or ``de``; alerts store
``encryption-lawful-access`` and ``DE``. Each filter resolves to the set of keys it names (a
prefix of a key or of one of its words, or words of the readable name, case-insensitive), and
a value that names nothing is refused with the choices, never silently matched to nothing.
"""

from __future__ import annotations

import unicodedata

from .. import countries
from ..errors import Invalid
from ..vocabulary import RIGHT_LABELS, RIGHTS, TOPIC_LABELS, TOPICS


def _fold(text: str) -> str:
    """Casefolded, accents removed, hyphens and underscores as spaces: "Côte-d'Ivoire" and
    "cote d'ivoire" compare equal."""
    text = unicodedata.normalize("NFKD", text.replace("-", " ").replace("_", " "))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def _words_start(typed: str, text: str) -> bool:
    """``typed`` starts at a word boundary of ``text`` (both folded): "lawful acc" in
    "encryption and lawful access", "encr" in "encryption lawful access"."""
    return text.startswith(typed) or f" {typed}" in f" {text}"


def topic_label(key: str) -> str:
    """A topic as people read it: "Encryption and lawful access"; a key outside the
    vocabulary (older or seeded alerts) with its hyphens as spaces."""
    label = TOPIC_LABELS.get(key) or key.replace("-", " ")
    return label[:1].upper() + label[1:]


def right_label(key: str) -> str:
    """A right's short name: "Freedom of expression" (the ICCPR article left to the forms)."""
    label = RIGHT_LABELS.get(key)
    return label.split(" (ICCPR")[0] if label else key


def _matching(typed: str, choices: dict[str, str]) -> list[str]:
    """Keys whose key or readable name ``typed`` names: the exact key alone if it is one, else
    every key or name it starts a word of."""
    folded = _fold(typed)
    if not folded:  # only punctuation: names nothing
        return []
    exact = [k for k in choices if _fold(k) == folded]
    if exact:
        return [str(k) for k in exact]
    return [str(k) for k, label in choices.items() if _words_start(folded, _fold(k)) or
            _words_start(folded, _fold(label))]  # fmt: skip


def topics(typed: str) -> list[str]:
    """The topic keys ``typed`` names; Invalid (with the choices) if none."""
    found = _matching(typed, {t: TOPIC_LABELS.get(t, t) for t in TOPICS})
    if not found:
        choices = ", ".join(topic_label(t) for t in TOPICS)
        raise Invalid(f"No topic matches “{typed}”. Topics are: {choices}.", field="topic")
    return found


def rights(typed: str) -> list[str]:
    """The right keys ``typed`` names; Invalid (with the choices) if none."""
    found = _matching(typed, {r: RIGHT_LABELS.get(r, r) for r in RIGHTS})
    if not found:
        choices = ", ".join(right_label(r) for r in RIGHTS)
        raise Invalid(f"No right matches “{typed}”. Rights are: {choices}.", field="right")
    return found


def jurisdictions(typed: str) -> list[str]:
    """The codes ``typed`` names: an ISO 3166 alpha-2 or alpha-3 code, EU, INTL, a country's
    name, or the start of a word of names ("korea": both Koreas); Invalid if none."""
    code = countries.resolve(typed) or ("INTL" if typed.strip().upper() == "INTL" else None)
    if code:
        return [code]
    found = countries.starting(typed)
    if not found or len(_fold(typed)) < 3:  # "a" or "ni" would name dozens of countries
        raise Invalid(
            f"No country matches “{typed}”: type a country's name or its ISO 3166 code "
            "(e.g. Germany or DE), or EU.",
            field="jurisdiction",
        )
    return found
