"""Property tests (hypothesis) for everything that reads untrusted or hand-written input.

``parse_feed`` over random bytes, mutated RSS/Atom and hostile constructs (odd encodings, huge
attributes, deep nesting, DOCTYPE tricks, entities, CDATA, NUL, invalid UTF-8) with random headers
returns a ParsedFeed or raises FeedParseError, and what parses ingests into the database; the
classifier never raises; the playbook loader returns a Registry or a PlaybookError of
``file:line: ...`` problems; config merge/validate/read_toml succeed or raise ConfigError.
~200 examples per property, 5 s per input; ``bench/fuzz_bench.py`` drives the same strategies and
``check_*`` functions for the long run (100,000+ inputs).
"""

from __future__ import annotations

import contextlib
import math
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from incident_hub import config, config_checks
from incident_hub.clock import now
from incident_hub.config import ConfigError
from incident_hub.extensions import db
from incident_hub.playbooks import PlaybookError, Registry, load_dir
from incident_hub.watch.classify import load_rules
from incident_hub.watch.ingest import ingest
from incident_hub.watch.models import FeedItem, Source
from incident_hub.watch.parse import FeedParseError, ParsedFeed, parse_feed
from incident_hub.watch.service import classifier

EXAMPLES = 200
FUZZ = settings(  # deadline: the per-input bound (ms); no .hypothesis folder in the checkout
    max_examples=EXAMPLES, deadline=5000, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Gazette &amp; laws</title><link>https://gov.example/</link>
<item><title>Court orders takedown of 40 posts</title><link>https://gov.example/a</link>
<guid>urn:a-1</guid><pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate>
<description><![CDATA[<p>The <b>regulator</b> ordered a ban on encrypted apps.</p>]]></description>
</item><item><title>Bill on age verification</title><link>https://gov.example/b</link>
<description>Parliament passed &#169; the bill</description></item></channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Official journal</title><id>urn:j</id>
<updated>2025-01-06T10:00:00Z</updated>
<entry><title type="html">Minister &lt;b&gt;orders&lt;/b&gt; internet shutdown</title>
<id>urn:e1</id><link href="https://gov.example/e1"/><updated>2025-01-06T10:00:00Z</updated>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Law on data localisation</div>
</content></entry></feed>"""
TEMPLATES = (RSS, ATOM)
# fmt: off
TOKENS = (
    b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
    b"<![CDATA[", b"]]>", b"&amp;", b"&#0;", b"&#xD800;", b"&#x110000;", b"&#99999999999;",
    b"&nbsp;", b"&undefined;", b"<!DOCTYPE rss>", b"<!DOCTYPE html>", b"<", b">", b'"', b"'",
    b"<item>", b"</item>", b"<entry>", b"</entry>", b"<title>", b"</title>", b"<guid>", b"<link>",
    b"<pubDate>Mon, 06 Jan 99999 10:00:00 GMT</pubDate>", b"<updated>9999-99-99T99:99</updated>",
    b'encoding="utf-16"', b'encoding="x-bogus"', b"<div>" * 40, b"<?xml-stylesheet href='x'?>",
    b"<!-- -->", b"\r\n", b'<a href="' + b"A" * 3000 + b'">', b"<guid>\x00\x01</guid>",
    b"<link>http://\x00x</link>", b"<title>&#0;</title>", b"<id>&#1;&#2;</id>",
)
CONTENT_TYPES = (
    "application/rss+xml", "application/atom+xml; charset=utf-8", "text/html",
    "application/xml; charset=utf-16", "text/xml; charset=bogus", "text/plain; charset=utf-32",
    "application/rss+xml; charset=latin-1", "", "x" * 500, "text/html; charset=shift_jis",
)
HEADER_NAMES = ("Content-Type", "content-type", "Content-Location", "Content-Language",
                "Content-Encoding", "Last-Modified", "ETag", "Link")
ENCODINGS = ("utf-8", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "shift_jis",
             "koi8-r", "gb18030", "x-bogus", "utf-7")
headers_strategy = st.dictionaries(st.sampled_from(HEADER_NAMES) | st.text(max_size=20),
                                   st.sampled_from(CONTENT_TYPES) | st.text(max_size=80),
                                   max_size=4)
# fmt: on


@st.composite
def mutated(draw, template: bytes | None = None) -> bytes:
    """A template feed with 1-8 byte-level edits: insert, delete, replace, random, repeat."""
    body = bytearray(template or draw(st.sampled_from(TEMPLATES)))
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(body)))
        kind = draw(st.sampled_from(("token", "delete", "replace", "random", "repeat")))
        if kind == "token":
            body[pos:pos] = draw(st.sampled_from(TOKENS))
        elif kind == "delete":
            del body[pos : pos + draw(st.integers(1, 40))]
        elif kind == "replace" and body:
            body[min(pos, len(body) - 1)] = draw(st.integers(0, 255))
        elif kind == "random":
            body[pos:pos] = draw(st.binary(min_size=1, max_size=12))
        else:
            body[pos:pos] = body[pos : pos + draw(st.integers(1, 80))] * draw(st.integers(1, 6))
    return bytes(body)


# fmt: off
PAYLOADS = st.one_of(
    st.builds(lambda n: b"<x>" * n + b"deep" + b"</x>" * n, st.integers(1, 5000)),
    st.builds(lambda n: b"&lt;div&gt;" * n + b"escaped", st.integers(1, 5000)),
    st.builds(lambda n: b'<a href="' + b"h" * n + b'">x</a>', st.integers(1, 200_000)),
    st.sampled_from((
        b"<![CDATA[<script>alert(1)</script>]]>", b"<![CDATA[ unterminated", b"]]>",
        b"<![CDATA[a]]]]><![CDATA[>b]]>", b"&#0;&#1;&#xD800;&#x110000;&#99999999;&bogus;",
        b"\x00\x00", b"\x80\xbf\xc0\xaf\xed\xa0\x80\xf8\x88\x80\x80\x80\xff",
        b"&amp;amp;&lt;&gt;&quot;&apos;", b"http://\x00evil/", b"javascript:alert(1)",
    )),
    st.binary(max_size=200),
)
PROLOGS = (  # external DTDs, entity declarations (also past the 64 KiB the guard scans)
    b"", b"<!DOCTYPE html>", b"<!DOCTYPE rss [<!ELEMENT rss ANY>]>",
    b'<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/x.dtd">', b'<!DOCTYPE rss [<!ENTITY x "y">]>',
    b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
    b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">',
    b'<!DOCTYPE rss [<!entity % p SYSTEM "file:///etc/passwd"> %p;]>',
    b"<!--" + b"pad" * 23_000 + b'--><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
)
# fmt: on


@st.composite
def hostile(draw) -> bytes:
    """A feed with a hostile payload in one field, a DOCTYPE prolog and an odd encoding."""
    payload = draw(PAYLOADS)
    field = draw(st.sampled_from((b"title", b"description", b"guid", b"link", b"pubDate")))
    template = draw(st.sampled_from(("rss", "atom")))
    if template == "rss":
        item = b"<item><%s>%s</%s></item>" % (field, payload, field)
        body = b'<rss version="2.0"><channel><title>t</title>%s</channel></rss>' % item
    else:
        tag = {b"description": b"summary", b"guid": b"id", b"pubDate": b"updated"}.get(field, field)
        entry = b"<entry><%s>%s</%s></entry>" % (tag, payload, tag)
        body = b'<feed xmlns="http://www.w3.org/2005/Atom">%s</feed>' % entry
    declared, actual = draw(st.sampled_from(ENCODINGS)), draw(st.sampled_from(ENCODINGS))
    prolog = b'<?xml version="1.0" encoding="%s"?>' % declared.encode()
    body = prolog + draw(st.sampled_from(PROLOGS)) + body
    with contextlib.suppress(LookupError, UnicodeError):  # else keep the bytes as they are
        body = body.decode("utf-8", "surrogateescape").encode(actual, "surrogateescape")
    return draw(mutated(body)) if draw(st.booleans()) else body


@pytest.fixture
def fuzz_source(ctx) -> Source:
    source = Source(key="fuzz", title="fuzz", url="http://127.0.0.1/", next_poll_at=now())
    db.session.add(source)
    db.session.commit()
    return source


def check_feed(source: Source, body: bytes, headers: dict[str, str]) -> None:
    """The contract: ParsedFeed or FeedParseError; a parsed feed ingests and commits cleanly."""
    try:
        parsed = parse_feed(body, headers)
    except FeedParseError as exc:
        assert exc.reason and "\x00" not in exc.reason
        event("refused")
        return
    assert isinstance(parsed, ParsedFeed)
    event(f"parsed, {'some' if parsed.entries else 'no'} entries")
    for entry in parsed.entries:  # an external entity (XXE) is never read
        assert "root:x:0:0" not in entry.title + entry.summary
    counts = ingest(source, parsed.entries, classifier(), now())
    db.session.commit()
    assert counts.new + counts.updated <= len(parsed.entries)
    assert counts.flagged <= counts.new + counts.updated <= db.session.query(FeedItem).count()


@FUZZ
@given(body=st.binary(max_size=4000), headers=headers_strategy)
def test_random_bytes_parse_or_refuse(fuzz_source, body, headers):
    """Arbitrary bytes: a ParsedFeed or FeedParseError, never another exception."""
    check_feed(fuzz_source, body, headers)


@FUZZ
@given(body=mutated(), headers=headers_strategy)
def test_mutated_feeds_parse_and_ingest(fuzz_source, body, headers):
    """Real RSS/Atom documents with random byte edits parse (or are refused) and ingest."""
    check_feed(fuzz_source, body, headers)


@FUZZ
@given(body=hostile(), headers=headers_strategy)
def test_hostile_constructs_parse_and_ingest(fuzz_source, body, headers):
    """Odd encodings, huge attributes, deep nesting, DOCTYPE, entities, CDATA, NUL, bad UTF-8."""
    check_feed(fuzz_source, body, headers)


RULES = load_rules(ROOT / "feeds" / "rules.toml")
# fmt: off
WORDS = st.sampled_from(("court", "ban", "takedown", "Ofcom", "US", "encryption", "shutdown",
                         "the post", "appeared first on", "<b>", "&amp;", "&#0;", "law"))
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=3000)  # includes surrogates
TEXTS = ANY_TEXT | st.lists(WORDS | ANY_TEXT, max_size=60).map(" ".join) | st.builds(
    lambda n: "ban court " * n, st.integers(0, 5000))
# fmt: on


@FUZZ
@given(title=TEXTS, summary=TEXTS, jurisdiction=st.none() | st.text(max_size=5))
def test_classifier_never_raises(title, summary, jurisdiction):
    """Any text, of any length or script, gets a well-formed verdict."""
    check_classifier(title, summary, jurisdiction)


def check_classifier(title: str, summary: str, jurisdiction: str | None) -> None:
    result = RULES.classify(title, summary, jurisdiction)
    assert math.isfinite(result.score) and result.flagged == (result.score >= 3.0)


PLAYBOOK = (ROOT / "playbooks" / "content-takedown.toml").read_bytes()
FUNCTIONS = (ROOT / "playbooks" / "functions.toml").read_bytes()
# fmt: off
PLAYBOOK_TOKENS = (
    b"[[functions]]\n", b"[[options]]\n", b"[[functions.questions]]\n", b"key = ", b'"', b"'",
    b"=", b"\n", b"[", b"]", b"{", b"}", b"-1", b"0", b"nan", b"inf", b"1e400", b"9" * 400,
    b"true", b"1979-05-27", b"[functions.legal]\n", b"\\u0000", b"x = 1\n", b'key = "legal"\n',
    b"functions = 3\n", b"options = []\n", b"options = [1, 2]\n", b"rights = 'x'\n", b'"""',
    b"#", b"[a.b.c]\n", b"questions = 1\n", b"[ functions . questions ]\n", b"\r", b"\t",
    b"due_days = nan\n", b"decision_due_days = inf\n", b"reminder_every_hours = 1e9\n",
    b"functions = [{key='legal', due_days=1, questions=[{key='q', text='t'}]}]\n", b"\xff",
)
NEW_VALUES = (b"nan", b"inf", b"-inf", b"0", b"-1", b"0.5", b"1e400", b"9" * 400, b"3650",
              b"3651", b"87601", b"'x'", b"[]", b"{}", b"true", b'"legal"', b"1979-05-27", b"")
