"""Precedent: the past cases most like a case, by substance, with their decision, outcome and
why each matched; through the API and the case page, on SQLite and PostgreSQL."""

from __future__ import annotations

from conftest import analysis_body, lead_for, web_login

TARGET = {
    "title": "Law 7253: local representative, 48-hour removals and data localisation",
    "playbook": "data-localisation",
    "jurisdiction": "TR",
    "instrument": "Law No. 7253",
    "authority": "Information and Communication Technologies Authority",
    "summary": "Social network providers with over one million daily users must appoint a local "
    "representative, answer removal requests within 48 hours and store Turkish users' data in "
    "the country; advertising bans and bandwidth throttling follow refusal.",
}
# The same law in substance, decided earlier: it should come first.
GENUINE = {
    "title": "Representative duty under the amendment to the Internet Law",
    "playbook": "data-localisation",
    "jurisdiction": "TR",
    "instrument": "Law 7253",
    "authority": "Information and Communication Technologies Authority",
    "summary": "Providers must appoint a representative in Turkey, handle removal requests in "
    "48 hours and keep user data in the country; refusal brings an advertising ban and "
    "throttling of bandwidth by up to 90%.",
}
DECOYS = {
    "playbook only": {
        "title": "Central bank rule on payment records",
        "playbook": "data-localisation",
        "jurisdiction": "BR",
        "instrument": "Resolution 4658",
        "summary": "Payment institutions must keep transaction ledgers on audited servers.",
    },
    "generic words only": {
        "title": "Order to remove user content and accounts",
        "playbook": "content-takedown",
        "jurisdiction": "DE",
        "summary": "The government orders the company to remove content posted by users; the "
        "order names accounts and requires removal of posts within days.",
    },
    "jurisdiction only": {
        "title": "Mobile data cut in the south-east during protests",
        "playbook": "network-shutdown",
        "jurisdiction": "TR",
        "instrument": "Telecommunications Law art. 60",
        "summary": "Operators were told to cut mobile internet in three provinces.",
    },
}
FILLERS = [
    ("content-takedown", "IN", "Order to remove posts criticising the minister"),
    ("content-takedown", "PK", "Request to remove user accounts of a satirist"),
    ("platform-regulation", "GB", "Age checks for users of social media"),
    ("surveillance-data-demand", "US", "Demand for user data of protest organisers"),
    ("encryption-lawful-access", "AU", "Notice asking for access to encrypted messages"),
    ("network-shutdown", "MM", "Nationwide data shutdown order"),
]


