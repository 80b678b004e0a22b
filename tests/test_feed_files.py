"""A feed file an operator got wrong is refused naming the file, the table and the field once."""

from __future__ import annotations

import pytest

from incident_hub.config import ConfigError
from incident_hub.watch.sources import load_source_files

GOOD = 'key = "ok-feed"\ntitle = "A feed"\nurl = "https://example.org/feed.xml"\n'
BAD = [
    (
        'key = "Bad Key"\ntitle = "x"\nurl = "https://example.org/f"\n',
        "sources[0].key",
        "key must be lowercase letters, digits and dashes",
    ),
    (
        'key = "k"\ntitle = "x"\nurl = "ftp://example.org/f"\n',
        "sources[0].url",
        "url must be an http:// or https:// address",
    ),
    (
        GOOD + "interval_min = true\n",
        "sources[0].interval_min",
        "interval_min must be a whole number",
    ),
    (GOOD + "interval_min = 0\n", "sources[0].interval_min", "interval_min must be at least 1"),
    (GOOD + 'jurisdiction = "Narnia"\n', "sources[0].jurisdiction", "“Narnia” is not an ISO 3166"),
    ('key = "k"\nurl = "https://example.org/f"\n', "sources[0].title", "title is required"),
]


@pytest.mark.parametrize(("table", "where", "message"), BAD)
def test_a_bad_source_names_file_table_and_field(tmp_path, table, where, message):
    path = tmp_path / "feeds.toml"
    path.write_text("[[sources]]\n" + table, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_source_files(tmp_path)
    text = str(caught.value)
    assert text.startswith(f"{path}: {where}: ") and message in text
    assert text.count(str(path)) == 1, text  # the place is said once


def test_a_good_source_gets_defaults_and_a_bounded_interval(app, tmp_path):
    (tmp_path / "feeds.toml").write_text(
        "[[sources]]\n" + GOOD + 'interval_min = 100000\njurisdiction = "de"\nlanguage = ""\n',
        encoding="utf-8",
    )
    with app.app_context():
        (source,) = load_source_files(tmp_path)
        high = app.config["FEEDS"]["MAX_INTERVAL_MIN"]
    assert source["interval_min"] == high and source["jurisdiction"] == "DE"
    assert source["language"] == "en" and source["covers"] == ""