# fmt: on
ASSIGNMENT = re.compile(rb"^(\s*[\w.\"'-]+\s*=\s*)(.*)$")


@st.composite
def playbook_text(draw) -> bytes:
    """The content-takedown playbook with line edits (drop, duplicate, move, new value) and
    byte edits (token insert, delete): at least one edit."""
    lines = PLAYBOOK.split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(("drop", "duplicate", "move", "value", "token", "cut")))
        if action == "drop" and len(lines) > 1:
            del lines[i]
        elif action == "duplicate":
            lines.insert(j, lines[i])
        elif action == "move":
            lines.insert(j, lines.pop(i))
        elif action == "value" and (match := ASSIGNMENT.match(lines[i])):
            lines[i] = match.group(1) + draw(st.sampled_from(NEW_VALUES))
        else:
            pos = draw(st.integers(0, len(lines[i])))
            cut = 0 if action == "token" else draw(st.integers(1, 30))
            insert = draw(st.sampled_from(PLAYBOOK_TOKENS)) if action == "token" else b""
            lines[i] = lines[i][:pos] + insert + lines[i][pos + cut :]
    return b"\n".join(lines)


NUMBER_LINES = [n for n, line in enumerate(PLAYBOOK.split(b"\n")) if re.search(rb"= *\d+$", line)]


