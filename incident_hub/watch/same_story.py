"""Is this feed item the same story as that one? Canonical URLs and near-identical titles.

Pure functions, no database: ``grouping`` uses them at ingest, and migration 0007 uses them to
backfill the keys of existing alerts, so both compute exactly the same keys.

Two rules, either of which makes two items one development:

* **Same canonical URL.** RFC 3986 normalisation is url-normalize's job (scheme and host
  lower-cased, default port dropped, dot segments resolved, percent-escapes and IDNA hosts
  spelled one way). On top of it, our policy for "the same article": tracking parameters
  dropped, the remaining parameters sorted, the fragment dropped, ``www.`` and a trailing slash
  ignored, and http counted the same as https. A site's home page (no path, no query) is not
  an article: feeds that link every item to it must not merge everything.
* **Near-identical titles** within a few days of each other: titles are compared as sets of
  words (case, punctuation, whitespace and a few function words ignored) and join when their
  Jaccard similarity is at least 0.85, both have at least five informative words, and they
  carry exactly the same numbers ("Bill 12" is not "Bill 13"; "No. 2 Regulations 2026" is not
  "No. 3"). Short titles ("Court ruling") and generic ones ("Weekly roundup", "Newsletter")
  never join by title: they do not say which development they are about.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from url_normalize import url_normalize

TITLE_SIMILARITY = 0.85  # Jaccard; the stored prefix tokens depend on it (see prefix_tokens)
MIN_INFORMATIVE_WORDS = 5
MAX_TOKEN_LEN = 100  # the token column's width; longer "words" are cut

# Parameters that say how the reader arrived, never which article it is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "ref", "ref_src", "ref_url",
        "cmpid", "wt_mc", "wt.mc_id", "s_cid", "ocid", "ncid", "_ga", "_gl", "oly_anon_id",
        "oly_enc_id", "vero_id", "rb_clickid", "sr_share",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "hsa_", "pk_", "mtm_")

# Function words, and the "s"/"t" left of an apostrophe ("EU's", "don't").
STOPWORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in",
        "into", "is", "it", "its", "of", "on", "or", "s", "t", "that", "the", "this", "to", "was",
        "were", "will", "with",
    }
)  # fmt: skip
# Words that name a kind of post, not a development: they do not count towards the five.
GENERIC_WORDS = frozenset(
    {
        "weekly", "daily", "monthly", "week", "month", "year", "roundup", "newsletter", "digest",
        "news", "update", "updates", "podcast", "episode", "review", "recap", "briefing",
        "bulletin", "edition", "issue", "links", "reading", "top", "stories", "highlights",
        "latest",
    }
)  # fmt: skip
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")


def canonical_url(link: str, *, shortcut: bool = True) -> str:
    """The article a link points to, spelled one way; "" when it is not a usable http(s) URL."""
    if not link:
        return ""
    parts = _already_normal(link) if shortcut else None
    if parts is None:
        try:
            parts = urlsplit(url_normalize(link) or "")
        except ValueError:  # includes UnicodeError for a host IDNA refuses
            return ""
    if parts.scheme not in ("http", "https"):
        return ""
    host = parts.netloc.rpartition("@")[2].removeprefix("www.")  # credentials never identify
    if not host:
        return ""
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, _kept_query(parts.query), ""))


# Most feed links are already spelled as url-normalize spells them: lower-case http(s) scheme
# and host of plain labels, no port or credentials, no percent-escapes, no empty, "." or ".."
# path segments, query parameters of plain characters with at most one "=". url-normalize
# leaves such a link as it is, so it is not run on it (it costs about as much as the rest of
# storing the item; IDNA checks are most of it). tests/test_same_story.py checks on generated
# links and on 4,000 real ones that both ways give the same canonical URL.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PLAIN_PATH = re.compile(r"[A-Za-z0-9\-._~:@!$&'()*+,;=/]*")
_PLAIN_PARAM = re.compile(r"[A-Za-z0-9\-._~:/?@!$'()*+,;]*(?:=[A-Za-z0-9\-._~:/?@!$'()*+,;]*)?")


def _already_normal(link: str) -> SplitResult | None:
    if not (link.isascii() and link.isprintable()) or any(c in link for c in " %[]"):
        return None
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not link.startswith(f"{parts.scheme}://"):
        return None
    if "--" in parts.netloc or not _PLAIN_HOST.fullmatch(parts.netloc):
        return None
    segments = parts.path.split("/")
    if not _PLAIN_PATH.fullmatch(parts.path) or (parts.path and segments[0]):
        return None
    if any(seg in ("", ".", "..") for seg in segments[1:-1]) or segments[-1] in (".", ".."):
        return None
    if not all(_PLAIN_PARAM.fullmatch(pair) for pair in parts.query.split("&")):
        return None
    if parts.fragment.startswith("!"):  # a hash-bang: url-normalize makes it a parameter
        return None
    return parts


def _kept_query(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = unquote(pair.partition("=")[0]).lower()
        if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
            continue
        kept.append(pair)
    return "&".join(sorted(kept))


def url_key(canonical: str) -> str | None:
    """The indexed key of a canonical URL; None for a home page (no path, no query)."""
    if not canonical:
        return None
    parts = urlsplit(canonical)
    if parts.path == "/" and not parts.query:
        return None
    return hashlib.sha256(canonical.encode("utf-8", "surrogateescape")).hexdigest()


def title_tokens(title: str) -> tuple[str, ...]:
    """A title's words for comparison: case-folded, punctuation and function words dropped."""
    text = unicodedata.normalize("NFKC", title or "").casefold()
    words = (w[:MAX_TOKEN_LEN] for w in _WORD.findall(text))
    return tuple(dict.fromkeys(w for w in words if w not in STOPWORDS))


def comparable(tokens: tuple[str, ...] | list[str]) -> bool:
    """Does the title say enough to be matched by title at all?"""
    informative = [t for t in tokens if t not in GENERIC_WORDS]
    return len(informative) >= MIN_INFORMATIVE_WORDS


def same_title(a: tuple[str, ...] | list[str], b: tuple[str, ...] | list[str]) -> bool:
    """Near-identical titles (see the module docstring for the rule and why)."""
    if not (comparable(a) and comparable(b)):
        return False
    set_a, set_b = set(a), set(b)
    if {t for t in set_a if _DIGIT.search(t)} != {t for t in set_b if _DIGIT.search(t)}:
        return False
    return len(set_a & set_b) >= TITLE_SIMILARITY * len(set_a | set_b)


def _order(token: str) -> tuple[int, int, str]:
    """A fixed global order of words that puts the probably-rare first: numbers, then long."""
    return (0 if _DIGIT.search(token) else 1, -len(token), token)


def prefix_tokens(tokens: tuple[str, ...] | list[str]) -> list[str]:
    """The few words of a title that any near-identical title must share at least one of.

    Prefix filtering (Chaudhuri et al., 2006): if Jaccard(A, B) >= t then A and B share at least
    ceil(t * |A|) words, so in any fixed order of words, A's first |A| - ceil(t * |A|) + 1
    words contain one of B's first |B| - ceil(t * |B|) + 1. Storing those few words per report
    (1 for a 5- or 6-word title, 2 up to 13 words, 3 or 4 beyond) turns the title search into
    an indexed lookup. Titles that can never match by title store none.
    """
    if not comparable(tokens):
        return []
    ordered = sorted(set(tokens), key=_order)
    # A tiny tolerance so that 0.85 * 20 = 17 is not taken as 17.000000000000004 -> 18.
    size = len(ordered) - math.ceil(TITLE_SIMILARITY * len(ordered) - 1e-9) + 1
    return ordered[:size]
