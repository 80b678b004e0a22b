"""Jurisdictions: ISO 3166-1 countries (pycountry's data) and the European Union.

A jurisdiction is stored and sent by the API as its code (``DE``, ``EU``); people may type the
code, the English name ("Germany", "Russian Federation") or a common name ("Russia", "UK"),
in any case. Anything else is refused, never guessed: "Narnia" is no country, not Namibia.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import pycountry

EU = "EU"  # EU law is a jurisdiction of its own (feeds/rules.toml, the playbooks)
EU_NAME = "European Union"
INTL = "INTL"  # international bodies: a jurisdiction alerts carry (watch/rules.py), cases do not
INTL_NAME = "International"

# Names people use that ISO 3166 spells otherwise (pycountry's ``common_name`` covers a few
# more: Bolivia, Iran, Laos, Moldova, South Korea, North Korea, Syria, Taiwan, Tanzania,
# Venezuela, Vietnam). Only names that mean one country without doubt.
COMMON_NAMES = {
    "Russia": "RU",
    "Turkey": "TR",
    "UK": "GB",
    "U.K.": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "United Kingdom": "GB",
    "USA": "US",
    "U.S.": "US",
    "U.S.A.": "US",
    "United States": "US",
    "United States of America": "US",
    "America": "US",
    "Czech Republic": "CZ",
    "Ivory Coast": "CI",
    "Cote d'Ivoire": "CI",
    "Macedonia": "MK",
    "Burma": "MM",
    "Swaziland": "SZ",
    "Cape Verde": "CV",
    "Vatican": "VA",
    "Vatican City": "VA",
    "Holy See": "VA",
    "Brunei": "BN",
    "Palestine": "PS",
    "Congo-Kinshasa": "CD",
    "DR Congo": "CD",
    "DRC": "CD",
    "Democratic Republic of the Congo": "CD",
    "Congo-Brazzaville": "CG",
    "Republic of the Congo": "CG",
    "East Timor": "TL",
    "Micronesia": "FM",
    "Hong Kong SAR": "HK",
    "Macau": "MO",
    "The Netherlands": "NL",
    "Holland": "NL",
    "The Gambia": "GM",
    "The Bahamas": "BS",
    "UAE": "AE",
    "EU": EU,
    "E.U.": EU,
}


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of a name ("Türkiye", "turkiye", "TÜRKIYE")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(folded.replace("’", "'").split())


@cache
def names() -> dict[str, str]:
    """Every jurisdiction's code and the name shown for it (a common name where ISO's is
    long: "Iran", not "Iran, Islamic Republic of"), the EU first, then by name."""
    countries = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    ordered = sorted(countries.items(), key=lambda item: _fold(item[1]))
    return {EU: EU_NAME} | dict(ordered)


@cache
def _index() -> dict[str, str]:
    """Folded code or name -> code."""
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                index[_fold(value)] = country.alpha_2
        index[_fold(country.alpha_3)] = country.alpha_2
    index[_fold(EU_NAME)] = EU
    index.update({_fold(name): code for name, code in COMMON_NAMES.items()})
    index.update({code.casefold(): code for code in names()})  # codes win over any name
    return index


def resolve(text: str) -> str | None:
    """The code ``text`` names (a code or a name, any case), or None: never a guess."""
    return _index().get(_fold(text)) if text and text.strip() else None


@cache
def _spellings() -> dict[str, tuple[str, ...]]:
    """code -> every folded name it may be typed as, INTL included (what alerts carry)."""
    out: dict[str, list[str]] = {code: [] for code in names()} | {INTL: [_fold(INTL_NAME)]}
    for folded, code in _index().items():
        out[code].append(folded)
    return {code: tuple(spelt) for code, spelt in out.items()}


def starting(typed: str) -> list[str]:
    """The codes with a name a word of which ``typed`` starts ("korea": both Koreas;
    "lithu": Lithuania), for search filters; exact matches are ``resolve``'s."""
    folded = _fold(typed)
    if not folded:
        return []
    return [
        code
        for code, spelt in _spellings().items()
        if any(name.startswith(folded) or f" {folded}" in f" {name}" for name in spelt)
    ]


def is_known(code: str) -> bool:
    return code in names()


def country_name(code: str | None, blank: str = "—") -> str:
    """The name shown for a stored code; an unknown code (stored before codes were checked,
    or typed into a form that refused it) is shown as it is, and none as ``blank``."""
    if not code:
        return blank
    return INTL_NAME if code == INTL else names().get(code, code)
