"""The case page's overview, as each person sees it through the web: the header's figures (the
time left to the response deadline, salience, the next thing this viewer must do), the sidebar
(country name, key dates, members, followers), functions on a finished case, and names in the
timeline."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from conftest import analysis_body, open_case, web_login

from incident_hub.clock import as_utc, frozen_at

DECISION = {"option": "comply-narrowly", "rationale": "narrow and lawful", "override": True}
DEADLINE = datetime(2031, 3, 10, 12, 0, tzinfo=UTC)


def text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags out, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def part(page: str, start: str, end: str) -> str:
    """The page from the first ``start`` to the next ``end`` (a section of it)."""
    begin = page.index(start)
    return page[begin : page.index(end, begin)]


def header(page: str) -> str:
    return text(part(page, '<header class="case-head">', "</header>"))


def sidebar(page: str) -> str:
    return text(part(page, '<aside class="case-side"', "</aside>"))


def browser(app, people, name: str):  # noqa: ANN201
    client = app.test_client()
    web_login(client, app, people[name].email)
    return client


def view(client, ref: str) -> str:
    response = client.get(f"/cases/{ref}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def short(value: str) -> str:
    """``5 Dec`` (this year) or ``5 Dec 2031``, as the header writes due dates."""
    moment = as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    day = f"{moment.day} {moment:%b}"
    return day if moment.year == datetime.now(UTC).year else f"{day} {moment.year}"


def test_the_header_counts_down_to_the_response_deadline(app, api, people):
    ref = open_case(api, response_deadline=DEADLINE.isoformat(), jurisdiction="DE")["ref"]
    # each look signs in at that time (a session would have gone idle between them)
    with frozen_at(DEADLINE - timedelta(days=3, hours=4, minutes=20)):
        assert "Response deadline 3 days 4 h left" in header(
            view(browser(app, people, "legal"), ref)
        )
    with frozen_at(DEADLINE - timedelta(minutes=40)):
        assert "Response deadline 40 min left" in header(view(browser(app, people, "legal"), ref))
    with frozen_at(DEADLINE + timedelta(hours=5, minutes=10)):
        page = view(browser(app, people, "legal"), ref)
        assert "Response deadline Overdue by 5 h" in header(page)
        assert '<span class="overdue">' in part(page, '<header class="case-head">', "</header>")
    side = sidebar(page)
    assert "Jurisdiction Germany (DE)" in side and "Playbook Content takedown" in side
    assert "Response deadline 10 Mar 2031 12:00 UTC" in side and "Decided —" in side
    assert "Salience Not assessed" in header(page)

    none = open_case(api, jurisdiction="EU")["ref"]
    page = view(browser(app, people, "legal"), none)
    assert "Response deadline None set" in header(page)
    assert "Jurisdiction European Union (EU)" in sidebar(page)


def test_next_for_you_follows_the_case_for_a_lead_an_executive_and_a_triager(app, api, people):
    case = open_case(api)
    ref = case["ref"]
    legal, rights = browser(app, people, "legal"), browser(app, people, "rights")
    executive, triager = browser(app, people, "exec"), browser(app, people, "triager")
    due = {a["function"]: a["due_at"] for a in api("legal").get(f"/cases/{ref}").get_json()[
        "assignments"]}  # fmt: skip

    page = view(legal, ref)
    expected = f"Next for you File the legal / product counsel analysis — due {short(due['legal'])}"
    assert expected in header(page)
    assert f'href="/cases/{ref}/analysis/legal"' in part(
        page, '<header class="case-head">', "</header>"
    )
    assert "File the human rights analysis" in header(view(rights, ref))
    assert "Next for you Nothing for you on this case" in header(view(triager, ref))
    # an executive may decide early: the link is in the header, but nothing is owed yet
    page = view(executive, ref)
    assert "Nothing for you on this case" in header(page)
    assert f'href="/cases/{ref}/decision">Record decision<' in part(
        page, '<header class="case-head">', "</header>"
    )
    assert "Record decision" not in header(view(legal, ref))

    filed = api("legal").post(f"/cases/{ref}/analyses", json=analysis_body(app, case, "legal"))
    assert filed.status_code == 201
    assert "Nothing for you on this case" in header(view(legal, ref))

    moved = api("exec").post(f"/cases/{ref}/request-decision", json={"note": "urgent"})
    assert moved.status_code == 200, moved.get_json()
    decision_due = api("exec").get(f"/cases/{ref}").get_json()["decision_due_at"]
    assert f"Record the decision — due {short(decision_due)}" in header(view(executive, ref))
    assert "File the human rights analysis" in header(view(rights, ref))  # still welcome

    assert api("exec").post(f"/cases/{ref}/decision", json=DECISION).status_code == 201
    assert "Record decision" not in header(view(executive, ref))
    # the triager opened the case: adding its actions falls to them (and the managers)
    assert "Add the follow-through actions of the decision" in header(view(triager, ref))
    soon = (datetime.now(UTC) + timedelta(days=9)).replace(microsecond=0)
    body = {
        "title": "Publish the order",
        "owner": people["legal"].email,
        "due_at": soon.isoformat(),
    }
    added = api("triager").post(f"/cases/{ref}/actions", json=body)
    assert added.status_code == 201, added.get_json()
    action = added.get_json()
    page = view(legal, ref)
    assert f"Complete the action “Publish the order” — due {short(action['due_at'])}" in header(
        page
    )
    assert f'href="/cases/{ref}#action-{action["id"]}"' in page
    assert f'id="action-{action["id"]}"' in page
    assert "Nothing for you on this case" in header(view(triager, ref))


def test_a_finished_case_shows_functions_as_filed_waived_or_not_filed(app, api, people):
    case = open_case(api)
    ref = case["ref"]
    body = analysis_body(app, case, "legal")
    assert api("legal").post(f"/cases/{ref}/analyses", json=body).status_code == 201
    waived = api("admin").post(f"/cases/{ref}/assignments/human-rights/waive", json={
        "note": "no rights at stake"})  # fmt: skip
    assert waived.status_code == 200, waived.get_json()
    admin = browser(app, people, "admin")
    functions = text(part(view(admin, ref), 'id="assign-h"', "</table>"))
    assert "Pending" in functions  # still open: the others are due

    assert api("exec").post(f"/cases/{ref}/decision", json=DECISION).status_code == 201
    for status in ("decided", "closed"):
        if status == "closed":
            closed = api("admin").post(f"/cases/{ref}/close", json={"note": "done"})
            assert closed.status_code == 200, closed.get_json()
        page = view(admin, ref)
        table = part(page, 'id="assign-h"', "</table>")
        rows = {text(r).split(" ")[0]: text(r) for r in re.findall(r"<tr>.*?</tr>", table, re.S)}
        assert "Pending" not in text(table) and "UTC" not in text(table)  # no due times
        assert "Status: Filed" in rows["Legal"] and "Status: Waived" in rows["Human"]
        assert "Status: Not filed" in rows["Public"]
    assert "Response deadline None set" in header(page)  # a closed case counts nothing down


def test_followers_are_counted_and_named_as_the_case_may_be_seen(app, api, people):
    ref = open_case(api, restricted=True)["ref"]
    for who in ("legal", "rights"):  # assigned leads: members of the restricted case
        assert api(who).post(f"/cases/{ref}/follow").status_code == 200
    executive = browser(app, people, "exec")
    page = view(executive, ref)
    assert "2 people follow this case: Legal, Rights." in sidebar(page)
    assert ">Follow<" in page

    # a follower taken off the need-to-know list is neither counted nor named
    removed = api("admin").delete(f"/cases/{ref}/members/{people['rights'].email}")
    assert removed.status_code == 200, removed.get_json()
    assert "1 person follows this case: Legal." in sidebar(view(executive, ref))
    assert api("exec").post(f"/cases/{ref}/follow").status_code == 200
    page = view(executive, ref)
    assert "2 people follow this case: Exec, Legal." in sidebar(page) and ">Unfollow<" in page
    assert "Members Need-to-know" in sidebar(page)  # the members panel, with the opener
    assert "Triager opened the case" in sidebar(page)


def test_the_timeline_names_people_not_their_emails(app, api, people):
    case = open_case(api)
    ref = case["ref"]
    assert api("legal").post(f"/cases/{ref}/analyses", json=analysis_body(app, case, "legal"))
    assert api("rights").post(f"/cases/{ref}/follow").status_code == 200
    assert api("exec").post(f"/cases/{ref}/decision", json=DECISION).status_code == 201
    due = (datetime.now(UTC) + timedelta(days=9)).isoformat()
    body = {"title": "Publish the order", "owner": people["legal"].email, "due_at": due}
    assert api("admin").post(f"/cases/{ref}/actions", json=body).status_code == 201
    page = view(browser(app, people, "policy"), ref)
    timeline = part(page, 'id="timeline-h"', "</ol>")
    assert "@example.org" not in timeline
    entries = [text(li) for li in re.findall(r"<li>.*?</li>", timeline, re.S)]
    assert any(e.split(" UTC ")[1].startswith("Triager case opened") for e in entries), entries
    assert any(" Legal analysis filed" in e for e in entries), entries
    assert any("Admin action added — “Publish the order” for Legal" in e for e in entries)
    # the API keeps the recorded email (its contract)
    events = api("policy").get(f"/cases/{ref}/timeline").get_json()
    assert people["triager"].email in {e["actor"] for e in events}


def test_a_refused_member_comes_back_to_the_members_form_unfolded(app, api, people):
    ref = open_case(api)["ref"]
    admin = browser(app, people, "admin")
    page = view(admin, ref)
    assert '<details class="members-form">' in page  # folded until asked
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    sent = admin.post(
        f"/cases/{ref}/members", data={"user": "nobody@example.org", "csrf_token": token}
    )
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/cases/{ref}?form=members#member-user")
    back = view(admin, f"{ref}?form=members")
    assert '<details class="members-form" open>' in back
    assert 'class="flash flash-error" role="alert"' in back
    assert '<details class="members-form">' in view(admin, ref)  # the plain page stays folded
