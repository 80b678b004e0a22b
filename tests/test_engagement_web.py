"""Stakeholder engagement on the web: the case page's log and its form (real CSRF), the
correction form, and the organisations directory pages."""

from __future__ import annotations

import re

from conftest import csrf_from, open_case, web_login

SECRET_ORG = "Kenya Human Rights Defenders Network"


def _browser(app, people, who: str):  # noqa: ANN001, ANN202
    browser = app.test_client()
    web_login(browser, app, people[who].email)
    return browser


def _post(browser, page_url: str, data: dict, post_url: str | None = None):  # noqa: ANN001, ANN202
    """Take the CSRF token from the page, then POST the form the way a browser does."""
    page = browser.get(page_url)
    assert page.status_code == 200, page.status_code
    token = csrf_from(page.get_data(as_text=True))
    return browser.post(post_url or page_url, data={**data, "csrf_token": token})


def _section(html: str) -> str:
    """The engagement section of a case page."""
    match = re.search(r'<section aria-labelledby="engagement-h">.*?</section>', html, re.S)
    assert match, "no engagement section"
    return match.group(0)


def _log(html: str) -> str:
    """The log itself: the engagement section without its form (whose organisation picker
    lists the whole directory, which everyone may read)."""
    return _section(html).split('id="engagement-add-h"')[0]


def _form(**fields: str) -> dict[str, str]:
    return {"engaged_on": "2026-01-20", "summary": "Briefed them on the order", **fields}


