"""Hostile text never becomes a mention, a disguised link or a message Slack refuses (issue 14,
findings 1 and 2).

Feed items and cases carrying ``<!channel>``, ``<@U…>``, ``<#C…>``, ``|``, ``>``, ``&`` and
7,000-character titles go through the real pipeline (the loopback feed server, ``poll`` and
``tick``, the API, the signed ``/slack`` routes) to the loopback Slack, which records every call.
Every text of every recorded call is then checked (:func:`check_call`): the only ``<…>`` are
links we made (to Incident Hub, or to a feed link we accepted), every ``&`` starts an entity,
every length is within Slack's limits, and every message's blocks pass slack-sdk's own Block Kit
validators. Gagged and restricted cases are announced with a neutral text only, in private
channels named after their reference.
"""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape as xml

import pytest
from conftest import analysis_body, notices, open_case
from feedserver import rss
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.signature import SignatureVerifier
from slackserver import TOKEN, error, slack_fixture  # noqa: F401  (the ``slack`` fixture)

from incident_hub.clock import now
from incident_hub.notify.slack_text import cut, escape, safe_url

BASE = "https://hub.example.org"
SECRET = "test-signing-secret"
HOSTILE = "<!channel> <!here> <@U0BOSS> <#C0SECRET> a|b > c & d &amp; <https://evil.example|Pay>"
HOSTILE_TITLE = (f"Shutdown order {HOSTILE} " * 5)[:300]  # a case title's limit
EVIL_LINK = "https://news.example/a|Click here> <!channel> <https://evil.example|Read more"
GOOD_LINK = "https://news.example/shutdown?id=1&lang=en"
STRONG = "Regulator orders internet shutdown in Myanmar"
WHY = "Operators were ordered to suspend mobile data nationwide."
ANNOUNCE = "#incident-hub"
NEUTRAL = "A restricted case was opened; members were told directly."

pytestmark = pytest.mark.config(
    BASE_URL=BASE,
    SLACK={"SIGNING_SECRET": SECRET, "ALERT_MIN_SCORE": 0.0, "MAX_PER_CHANNEL_PER_S": 500.0},
)


@pytest.fixture
def config_overrides(slack) -> dict:
    return {"SLACK": {"BOT_TOKEN": TOKEN, "API_BASE_URL": f"{slack.url}/api/"}}


# --- the checks ---------------------------------------------------------------------------
_LINK = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def check_mrkdwn(text: str, where: str, feed_links: set[str]) -> None:
    """Text Slack parses (mrkdwn, a fallback ``text``, a topic): every ``<…>`` is one of our
    links, nothing is left over that could open or close one, every ``&`` is an entity."""
    for inside in _LINK.findall(text):
        url, _, label = inside.partition("|")
        url = url.replace("&amp;", "&")
        assert url.startswith(f"{BASE}/") or url in feed_links, f"{where}: foreign <{inside}>"
        assert label or url.startswith(BASE), f"{where}: a feed link without its label"
    rest = _LINK.sub("", text)
    assert "<" not in rest and ">" not in rest, f"{where}: unbalanced <> in {text[:300]!r}"
    assert not _ENTITY.search(text), f"{where}: a raw & in {text[:300]!r}"


def check_blocks(blocks: list[dict[str, Any]], where: str, feed_links: set[str]) -> None:
    """slack-sdk's Block Kit validators, then every text and url in the blocks."""
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, f"{where}: unknown block {raw}"
        block.validate_json()
        assert block.to_dict() == raw, f"{where}: slack-sdk does not read the block as sent"
        if raw["type"] == "context":
            assert all(len(e["text"]) <= 2000 for e in raw["elements"]), where
    for node in walk(blocks):
        text = node.get("text")
        if isinstance(text, str) and node.get("type") == "mrkdwn":
            check_mrkdwn(text, where, feed_links)
        elif isinstance(text, str):  # plain_text: only our own labels go there
            assert node.get("type") == "plain_text" and len(text) <= 75, where
            assert "<" not in text and "&" not in text, f"{where}: foreign plain text {text!r}"
        if "url" in node:
            url = node["url"]
            assert safe_url(url) == url and (url.startswith(BASE) or url in feed_links), where


