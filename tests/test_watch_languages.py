"""Feeds in other languages through the real poll path: each item's language is detected, its
words are matched against that language's rules, and places below the national level resolve to
their country and are shown.

Headlines are our own short sentences in the style of real reports (the development sets are
read by the benchmark and by tests/test_classify*.py only, never copied here).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import web_login
from feedserver import rss
from test_watch_poll import add_source, poll

from incident_hub.watch.rules import language_files

ITEMS = [
    # (language, title, description, expected topic or None for "not flagged")
    (
        "pl",
        "Sejm uchwalił ustawę o blokowaniu stron internetowych bez wyroku sądu",
        "Nowe przepisy pozwolą ministrowi nakazać operatorom zablokowanie dostępu do stron.",
        "shutdown-blocking",
    ),
    (
        "ru",
        "Роскомнадзор заблокировал ещё три VPN-сервиса",
        "Ведомство ограничило доступ к сервисам по требованию Генпрокуратуры.",
        "shutdown-blocking",
    ),
    (
        "tr",
        "Mahkeme, haber sitesine erişim engeli getirdi",
        "Sulh ceza hakimliği kararıyla habere erişim engellendi.",
        "shutdown-blocking",
    ),
    (
        "de",
        "Bundestag beschließt Gesetz zur Vorratsdatenspeicherung",
        "Das Gesetz verpflichtet Anbieter, Verbindungsdaten drei Monate zu speichern.",
        "surveillance-data-demands",
    ),
    (
        "en",
        "Pakistan shuts down mobile internet in Balochistan ahead of protests",
        "Operators were told to suspend mobile data until further notice.",
        "shutdown-blocking",
    ),
    (
        "de",
        "Bayern München gewinnt das Spitzenspiel gegen Dortmund",
        "Die Mannschaft siegte am Samstag mit 3:1.",
        None,
    ),
]


def entries() -> list[dict[str, str]]:
    return [
        {"title": t, "description": d, "link": f"http://example.org/{n}", "guid": f"urn:l:{n}"}
        for n, (_lang, t, d, _topic) in enumerate(ITEMS)
    ]


def test_items_in_other_languages_are_detected_and_flagged(app, api, runner, feeds):
    root = Path(__file__).resolve().parent.parent / "feeds" / "rules.toml"
    have = {p.stem for p in language_files(root)} | {"en"}
    missing = {lang for lang, *_ in ITEMS} - have
    if missing:
        pytest.skip(f"no rules file for {sorted(missing)} in feeds/rules/")
    add_source(api, feeds.serve("/world.xml", rss(entries())))
    poll(runner)
    alerts = {a["title"]: a for a in api("legal").get("/alerts").get_json()}
    for lang, title, _description, topic in ITEMS:
        if topic is None:
            assert title not in alerts, f"{lang}: {title!r} should not be flagged"
            continue
        assert title in alerts, f"{lang}: {title!r} was not flagged"
        alert = alerts[title]
        assert alert["language"] == lang, (title, alert["language"])
        assert topic in alert["topics"], (title, alert["topics"], alert["matched"])


def test_a_province_resolves_to_its_country_and_is_shown(app, api, runner, feeds, client, people):
    (entry,) = [e for e in entries() if "Balochistan" in e["title"]]
    add_source(api, feeds.serve("/pk.xml", rss([entry])))
    poll(runner)
    (alert,) = api("legal").get("/alerts").get_json()
    assert alert["jurisdictions"][0] == "PK"
    assert alert["regions"] == ["Balochistan (PK)"]
    assert "region PK: Balochistan" in alert["matched"]
    web_login(client, app, people["triager"].email)
    page = client.get("/triage?view=cards").get_data(as_text=True)
    assert "<dd>Pakistan · Balochistan (PK)</dd>" in page and "<dd>English</dd>" in page
    assert 'lang="en"' in page  # screen readers read the title in its language