@st.composite
def number_edit(draw) -> bytes:
    """The playbook with one duration replaced by any TOML number (nan, inf, huge, negative)."""
    lines = PLAYBOOK.split(b"\n")
    i = draw(st.sampled_from(NUMBER_LINES))
    numbers = st.floats().map(repr) | st.integers().map(str)
    value = draw(st.sampled_from(NEW_VALUES) | numbers.map(str.encode))
    lines[i] = lines[i].split(b"=")[0] + b"= " + value
    return b"\n".join(lines)


@FUZZ
@given(text=playbook_text() | number_edit(), second=st.none() | playbook_text())
def test_playbook_loader_reports_file_and_line(tmp_path, text, second):
    """A Registry with usable numbers, or PlaybookError whose every problem is file:line: ..."""
    check_playbooks(Path(tempfile.mkdtemp(dir=tmp_path)), text, second)


def check_playbooks(folder: Path, text: bytes, second: bytes | None) -> None:
    (folder / "functions.toml").write_bytes(FUNCTIONS)
    (folder / "a-playbook.toml").write_bytes(text)
    if second is not None:
        (folder / "b-playbook.toml").write_bytes(second)
    try:
        registry = load_dir(folder)
    except PlaybookError as exc:
        assert exc.problems
        event("refused")
        where = re.compile(rf"^{re.escape(str(folder))}/[^/]+\.toml:\d+: ")
        for problem in exc.problems:
            assert re.match(r"^.+:\d+: ", problem) and where.match(problem), problem
        return
    assert isinstance(registry, Registry) and registry.playbooks
    event("loaded")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for book in registry.playbooks.values():  # every number works as a deadline
        assert len(book.options) >= 2 and book.functions
        start + timedelta(days=book.decision_due_days, hours=book.reminder_every_hours)
        start + timedelta(days=max(f.due_days for f in book.functions))
        start + timedelta(hours=book.escalate_after_hours)