def walk(value: Any):  # noqa: ANN201
    """Every dict inside ``value``."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def check_call(call, feed_links: set[str] = frozenset()) -> None:  # noqa: ANN001
    """Everything one recorded Slack call carries that a reader will see."""
    where, params = f"{call.method} {call.params.get('channel', '')}", call.params
    if call.method == "chat.postMessage":
        assert 0 < len(params["text"]) <= 4000, where
        check_mrkdwn(params["text"], where, feed_links)
        check_blocks(params.get("blocks") or [], where, feed_links)
    elif call.method == "conversations.create":
        assert re.fullmatch(r"[a-z0-9_-]{1,80}", params["name"]), params["name"]
    elif call.method in ("conversations.setTopic", "conversations.setPurpose"):
        value = params.get("topic", params.get("purpose", ""))
        assert len(value) <= 250, where
        check_mrkdwn(value, where, set())


def check_reply(reply: dict[str, Any], where: str) -> None:
    """An answer to ``/incident`` or to a button, as Slack would post it."""
    assert 0 < len(reply["text"]) <= 4000, where
    check_mrkdwn(reply["text"], where, set())
    check_blocks(reply.get("blocks") or [], where, set())


def texts(calls) -> str:  # noqa: ANN001
    """Every reader-visible text of these calls, as one string."""
    parts = []
    for call in calls:
        for key in ("text", "topic", "purpose", "name"):
            if isinstance(call.params.get(key), str):
                parts.append(call.params[key])
        parts += [n["text"] for n in walk(call.params.get("blocks") or []) if "text" in n]
    return "\n".join(str(p) for p in parts)


def deliver_everything(runner, app) -> None:  # noqa: ANN001
    """``tick`` until no notice is waiting (a case channel's notices wait for the channel)."""
    start = now()
    for step in range(6):
        at = (start + timedelta(seconds=40 * step)).isoformat()
        result = runner.invoke(["tick", "--at", at])
        assert result.exit_code == 0, result.output
        if not [n for n in notices(app) if n.status in ("pending", "sending")]:
            return
    raise AssertionError(f"still waiting: {[(n.kind, n.last_error) for n in notices(app)]}")


def undelivered(app) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """Notices that failed for another reason than a person without a Slack id."""
    return [
        (n.kind, n.audience, n.last_error)
        for n in notices(app)
        if n.status == "failed" and "no Slack user id" not in n.last_error
    ]


# --- the checks can fail ------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Shutdown <!channel>",
        "<@U0BOSS> look",
        "<https://evil.example|Open in Incident Hub>",
        f"<{BASE}/cases/INC-1|INC-1> and a stray >",
        "Tom & Jerry",
        f"<{BASE}/cases/INC-1|INC-1 <!here>>",
    ],
)
def test_the_check_refuses_what_the_issue_found(text):
    with pytest.raises(AssertionError):
        check_mrkdwn(text, "sample", {GOOD_LINK})


def test_slack_sdk_refuses_an_overlong_section_and_button():
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    with pytest.raises(SlackObjectFormationError):
        Block.parse(section).validate_json()  # type: ignore[union-attr]
    button = {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "x" * 76}}
    actions = {"type": "actions", "elements": [button]}
    with pytest.raises(SlackObjectFormationError):
        Block.parse(actions).to_dict()  # type: ignore[union-attr]


def test_the_loopback_slack_refuses_a_section_slack_would_refuse(app, runner, slack):
    """The issue's failure, as Slack answers it: a 3,035-character section fails for good."""
    from incident_hub.extensions import db
    from incident_hub.notify.outbox import enqueue

    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3035}}
    with app.app_context():
        enqueue("test", ANNOUNCE, {"text": "long", "blocks": [section]}, "test:long")
        db.session.commit()
    deliver_everything(runner, app)
    (row,) = notices(app, kind="test")
    assert row.status == "failed" and row.last_error == "invalid_blocks"