def create(api, who: str = "triager", **body) -> dict:  # noqa: ANN001
    response = api(who).post("/cases", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def put(api, who: str, path: str, body: dict):  # noqa: ANN001, ANN201
    caller = api(who)
    return caller.client.put(f"/api/v1{path}", json=body, headers=caller.person.headers)


def seed(app, api) -> dict[str, dict]:  # noqa: ANN001
    """The target, the genuinely similar past case (analysed, decided, with actions), decoys
    and filler cases that make everyday words common."""
    for playbook, jurisdiction, title in FILLERS:
        create(api, title=title, playbook=playbook, jurisdiction=jurisdiction)
    cases = {name: create(api, **body) for name, body in DECOYS.items()}
    genuine = cases["genuine"] = create(api, **GENUINE)
    analysis = analysis_body(app, genuine, "legal")
    analysis["analysis"] = "Throttling and the advertising ban are the penalties; the local "
    analysis["analysis"] += "representative would face personal liability for removals."
    assert api("legal").post(f"/cases/{genuine['ref']}/analyses", json=analysis).status_code == 201
    decision = {
        "option": "seek-clarification",
        "rationale": "We appoint a representative entity but refuse to localise message content.",
        "override": True,
    }
    assert api("exec").post(f"/cases/{genuine['ref']}/decision", json=decision).status_code == 201
    for n in range(2):
        action = {"title": f"Action {n}", "owner": "legal@example.org", "due_at": "2030-01-01"}
        made = api("exec").post(f"/cases/{genuine['ref']}/actions", json=action)
        assert made.status_code == 201, made.get_json()
    first = api("legal").get(f"/cases/{genuine['ref']}/actions").get_json()[0]
    done = {"status": "done", "note": "appointed"}
    patch = api("legal").client.patch(
        f"/api/v1/cases/{genuine['ref']}/actions/{first['id']}",
        json=done,
        headers=api("legal").person.headers,
    )
    assert patch.status_code == 200, patch.get_json()
    cases["target"] = create(api, **TARGET)
    target_analysis = analysis_body(app, cases["target"], "human-rights")
    target_analysis["analysis"] = "Throttling would cut access for every user in Turkey."
    filed = api(lead_for("human-rights")).post(
        f"/cases/{cases['target']['ref']}/analyses", json=target_analysis
    )
    assert filed.status_code == 201, filed.get_json()
    return cases


def similar(api, who: str, ref: str, query: str = ""):  # noqa: ANN001, ANN201
    return api(who).get(f"/cases/{ref}/similar{query}")


def test_the_genuinely_similar_case_ranks_first_with_reasons(app, api, people):
    cases = seed(app, api)
    response = similar(api, "triager", cases["target"]["ref"], "?limit=10")
    assert response.status_code == 200, response.get_json()
    found = response.get_json()
    assert response.headers["X-Total-Count"] == str(len(found))
    by_ref = {s["ref"]: s for s in found}
    assert found[0]["ref"] == cases["genuine"]["ref"], [(s["ref"], s["score"]) for s in found]
    assert cases["target"]["ref"] not in by_ref
    scores = [s["score"] for s in found]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    best = found[0]
    for decoy in DECOYS:
        other = by_ref.get(cases[decoy]["ref"])
        assert other is None or other["score"] < best["score"] - 0.2, (decoy, other)
    reasons = best["reasons"]
    assert "same playbook: Data localisation / local presence" in reasons
    assert "same jurisdiction: TR" in reasons
    assert "shared rights: expression, offline-harm, privacy" in reasons
    assert "same instrument: Law 7253" in reasons  # "Law No. 7253" names the same law
    assert "same authority: Information and Communication Technologies Authority" in reasons
    terms = next(r for r in reasons if r.startswith("shared terms: "))
    assert {"7253", "representative", "throttling"} <= set(terms.split(": ")[1].split(", "))
    assert best["decision"]["option"] == "seek-clarification"
    assert best["decision"]["option_title"] == "Seek clarification"
    assert best["decision"]["rationale"].startswith("We appoint a representative entity")
    assert best["decision"]["decided_at"].endswith("Z")
    assert best["outcome"] == {
        "status": "decided",
        "actions_done": 1,
        "actions_waived": 0,
        "actions_total": 2,
    }
    assert best["title"] == GENUINE["title"] and best["playbook"] == "data-localisation"
    playbook_only = by_ref[cases["playbook only"]["ref"]]
    assert "same playbook: Data localisation / local presence" in playbook_only["reasons"]
    assert not any(r.startswith("same jurisdiction") for r in playbook_only["reasons"])
    assert playbook_only["decision"] is None and playbook_only["outcome"]["status"] == "open"
    default = similar(api, "triager", cases["target"]["ref"]).get_json()
    assert len(default) == 5 and default[0]["ref"] == cases["genuine"]["ref"]


def test_assessed_rights_replace_the_playbooks(app, api, people):
    cases = seed(app, api)
    for name, rights in (("target", ["privacy", "due-process"]), ("genuine", ["privacy"])):
        saved = put(api, "admin", f"/cases/{cases[name]['ref']}/assessment", {"rights": rights})
        assert saved.status_code == 200, saved.get_json()
    best = similar(api, "exec", cases["target"]["ref"]).get_json()[0]
    assert best["ref"] == cases["genuine"]["ref"]
    assert "shared rights: privacy" in best["reasons"]


def test_restricted_cases_are_left_out_for_those_who_may_not_see_them(app, api, people, client):
    cases = seed(app, api)
    hidden = create(api, "admin", **(GENUINE | {"title": "Secret twin", "restricted": True}))
    target = cases["target"]["ref"]
    for who in ("triager", "outsider"):  # not participants of the admin's restricted case
        found = {s["ref"] for s in similar(api, who, target, "?limit=20").get_json()}
        assert cases["genuine"]["ref"] in found and hidden["ref"] not in found
        assert similar(api, who, hidden["ref"]).status_code == 404
    for who in ("admin", "exec", "legal"):  # admin, executive, lead of an assigned function
        found = {s["ref"] for s in similar(api, who, target, "?limit=20").get_json()}
        assert hidden["ref"] in found
    twin = similar(api, "exec", hidden["ref"]).get_json()
    assert twin[0]["ref"] == cases["genuine"]["ref"]  # the restricted case has precedent too

    web_login(client, app, people["triager"].email)
    page = client.get(f"/cases/{target}").get_data(as_text=True)
    assert cases["genuine"]["ref"] in page
    assert "Secret twin" not in page and hidden["ref"] not in page
    executive = app.test_client()
    web_login(executive, app, people["exec"].email)
    assert "Secret twin" in executive.get(f"/cases/{target}").get_data(as_text=True)


def test_case_page_shows_the_section(app, api, people, client):
    cases = seed(app, api)
    web_login(client, app, people["exec"].email)
    response = client.get(f"/cases/{cases['target']['ref']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    section = html[html.index('id="precedent-h"') :]
    assert "Similar past cases" in html and cases["genuine"]["ref"] in section
    assert "Why it matched:" in section and "same instrument: Law 7253" in section
    assert "Decision: <strong>Seek clarification</strong>" in section
    assert "follow-through actions done 1 of 2" in section
    assert section.index(cases["genuine"]["ref"]) < section.index(cases["playbook only"]["ref"])


def test_a_case_with_nothing_like_it(app, api, people, client):
    lonely = create(api, title="Quokka permit", playbook="content-takedown", jurisdiction="NZ")
    assert similar(api, "triager", lonely["ref"]).get_json() == []
    web_login(client, app, people["triager"].email)
    html = client.get(f"/cases/{lonely['ref']}").get_data(as_text=True)
    assert "No similar past case found yet." in html


def test_bad_requests_are_4xx(app, api, people):
    case = create(api, title="Order", playbook="content-takedown", jurisdiction="TR")
    for query in ("?limit=0", "?limit=21", "?limit=abc", "?limit=1.5", "?limit=-3"):
        response = similar(api, "triager", case["ref"], query)
        assert response.status_code == 422, (query, response.get_json())
        assert response.get_json()["error"]["field"] == "limit"
    for ref in ("INC-2999-9999", "nonsense%00", "x" * 200):
        assert similar(api, "triager", ref).status_code == 404
    assert api(None).get(f"/cases/{case['ref']}/similar").status_code == 401
