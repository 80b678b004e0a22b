"""Question-level completeness (issue 17): a playbook's required questions hold a function's
filing back as a draft, and the case back from its decision, until they have real answers.

Through the JSON API, the web forms and the CLI, on SQLite and PostgreSQL. The shipped
content-takedown playbook is used as is: its human-rights function has six questions, three of
them required (impact-severity, necessity-proportionality, involvement).
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import CLI, analysis_body, csrf_from, lead_for, open_case, web_login

from incident_hub.audit.models import AuditEvent
from incident_hub.auth.service import create_user
from incident_hub.cases.completeness import is_answer
from incident_hub.cases.draft_filings import AnalysisDraft
from incident_hub.cases.models import Analysis
from incident_hub.extensions import db

RIGHTS_REQUIRED = ["impact-severity", "necessity-proportionality", "involvement"]
# Four of the six human-rights questions: two required ones, two optional; involvement (required)
# and consultation (optional) are left open.
FOUR_OF_SIX = {
    "impact-severity": "Expression of journalists in TR; severe, hard to remedy.",
    "necessity-proportionality": "Overbroad: 40 posts, 12 of them reporting on the ministry.",
    "leverage": "GNI peers received the same order.",
    "at-risk-groups": "Two authors are journalists.",
}


def spec_of(app, function: str):  # noqa: ANN001, ANN201
    return app.extensions["incident_hub.playbooks"].get("content-takedown").function(function)


def file_others(app, api, case: dict, *, but: str) -> None:  # noqa: ANN001
    """Every required function but ``but`` files a complete analysis."""
    playbook = app.extensions["incident_hub.playbooks"].get(case["playbook"])
    for function in playbook.functions:
        if function.required and function.key != but:
            body = analysis_body(app, case, function.key)
            response = api(lead_for(function.key)).post(f"/cases/{case['ref']}/analyses", json=body)
            assert response.status_code == 201, response.get_json()


def rights_body(app, case: dict, answers: dict[str, str], **extra) -> dict:  # noqa: ANN001
    return analysis_body(app, case, "human-rights") | {"answers": answers} | extra


def assignment(case: dict, function: str) -> dict:
    return next(a for a in case["assignments"] if a["function"] == function)


# --- what counts as an answer ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\t", "x", "X", "-", "?", ".", "…", "...", "--", "x.", "xx", "xxx",
             "n/a", "N/A", "na", "TBD", "todo", "To do", " tbc. "],
)  # fmt: skip
def test_blank_single_characters_and_placeholders_are_not_answers(text):
    assert not is_answer(text)


@pytest.mark.parametrize(
    "text", ["No", "no.", "Yes", "None", "Unclear", "Yes, in part: only 12 of the 40 posts.",
             "Nein", "EU"],
)  # fmt: skip
def test_short_real_answers_count(text):
    assert is_answer(text)


# --- JSON API -------------------------------------------------------------------------------


def test_required_questions_hold_the_case_back_until_answered(app, api):
    case = open_case(api)
    ref = case["ref"]
    file_others(app, api, case, but="human-rights")

    partial = api("rights").post(f"/cases/{ref}/analyses", json=rights_body(app, case, FOUR_OF_SIX))
    assert partial.status_code == 201, partial.get_json()  # kept: the lead can come back
    shown = partial.get_json()
    rights = assignment(shown, "human-rights")
    assert rights["status"] == "draft"
    assert (rights["answered"], rights["questions"], rights["complete"]) == (4, 6, False)
    assert [(q["key"], q["required"]) for q in rights["open_questions"]] == [
        ("involvement", True),
        ("consultation", False),
    ]
    assert rights["missing_required"] == ["involvement"]
    assert rights["draft_by"] == "rights@example.org" and rights["draft_saved_at"]
    assert shown["status"] == "open"  # every other required function has filed
    assert not [a for a in shown["analyses"] if a["function"] == "human-rights"]

    again = api("legal").get(f"/cases/{ref}").get_json()  # anyone who sees the case sees it
    assert assignment(again, "human-rights")["status"] == "draft"
    assert assignment(again, "human-rights")["answered"] == 4
    legal = assignment(again, "legal")
    assert legal["status"] == "filed" and legal["answered"] == legal["questions"] == 5
    assert legal["open_questions"] == [] and legal["complete"] is True
    assert next(a for a in again["analyses"] if a["function"] == "legal")["answered"] == 5

    refused = api("exec").post(
        f"/cases/{ref}/decision", json={"option": "comply-narrowly", "rationale": "Now."}
    )
    assert refused.status_code == 409
    assert "waiting for: human-rights" in refused.get_json()["error"]["message"]

    complete = FOUR_OF_SIX | {"involvement": "Complying would contribute to the harm."}
    filed = api("rights").post(f"/cases/{ref}/analyses", json=rights_body(app, case, complete))
    assert filed.status_code == 201
    done = filed.get_json()
    rights = assignment(done, "human-rights")
    assert rights["status"] == "filed" and rights["missing_required"] == []
    assert (rights["answered"], rights["draft_saved_at"]) == (5, None)
    assert [q["key"] for q in rights["open_questions"]] == ["consultation"]
    assert done["status"] == "awaiting_decision"
    versions = [a for a in done["analyses"] if a["function"] == "human-rights"]
    assert [(a["version"], a["answered"]) for a in versions] == [(1, 5)]  # a draft is no version
    with app.app_context():
        assert db.session.execute(db.select(AnalysisDraft)).scalars().all() == []
        actions = db.session.execute(
            db.select(AuditEvent.action, AuditEvent.details).where(AuditEvent.object_ref == ref)
        ).all()
    drafted = [details for action, details in actions if action == "analysis.drafted"]
    assert drafted == [
        {"function": "human-rights", "answered": 4, "questions": 6, "missing": ["involvement"]}
    ]


def test_a_trivial_answer_to_a_required_question_does_not_count(app, api):
    case = open_case(api, playbook="content-takedown")
    spec = spec_of(app, "legal")
    answers = {q.key: f"On {q.key}: the ministry's order, article 8." for q in spec.questions}
    answers |= {"legal-basis": "x", "scope": "  ", "penalties-deadline": "n/a"}
    body = analysis_body(app, case, "legal") | {"answers": answers}
    shown = api("legal").post(f"/cases/{case['ref']}/analyses", json=body).get_json()
    legal = assignment(shown, "legal")
    assert legal["status"] == "draft"
    assert (legal["answered"], legal["questions"]) == (2, 5)
    assert legal["missing_required"] == ["legal-basis", "scope", "penalties-deadline"]

    # A yes/no question answered "No" is answered.
    answers |= {"legal-basis": "Article 8.", "scope": "No", "penalties-deadline": "Yes"}
    shown = api("legal").post(f"/cases/{case['ref']}/analyses", json=body | {"answers": answers})
    assert assignment(shown.get_json(), "legal")["status"] == "filed"


def test_a_complete_filing_may_be_kept_as_a_draft_on_request(app, api):
    case = open_case(api)
    body = analysis_body(app, case, "legal") | {"draft": True}
    shown = api("legal").post(f"/cases/{case['ref']}/analyses", json=body).get_json()
    legal = assignment(shown, "legal")
    assert legal["status"] == "draft" and legal["complete"] is True
    assert shown["analyses"] == []
    # Filed without the flag, it is version 1.
    body["draft"] = False
    shown = api("legal").post(f"/cases/{case['ref']}/analyses", json=body).get_json()
    assert assignment(shown, "legal")["status"] == "filed"
    assert [a["version"] for a in shown["analyses"]] == [1]


def test_a_filed_function_stays_filed_while_its_revision_is_a_draft(app, api):
    case = open_case(api)
    file_others(app, api, case, but="")
    revision = api("rights").post(
        f"/cases/{case['ref']}/analyses", json=rights_body(app, case, FOUR_OF_SIX)
    )
    shown = revision.get_json()
    rights = assignment(shown, "human-rights")
    assert rights["status"] == "filed" and rights["draft_saved_at"]
    assert rights["answered"] == 6  # the filed version's: the revision is work in progress
    assert shown["status"] == "awaiting_decision"


def test_an_advisory_function_with_open_required_questions_does_not_hold_the_case(app, api):
    case = open_case(api)
    file_others(app, api, case, but="")
    body = analysis_body(app, case, "communications") | {"answers": {}}
    shown = api("policy").post(f"/cases/{case['ref']}/analyses", json=body).get_json()
    assert assignment(shown, "communications")["status"] == "filed"  # no required questions
    assert shown["status"] == "awaiting_decision"


def test_an_admin_may_waive_a_draft_function(app, api):
    case = open_case(api)
    api("rights").post(f"/cases/{case['ref']}/analyses", json=rights_body(app, case, FOUR_OF_SIX))
    waived = api("admin").post(
        f"/cases/{case['ref']}/assignments/human-rights/waive", json={"note": "Not needed here."}
    )
    assert waived.status_code == 200, waived.get_json()
    assert assignment(waived.get_json(), "human-rights")["status"] == "waived"


def test_playbooks_list_which_questions_are_required(api):
    playbooks = api("legal").get("/playbooks").get_json()
    takedown = next(p for p in playbooks if p["key"] == "content-takedown")
    rights = next(f for f in takedown["functions"] if f["key"] == "human-rights")
    assert [q["key"] for q in rights["questions"] if q["required"]] == RIGHTS_REQUIRED
    assert len(rights["questions"]) == 6


# --- web ------------------------------------------------------------------------------------


def _post_form(client, path: str, answers: dict[str, str], **extra: str):  # noqa: ANN001, ANN202
    page = client.get(path).get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(page),
        "analysis": "Severe and overbroad; see the answers.",
        "recommendation": "partially-reject",
        **{f"answer-{k}": v for k, v in answers.items()},
        **extra,
    }
    return client.post(path, data=data)


def test_the_web_form_names_the_missing_required_questions_and_restores_the_draft(
    app, api, client, people
):
    case = open_case(api)
    ref = case["ref"]
    file_others(app, api, case, but="human-rights")
    web_login(client, app, "rights@example.org")
    path = f"/cases/{ref}/analysis/human-rights"
    form = client.get(path).get_data(as_text=True)
    assert form.count('class="required-mark"') == 3
    assert 'aria-required="true"' in form and "Save without filing" in form

    posted = _post_form(client, path, FOUR_OF_SIX)
    assert posted.status_code == 302 and posted.headers["Location"].endswith(path)
    back = client.get(path).get_data(as_text=True)
    assert "saved as a draft, not filed (4 of 6 answered)" in back
    assert "Would complying mean we cause, contribute to or are directly linked" in back
    assert "not filed" in back and "4 of 6 answered" in back
    # What was typed is back in the form, and the open required question is marked.
    assert "Two authors are journalists." in back
    marked = re.search(r'<textarea id="answer-involvement"[^>]*>', back)
    assert marked and 'aria-invalid="true"' in marked[0], marked
    assert 'id="answer-consultation-error"' not in back  # optional: not marked
    assert "Required: not answered yet." in back

    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert re.search(r'badge-draft"><span class="visually-hidden">Status: </span>Draft<', page)
    assert "4 of 6 answered; 1 required question open" in page
    assert "Complete analysis" in page
    assert api("rights").get(f"/cases/{ref}").get_json()["status"] == "open"

    done = _post_form(client, path, FOUR_OF_SIX | {"involvement": "It would contribute."})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/cases/{ref}")
    assert "Human rights" in client.get(f"/cases/{ref}").get_data(as_text=True)
    assert api("rights").get(f"/cases/{ref}").get_json()["status"] == "awaiting_decision"


def test_another_lead_of_the_function_picks_up_the_draft(app, api, client, people):
    case = open_case(api)
    api("rights").post(f"/cases/{case['ref']}/analyses", json=rights_body(app, case, FOUR_OF_SIX))
    with app.app_context():
        create_user(CLI, email="rights2@example.org", name="Rights Two", roles=["lead"],
                    functions=["human-rights"])  # fmt: skip
    web_login(client, app, "rights2@example.org")
    form = client.get(f"/cases/{case['ref']}/analysis/human-rights").get_data(as_text=True)
    assert "draft saved by Rights" in form and "GNI peers received the same order." in form


def test_save_without_filing_on_the_web_keeps_a_complete_analysis_a_draft(app, api, client, people):
    case = open_case(api)
    web_login(client, app, "legal@example.org")
    answers = {q.key: f"On {q.key}." for q in spec_of(app, "legal").questions}
    posted = _post_form(client, f"/cases/{case['ref']}/analysis/legal", answers, save="draft")
    assert posted.status_code == 302 and posted.headers["Location"].endswith(
        f"/cases/{case['ref']}"
    )
    shown = api("legal").get(f"/cases/{case['ref']}").get_json()
    assert assignment(shown, "legal")["status"] == "draft" and shown["analyses"] == []
    with app.app_context():
        assert db.session.execute(db.select(Analysis)).scalars().all() == []


def test_my_work_shows_a_draft_analysis_as_draft(app, api, client, people):
    case = open_case(api)
    api("rights").post(f"/cases/{case['ref']}/analyses", json=rights_body(app, case, FOUR_OF_SIX))
    web_login(client, app, "rights@example.org")
    home = client.get("/").get_data(as_text=True)
    assert "Draft: required questions open" in home and "Complete analysis" in home


# --- CLI ------------------------------------------------------------------------------------


def test_cli_files_a_partial_analysis_as_a_draft_and_shows_what_is_open(app, api, runner):
    case = open_case(api)
    ref = case["ref"]
    file_others(app, api, case, but="human-rights")
    base = ["cases", "file", ref, "--as", "rights@example.org", "--function", "human-rights",
            "--recommendation", "partially-reject", "--analysis", "Overbroad."]  # fmt: skip
    answers = [a for key, text in FOUR_OF_SIX.items() for a in ("--answer", f"{key}={text}")]
    result = runner.invoke(base + answers + ["--answer", "involvement=x"])
    assert result.exit_code == 0, result.output
    assert (
        f"{ref}: human-rights analysis saved as a draft, not filed (4 of 6 answered; "
        "required still open: involvement); case is open." in result.output
    )
    shown = runner.invoke(["cases", "show", "--as", "exec@example.org", ref])
    assert shown.exit_code == 0, shown.output
    rights = assignment(json.loads(shown.output), "human-rights")
    assert (rights["status"], rights["answered"], rights["questions"]) == ("draft", 4, 6)
    assert [q["key"] for q in rights["open_questions"]] == ["involvement", "consultation"]

    result = runner.invoke(base + answers + ["--answer", "involvement=Contribute, via 40 posts."])
    assert f"{ref}: human-rights analysis filed (version 1); case is awaiting_decision." in (
        result.output
    )


def test_a_draft_left_when_the_case_was_decided_early_carries_into_a_reopened_round(app, api):
    case = open_case(api)
    ref = case["ref"]
    api("rights").post(f"/cases/{ref}/analyses", json=rights_body(app, case, FOUR_OF_SIX))
    early = {"option": "comply-narrowly", "rationale": "The deadline is today.", "override": True}
    assert api("exec").post(f"/cases/{ref}/decision", json=early).status_code == 201
    reopened = api("admin").post(f"/cases/{ref}/reopen", json={"note": "The order was amended."})
    assert reopened.status_code == 200, reopened.get_json()
    shown = reopened.get_json()
    assert assignment(shown, "human-rights")["status"] == "draft"
    assert assignment(shown, "human-rights")["answered"] == 4
    assert assignment(shown, "legal")["status"] == "pending"