@pytest.mark.parametrize(
    ("link", "accepted"),
    [
        (GOOD_LINK, GOOD_LINK),
        (EVIL_LINK, ""),
        ("https://bank.example@evil.example/login", ""),  # user info: a disguised host
        ("javascript:alert(1)", ""),
        ("ftp://news.example/a", ""),
        ("https:///no-host", ""),
        ("https://news.example/a b", ""),
        ("https://news.example/a\nb", ""),
        ("https://news.example/\u202egnp.exe", ""),  # a right-to-left override
        ("https://news.example:99999/", ""),
        ('https://news.example/"onmouseover', ""),
        ("https://news.example/<x>", ""),
        ("HTTPS://News.Example/Ä?q=ü", "https://news.example/%C3%84?q=%C3%BC"),
        ("https://exämple.org/", "https://xn--exmple-cua.org/"),
        ("https://news.example/" + "a" * 2100, ""),
    ],
)
def test_only_plain_http_links_are_accepted(link, accepted):
    assert safe_url(link) == accepted


@pytest.mark.parametrize("limit", [1, 2, 5, 9, 10, 11, 12, 50, 299, 300])
def test_cutting_never_splits_an_entity_or_a_link(limit):
    for text in ("&" * 400, "a&<>" * 100, f"x <{BASE}/cases/INC-1|INC-1> " * 30):
        safe = escape(text) if "<http" not in text else text
        short = cut(safe, limit)
        assert len(short) <= limit and (short == safe or short.endswith("…"))
        assert not _ENTITY.search(short) and "<" not in _LINK.sub("", short)


# --- feed items through the real pipeline -------------------------------------------------
def hostile_feed() -> bytes:
    """RSS whose titles, once parsed and stripped of markup, read exactly as hostile text."""
    items = [
        {"title": f"{STRONG}: {HOSTILE}", "link": EVIL_LINK, "guid": "evil-link"},
        {"title": f"Court orders mobile data shutdown in Iran {HOSTILE}", "link": GOOD_LINK},
        {
            "title": "Ministry orders telecom blackout in Sudan " + "&<!channel>|>" * 600,
            "link": "https://bank.example@evil.example/x",
            "guid": "long",
        },
        {"title": f"Authorities order internet blackout in Ethiopia {HOSTILE}", "guid": "nolink"},
    ]
    for item in items:  # twice escaped: XML, then the HTML that feed titles may carry
        item["title"] = xml(xml(item["title"]))
        item["link"] = xml(item.get("link", ""))
        item["description"] = WHY
        item.setdefault("guid", item["link"])
    return rss(items, title=xml(xml(f"Wire {HOSTILE}")))


def test_hostile_feed_items_reach_the_triage_channel_as_plain_text(app, api, runner, feeds, slack):
    url = feeds.serve("/hostile.xml", hostile_feed())
    source = {"key": "wire", "title": f"Wire {HOSTILE}"[:200], "url": url}
    assert api("admin").post("/sources", json=source).status_code == 201
    assert runner.invoke(["poll"]).exit_code == 0
    flagged = notices(app, kind="alert_flagged")
    assert len(flagged) == 4, [n.payload["text"][:80] for n in flagged]
    deliver_everything(runner, app)
    assert undelivered(app) == []
    posted = slack.messages("#incident-triage")
    assert len(posted) == 4 and len(slack.messages(ok_only=False)) == len(slack.messages())
    for call in slack.calls:
        check_call(call, {GOOD_LINK})
    everything = texts(slack.calls)
    assert "evil.example" not in everything.replace("&lt;https://evil.example|", "")
    assert "&lt;!channel&gt;" in everything and "&lt;@U0BOSS&gt;" in everything  # shown, inert
    good = next(c for c in posted if "Iran" in c.params["text"])
    assert "<https://news.example/shutdown?id=1&amp;lang=en|Court orders" in texts([good])
    long = next(c for c in posted if "Sudan" in c.params["text"])
    section = long.params["blocks"][0]["text"]["text"]
    assert section.count("&amp;&lt;!channel&gt;|&gt;") > 50 and "…" in section
    assert "<" not in section and len(long.params["blocks"][-1]["elements"]) == 1  # no link


