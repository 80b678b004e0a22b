"""The feed classifier and the shipped rules (feeds/rules.toml).

Example sentences are short and self-written; the labelled-dev corpus is read only by the
quality test (and only when ../shared/corpora/labelled-dev is present), never copied here.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from incident_hub.watch.classify import Classification, Classifier, RulesError, load_rules

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "feeds" / "rules.toml"
DEV = ROOT.parent / "shared" / "corpora" / "labelled-dev"


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return load_rules(RULES)


def test_takedown_order_flags_content_removal(clf: Classifier) -> None:
    result = clf.classify(
        "Regulator issues takedown order against video platform",
        "The ministry ordered the platform to remove the illegal content within 24 hours.",
    )
    assert result.flagged
    assert result.topics[0] == "content-removal"
    assert "expression" in result.rights
    assert result.suggested_playbook == "content-takedown"
    assert "content-removal: takedown order" in result.matched  # the triager sees why


def test_shutdown_order_detects_country_and_playbook(clf: Classifier) -> None:
    result = clf.classify(
        "Government orders nationwide internet shutdown in Myanmar",
        "Telecom operators were told to cut mobile data until further notice.",
    )
    assert result.flagged
    assert result.jurisdictions[0] == "MM"
    assert result.suggested_playbook == "network-shutdown"


@pytest.mark.parametrize(
    "title",
    [
        "Ethiopia cuts internet in Tigray amid conflict",
        "Iran cuts mobile internet as protests spread",
        "Internet blackout in the region enters its third week",
        "Internet shutdown extended again ahead of the vote",
    ],
)
def test_shutdown_headlines_flag_without_a_legal_verb(clf: Classifier, title: str) -> None:
    """A shutdown is itself a state act: missing one is the worst miss a queue can make."""
    result = clf.classify(title, "")
    assert result.flagged and result.suggested_playbook == "network-shutdown", result.matched


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("Ofcom fines video site for failing its illegal content duties", "GB"),
        ("CNIL fines search engine for breaching data protection law", "FR"),
        ("Roskomnadzor blocks messaging app and orders a ban on VPNs", "RU"),
        ("European Commission orders platform to curb disinformation", "EU"),
    ],
)
def test_institutions_name_their_jurisdiction(clf: Classifier, title: str, code: str) -> None:
    result = clf.classify(title, "")
    assert result.jurisdictions[0] == code
    assert result.flagged


def test_capitals_only_acronyms_do_not_match_ordinary_words(clf: Classifier) -> None:
    assert "US" not in clf.classify("Tell us how the new law affects privacy", "").jurisdictions
    assert clf.classify("US lawmakers pass privacy bill", "").jurisdictions[0] == "US"


def test_product_launch_mentioning_privacy_is_not_flagged(clf: Classifier) -> None:
    result = clf.classify(
        "Startup unveils privacy-focused phone with encrypted messaging",
        "The company's product launch promises better privacy and a new feature for backups.",
    )
    assert not result.flagged


def test_company_policy_change_without_government_is_not_flagged(clf: Classifier) -> None:
    result = clf.classify(
        "Video app updates its community guidelines on hate speech",
        "The company says moderators will take down more posts that break its guidelines.",
    )
    assert not result.flagged


def test_topic_without_legal_action_scores_zero(clf: Classifier) -> None:
    assert clf.classify("Five tips to protect your privacy online", "").score <= 0


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("", ""),
        ("x" * 1_000_000, "court " * 200_000),
        ("<p>Court <b>orders</b> internet shutdown &amp; blocking</p>", "<script>x</script>"),
        ("🔥🚫📵 internet 🤝 shutdown", "🎃" * 1000),
        ("Роскомнадзор заблокировал мессенджер", "政府下令关闭互联网。الحكومة تحجب الإنترنت"),
        ("&#0; &bogus; <<<>>> \x00\ud800", "\u200b" * 50),
    ],
)
def test_odd_inputs_never_raise(clf: Classifier, title: str, summary: str) -> None:
    start = time.perf_counter()
    result = clf.classify(title, summary)
    assert isinstance(result, Classification)
    assert time.perf_counter() - start < 1.0  # long inputs are capped, not scanned in full


def test_html_is_stripped_before_matching(clf: Classifier) -> None:
    result = clf.classify("<p>Court <b>orders</b> internet shutdown</p>", "")
    assert "action: orders" in result.matched
    assert "shutdown-blocking: internet shutdown" in result.matched
    assert not any(m.endswith(": p") or m.endswith(": b") for m in result.matched)


def test_default_jurisdiction_only_when_none_detected(clf: Classifier) -> None:
    plain = clf.classify("Regulator fines platform over illegal content", "", "DE")
    assert plain.jurisdictions == ("DE",)
    named = clf.classify("Ofcom fines platform over illegal content", "", "DE")
    assert named.jurisdictions == ("GB",)


VALID = """\
threshold = 3.0

