"""The case page cache: served again only while nothing at all has changed, never across
people or sessions, never with a one-time message, never for a restricted case."""

from __future__ import annotations

from conftest import analysis_body, csrf_from, open_case, web_login
from sqlalchemy import event, func, select

from incident_hub.audit.models import AuditEvent
from incident_hub.extensions import db


def statements(app, client, path: str) -> tuple[int, str]:
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda *_a: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(seen), response.get_data(as_text=True)


def test_a_repeat_view_is_served_from_the_cache_until_anything_changes(app, client, api, people):
    case = open_case(api)
    path = f"/cases/{case['ref']}"
    web_login(client, app, people["legal"].email)
    client.get("/")  # shows (and so clears) the "signed in" message
    first, page = statements(app, client, path)
    again, same = statements(app, client, path)
    assert again < first / 2 and same == page  # a handful of lookups instead of the whole page
    body = analysis_body(app, case, "human-rights")
    assert api("rights").post(f"/cases/{case['ref']}/analyses", json=body).status_code == 201
    after, fresh = statements(app, client, path)
    assert after > again and "human-rights analysis of" in fresh


def test_pages_are_never_shared_between_people_and_messages_show_once(app, api, people):
    case = open_case(api)
    path = f"/cases/{case['ref']}"
    legal, rights = app.test_client(), app.test_client()
    web_login(legal, app, people["legal"].email)
    web_login(rights, app, people["rights"].email)
    token = csrf_from(legal.get(path).get_data(as_text=True))
    rights.get(path)
    followed = legal.post(f"{path}/follow", data={"csrf_token": token}, follow_redirects=True)
    assert "You are following this case." in followed.get_data(as_text=True)
    assert "You are following this case." not in legal.get(path).get_data(as_text=True)
    assert ">Unfollow<" in legal.get(path).get_data(as_text=True)
    other = rights.get(path).get_data(as_text=True)
    assert ">Follow<" in other and csrf_from(other) != token


def test_every_read_of_a_restricted_case_is_still_audited(app, client, api, people):
    case = open_case(api, restricted=True)
    web_login(client, app, people["legal"].email)  # a lead of an assigned function: a member
    views = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "case.viewed")
    for expected in (1, 2, 3):
        assert client.get(f"/cases/{case['ref']}").status_code == 200
        with app.app_context():
            assert db.session.execute(views).scalar_one() == expected


def test_two_sessions_of_one_person_never_share_a_page(app, api, people):
    """Each page carries its session's CSRF token: a second browser of the same person must
    get a page of its own, even when neither session has a CSRF secret yet."""
    case = open_case(api)
    path = f"/cases/{case['ref']}"
    first, second = app.test_client(), app.test_client()
    for browser in (first, second):
        web_login(browser, app, people["legal"].email)
        with browser.session_transaction() as session:
            session.pop("csrf_token", None)
            session.pop("_flashes", None)
    one = csrf_from(first.get(path).get_data(as_text=True))
    two = csrf_from(second.get(path).get_data(as_text=True))
    assert one != two
    response = second.post(f"{path}/follow", data={"csrf_token": two})
    assert response.status_code == 302
