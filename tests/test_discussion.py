"""Discussion: comments on a case and on each function's analysis, with @-mentions, questions to
a function, a 15-minute edit window with every text kept, and the case's secrecy held: through
the JSON API, the case page and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cli_checks import ok, refused
from conftest import CLI, Person, analysis_body, csrf_from, notices, open_case, web_login

from incident_hub.audit.models import AuditEvent
from incident_hub.auth.service import create_user, issue_token
from incident_hub.clock import frozen_at, now
from incident_hub.discussion.mentions import NO_USER, NOT_ON_LIST
from incident_hub.extensions import db

NOBODY = "nobody@example.org"


def post(api, ref: str, who: str = "legal", **body):
    return api(who).post(f"/cases/{ref}/comments", json=body)


def posted(api, ref: str, who: str = "legal", **body) -> dict:
    response = post(api, ref, who, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def listed(api, ref: str, who: str = "legal", query: str = "") -> list[dict]:
    response = api(who).get(f"/cases/{ref}/comments{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def patch(client, people, who: str, ref: str, comment_id: int, **body):
    return client.patch(
        f"/api/v1/cases/{ref}/comments/{comment_id}", json=body, headers=people[who].headers
    )


def events(app, action: str, outcome: str = "ok") -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.outcome == outcome)
            .order_by(AuditEvent.id)
        ).scalars()
        found = list(rows)
        db.session.expunge_all()
        return found


def told(app, kind: str = "comment_mention") -> set[str]:
    return {n.audience for n in notices(app, kind=kind)}


def test_a_comment_mentioning_people_tells_those_who_may_see_the_case(app, api):
    ref = open_case(api)["ref"]
    text = f"@rights@example.org and @outsider@example.org, see the order. @{NOBODY} too"
    body = posted(api, ref, text=text, mentions=["policy@example.org"])
    assert body["function"] is None and body["author"] == "legal@example.org"
    assert body["text"] == text and body["version"] == 1 and body["editable"] is True
    # an unrestricted case: every active user may see it; the address of nobody told nobody
    assert set(body["notified"]) == {
        "rights@example.org",
        "outsider@example.org",
        "policy@example.org",
    }
    assert body["not_notified"] == [{"address": NOBODY, "reason": NO_USER}]
    assert set(body["mentioned"]) == set(body["notified"])
    assert told(app) == {
        "user:rights@example.org",
        "user:outsider@example.org",
        "user:policy@example.org",
    }
    (added,) = events(app, "comment.added")
    assert added.details == {"comment": body["id"], "mentioned": 3}  # never the text
    assert [c["id"] for c in listed(api, ref, "outsider")] == [body["id"]]
    # mentioning oneself tells nobody, and is no error
    again = posted(api, ref, text="Note to self @legal@example.org")
    assert again["notified"] == [] and again["not_notified"] == []


def test_a_restricted_case_s_comments_are_for_its_members_only(app, api, client, people):
    ref = open_case(api, restricted=True)["ref"]
    text = "Ask @outsider@example.org and @nobody@example.org; tell @rights@example.org"
    body = posted(api, ref, text=text)
    assert body["notified"] == ["rights@example.org"]
    # the same reason whether or not the address is anyone's: nothing is learnt of either
    assert body["not_notified"] == [
        {"address": "outsider@example.org", "reason": NOT_ON_LIST},
        {"address": NOBODY, "reason": NOT_ON_LIST},
    ]
    assert body["mentioned"] == ["rights@example.org"]
    assert told(app) == {"user:rights@example.org"}
    outsider_notices = [n for n in notices(app) if "outsider" in n.audience]
    assert outsider_notices == []
    # a non-member: 404 on every door, like the case itself
    missing = api("outsider").get(f"/cases/{ref}/comments")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": {"code": "not_found", "message": f"no case {ref}"}}
    assert post(api, ref, "outsider", text="hello").status_code == 404
    assert patch(client, people, "outsider", ref, body["id"], text="x").status_code == 404
    # the members, the opener, executives and admins read it
    for who in ("rights", "triager", "exec", "admin"):
        assert [c["text"] for c in listed(api, ref, who)] == [text]
    # and a Slack notice of a restricted case carries no words of it
    (notice,) = notices(app, kind="comment_mention")
    assert "tell" not in str(notice.payload) and notice.payload.get("secret") is True


def test_a_question_to_a_function_tells_its_assigned_leads(app, api):
    ref = open_case(api)["ref"]
    body = posted(api, ref, "policy", text="Can we appeal within 48 hours?", to_function="legal")
    assert body["to_function"] == "legal" and body["notified"] == []
    assert told(app, "comment_question") == {"user:legal@example.org"}
    (notice,) = notices(app, kind="comment_question")
    assert "Can we appeal within 48 hours?" in notice.payload["text"]
    (added,) = events(app, "comment.added")
    assert added.details["to_function"] == "legal" and "Legal" in added.details["reason"]
    # mentioned and asked: told once, of the mention
    posted(api, ref, "policy", text="@legal@example.org again", to_function="legal")
    assert len(notices(app, kind="comment_question")) == 1
    assert told(app) == {"user:legal@example.org"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"text": "ok", "function": "export-control"}, "function"),
        ({"text": "ok", "to_function": "finance"}, "to_function"),
        ({"text": "ok", "mentions": [f"p{i}@example.org" for i in range(51)]}, "mentions"),
        ({"text": "ok", "mentions": 7}, "mentions"),
    ],
)
def test_a_bad_comment_is_a_422_naming_the_field(app, api, body, field):
    ref = open_case(api)["ref"]
    response = post(api, ref, **body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["field"] == field
    assert listed(api, ref) == []


def test_editing_within_the_window_keeps_history_and_then_it_locks(app, api, client, people):
    ref = open_case(api)["ref"]
    start = now() + timedelta(hours=1)
    with frozen_at(start):
        body = posted(api, ref, text="First thoughts")
        assert body["editable_until"].startswith((start + timedelta(minutes=15)).isoformat()[:16])
    with frozen_at(start + timedelta(minutes=10)):
        edited = patch(client, people, "legal", ref, body["id"], text="Second thoughts", version=1)
        assert edited.status_code == 200, edited.get_json()
        assert edited.get_json()["version"] == 2
        # a stale version is refused, naming the version now
        stale = patch(client, people, "legal", ref, body["id"], text="Third", version=1)
        assert stale.status_code == 409 and "version 2" in stale.get_json()["error"]["message"]
        # someone else may not edit it: 403, audited
        other = patch(client, people, "rights", ref, body["id"], text="Mine now")
        assert other.status_code == 403
        assert "author" in other.get_json()["error"]["message"]
        mention = patch(
            client, people, "legal", ref, body["id"], text="Third thoughts @rights@example.org"
        )
        assert mention.get_json()["notified"] == ["rights@example.org"]
    with frozen_at(start + timedelta(minutes=15, seconds=1)):
        late = patch(client, people, "legal", ref, body["id"], text="Too late")
        assert late.status_code == 409
        message = late.get_json()["error"]["message"]
        assert "locked" in message and "15 minutes" in message
        (comment,) = listed(api, ref, "rights")  # anyone who reads it reads its history
        assert comment["text"] == "Third thoughts @rights@example.org"
        assert comment["version"] == 3 and comment["editable"] is False
        assert [(h["version"], h["text"]) for h in comment["history"]] == [
            (1, "First thoughts"),
            (2, "Second thoughts"),
        ]
    denied = events(app, "comment.edit", "denied")
    assert [e.actor for e in denied] == ["rights@example.org", "legal@example.org"]
    assert "locked" in denied[-1].details["reason"]
    assert [e.details["version"] for e in events(app, "comment.edited")] == [2, 3]
    assert told(app) == {"user:rights@example.org"}


@pytest.mark.config(CASES={"COMMENT_EDIT_MINUTES": 0})
def test_the_edit_window_is_configured(app, api, client, people):
    ref = open_case(api)["ref"]
    body = posted(api, ref, text="Final as written")
    assert body["editable"] is False
    response = patch(client, people, "legal", ref, body["id"], text="Changed")
    assert response.status_code == 409 and "0 minutes" in response.get_json()["error"]["message"]


def test_a_bad_edit_window_stops_the_app(make_app):
    from incident_hub.config import ConfigError

    with pytest.raises(ConfigError, match="COMMENT_EDIT_MINUTES"):
        make_app(CASES={"COMMENT_EDIT_MINUTES": -1})


@pytest.fixture
def counsel(app, people) -> Person:
    """A lead who is on no case (so reads no privileged analysis)."""
    with app.app_context():
        user = create_user(
            CLI, email="counsel@example.org", name="Counsel", roles=["lead"], functions=["privacy"]
        )
        people["counsel"] = Person(user.email, issue_token(CLI, user, "test"))
    return people["counsel"]


def test_a_privileged_analysis_s_thread_is_as_protected_as_the_analysis(app, api, client, counsel):
    ref = open_case(api)["ref"]  # unrestricted
    filed = api("legal").post(
        f"/cases/{ref}/analyses",
        json={
            "function": "legal",
            "analysis": "Counsel's advice",
            "recommendation": "challenge-in-court",
            "answers": {  # every required question: a filing, not a draft
                "legal-basis": "Article 8 of the law",
                "scope": "The 140 URLs listed in the order",
                "penalties-deadline": "48 hours; fines",
            },
            "privileged": True,
        },
    )
    assert filed.status_code == 201, filed.get_json()
    secret = "The notice is ultra vires zqxprivileged"
    body = posted(
        api, ref, "rights", text=f"{secret} @counsel@example.org @legal@example.org",
        function="legal",
    )  # fmt: skip
    assert body["privileged"] is True and body["analysis_version"] == 1
    assert body["notified"] == ["legal@example.org"]
    assert body["not_notified"] == [{"address": "counsel@example.org", "reason": NOT_ON_LIST}]
    (notice,) = notices(app, kind="comment_mention")
    assert "zqxprivileged" not in str(notice.payload)  # never quoted to Slack
    # someone who sees the case but may not read privileged advice: the thread is not there
    assert listed(api, ref, "counsel") == []
    assert listed(api, ref, "counsel", "?function=legal") == []
    refused_post = post(api, ref, "counsel", text="What did counsel say?", function="legal")
    assert refused_post.status_code == 403
    (denied,) = events(app, "comment.add", "denied")
    assert denied.actor == "counsel@example.org"
    web_login(client, app, "counsel@example.org")
    page = client.get(f"/cases/{ref}").text
    assert "zqxprivileged" not in page
    assert "the discussion of this analysis is visible to case members" in page
    assert "zqxprivileged" not in api("counsel").get(f"/cases/{ref}/timeline").text
    assert ref not in api("counsel").get("/search?q=zqxprivileged").text
    # a case comment is not privileged: counsel reads and posts those
    posted(api, ref, "counsel", text="A question on the case itself")
    assert [c["text"] for c in listed(api, ref, "counsel")] == ["A question on the case itself"]
    # members read the thread, on the page too
    assert [c["text"] for c in listed(api, ref, "triager", "?function=legal")][0].startswith(secret)
    assert [c["function"] for c in listed(api, ref, "triager", "?function=case")] == [None]


def test_slack_gets_a_comment_s_text_escaped(app, api):
    ref = open_case(api)["ref"]
    text = "<!channel> look & <https://evil.example|click> @rights@example.org"
    posted(api, ref, text=text)
    (notice,) = notices(app, kind="comment_mention")
    rendered = notice.payload["text"] + str(notice.payload["blocks"])
    assert "<!channel>" not in rendered and "<https://evil" not in rendered
    escaped = "&lt;!channel&gt; look &amp; &lt;https://evil.example|click&gt;"
    assert escaped in notice.payload["text"] and escaped in str(notice.payload["blocks"])


def test_the_case_page_shows_threads_posts_and_the_timeline(app, api, client, people):
    ref = open_case(api, restricted=True)["ref"]
    web_login(client, app, "legal@example.org")
    page = client.get(f"/cases/{ref}").text
    assert "Discussion" in page and 'list="comment-people"' in page
    assert '<option value="rights@example.org">Rights</option>' in page  # an assigned lead
    assert "outsider@example.org" not in page
    text = "<script>alert(1)</script> please review"
    sent = client.post(
        f"/cases/{ref}/comments",
        data={
            "csrf_token": csrf_from(page),
            "text": text,
            "function": "human-rights",
            "to_function": "legal",
            "mention": "rights@example.org, outsider@example.org",
        },
    )
    assert sent.status_code == 302 and "#comment-" in sent.headers["Location"]
    page = client.get(sent.headers["Location"]).text
    assert "Comment posted. Notified: Rights." in page
    assert "outsider@example.org (not on this case&#39;s need-to-know list)" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; please review" in page
    assert "Question to Legal" in page
    timeline = page.split('id="timeline-h"', 1)[1]
    assert "comment added" in timeline and "please review" in timeline
    assert told(app) == {"user:rights@example.org"}
    assert told(app, "comment_question") == set()  # the author is legal's only lead here
    # the author edits it from the page; the earlier text shows
    (comment,) = listed(api, ref)
    page = client.get(f"/cases/{ref}").text
    edit = client.post(
        f"/cases/{ref}/comments/{comment['id']}/edit",
        data={"csrf_token": csrf_from(page), "text": "Please review by Friday", "version": "1"},
    )
    assert edit.status_code == 302
    page = client.get(edit.headers["Location"]).text
    assert "Comment edited; the earlier text is kept." in page
    assert "Earlier versions (1)" in page and "Please review by Friday" in page
    api_timeline = api("legal").get(f"/cases/{ref}/timeline").get_json()
    actions = [e["action"] for e in api_timeline]
    assert "comment.added" in actions and "comment.edited" in actions


def test_a_non_member_of_a_restricted_case_gets_the_not_found_page(app, api, client):
    ref = open_case(api, restricted=True)["ref"]
    posted(api, ref, text="Members only")
    web_login(client, app, "outsider@example.org")
    page = client.get(f"/cases/{open_case(api)['ref']}").text  # a CSRF token of the session
    response = client.post(
        f"/cases/{ref}/comments", data={"csrf_token": csrf_from(page), "text": "let me in"}
    )
    assert response.status_code == 404
    assert "Members only" not in response.text


def test_the_cli_comments_and_lists(app, api, runner):
    ref = open_case(api, restricted=True)["ref"]
    out = ok(
        runner.invoke(
            [
                "cases", "comment", "--as", "legal@example.org", ref,
                "Court date set @rights@example.org @outsider@example.org",
                "--function", "legal", "--to", "human-rights",
            ]
        )
    )  # fmt: skip
    assert "posted on" in out and "Notified: rights@example.org." in out
    assert f"outsider@example.org ({NOT_ON_LIST})" in out
    listing = ok(runner.invoke(["cases", "comments", "--as", "rights@example.org", ref]))
    assert "→ Human rights] legal@example.org: Court date set" in listing
    assert "Court date set" in listing and "1 comment(s)." in listing
    refused(runner.invoke(["cases", "comments", "--as", "outsider@example.org", ref]), "no case")
    refused(
        runner.invoke(["cases", "comment", "--as", "outsider@example.org", ref, "hi"]), "no case"
    )
    refused(runner.invoke(["cases", "comment", "--as", "legal@example.org", ref, ""]), "text")
    (comment,) = listed(api, ref)
    edited = runner.invoke(
        ["cases", "edit-comment", "--as", "legal@example.org", ref, str(comment["id"]), "Moved"]
    )
    assert "version 2" in ok(edited)
    assert "1 comment(s)." in ok(
        runner.invoke(["cases", "comments", "--as", "exec@example.org", ref, "--function", "legal"])
    )


@pytest.mark.parametrize(
    ("method", "path", "sent", "status"),
    [
        ("POST", "/comments", {"text": "a\u0000b"}, 422),
        ("POST", "/comments", {"text": "a\udc00"}, 422),
        ("POST", "/comments", {"text": "ok", "function": "\u0000"}, 422),
        ("POST", "/comments", "[" * 100_000, 400),
        ("POST", "/comments", ["text"], 400),
        ("GET", "/comments?function=%00", None, 422),
        ("GET", "/comments?function=finance", None, 422),
        ("PATCH", "/comments/99999999999999", {"text": "x"}, 404),
        ("PATCH", "/comments/%00", {"text": "x"}, 404),
        ("PATCH", "/comments/-1", {"text": "x"}, 404),
    ],
)
def test_hostile_values_get_a_json_error_not_a_500(
    app, api, client, people, method, path, sent, status
):
    ref = open_case(api)["ref"]
    kwargs = {"data": sent, "content_type": "application/json"} if isinstance(sent, str) else {}
    response = client.open(
        f"/api/v1/cases/{ref}{path}",
        method=method,
        headers=people["legal"].headers,
        **(kwargs or {"json": sent} if sent is not None else {}),
    )
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert "error" in response.get_json()


def test_a_mention_that_is_no_address_is_named_back_cleaned(app, api):
    ref = open_case(api)["ref"]
    body = posted(api, ref, text="hello", mentions=["bad\u0000addr", "@rights@example.org"])
    assert body["notified"] == ["rights@example.org"]
    assert body["not_notified"] == [{"address": "badaddr", "reason": "not an e-mail address"}]


def test_a_refiled_analysis_keeps_its_discussion(app, api, client, people):
    case = open_case(api)
    ref = case["ref"]
    body = analysis_body(app, case, "legal")
    assert api("legal").post(f"/cases/{ref}/analyses", json=body).status_code == 201
    first = posted(api, ref, "rights", text="Is the scope right?", function="legal")
    assert first["analysis_version"] == 1 and first["function"] == "legal"
    refiled = api("legal").post(f"/cases/{ref}/analyses", json=body | {"analysis": "Narrower"})
    assert refiled.status_code == 201
    second = posted(api, ref, "legal", text="Narrowed in version 2", function="legal")
    assert second["analysis_version"] == 2
    thread = listed(api, ref, "rights", "?function=legal")
    assert [c["text"] for c in thread] == ["Is the scope right?", "Narrowed in version 2"]
    web_login(client, app, people["rights"].email)
    page = client.get(f"/cases/{ref}").text
    assert 'href="#thread-legal">Discussion of this analysis (2)' in page
    assert "on version 1" in page and "on version 2" in page
