"""Each person's own time zone for reminders: set through the API (``/api/v1/me``), the
account page and ``incident-hub users set-timezone``; an unknown name is refused at each door."""

from __future__ import annotations

from conftest import csrf_from, web_login

from incident_hub.audit.models import AuditEvent
from incident_hub.auth.models import User
from incident_hub.extensions import db


def stored_zone(app, email: str) -> str | None:
    with app.app_context():
        return db.session.execute(db.select(User.timezone).filter_by(email=email)).scalar_one()


def patch_me(api, who: str, body: dict):  # noqa: ANN201
    person = api(who)
    return person.client.patch("/api/v1/me", json=body, headers=person.person.headers)


def test_you_read_and_set_your_time_zone_through_the_api(app, api, people):
    me = api("legal").get("/me")
    assert me.status_code == 200
    assert me.get_json() | {"roles": None} == {
        "email": people["legal"].email,
        "name": me.get_json()["name"],
        "roles": None,
        "functions": ["legal"],
        "timezone": None,
        "reminder_timezone": "UTC",  # [REMINDERS] TIMEZONE
        "notify_by": "slack",
        "notified_by": [],  # no Slack id, and e-mail is off
    }
    response = patch_me(api, "legal", {"timezone": "Asia/Tokyo"})
    assert response.status_code == 200
    assert response.get_json()["timezone"] == "Asia/Tokyo"
    assert response.get_json()["reminder_timezone"] == "Asia/Tokyo"
    assert stored_zone(app, people["legal"].email) == "Asia/Tokyo"
    assert stored_zone(app, people["rights"].email) is None  # nobody else's changed
    assert patch_me(api, "legal", {}).get_json()["timezone"] == "Asia/Tokyo"  # nothing sent
    assert patch_me(api, "legal", {"timezone": None}).get_json()["timezone"] is None
    with app.app_context():
        (event, *_) = db.session.execute(
            db.select(AuditEvent).filter_by(action="user.timezone").order_by(AuditEvent.id)
        ).scalars()
        assert event.details == {"before": None, "after": "Asia/Tokyo"}


def test_an_unknown_time_zone_is_a_422_through_the_api(app, api, people):
    for bad in ("Mars/Olympus_Mons", "utc+3", 42, "x" * 65):
        response = patch_me(api, "legal", {"timezone": bad})
        assert response.status_code == 422, (bad, response.get_json())
        assert "timezone" in str(response.get_json())
    assert patch_me(api, "legal", ["Asia/Tokyo"]).status_code == 400
    assert stored_zone(app, people["legal"].email) is None
    assert api(None).get("/me").status_code == 401


def test_you_set_your_time_zone_on_your_account_page(app, client, people):
    web_login(client, app, people["legal"].email)
    page = client.get("/account/timezone")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<option>Asia/Tokyo</option>" in html
    token = csrf_from(html)
    bad = client.post("/account/timezone", data={"timezone": "Mars/Olympus", "csrf_token": token})
    assert bad.status_code == 422
    assert "not a known IANA time zone" in bad.get_data(as_text=True)
    assert stored_zone(app, people["legal"].email) is None
    saved = client.post(
        "/account/timezone", data={"timezone": "Europe/Istanbul", "csrf_token": token}
    )
    assert saved.status_code == 302
    assert stored_zone(app, people["legal"].email) == "Europe/Istanbul"
    shown = client.get("/account/timezone").get_data(as_text=True)
    assert "<option selected>Europe/Istanbul</option>" in shown
    client.post("/account/timezone", data={"timezone": "", "csrf_token": token})
    assert stored_zone(app, people["legal"].email) is None  # back to the default


def test_an_admin_sets_someones_time_zone_at_the_cli(app, runner, people):
    email = people["exec"].email
    result = runner.invoke(["users", "set-timezone", email, "America/New_York"])
    assert result.exit_code == 0, result.output
    assert "America/New_York" in result.output
    assert stored_zone(app, email) == "America/New_York"
    refused = runner.invoke(["users", "set-timezone", email, "Europe/Atlantis"])
    assert refused.exit_code != 0 and "not a known IANA time zone" in refused.output
    assert stored_zone(app, email) == "America/New_York"
    nobody = runner.invoke(["users", "set-timezone", "nobody@example.org", "UTC"])
    assert nobody.exit_code != 0 and "no user" in nobody.output
    cleared = runner.invoke(["users", "set-timezone", email, "default"])
    assert cleared.exit_code == 0 and stored_zone(app, email) is None