# --- cases, their notes and titles, through every notice and the case channel -------------
@pytest.mark.config(SLACK={"CASE_CHANNELS": True})
def test_hostile_case_text_in_every_notice_topic_and_channel(
    app, api, client, people, runner, slack, slack_ids
):
    case = open_case(api, title=HOSTILE_TITLE, jurisdiction="TR")
    ref = case["ref"]
    api("tech").post(f"/cases/{ref}/follow")
    body = analysis_body(app, case, "legal") | {"analysis": HOSTILE}
    assert api("legal").post(f"/cases/{ref}/analyses", json=body).status_code == 201
    action = {
        "title": f"Publish {HOSTILE}"[:300],
        "owner": "legal@example.org",
        "due_at": (now() + timedelta(days=3)).isoformat(),
    }
    decision = {"option": "comply-narrowly", "rationale": HOSTILE, "override": True}
    assert api("exec").post(f"/cases/{ref}/decision", json=decision).status_code == 201
    added = api("admin").post(f"/cases/{ref}/actions", json=action)
    assert added.status_code == 201, added.get_json()
    done = {"status": "done", "note": HOSTILE}
    path = f"/api/v1/cases/{ref}/actions/{added.get_json()['id']}"
    assert client.patch(path, json=done, headers=people["legal"].headers).status_code == 200
    assert api("admin").post(f"/cases/{ref}/close", json={"note": HOSTILE}).status_code == 200
    deliver_everything(runner, app)
    assert api("admin").post(f"/cases/{ref}/reopen", json={"note": HOSTILE}).status_code == 200
    deliver_everything(runner, app)
    assert undelivered(app) == []
    kinds = {n.kind for n in notices(app, status="sent")}
    assert {"case_opened", "assignment", "analysis_filed", "decision_recorded"} <= kinds
    assert {"action_assigned", "case_closed", "case_reopened", "case_channel"} <= kinds
    for call in slack.calls:
        check_call(call)
    created = slack.calls_to("conversations.create")
    assert [c.params["name"] for c in created][0].startswith(f"{ref.lower()}-shutdown-order-")
    assert created[1].params["name"].endswith("-r2")
    topics = [c.params["topic"] for c in slack.calls_to("conversations.setTopic")]
    assert topics and all(t.startswith(f"{ref}: Shutdown order &lt;!channel&gt;") for t in topics)
    assert "&lt;#C0SECRET&gt;" in texts(slack.calls) and "Publish &lt;!channel&gt;" in texts(
        slack.calls
    )


