"""My work that scales (issue 15): grouped by when work is owed, paged per group with counts,
the same number of SQL statements at 10× the data; executives see every case they can decide
(early ones marked); restricted cases stay out of sight; "Cases I follow" on My work and as a
filter of the case list, with follower counts."""

from __future__ import annotations

import re
from datetime import timedelta

from conftest import CLI, analysis_body, lead_for, open_case, web_login
from sqlalchemy import select
from test_query_counts import Statements

from incident_hub.auth.service import create_user
from incident_hub.cases.models import Assignment, Case
from incident_hub.clock import now
from incident_hub.extensions import db
from incident_hub.scale import seed_cases


def section(html: str, key: str) -> str:
    """The HTML of one My work section (owed, week, later, following)."""
    match = re.search(rf'<section aria-labelledby="{key}-h" id="{key}">(.*?)</section>', html, re.S)
    assert match, f"no {key} section"
    return match.group(1)


def heading_count(html: str, key: str) -> int:
    match = re.search(rf'<h2 id="{key}-h">[^<]*<small>\((\d+)\)</small>', html)
    assert match, f"no count in the {key} heading"
    return int(match.group(1))


def total(html: str) -> int:
    match = re.search(r"<h1>My work <small>\((\d+) items?\)</small>", html)
    assert match, "no total in the page heading"
    return int(match.group(1))


def due_in(app, ref: str, function: str, delta: timedelta) -> None:
    """Move one assignment's due time (the story needs work due at different times)."""
    with app.app_context():
        assignment = db.session.execute(
            select(Assignment)
            .join(Case)
            .where(Case.ref == ref, Assignment.function_key == function)
        ).scalar_one()
        assignment.due_at = now() + delta
        db.session.commit()


def signed_in(app, email: str):
    client = app.test_client()
    web_login(client, app, email)
    client.get("/")  # shows (and so clears) the "signed in" message
    return client


def test_lead_sees_work_grouped_by_when_it_is_owed(app, api, people):
    overdue = open_case(api, title="Overdue takedown order")["ref"]
    soon = open_case(api, title="Order due in three days")["ref"]
    later = open_case(api, title="Order due next month")["ref"]
    due_in(app, overdue, "legal", -timedelta(days=2))
    due_in(app, soon, "legal", timedelta(days=3))
    due_in(app, later, "legal", timedelta(days=30))
    html = signed_in(app, people["legal"].email).get("/").get_data(as_text=True)
    assert overdue in section(html, "owed") and soon not in section(html, "owed")
    assert soon in section(html, "week") and later not in section(html, "week")
    assert later in section(html, "later") and overdue not in section(html, "later")
    counts = [heading_count(html, k) for k in ("owed", "week", "later")]
    assert counts == [1, 1, 1] and total(html) == 3
    assert "File analysis" in section(html, "owed")


def test_each_group_pages_on_its_own_and_links_keep_the_other_pages(app, api, people):
    refs = [open_case(api, title=f"Order {i:02d}")["ref"] for i in range(27)]
    for i, ref in enumerate(refs):
        due_in(app, ref, "legal", -timedelta(days=30 - i))  # oldest first
    week = open_case(api, title="Order due this week")["ref"]
    due_in(app, week, "legal", timedelta(days=2))
    legal = signed_in(app, people["legal"].email)
    first = legal.get("/").get_data(as_text=True)
    owed = section(first, "owed")
    assert heading_count(first, "owed") == 27 and total(first) == 28
    assert owed.count("File analysis<span") == 25 and refs[0] in owed and refs[26] not in owed
    assert "Page 1 of 2" in owed and 'href="/?owed_page=2#owed"' in owed
    second = legal.get("/?owed_page=2&week_page=1").get_data(as_text=True)
    owed = section(second, "owed")
    assert owed.count("File analysis<span") == 2 and refs[25] in owed and refs[0] not in owed
    assert week in section(second, "week")  # the other group is unaffected
    assert 'href="/?owed_page=1#owed"' in owed
    for bad in ("0", "-3", "x", "99999999999999999999"):
        response = legal.get(f"/?owed_page={bad}")
        assert response.status_code == 200, bad
    beyond = legal.get("/?owed_page=40").get_data(as_text=True)
    assert "No more items here" in section(beyond, "owed")


