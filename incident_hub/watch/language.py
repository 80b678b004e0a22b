"""Which language an item is written in, and the word stems rules and texts are matched on.

Detection is py3langid (langid.py's model, shipped in its wheel: nothing is downloaded at run
time), restricted to the languages the rules cover, on the first ``DETECT_CHARS`` characters of
title and summary. Stems come from the Snowball stemmers (PyStemmer, C) and, for Ukrainian, which
Snowball lacks, from simplemma's lemma lists. Rules and texts go through the same function, so a
rule written "blokada" also matches "blokady" and "blokadę", and "закон" matches "закона".
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy
import simplemma
import Stemmer

# ISO 639-1 code -> Snowball algorithm (None: a lemmatiser instead, see _stemmer).
SNOWBALL = {
    "en": "english",
    "es": "spanish",
    "pt": "portuguese",
    "fr": "french",
    "de": "german",
    "ru": "russian",
    "tr": "turkish",
    "pl": "polish",
    "it": "italian",
    "id": "indonesian",
    "ar": "arabic",
    "nl": "dutch",
    "uk": None,
}
LANGUAGES = tuple(SNOWBALL)
NAMES = {"en": "English", "es": "Spanish", "pt": "Portuguese", "fr": "French", "de": "German"}
NAMES |= {"ru": "Russian", "tr": "Turkish", "pl": "Polish", "it": "Italian", "id": "Indonesian"}
NAMES |= {"ar": "Arabic", "nl": "Dutch", "uk": "Ukrainian"}
DETECT_CHARS = 80  # every item of both development sets and all snapshots; cost grows with length
_UKRAINIAN = frozenset("іїєґІЇЄҐ")  # letters Ukrainian writes and Russian never does
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")  # harakat etc.
_SCRIPTS = {
    "latin": re.compile("[A-Za-z\u00c0-\u024f]"),
    "cyrillic": re.compile("[\u0400-\u04ff]"),
    "arabic": re.compile("[\u0600-\u06ff]"),
}
_lock = threading.Lock()
_detectors: dict[tuple[str, ...], Any] = {}


def _identifier(languages: tuple[str, ...]) -> Any:
    """One py3langid identifier per language set, loaded once (about a second)."""
    found = _detectors.get(languages)
    if found is None:
        with _lock:
            found = _detectors.get(languages)
            if found is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                found = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
                found.set_languages(list(languages))
                # The restricted table is a strided float16 view: one contiguous float32 copy
                # (5 MB for 13 languages) makes each item's row gather three times cheaper.
                found.nb_ptc = numpy.ascontiguousarray(found.nb_ptc, dtype=numpy.float32)
                _detectors[languages] = found
    return found


def detect(text: str, languages: Sequence[str]) -> str:
    """The most likely of ``languages`` for ``text`` (the first of them when there is one only)."""
    if len(languages) == 1 or not text.strip():
        return languages[0]
    sample = text[:DETECT_CHARS]
    script = _script(sample)
    if script == "arabic" and "ar" in languages:  # the only Arabic-script language covered
        return "ar"
    if script == "cyrillic" and {"ru", "uk"} <= set(languages):
        return "uk" if _UKRAINIAN.intersection(sample) else "ru"
    code, _score = _identifier(tuple(sorted(languages))).classify(sample)
    return str(code)


def _script(sample: str) -> str:
    """The script most of the letters are in: latin, cyrillic or arabic."""
    if sample.isascii():  # most items: one C call instead of three scans
        return "latin"
    counts = {name: len(pattern.findall(sample)) for name, pattern in _SCRIPTS.items()}
    return max(counts, key=counts.__getitem__)


def normalise(text: str, language: str) -> str:
    """Script-specific clean-up before tokenising: Arabic vowel marks would split words, and
    Turkish dotted/dotless i must not become "i" plus a combining dot."""
    if language == "ar":
        return _ARABIC_MARKS.sub("", text)
    if language == "tr":
        return text.replace("İ", "i").replace("I", "ı")
    return text


_local = threading.local()  # PyStemmer's stemmers are not thread-safe: one set per thread


def stemmer(language: str) -> Callable[[list[str]], list[str]]:
    """Stems of casefolded words, in order (remembered per thread: feeds reuse their words)."""
    mine: dict[str, Callable[[list[str]], list[str]]] | None = getattr(_local, "stemmers", None)
    if mine is None:
        mine = _local.stemmers = {}
    found = mine.get(language)
    if found is None:
        found = mine[language] = _make(language)
    return found


STEM_CACHE = 100_000  # words remembered per language and thread before starting afresh


def _make(language: str) -> Callable[[list[str]], list[str]]:
    algorithm = SNOWBALL.get(language)
    if algorithm:
        stem_words = Stemmer.Stemmer(algorithm, 0).stemWords
    elif language in SNOWBALL:  # simplemma's lookups are plain dict reads: safe to share

        def stem_words(words: list[str]) -> list[str]:
            return [_lemma(w, language) for w in words]
    else:
        return list
    known: dict[str, str] = {}

    def stems(words: list[str]) -> list[str]:
        # A dict read per word costs a tenth of a call into the stemmer, even a cached one.
        found = list(map(known.get, words))
        if None in found:
            missing = [w for w, s in zip(words, found, strict=True) if s is None]
            if len(known) > STEM_CACHE:
                known.clear()
            known.update(zip(missing, stem_words(missing), strict=True))
            found = list(map(known.__getitem__, words))
        return found  # type: ignore[return-value]

    return stems


@lru_cache(maxsize=100_000)
def _lemma(word: str, language: str) -> str:
    return str(simplemma.lemmatize(word, lang=language)).casefold()  # "Україна" ~ "україна"
