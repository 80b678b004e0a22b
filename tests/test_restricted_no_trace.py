"""No trace of a restricted case reaches a non-member (issue 14, finding 4).

Each leak the assessment reproduced, as a user hits it: through the web pages, the JSON API and
the CLI. "outsider" leads a function no takedown case uses, so it is a member of no restricted
case; the triager opened them (a member); the executive and the admin see every case.
"""

from __future__ import annotations

import json

import pytest
from conftest import Runner, open_case, web_login

from incident_hub.extensions import db

SECRET_TITLE = "Secret interception notice on backups"


def restricted_case(api, **extra) -> str:
    return open_case(api, title=SECRET_TITLE, restricted=True, **extra)["ref"]


def page(app, email: str, path: str) -> str:
    client = app.test_client()
    web_login(client, app, email)
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def link(api, who: str, ref: str, other: str, kind: str = "related"):  # noqa: ANN201
    return api(who).post(f"/cases/{ref}/links", json={"other": other, "kind": kind})


def no_trace(text: str, *refs: str) -> None:
    """Nothing in ``text`` tells of a restricted case: no reference, no title, no label."""
    for ref in refs:
        assert ref not in text
    assert SECRET_TITLE not in text
    assert "restricted case" not in text.lower()


# 1. A merge does not write people's emails, or a restricted case, into another timeline.


def test_a_merge_names_no_follower_on_the_other_case(app, api, people):
    original = open_case(api, title="Order to remove 40 posts")["ref"]
    dup = open_case(api, title="Same order, reported twice")["ref"]
    for who in ("exec", "outsider", "legal"):
        assert api(who).post(f"/cases/{dup}/follow").status_code == 200
    assert link(api, "triager", dup, original, "duplicate_of").status_code == 201
    for who in ("outsider", "admin"):
        timeline = api(who).get(f"/cases/{original}/timeline").get_json()
        text = json.dumps(timeline)
        for name in ("exec", "outsider", "legal"):
            assert people[name].email not in text
        (merged_in,) = [e for e in timeline if e["action"] == "case.merged_in"]
        assert merged_in["details"]["followers_moved"] == 3  # how many, not who
    body = page(app, people["outsider"].email, f"/cases/{original}")
    assert people["exec"].email not in body and people["legal"].email not in body


def test_a_restricted_duplicate_leaves_no_trace_on_the_case_it_was_merged_into(app, api, people):
    original = open_case(api, title="Order to remove 40 posts")["ref"]
    dup = restricted_case(api)
    assert link(api, "triager", dup, original, "duplicate_of").status_code == 201
    outsider = api("outsider")
    no_trace(json.dumps(outsider.get(f"/cases/{original}/timeline").get_json()), dup)
    no_trace(json.dumps(outsider.get(f"/cases/{original}/links").get_json()), dup)
    no_trace(page(app, people["outsider"].email, f"/cases/{original}"), dup)
    dossier = outsider.get(f"/cases/{original}/dossier?format=md")
    assert dossier.status_code == 200
    no_trace(dossier.get_data(as_text=True), dup)
    # Its members see the merge, by reference.
    seen = json.dumps(api("triager").get(f"/cases/{original}/timeline").get_json())
    assert dup in seen


def test_a_public_duplicate_merged_into_a_restricted_case_is_only_closed(app, api, people):
    secret = restricted_case(api)
    dup = open_case(api, title="Same order, reported twice")["ref"]
    assert link(api, "triager", dup, secret, "duplicate_of").status_code == 201
    timeline = api("outsider").get(f"/cases/{dup}/timeline").get_json()
    no_trace(json.dumps(timeline), secret)
    assert "case.closed" in [e["action"] for e in timeline]
    assert not [e for e in timeline if e["action"].startswith(("case.merged", "case.linked"))]
    no_trace(page(app, people["outsider"].email, f"/cases/{dup}"), secret)
    assert secret in json.dumps(api("exec").get(f"/cases/{dup}/timeline").get_json())


# 2. A link to a case the viewer may not see is not shown at all.


def test_a_link_to_a_restricted_case_is_not_shown_to_a_non_member(app, api, people):
    public = open_case(api, title="Public takedown order")["ref"]
    secret = restricted_case(api)
    made = link(api, "triager", public, secret)
    assert made.status_code == 201
    outsider = api("outsider")
    listed = outsider.get(f"/cases/{public}/links")
    assert listed.get_json() == [] and listed.headers["X-Total-Count"] == "0"
    timeline = outsider.get(f"/cases/{public}/timeline").get_json()
    no_trace(json.dumps(timeline), secret)
    assert "case.linked" not in [e["action"] for e in timeline]
    no_trace(page(app, people["outsider"].email, f"/cases/{public}"), secret)
    dossier = outsider.get(f"/cases/{public}/dossier?format=md").get_data(as_text=True)
    no_trace(dossier, secret)
    # Removing the link leaves no trace either; its members saw both events.
    assert api("triager").delete(f"/cases/{public}/links/{made.get_json()['id']}").status_code == 200
    timeline = outsider.get(f"/cases/{public}/timeline").get_json()
    no_trace(json.dumps(timeline), secret)
    actions = [e["action"] for e in api("triager").get(f"/cases/{public}/timeline").get_json()]
    assert actions.count("case.linked") == 1 and actions.count("case.unlinked") == 1


def test_a_link_hidden_once_the_other_case_is_restricted_later(app, api, ctx):
    from incident_hub.cases.models import Case

    public = open_case(api, title="Public takedown order")["ref"]
    later = open_case(api, title=SECRET_TITLE)["ref"]
    assert link(api, "triager", public, later).status_code == 201
    assert later in json.dumps(api("outsider").get(f"/cases/{public}/timeline").get_json())
    case = db.session.execute(db.select(Case).filter_by(ref=later)).scalar_one()
    case.restricted = True  # as a gag order would make it
    db.session.commit()
    no_trace(json.dumps(api("outsider").get(f"/cases/{public}/timeline").get_json()), later)
