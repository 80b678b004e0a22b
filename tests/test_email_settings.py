"""How notices reach a person, chosen at every door (the API's ``/me``, the account page,
``incident-hub users set-notify``), audited, refused clearly when wrong; reminder slots that
go by e-mail too, once per slot; the notices page showing e-mail rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import csrf_from, notices, open_case, web_login, working
from smtpserver import smtp_fixture  # noqa: F401  (the ``smtp`` fixture)

from incident_hub.audit.models import AuditEvent
from incident_hub.auth.models import User
from incident_hub.clock import parse_iso
from incident_hub.extensions import db


@pytest.fixture
def config_overrides(smtp):
    return {"EMAIL": smtp.config()}


def stored(app, email: str) -> str:
    with app.app_context():
        return db.session.execute(db.select(User.notify_by).filter_by(email=email)).scalar_one()


def patch_me(api, who: str, body):  # noqa: ANN001, ANN201
    person = api(who)
    return person.client.patch("/api/v1/me", json=body, headers=person.person.headers)


def test_the_api_sets_your_choice_and_refuses_anything_else(app, api, people):
    me = api("legal").get("/me").get_json()
    assert me["notify_by"] == "slack" and me["notified_by"] == ["email"]  # no Slack id yet
    for bad in ("pigeon", "", None, 3, ["email"]):
        response = patch_me(api, "legal", {"notify_by": bad})
        assert response.status_code == 422, (bad, response.get_json())
        assert "notify_by" in str(response.get_json())
    refused = patch_me(api, "legal", {"notify_by": "email", "timezone": "Mars/Base"})
    assert refused.status_code == 422 and stored(app, people["legal"].email) == "slack"
    both = patch_me(api, "legal", {"notify_by": "both", "timezone": "Asia/Tokyo"}).get_json()
    assert both["notify_by"] == "both" and both["timezone"] == "Asia/Tokyo"
    assert patch_me(api, "legal", {}).get_json()["notify_by"] == "both"  # nothing sent
    assert stored(app, people["rights"].email) == "slack"
    with app.app_context():
        (event,) = db.session.execute(
            db.select(AuditEvent).filter_by(action="user.notify_by")
        ).scalars()
        assert event.details == {"before": "slack", "after": "both"}
    assert api(None).get("/me").status_code == 401


def test_you_choose_on_your_account_page(app, client, people):
    web_login(client, app, people["legal"].email)
    page = client.get("/account/notices")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="slack" checked' in html
    assert "has no Slack id" in html
    token = csrf_from(html)
    bad = client.post("/account/notices", data={"notify_by": "fax", "csrf_token": token})
    assert bad.status_code == 422 and stored(app, people["legal"].email) == "slack"
    saved = client.post("/account/notices", data={"notify_by": "email", "csrf_token": token})
    assert saved.status_code == 302 and stored(app, people["legal"].email) == "email"
    assert 'value="email" checked' in client.get("/account/notices").get_data(as_text=True)


def test_an_operator_chooses_for_someone_at_the_cli(app, runner, people):
    email = people["exec"].email
    result = runner.invoke(["users", "set-notify", email, "both"])
    assert result.exit_code == 0, result.output
    assert "notices by both" in result.output and stored(app, email) == "both"
    wrong = runner.invoke(["users", "set-notify", email, "fax"])
    assert wrong.exit_code == 2 and "fax" in wrong.output and stored(app, email) == "both"
    nobody = runner.invoke(["users", "set-notify", "nobody@example.org", "email"])
    assert nobody.exit_code != 0 and "no user" in nobody.output


def test_someone_else_s_choice_is_for_admins_only(app, people):
    from incident_hub.actor import Actor
    from incident_hub.auth.service import set_notify_by
    from incident_hub.errors import Forbidden

    with app.app_context():
        legal, rights = (
            db.session.execute(db.select(User).filter_by(email=people[n].email)).scalar_one()
            for n in ("legal", "rights")
        )
        with pytest.raises(Forbidden):
            set_notify_by(Actor(user=legal, via="api"), {"notify_by": "email"}, rights)
        assert rights.notify_by == "slack"


def tick(runner, at) -> None:  # noqa: ANN001
    result = runner.invoke(["tick", "--at", at.isoformat()])
    assert result.exit_code == 0, result.output


def test_a_reminder_slot_yields_one_slack_message_and_one_e_mail(
    app, api, runner, people, slack_ids, smtp
):
    patch_me(api, "legal", {"notify_by": "both"})
    case = open_case(api)
    due = parse_iso(next(a["due_at"] for a in case["assignments"] if a["function"] == "legal"))
    first = working(due + timedelta(minutes=1))
    tick(runner, first)
    tick(runner, first)  # a second pass (or a second scheduler) adds nothing
    tick(runner, first + timedelta(hours=2))
    rows = [
        n
        for n in notices(app, kind="assignment_overdue")
        if n.audience in (slack_ids["legal"], f"email:{people['legal'].email}")
    ]
    assert sorted(n.audience for n in rows) == sorted(
        [slack_ids["legal"], f"email:{people['legal'].email}"]
    )
    reminders = [r for r in smtp.received if r.subject.startswith("Overdue: your analysis")]
    assert [r.rcpt_tos for r in reminders] == [[people["legal"].email]]
    tick(runner, working(first + timedelta(days=1)))  # the next day's slot
    reminders = [r for r in smtp.received if r.subject.startswith("Overdue: your analysis")]
    assert len(reminders) == 2


def test_the_notices_page_shows_e_mail_rows(app, client, api, people, smtp):
    open_case(api, title="Order to block a news site")
    web_login(client, app, people["admin"].email)
    html = client.get("/admin/notices").get_data(as_text=True)
    assert "E-mail notices are on" in html
    assert f"email:{people['legal'].email}" in html and "Order to block a news site" in html
    assert "Leads and executives without a Slack id" not in html  # e-mail reaches them