SECTIONS = {k: v for k, v in config.SCHEMA.items() if isinstance(v, dict)}
# fmt: off
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(10**400), 10**400), st.floats(),
    st.text(max_size=30), st.sampled_from(("09:00", "24:61", "9", "Europe/Paris", "Mars/Base",
                                           "", "memory://", "1:2:3", "\x00"))
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=10), inner, max_size=4), max_leaves=8)
BY_TYPE = {  # values of (roughly) a declared type, so more of them pass the type check
    int: st.integers() | st.integers(-(10**400), 10**400),
    float: st.sampled_from((math.nan, math.inf, -math.inf, 0.0, 1e308)) | st.floats(),
    str: st.text(max_size=30) | st.sampled_from(("09:00", "25:00", "Europe/Paris", "x/y")),
    bool: st.booleans(), list: st.lists(st.integers(-2, 8) | st.booleans(), max_size=8),
    dict: st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
}
# fmt: on


@st.composite
def config_overrides(draw) -> dict:
    """Mostly known keys (so validation goes deep), some unknown, values of every type."""
    out: dict = {}
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from([*config.SCHEMA, *config.FLASK_KEYS]) | st.text(max_size=12))
        if key in SECTIONS and draw(st.integers(0, 4)):
            section = out[key] = {}
            for _ in range(draw(st.integers(1, 3))):
                name = draw(st.sampled_from(list(SECTIONS[key])) | st.text(max_size=12))
                types = SECTIONS[key].get(name, ((object,), None))[0]
                section[name] = draw(VALUES if draw(st.booleans()) else _typed(types))
        elif key not in ("PLAYBOOKS_DIR", "FEEDS_DIR") or draw(st.booleans()):
            out[key] = draw(VALUES)
    return out