# --- /incident list and status, and a button, through the signed Slack routes -------------
def signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def command(client, user_id: str, text: str) -> dict[str, Any]:  # noqa: ANN001
    fields = {"command": "/incident", "user_id": user_id, "text": text, "team_id": "T0TEAM"}
    body = urlencode(fields | {"trigger_id": f"{time.time_ns()}.t"})
    form = "application/x-www-form-urlencoded"
    response = client.post("/slack/commands", data=body, headers=signed(body), content_type=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def button(client, user_id: str, value: str) -> dict[str, Any]:  # noqa: ANN001
    payload = {
        "type": "block_actions",
        "user": {"id": user_id},
        "trigger_id": f"{time.time_ns()}.t",
        "actions": [{"action_id": "follow", "value": value, "type": "button"}],
    }
    body, form = urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    response = client.post(
        "/slack/interactions", data=body, headers=signed(body), content_type=form
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_incident_list_status_and_buttons_show_hostile_text_inert(app, api, client, slack_ids):
    ref = open_case(api, title=HOSTILE_TITLE)["ref"]
    gagged = open_case(api, title=f"Gagged {HOSTILE}", gag_order=True)["ref"]
    for n in range(11):  # more than a list shows
        open_case(api, title=f"{n} {HOSTILE}"[:300])
    legal = slack_ids["legal"]
    listed = command(client, legal, "list")
    check_reply(listed, "list")
    assert "&lt;!channel&gt;" in json.dumps(listed) and "Gagged" not in json.dumps(listed)
    status = command(client, legal, f"status {ref}")
    check_reply(status, "status")
    assert "Shutdown order &lt;!channel&gt; &lt;!here&gt; &lt;@U0BOSS&gt;" in status["text"]
    secret = command(client, slack_ids["admin"], f"status {gagged}")
    check_reply(secret, "status of a gagged case")
    assert "Gagged" not in json.dumps(secret) and "Jurisdiction" not in json.dumps(secret)
    for text in (HOSTILE, f"status {HOSTILE}", "status <!channel>", "follow <@U0BOSS>"):
        check_reply(command(client, legal, text), text)
    for value in ("<!channel>", HOSTILE, ref):
        answer = button(client, legal, value)
        check_mrkdwn(answer["text"], f"button {value}", set())
        assert len(answer["text"]) <= 4000


# --- gagged and restricted cases ----------------------------------------------------------
SECRET_TITLE = "Secret technical capability notice on backups"


@pytest.mark.config(SLACK={"CASE_CHANNELS": True, "CASE_CHANNELS_PRIVATE": False})
@pytest.mark.parametrize("flags", [{"gag_order": True}, {"restricted": True}], ids=["gag", "nk"])
def test_secret_cases_are_announced_neutrally_in_private_channels_named_by_reference(
    app, api, runner, slack, slack_ids, flags
):
    case = open_case(
        api, playbook="surveillance-data-demand", title=SECRET_TITLE, jurisdiction="GB", **flags
    )
    ref = case["ref"]
    body = analysis_body(app, case, "legal")
    assert api("legal").post(f"/cases/{ref}/analyses", json=body).status_code == 201
    deliver_everything(runner, app)
    assert undelivered(app) == []
    for call in slack.calls:
        check_call(call)
    (created,) = slack.calls_to("conversations.create")
    assert created.params["name"] == ref.lower()
    assert created.params["is_private"] in (True, "1", "true")
    (topic,) = slack.calls_to("conversations.setTopic")
    assert topic.params["topic"] == ref
    (announced,) = slack.messages(ANNOUNCE)
    assert announced.params["text"] == NEUTRAL and ref not in texts([announced])
    seen = texts(slack.calls)
    assert "Secret" not in seen and "backups" not in seen and "GB" not in seen
    assert "surveillance" not in seen.lower() and "Jurisdiction" not in seen
    room = slack.messages(created.answer["channel"]["id"])
    assert room and all(ref in c.params["text"] for c in room)  # the case channel, by ref


@pytest.mark.parametrize(
    "private",
    [
        pytest.param(True, marks=pytest.mark.config(SLACK={"CASE_CHANNELS": True}), id="default"),
        pytest.param(
            False,
            marks=pytest.mark.config(SLACK={"CASE_CHANNELS": True, "CASE_CHANNELS_PRIVATE": False}),
            id="public",
        ),
    ],
)
def test_case_channels_are_private_by_default_and_public_when_configured(
    app, api, runner, slack, slack_ids, private
):
    ref = open_case(api, title="Shutdown order in region X")["ref"]
    deliver_everything(runner, app)
    (created,) = slack.calls_to("conversations.create")
    assert created.params["name"] == f"{ref.lower()}-shutdown-order-in-region-x"
    assert (created.params["is_private"] in (True, "1", "true")) is private
    assert created.answer["channel"]["id"].startswith("G" if private else "C")


@pytest.mark.config(SLACK={"CASE_CHANNELS": True})
def test_a_secret_case_without_its_channel_is_never_posted_to_the_announce_channel(
    app, api, runner, slack, slack_ids
):
    slack.decide = lambda call: (
        error("restricted_action") if call.method == "conversations.create" else None
    )
    case = open_case(api, playbook="surveillance-data-demand", title=SECRET_TITLE, gag_order=True)
    body = analysis_body(app, case, "legal")
    assert api("legal").post(f"/cases/{case['ref']}/analyses", json=body).status_code == 201
    deliver_everything(runner, app)
    (announced,) = slack.messages(ANNOUNCE)
    assert announced.params["text"] == NEUTRAL
    (room,) = notices(app, kind="analysis_filed", audience=f"case:{case['ref']}")
    assert room.status == "cancelled" and "restricted" in room.last_error


@pytest.mark.config(SLACK={"CASE_CHANNELS": False})
def test_without_case_channels_a_secret_case_posts_nothing_to_the_announce_channel(
    app, api, slack_ids
):
    case = open_case(api, playbook="surveillance-data-demand", title=SECRET_TITLE, gag_order=True)
    body = analysis_body(app, case, "legal")
    assert api("legal").post(f"/cases/{case['ref']}/analyses", json=body).status_code == 201
    announced = notices(app, audience=ANNOUNCE)
    assert [n.payload["text"] for n in announced] == [NEUTRAL]
