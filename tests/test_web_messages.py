"""Every web form, given bad input, answers in people's words: field labels, option titles and
country names, never an internal key (comply-narrowly), an API field name (due_at, opened_from)
or an API word (override). The API keeps its machine codes and field names."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from conftest import csrf_from, open_case, web_login

SHOWN = re.compile(r'<p class="(?:flash flash-error|field-error)"[^>]*>(.*?)</p>', re.S)
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # due_at, opened_from, interval_min…


def _messages(page: str) -> list[str]:
    return [html_lib.unescape(m).strip() for m in SHOWN.findall(page)]


def _option_keys(app, playbook: str = "content-takedown") -> list[str]:
    return [o.key for o in app.extensions["incident_hub.playbooks"].get(playbook).options]


def assert_in_words(app, page: str, *expected: str) -> list[str]:
    """The page shows a message, in words: no snake_case, no option key, no 'override'."""
    shown = _messages(page)
    assert shown, page[:2000]
    text = " ".join(shown)
    assert not SNAKE.search(text), shown
    assert "_at" not in text and "override" not in text and "ISO 8601" not in text, shown
    for key in _option_keys(app):
        assert not re.search(rf"(?<![\w“-]){re.escape(key)}(?![\w”-])", text), (key, shown)
    for phrase in expected:
        assert phrase in text, shown
    return shown


def _post(client, page: str, url: str, data: dict):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=True)


NEW_CASE = {"title": "Takedown order", "playbook": "content-takedown", "jurisdiction": "Turkey"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"jurisdiction": "Narnia"}, "Jurisdiction “Narnia” is not an ISO 3166 country"),
        ({"jurisdiction": "ZZ"}, "Jurisdiction “ZZ” is not an ISO 3166 country"),
        ({"playbook": "nope"}, "Playbook: choose one of the playbooks offered"),
        ({"effective_date": "next week"}, "Effective date must be a date like"),
        ({"response_deadline": "31/12/2026"}, "Response deadline must be a date like"),
        ({"stage": "rumour"}, "Stage must be one of"),
        ({"title": ""}, "Title is required"),
    ],
)
def test_the_new_case_form_answers_in_words(app, client, people, change, expected):
    web_login(client, app, people["triager"].email)
    page = _post(client, "/cases/new", "/cases/new", {**NEW_CASE, **change})
    assert page.status_code == 422
    assert_in_words(app, page.get_data(as_text=True), expected)


def test_a_country_name_files_the_case_under_its_code(app, client, api, people):
    web_login(client, app, people["triager"].email)
    page = client.get("/cases/new").get_data(as_text=True)
    assert '<datalist id="jurisdiction-names">' in page and '<option value="Germany">DE' in page
    done = _post(client, "/cases/new", "/cases/new", {**NEW_CASE, "jurisdiction": "united kingdom"})
    assert done.status_code == 200 and "opened" in done.get_data(as_text=True)
    (case,) = api("admin").get("/cases").get_json()
    assert case["jurisdiction"] == "GB"  # the API keeps codes
    shown = client.get(f"/cases/{case['ref']}").get_data(as_text=True)
    assert "United Kingdom" in shown
    assert "United Kingdom" in client.get("/cases").get_data(as_text=True)
    assert api("admin").post("/cases", json=NEW_CASE).get_json()["jurisdiction"] == "TR"


def test_the_decision_and_analysis_forms_answer_with_titles(app, client, api, people):
    ref = open_case(api)["ref"]
    web_login(client, app, people["exec"].email)
    page = f"/cases/{ref}/decision"
    early = _post(client, page, page, {"option": "partially-reject", "rationale": "Narrow."})
    assert early.status_code == 409
    assert_in_words(app, early.get_data(as_text=True), "To decide now, tick “Decide now")
    bad = _post(client, page, page, {"option": "nope", "rationale": "x", "override": "on"})
    assert bad.status_code == 422
    titles = [
        o.title for o in app.extensions["incident_hub.playbooks"].get("content-takedown").options
    ]
    assert_in_words(app, bad.get_data(as_text=True), "Decision: choose one of", f"“{titles[0]}”")
    # the API still names the keys (and the field) for a client to act on
    body = {"option": "nope", "rationale": "x", "override": True}
    error = api("exec").post(f"/cases/{ref}/decision", json=body).get_json()["error"]
    assert error["field"] == "option" and _option_keys(app)[0] in error["message"]

    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    web_login(client, app, people["legal"].email)
    page = f"/cases/{ref}/analysis/legal"
    filed = _post(client, page, page, {"analysis": "Valid order.", "recommendation": "nope"})
    assert filed.status_code == 422
    assert_in_words(app, filed.get_data(as_text=True), "Recommendation: choose one of “")


def test_the_action_form_names_the_due_date(app, client, api, people):
    ref = open_case(api)["ref"]
    body = {"option": _option_keys(app)[0], "rationale": "Comply.", "override": True}
    assert api("exec").post(f"/cases/{ref}/decision", json=body).status_code == 201
    web_login(client, app, people["admin"].email)
    form = {"title": "Tell users", "owner": people["legal"].email, "due_at": "next week"}
    page = _post(client, f"/cases/{ref}", f"/cases/{ref}/actions", form)
    assert_in_words(app, page.get_data(as_text=True), "Due date must be a date like 2026-12-31")
    api_error = api("admin").post(f"/cases/{ref}/actions", json=form).get_json()["error"]
    assert api_error["field"] == "due_at" and api_error["code"] == "validation_error"


def test_search_and_source_forms_answer_in_words(app, client, api, people):
    web_login(client, app, people["admin"].email)
    page = client.get("/search?q=order&opened_from=2026-05-01&opened_to=2026-01-01")
    assert_in_words(app, page.get_data(as_text=True), "“Opened from” is after “Opened to”")
    added = _post(
        client,
        "/sources",
        "/sources",
        {"key": "k", "title": "K", "url": "http://x.org/f", "interval_min": "0"},
    )
    assert_in_words(app, added.get_data(as_text=True), "Poll interval (minutes) must be at least 1")
    tokens = _post(client, "/account/tokens", "/account/tokens", {"name": "ci", "days": "100000"})
    shown = assert_in_words(app, tokens.get_data(as_text=True), "Days must be")
    assert "API_TOKEN_MAX_DAYS" not in " ".join(shown)