def test_my_work_runs_the_same_statements_at_ten_times_the_data(app, people):
    def statements(email: str) -> tuple[int, str]:
        client = signed_in(app, email)
        client.get("/")
        with app.app_context():
            engine = db.engine
        with Statements(engine) as seen:
            response = client.get("/")
        assert response.status_code == 200
        return len(seen.sql), response.get_data(as_text=True)

    with app.app_context():
        seed_cases(50, seed=11)
    small = {p: statements(people[p].email) for p in ("legal", "exec")}
    with app.app_context():
        seed_cases(450, seed=12)
    large = {p: statements(people[p].email) for p in ("legal", "exec")}
    assert {p: n for p, (n, _) in small.items()} == {p: n for p, (n, _) in large.items()}
    html = large["legal"][1]
    assert total(html) > total(small["legal"][1]) > 0
    for key in ("owed", "week", "later"):
        assert section(html, key).count("<tr>") <= 25 + 1  # a page and the header row


def test_executive_sees_every_case_to_decide_early_ones_marked(app, api, people):
    early = open_case(api, title="One function filed")
    body = analysis_body(app, early, "legal")
    assert api("legal").post(f"/cases/{early['ref']}/analyses", json=body).status_code == 201
    untouched = open_case(api, title="Nothing filed yet")["ref"]
    ready = open_case(api, title="Ready for a decision")
    required = [a["function"] for a in ready["assignments"] if a["required"]]
    for function in required:
        body = analysis_body(app, ready, function)
        filed = api(lead_for(function)).post(f"/cases/{ready['ref']}/analyses", json=body)
        assert filed.status_code == 201, filed.get_json()
    assert api("exec").get(f"/cases/{ready['ref']}").get_json()["status"] == "awaiting_decision"
    secret = open_case(api, title="Restricted order", restricted=True)
    body = analysis_body(app, secret, "legal")
    assert api("legal").post(f"/cases/{secret['ref']}/analyses", json=body).status_code == 201
    html = signed_in(app, people["exec"].email).get("/").get_data(as_text=True)
    assert early["ref"] in html and ready["ref"] in html and untouched not in html
    assert secret["ref"] in html  # executives see every case
    row = re.search(rf"<tr>(?:(?!</tr>).)*{early['ref']}.*?</tr>", html, re.S).group(0)
    assert f"early: 1 of {len(required)} filed" in row and "Decide early" in row
    row = re.search(rf"<tr>(?:(?!</tr>).)*{ready['ref']}.*?</tr>", html, re.S).group(0)
    assert "early:" not in row and "Record decision" in row
    assert total(html) == 3


def test_restricted_work_is_neither_listed_nor_counted_for_non_members(app, api, people):
    secret = open_case(api, title="Restricted order under gag", restricted=True)["ref"]
    plain = open_case(api, title="Public order")["ref"]
    with app.app_context():  # a legal lead who joined after the case was opened: not a member
        create_user(CLI, email="newlegal@example.org", name="New Legal", roles=["lead"],
                    functions=["legal"])  # fmt: skip
    newcomer = signed_in(app, "newlegal@example.org")
    html = newcomer.get("/").get_data(as_text=True)
    assert plain in html and secret not in html and total(html) == 1
    assert newcomer.get("/cases?following=1").status_code == 200
    member = signed_in(app, people["legal"].email).get("/").get_data(as_text=True)
    assert secret in member and total(member) == 2  # the assigned lead is a member


def test_cases_i_follow_on_my_work_and_as_a_case_list_filter(app, api, people):
    first = open_case(api, title="First followed order")["ref"]
    second = open_case(api, title="Second followed order")["ref"]
    other = open_case(api, title="Not followed order")["ref"]
    for ref in (first, second):
        assert api("rights").post(f"/cases/{ref}/follow").status_code == 200
    assert api("admin").post(f"/cases/{first}/follow").status_code == 200
    rights = signed_in(app, people["rights"].email)
    html = rights.get("/").get_data(as_text=True)
    followed = section(html, "following")
    assert heading_count(html, "following") == 2
    assert first in followed and second in followed and other not in followed
    assert 'href="/cases?following=1"' in followed
    listed = rights.get("/cases?following=1").get_data(as_text=True)
    assert "Cases I follow <small>(2)</small>" in listed
    assert first in listed and second in listed and other not in listed
    row = re.search(rf"<tr>(?:(?!</tr>).)*{first}.*?</tr>", listed, re.S).group(0)
    assert '<td data-label="Followers">2</td>' in row
    everything = rights.get("/cases").get_data(as_text=True)
    assert other in everything and "<h1>Cases <small>" in everything
    nobody = signed_in(app, people["triager"].email)
    assert "You follow no case" in section(nobody.get("/").get_data(as_text=True), "following")
    assert "Cases I follow <small>(0)</small>" in nobody.get("/cases?following=1").get_data(
        as_text=True
    )
