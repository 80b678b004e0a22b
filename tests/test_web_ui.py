"""The web UI as people use it: sign in, open a case, file analyses, decide (real forms, CSRF)."""

from __future__ import annotations

from conftest import csrf_from, open_case, set_password, web_login


def _post_form(client, page_url: str, data: dict, post_url: str | None = None):
    """GET a page, take its CSRF token, and POST the form like a browser would."""
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    data = {**data, "csrf_token": csrf_from(page.get_data(as_text=True))}
    return client.post(post_url or page_url, data=data)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ("/", "/cases", "/cases/new", "/cases/INC-2026-0001"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(app, client, people):
    set_password(app, people["legal"].email)
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": people["legal"].email,
            "password": "nope",
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 401
    assert "Email or password is wrong" in response.get_data(as_text=True)
    unknown = client.post(
        "/login",
        data={
            "email": "ghost@example.org",
            "password": "nope",
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert unknown.status_code == 401


def test_forms_without_a_csrf_token_are_refused(app, client, people):
    password = set_password(app, people["triager"].email)
    response = client.post("/login", data={"email": people["triager"].email, "password": password})
    assert response.status_code == 400
    web_login(client, app, people["triager"].email)
    response = client.post(
        "/cases/new", data={"title": "x", "playbook": "content-takedown", "jurisdiction": "TR"}
    )
    assert response.status_code == 400


def test_login_never_redirects_off_site(app, people):
    password = set_password(app, people["legal"].email)
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/cases"):
        client = app.test_client()
        page = client.get(f"/login?next={target}")
        response = client.post(
            f"/login?next={target}",
            data={
                "email": people["legal"].email,
                "password": password,
                "csrf_token": csrf_from(page.get_data(as_text=True)),
            },
        )
        location = response.headers["Location"]
        assert "evil" not in location
        assert location == ("/cases" if target == "/cases" else "/")


def test_triager_opens_a_case_and_a_bad_field_keeps_what_was_typed(app, client, people):
    web_login(client, app, people["triager"].email)
    bad = _post_form(
        client,
        "/cases/new",
        {
            "title": "Takedown order for 40 posts",
            "playbook": "content-takedown",
            "jurisdiction": "Narnia",
            "summary": "Kept summary",
        },
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Jurisdiction “Narnia” is not an ISO 3166 country" in html
    assert "Takedown order for 40 posts" in html and "Kept summary" in html
    good = _post_form(
        client,
        "/cases/new",
        {
            "title": "Takedown order for 40 posts",
            "playbook": "content-takedown",
            "jurisdiction": "tr",
            "restricted": "on",
            "gag_order": "on",
            "stage": "in_force",
        },
    )
    assert good.status_code == 302
    page = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "Takedown order for 40 posts" in page and "Restricted" in page and "Gag order" in page
    assert "INC-" in page and "case opened" in page  # the timeline


def test_only_triagers_and_admins_see_the_new_case_form(app, client, people):
    web_login(client, app, people["legal"].email)
    assert client.get("/cases/new").status_code == 403
    assert "New case" not in client.get("/").get_data(as_text=True)


def test_leads_file_through_the_generated_form_and_executive_decides(app, client, api, people):
    case = open_case(api)
    ref = case["ref"]
    playbook = app.extensions["incident_hub.playbooks"].get("content-takedown")
    web_login(client, app, people["legal"].email)
    home = client.get("/").get_data(as_text=True)
    assert ref in home and "Analysis: Legal" in home
    spec = playbook.function("legal")
    form_page = client.get(f"/cases/{ref}/analysis/legal").get_data(as_text=True)
    for question in spec.questions:  # every playbook question is a labelled field
        assert f'<label for="answer-{question.key}">' in form_page
    assert client.get(f"/cases/{ref}/analysis/human-rights").status_code == 403
    missing = _post_form(client, f"/cases/{ref}/analysis/legal", {"analysis": "Valid order."})
    assert missing.status_code == 422
    assert "Recommendation: choose one of “" in missing.get_data(as_text=True)
    filed = _post_form(
        client,
        f"/cases/{ref}/analysis/legal",
        {
            "analysis": "Procedurally valid; scope overbroad.",
            "recommendation": "partially-reject",
            # every question answered: a required one left open would keep it a draft
            **{f"answer-{q.key}": f"On {q.key}." for q in spec.questions},
            f"answer-{spec.questions[0].key}": "Article 8 order.",
        },
    )
    assert filed.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})

    web_login(client, app, people["exec"].email)
    decide = client.get(f"/cases/{ref}/decision").get_data(as_text=True)
    assert "Procedurally valid; scope overbroad." in decide and "Partially reject" in decide
    refused = _post_form(
        client, f"/cases/{ref}/decision", {"option": "partially-reject", "rationale": "Narrow it."}
    )
    assert (
        refused.status_code == 409
        and "is still waiting for the analyses of" in refused.get_data(as_text=True)
    )
    done = _post_form(
        client,
        f"/cases/{ref}/decision",
        {"option": "partially-reject", "rationale": "Narrow it.", "override": "on"},
    )
    assert done.status_code == 302
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Narrow it." in page and "Decided" in page and "decision recorded" in page


def test_restricted_case_page_is_not_found_for_non_participants(app, client, api, people):
    response = api("admin").post(
        "/cases",
        json={
            "title": "Secret order",
            "restricted": True,
            "playbook": "content-takedown",
            "jurisdiction": "GB",
        },
    )
    ref = response.get_json()["ref"]
    web_login(client, app, people["outsider"].email)
    assert client.get(f"/cases/{ref}").status_code == 404
    assert "Secret order" not in client.get("/cases").get_data(as_text=True)


def test_admin_actions_from_the_case_page(app, client, api, people):
    ref = open_case(api)["ref"]
    web_login(client, app, people["admin"].email)
    page = f"/cases/{ref}"
    waived = _post_form(
        client, page, {"note": "No comms needed"}, f"/cases/{ref}/assignments/communications/waive"
    )
    assert waived.status_code == 302
    no_note = _post_form(client, page, {"note": ""}, f"/cases/{ref}/close")
    assert no_note.status_code == 302
    follow = client.get(page).get_data(as_text=True)
    assert "closing a case without a decision needs a note" in follow
    _post_form(client, page, {"note": "Law withdrawn"}, f"/cases/{ref}/close")
    assert "Closed" in client.get(page).get_data(as_text=True)


def test_follow_button_and_logout(app, client, api, people):
    ref = open_case(api)["ref"]
    web_login(client, app, people["legal"].email)
    _post_form(client, f"/cases/{ref}", {}, f"/cases/{ref}/follow")
    assert "Unfollow" in client.get(f"/cases/{ref}").get_data(as_text=True)
    _post_form(client, "/", {}, "/logout")
    assert client.get("/").status_code == 302


def test_pages_send_security_headers_and_safe_cookies(app, client, people):
    web_login(client, app, people["legal"].email)
    response = client.get("/cases")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_case_list_filters(app, client, api, people):
    open_case(api, title="Takedown in Turkey")
    open_case(api, "network-shutdown", title="Shutdown in Myanmar", jurisdiction="MM")
    web_login(client, app, people["legal"].email)
    html = client.get("/cases?playbook=network-shutdown").get_data(as_text=True)
    assert "Shutdown in Myanmar" in html and "Takedown in Turkey" not in html
    html = client.get("/cases?q=turkey&status=bogus").get_data(as_text=True)
    assert "Takedown in Turkey" in html and "Shutdown in Myanmar" not in html