[topics.content-removal]
rights = ["expression"]
playbook = "content-takedown"
[topics.content-removal.terms]
"takedown | takedowns" = 2

[action.terms]
"court" = 2

[exclusions.terms]
"tutorial" = -2

[jurisdictions]
FR = { places = ["France"], institutions = ["CNIL"] }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(RulesError) as caught:
        load_rules(write(tmp_path, text))
    return caught.value.problems


def test_minimal_rules_load_and_work(tmp_path: Path) -> None:
    result = load_rules(write(tmp_path, VALID)).classify("CNIL court takedown", "")
    assert result.flagged and result.jurisdictions == ("FR",)


def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    (message,) = problems(tmp_path, VALID.replace('"court" = 2', '"court" = = 2'))
    assert re.match(rf"{re.escape(str(tmp_path))}/rules.toml:10: toml: invalid TOML", message)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("topics.content-removal]", "topics.weather]", r":3: topics.weather: unknown topic"),
        (
            '["expression"]',
            '["expression", "happiness"]',
            r":4: topics.content-removal.rights: "
            r"unknown right 'happiness'",
        ),
        ('"content-takedown"', '"nope"', r":5: topics.content-removal.playbook: unknown playbook"),
        (
            '"takedown | takedowns" = 2',
            '"takedown" = "high"',
            r":7: topics.content-removal.terms.takedown: weight must be a number",
        ),
        ('"tutorial" = -2', '"tutorial" = 2', r":13: exclusions.terms.tutorial: .*negative"),
        ("FR = {", "France = {", r":16: jurisdictions.France: must be named by an ISO"),
        ("threshold = 3.0", 'threshold = "high"', r":1: threshold: must be a non-negative"),
        (
            '"court" = 2',
            '"court" = 2\n"Court" = 1',
            r":11: action.terms.Court: 'Court' repeats .*:10",
        ),
        ("[topics.content-removal]\n", "", r":5: topics.content-removal.rights: must be"),
    ],
)
def test_broken_rules_give_file_line_field_messages(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    found = problems(tmp_path, VALID.replace(old, new, 1))
    assert any(re.search(expected, p) and p.startswith(str(tmp_path)) for p in found), found


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = VALID.replace('"court" = 2', '"court" = "x"').replace("content-takedown", "nope")
    assert len(problems(tmp_path, text)) == 2


def test_shipped_rules_cover_every_topic(clf: Classifier) -> None:
    from incident_hub.watch.classify import TOPICS

    assert set(clf.topic_meta) == set(TOPICS)


@pytest.mark.skipif(
    not (DEV / "items.jsonl").is_file(),
    reason=f"labelled-dev corpus not present at {DEV} (it lives beside the repository)",
)
def test_quality_on_labelled_dev_set(clf: Classifier) -> None:
    tp = fp = fn = 0
    with (DEV / "items.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            flagged = clf.classify(item["title"], item["summary"]).flagged
            relevant = item["label"] == "relevant"
            tp += flagged and relevant
            fp += flagged and not relevant
            fn += relevant and not flagged
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.80, f"precision {precision:.3f} (tp={tp} fp={fp})"
    assert recall >= 0.80, f"recall {recall:.3f} (tp={tp} fn={fn})"


def test_one_word_two_weights_is_a_problem_once_stemmed(tmp_path: Path) -> None:
    """ "fines" and "fine" are one stem: the file must give the word one weight."""
    found = problems(tmp_path, VALID.replace('"court" = 2', '"court" = 2\n"courts" = 1'))
    assert any(
        re.search(r":11: action.terms.courts: 'courts' is the same word as 'court' .*:10\)", p)
        for p in found
    ), found


def test_variants_come_from_the_stemmer(tmp_path: Path) -> None:
    clf = load_rules(write(tmp_path, VALID))
    result = clf.classify("CNIL: courts order takedowns", "")
    assert "action: courts" in result.matched and result.flagged  # "court" matches "courts"
