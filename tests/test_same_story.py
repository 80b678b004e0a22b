"""When are two feed items the same story? Canonical URLs and near-identical titles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_hub.watch.same_story import (
    canonical_url,
    comparable,
    prefix_tokens,
    same_title,
    title_tokens,
    url_key,
)

STORY = "https://example.org/news/2026/shutdown-order"


@pytest.mark.parametrize(
    "variant",
    [
        "https://example.org/news/2026/shutdown-order",
        "HTTPS://Example.ORG/news/2026/shutdown-order",
        "https://www.example.org/news/2026/shutdown-order/",
        "http://example.org:80/news/2026/shutdown-order",
        "https://example.org:443/news/2026/shutdown-order#comments",
        "https://example.org/news/2026/./shutdown-order",
        "https://example.org/news/2026/shutdown-order?utm_source=rss&utm_medium=feed",
        "https://example.org/news/2026/shutdown-order?fbclid=abc&gclid=def&mc_cid=1&mc_eid=2",
        "https://example.org/news/2026/shutdown-order?ref=twitter&ref_src=twsrc&cmpid=x",
        "https://example.org/news/2026/shutdown-order?UTM_Campaign=Spring",
    ],
)
def test_tracking_case_port_www_slash_and_fragment_do_not_make_another_article(variant):
    assert canonical_url(variant) == STORY
    assert url_key(canonical_url(variant)) == url_key(STORY)


def test_remaining_query_parameters_are_sorted_and_kept():
    a = canonical_url("https://gov.example/bill?session=2026&id=12&utm_source=x")
    b = canonical_url("https://gov.example/bill?id=12&session=2026")
    assert a == b == "https://gov.example/bill?id=12&session=2026"
    assert url_key(a) != url_key(canonical_url("https://gov.example/bill?id=13&session=2026"))


def test_percent_escapes_and_unicode_are_spelled_one_way():
    assert canonical_url("https://example.org/r%C3%A9sum%C3%A9") == canonical_url(
        "https://example.org/résumé"
    )
    assert canonical_url("https://bücher.example/a") == "https://xn--bcher-kva.example/a"


@pytest.mark.parametrize(
    "link",
    ["https://example.org", "https://www.example.org/", "https://example.org/?utm_source=rss"],
)
def test_a_home_page_is_no_article_and_gives_no_key(link):
    assert canonical_url(link) and url_key(canonical_url(link)) is None


@pytest.mark.parametrize(
    "link", ["", "mailto:press@example.org", "http://[::1", "https://.../x", "http://\udcff.org/"]
)
def test_unusable_links_give_no_key_and_never_raise(link):
    assert canonical_url(link) == "" and url_key(canonical_url(link)) is None


SAME = [
    (
        "Ministry orders nationwide mobile internet shutdown ahead of election",
        "Ministry Orders Nationwide Mobile Internet Shutdown Ahead of the Election!",
    ),
    (
        "Ministry orders nationwide mobile internet shutdown ahead of election",
        "Ministry orders nationwide mobile internet shutdown ahead of election - Reuters",
    ),
    (
        "Icahn drops proxy fight, Yahoo puts him on board",
        "Lose-lose: Icahn drops proxy fight, Yahoo puts him on board",
    ),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_near_identical_titles_are_the_same_story(a, b):
    assert same_title(title_tokens(a), title_tokens(b))
    assert set(prefix_tokens(title_tokens(a))) & set(prefix_tokens(title_tokens(b)))


DIFFERENT = [
    ("Court ruling", "Court ruling on X"),  # short: says nothing of which ruling
    ("Court ruling", "Court ruling"),
    ("Weekly roundup", "Weekly roundup"),  # generic
    ("Newsletter", "Newsletter"),
    (
        "EFF weekly newsletter: digital rights news roundup",
        "EFF weekly newsletter: digital rights news roundup",
    ),  # fmt: skip
    (
        "Parliament passes Bill 12 on encrypted messaging",
        "Parliament passes Bill 13 on encrypted messaging",
    ),  # fmt: skip
    (
        "The Online Safety Act 2023 (Commencement No. 2) Regulations 2026",
        "The Online Safety Act 2023 (Commencement No. 3) Regulations 2026",
    ),
    (
        "Senate passes encryption bill requiring messaging backdoors",
        "House passes encryption bill requiring messaging backdoors",
    ),
    ("Parliament passes surveillance bill", "Parliament passes surveillance bill"),  # 4 words
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_short_generic_or_differently_numbered_titles_never_merge(a, b):
    assert not same_title(title_tokens(a), title_tokens(b))


def test_titles_that_cannot_match_store_no_tokens():
    for title in ("Court ruling", "Weekly roundup", "Newsletter", "", "法院裁决"):
        assert not comparable(title_tokens(title)) and prefix_tokens(title_tokens(title)) == []


VOCABULARY = [
    "court", "ruling", "ministry", "orders", "shutdown", "internet", "mobile", "election", "data",
    "law", "bill", "12", "13", "2026", "privacy", "encryption", "parliament", "passes", "senate",
    "regulator", "fines", "platform",
]  # fmt: skip
WORDS = st.sampled_from(VOCABULARY)


@st.composite
def title_pairs(draw):  # noqa: ANN001, ANN201
    """A title and a variant of it: a few words dropped, a few others added."""
    words = draw(st.lists(WORDS, min_size=1, max_size=16))
    kept = [w for w in words if not draw(st.booleans()) or draw(st.booleans())]
    return words, kept + draw(st.lists(WORDS, max_size=3))


@settings(max_examples=500, deadline=None)
@given(title_pairs())
def test_prefix_tokens_never_miss_a_matching_pair(pair):
    """The indexed lookup finds every pair the rule would merge (prefix filtering is exact)."""
    ta, tb = (title_tokens(" ".join(words)) for words in pair)
    if same_title(ta, tb):
        assert set(prefix_tokens(ta)) & set(prefix_tokens(tb))


def test_the_property_above_sees_matching_pairs():
    """Guard against a vacuous property: the variants do often match."""
    matches = []

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(title_pairs())
    def count(pair):  # noqa: ANN001, ANN202
        ta, tb = (title_tokens(" ".join(words)) for words in pair)
        matches.append(same_title(ta, tb))

    count()
    assert sum(matches) >= 5, sum(matches)


URL_PIECES = st.sampled_from(
    ["a", "Z", "0", "-", ".", "..", "/", "//", "%7e", "%2F", "%", "~", "=", "&", "?", "#", "#!",
     "@", ":", ":80", ":443", ":8080", "www.", "--", "é", " ", "+", "'", "(", ";", ",", "[", "*"]
)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(
    st.sampled_from(["http://", "https://", "HTTP://", "https://www."]),
    st.lists(
        st.sampled_from(["example", "news", "x1", "a-b", "Gov", "xn--bcher-kva"]),
        min_size=1,
        max_size=3,
    ),  # fmt: skip
    st.lists(URL_PIECES, max_size=12),
)
def test_the_plain_link_shortcut_agrees_with_url_normalize(scheme, labels, rest):
    """Links already in normal form skip url-normalize; the canonical URL must not change."""
    link = scheme + ".".join(labels) + ".org" + "".join(rest)
    assert canonical_url(link) == canonical_url(link, shortcut=False)


def test_the_plain_link_shortcut_agrees_on_real_feed_links():
    from pathlib import Path

    from incident_hub.watch.parse import FeedParseError, parse_feed

    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "real-feeds"
    if not corpus.is_dir():
        pytest.skip("the real-feeds corpus is not beside the repository")
    links = []
    for path in sorted(p for p in corpus.iterdir() if p.suffix != ".md"):
        try:
            feed = parse_feed(path.read_bytes(), {"content-type": "application/xml"})
        except FeedParseError:
            continue
        links += [e.link for e in feed.entries if e.link]
    assert len(links) > 1000
    assert [l for l in links if canonical_url(l) != canonical_url(l, shortcut=False)] == []  # noqa: E741