def test_participant_records_from_the_case_page_adding_the_organisation(app, api, people):
    ref = open_case(api)["ref"]
    legal = _browser(app, people, "legal")
    page = legal.get(f"/cases/{ref}")
    section = _section(page.get_data(as_text=True))
    assert "No consultation recorded yet." in section and 'name="csrf_token"' in section
    ids = set(re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', section))
    labelled = set(re.findall(r'<label for="([^"]+)"', section))
    assert ids and ids <= labelled, ids - labelled  # every field has its label
    form = _form(new_org_name="Article 19", new_org_kind="civil_society", new_org_country="gb")
    form |= {"contact": "Programme officer", "advice": "Ask for the legal basis", "may_name": "yes"}
    response = _post(legal, f"/cases/{ref}", form, f"/cases/{ref}/engagements/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].endswith(f"/cases/{ref}#engagement-h")
    section = _section(legal.get(f"/cases/{ref}").get_data(as_text=True))
    assert "Article 19" in section and "Ask for the legal basis" in section
    directory = legal.get("/organisations?q=article").get_data(as_text=True)
    assert "Article 19" in directory and "Civil society organisation" in directory
    org_id = api("legal").get("/organisations").get_json()[0]["id"]
    # A second consultation chooses it from the directory, on the stand-alone form.
    picked = _post(
        legal,
        f"/cases/{ref}/engagements/new",
        _form(organisation_id=str(org_id), may_name="no", summary="Second call"),
    )
    assert picked.status_code == 302
    entries = api("legal").get(f"/cases/{ref}/engagements").get_json()
    assert [(e["organisation"]["id"], e["confidential"]) for e in entries] == [
        (org_id, False),
        (org_id, True),
    ]


def test_bad_input_keeps_what_was_typed_and_a_form_without_csrf_is_refused(app, api, people):
    ref = open_case(api)["ref"]
    legal = _browser(app, people, "legal")
    url = f"/cases/{ref}/engagements/new"
    future = _post(
        legal, url, _form(engaged_on="2999-01-01", new_org_name="Access Now", may_name="yes")
    )
    assert future.status_code == 422
    html = future.get_data(as_text=True)
    assert "cannot be in the future" in html and 'value="Access Now"' in html
    assert 'aria-invalid="true"' in html and "Briefed them on the order" in html
    undecided = _post(legal, url, _form(new_org_name="Access Now", new_org_kind="peer"))
    assert undecided.status_code == 422 and "may be named" in undecided.get_data(as_text=True)
    bad_url = _post(
        legal,
        url,
        _form(new_org_name="X", new_org_kind="peer", new_org_website="javascript:alert(1)"),
    )
    assert bad_url.status_code == 422
    unknown = _post(legal, url, _form(organisation_id="999999", may_name="yes"))
    assert unknown.status_code == 404 and "no organisation 999999" in unknown.get_data(as_text=True)
    no_token = legal.post(url, data=_form(new_org_name="Y", new_org_kind="peer", may_name="yes"))
    assert no_token.status_code == 400
    assert api("admin").get(f"/cases/{ref}/engagements").get_json() == []
    assert api("admin").get("/organisations").get_json() == []


def test_non_participants_see_no_log_and_outsiders_no_restricted_case(app, api, people):
    public = open_case(api)["ref"]
    hidden = open_case(api, restricted=True)["ref"]
    for ref, name in ((public, "Org A"), (hidden, "Org B")):
        body = {
            "organisation": {"name": name, "kind": "expert"},
            "engaged_on": "2026-01-02",
        }
        body |= {"summary": "Consulted on the draft", "confidential": False}
        assert api("legal").post(f"/cases/{ref}/engagements", json=body).status_code == 201
    outsider = _browser(app, people, "outsider")
    section = _section(outsider.get(f"/cases/{public}").get_data(as_text=True))
    assert "Org A" not in section and "Consulted on the draft" not in section
    assert "<form" not in section and "kept by the case's participants" in section
    assert outsider.get(f"/cases/{public}/engagements/new").status_code == 403
    assert outsider.get(f"/cases/{hidden}/engagements/new").status_code == 404
    assert outsider.get(f"/cases/{hidden}/engagements/1/edit").status_code == 404
    directory = outsider.get("/organisations").get_data(as_text=True)
    # Org A is in everyone's directory (where it was used is not shown); Org B, added with an
    # entry on a restricted case, only in the directory of those who may see that entry.
    assert "Org A" in directory and "Org B" not in directory
    for org in api("outsider").get("/organisations").get_json():
        page = outsider.get(f"/organisations/{org['id']}").get_data(as_text=True)
        assert public not in page and hidden not in page and "No consultation you may see" in page


def test_confidential_entries_on_the_case_page_and_the_organisation_page(app, api, people):
    case = open_case(api)
    ref = case["ref"]
    body = {"organisation": {"name": SECRET_ORG, "kind": "civil_society", "country": "KE"}}
    body |= {"engaged_on": "2026-01-03", "summary": "They fear reprisals", "confidential": True}
    created = api("policy").post(f"/cases/{ref}/engagements", json=body).get_json()
    org_id = created["organisation"]["id"]
    for who in ("legal", "triager"):  # participants, not allowed to see confidential entries
        browser = _browser(app, people, who)
        section = _log(browser.get(f"/cases/{ref}").get_data(as_text=True))
        assert SECRET_ORG not in section and "They fear reprisals" not in section, who
        page = browser.get(f"/organisations/{org_id}").get_data(as_text=True)
        assert ref not in page and case["title"] not in page, who
        edit = browser.get(f"/cases/{ref}/engagements/{created['id']}/edit")
        assert edit.status_code == 404, who
    for who in ("rights", "exec", "admin", "policy"):
        browser = _browser(app, people, who)
        section = _log(browser.get(f"/cases/{ref}").get_data(as_text=True))
        assert SECRET_ORG in section and "Confidential: may not be named" in section, who
        page = browser.get(f"/organisations/{org_id}").get_data(as_text=True)
        assert ref in page and "They fear reprisals" in page, who


def test_recorder_corrects_an_entry_others_may_not(app, api, people):
    ref = open_case(api)["ref"]
    org = api("legal").post("/organisations", json={"name": "Article 19", "kind": "peer"})
    other = api("legal").post("/organisations", json={"name": "EFF", "kind": "civil_society"})
    body = {"organisation_id": org.get_json()["id"], "engaged_on": "2026-01-04"}
    body |= {"summary": "First call", "confidential": False}
    entry = api("legal").post(f"/cases/{ref}/engagements", json=body).get_json()
    url = f"/cases/{ref}/engagements/{entry['id']}/edit"
    for who in ("exec", "rights"):
        browser = _browser(app, people, who)
        assert browser.get(url).status_code == 403, who
        section = _section(browser.get(f"/cases/{ref}").get_data(as_text=True))
        assert url not in section
    legal = _browser(app, people, "legal")
    assert url in _section(legal.get(f"/cases/{ref}").get_data(as_text=True))
    form = {"organisation_id": str(other.get_json()["id"]), "engaged_on": "2026-01-05"}
    form |= {"summary": "First call, corrected", "may_name": "yes", "contact": "Director"}
    response = _post(legal, url, form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    saved = api("admin").get(f"/cases/{ref}/engagements").get_json()[0]
    assert saved["organisation"]["name"] == "EFF" and saved["summary"] == "First call, corrected"
    assert saved["engaged_on"] == "2026-01-05" and saved["contact"] == "Director"
    bad = _post(legal, url, form | {"summary": ""})
    assert bad.status_code == 422 and "Summary is required" in bad.get_data(as_text=True)


def test_organisation_pages_add_refuse_duplicates_edit_and_page(app, api, people):
    legal = _browser(app, people, "legal")
    assert 'href="/organisations"' in legal.get("/").get_data(as_text=True)  # the nav link
    form = {"name": "Access Now", "kind": "civil_society", "country": "us"}
    form |= {"website": "https://www.accessnow.org/", "notes": "Digital security helpline"}
    added = _post(legal, "/organisations/new", form)
    assert added.status_code == 302
    page = legal.get(added.headers["Location"]).get_data(as_text=True)
    assert "Access Now" in page and "Digital security helpline" in page and ">US<" in page
    again = _post(legal, "/organisations/new", form | {"name": "ACCESS NOW"})
    assert again.status_code == 409 and "already in the directory" in again.get_data(as_text=True)
    org_id = added.headers["Location"].rsplit("/", 1)[1]
    rights = _browser(app, people, "rights")
    assert rights.get(f"/organisations/{org_id}/edit").status_code == 403
    bad = _post(legal, f"/organisations/{org_id}/edit", form | {"website": "ftp://x.org"})
    assert bad.status_code == 422 and 'value="ftp://x.org"' in bad.get_data(as_text=True)
    edited = _post(legal, f"/organisations/{org_id}/edit", form | {"kind": "peer"})
    assert edited.status_code == 302
    assert api("legal").get(f"/organisations/{org_id}").get_json()["kind"] == "peer"
    for n in range(55):
        kind = "expert" if n % 2 else "government"
        api("tech").post("/organisations", json={"name": f"Body {n:02d}", "kind": kind})
    first = legal.get("/organisations").get_data(as_text=True)
    assert "Organisations <small>(56)</small>" in first and "Page 1 of 2" in first
    second = legal.get("/organisations?page=2").get_data(as_text=True)
    assert "Body 54" in second and "Body 00" not in second
    experts = legal.get("/organisations?kind=expert&q=body").get_data(as_text=True)
    assert "(27)" in experts and "Body 01" in experts and "Body 02" not in experts
    assert legal.get("/organisations?country=Narnia").status_code == 422
    assert legal.get("/organisations/99999").status_code == 404
    assert legal.get("/organisations/abc/edit").status_code == 404