def _typed(types: tuple[type, ...]) -> st.SearchStrategy:
    return st.one_of([BY_TYPE.get(t, VALUES) for t in types])


FIELDS = [(section, name) for section, spec in SECTIONS.items() for name in spec]
FIELDS += [(s, n) for s, n in FIELDS if float in SECTIONS[s][n][0]] * 3  # numbers: more often
one_field = st.sampled_from(FIELDS).flatmap(
    lambda f: _typed(SECTIONS[f[0]][f[1]][0]).map(lambda value: {f[0]: {f[1]: value}})
)


@FUZZ
@given(overrides=config_overrides() | one_field)
def test_config_dicts_merge_or_refuse(overrides):
    """Generated override dicts: merge + validate succeed or raise ConfigError, nothing else."""
    check_config(lambda: config.merge(config.defaults(), overrides, "test"))


def check_config(build) -> None:
    """``build()`` then validate: a ConfigError, or a config whose numbers are all finite."""
    try:
        cfg = build()
        config_checks.validate(cfg)
    except ConfigError as exc:
        assert str(exc)
        event("refused")
        return
    event("accepted")
    for section in SECTIONS:
        for name, value in cfg[section].items():
            if isinstance(value, float):
                assert math.isfinite(value), f"{section}.{name} = {value!r}"


EXAMPLE_CONFIG = (ROOT / "config.example.toml").read_bytes()
# fmt: off
CONFIG_TOKENS = (b"\x00", b"\xff", b"nan", b"inf", b"-inf", b"[FEEDS]\n", b"TIMEOUT_S = ", b'"',
                 b"=", b"\n", b"1e400", b"9" * 400, b"[[x]]", b"true", b"[]", b"{}", b"[SLACK]\n",
                 b"BUSINESS_DAYS = [7]\n", b'TIMEZONE = "Nowhere"\n', b"\xc3\x28", b"'''")
CONFIG_EDITS = st.tuples(st.integers(0, len(EXAMPLE_CONFIG)),
                         st.sampled_from(CONFIG_TOKENS) | st.integers(1, 30))
# fmt: on


@FUZZ
@given(edits=st.lists(CONFIG_EDITS, max_size=5))
def test_config_toml_reads_or_refuses(tmp_path, edits):
    """config.example.toml with edits: read_toml + merge + validate, or ConfigError."""
    check_config_toml(Path(tempfile.mkdtemp(dir=tmp_path)) / "config.toml", edits)


def check_config_toml(path: Path, edits: list[tuple[int, bytes | int]]) -> None:
    body = EXAMPLE_CONFIG
    for pos, edit in edits:
        cut = 0 if isinstance(edit, bytes) else edit
        body = body[:pos] + (edit if isinstance(edit, bytes) else b"") + body[pos + cut :]
    path.write_bytes(body)
    check_config(lambda: config.merge(config.defaults(), config.read_toml(path), str(path)))
