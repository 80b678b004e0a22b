"""Due times from the law (cases/schedule.py), through the API: a response deadline sets every
function's and the decision's due time by the playbook's shares and is never exceeded; an
urgent playbook counts clock hours; a normal one counts business days past weekends and the
public holidays of the case's and the company's countries; a new deadline reschedules what is
still open, audited and announced."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest
from conftest import ROOT, analysis_body, notices, open_case

from incident_hub.actor import Actor
from incident_hub.audit.models import AuditEvent
from incident_hub.auth.models import User
from incident_hub.cases.models import Assignment
from incident_hub.cases.queries import get_case
from incident_hub.cases.schedule import reschedule
from incident_hub.clock import frozen_at, iso, parse_iso
from incident_hub.extensions import db
from incident_hub.playbooks import PlaybookError, load_dir
from incident_hub.transaction import run_in_transaction

# The cases are opened in 2031 (fixed weekdays and holidays): the test tokens must still hold.
pytestmark = pytest.mark.config(AUTH={"API_TOKEN_DAYS": 3650, "API_TOKEN_MAX_DAYS": 3650})
WED = datetime(2031, 3, 5, 10, 0, tzinfo=UTC)  # a Wednesday, no holiday in TR or DE


def due_times(case: dict) -> dict[str, datetime]:
    out = {a["function"]: parse_iso(a["due_at"]) for a in case["assignments"]}
    return out | {"decision": parse_iso(case["decision_due_at"])}


def fetched(api, ref: str) -> dict:
    response = api("triager").get(f"/cases/{ref}")
    assert response.status_code == 200
    return response.get_json()


def test_a_20_hour_deadline_sets_every_due_time_by_the_playbook_shares(api):
    deadline = WED + timedelta(hours=20)
    with frozen_at(WED):
        case = open_case(api, response_deadline=iso(deadline))
    due = due_times(fetched(api, case["ref"]))
    hours = {key: (at - WED) / timedelta(hours=1) for key, at in due.items()}
    # content-takedown: legal, human rights, security first 40%, trust & safety half, policy
    # 60%, communications 70%; the decision 4 h before the deadline
    assert hours == {
        "legal": 8,
        "human-rights": 8,
        "security": 8,
        "trust-safety": 10,
        "public-policy": 12,
        "communications": 14,
        "decision": 16,
    }
    assert all(at <= deadline for at in due.values())


def test_a_far_deadline_never_delays_what_the_playbook_wants_sooner(api):
    with frozen_at(WED):
        case = open_case(api, response_deadline=iso(WED + timedelta(days=90)))
        plain = open_case(api)
    assert due_times(fetched(api, case["ref"])) == due_times(fetched(api, plain["ref"]))


def test_a_deadline_already_past_makes_everything_due_at_it(api):
    past = WED - timedelta(hours=3)
    with frozen_at(WED):
        case = open_case(api, response_deadline=iso(past))
    assert set(due_times(fetched(api, case["ref"])).values()) == {past}


def test_a_deadline_closer_than_the_decision_margin_makes_the_decision_due_now(api):
    with frozen_at(WED):
        case = open_case(api, response_deadline=iso(WED + timedelta(hours=3)))
    due = due_times(fetched(api, case["ref"]))
    assert due["decision"] == WED  # 4 h before a 3 h deadline: never before opening
    assert set(due.values()) == {WED}  # and no analysis after the decision


def test_an_urgent_playbook_counts_clock_hours_through_the_night_and_weekend(api):
    saturday_night = datetime(2031, 3, 8, 23, 0, tzinfo=UTC)
    with frozen_at(saturday_night):
        case = open_case(api, playbook="network-shutdown")
    due = due_times(fetched(api, case["ref"]))
    hours = {key: (at - saturday_night) / timedelta(hours=1) for key, at in due.items()}
    assert hours["security"] == 2 and hours["legal"] == 3 and hours["decision"] == 8
    assert hours["export-control"] == 6
    playbook = api("triager").get("/playbooks").get_json()
    shutdown = next(p for p in playbook if p["key"] == "network-shutdown")
    assert shutdown["urgent"] is True and shutdown["decision_before_deadline_hours"] == 1


def test_an_urgent_playbook_with_a_deadline_keeps_to_it(api):
    deadline = WED + timedelta(hours=5)
    with frozen_at(WED):
        case = open_case(api, playbook="network-shutdown", response_deadline=iso(deadline))
    due = due_times(fetched(api, case["ref"]))
    assert due["decision"] == deadline - timedelta(hours=1)
    assert due["legal"] == WED + timedelta(hours=2)  # 40% of 5 h, before the playbook's 3 h
    assert due["communications"] == WED + timedelta(hours=3.5)
    assert max(due.values()) <= deadline


def test_business_days_skip_the_weekend_and_a_turkish_public_holiday(api):
    friday = datetime(2031, 10, 24, 10, 0, tzinfo=UTC)  # Republic Day is Wed 29 Oct
    with frozen_at(friday):
        turkish = open_case(api, jurisdiction="TR")
        german = open_case(api, jurisdiction="DE")
    tr, de = due_times(fetched(api, turkish["ref"])), due_times(fetched(api, german["ref"]))
    assert tr["legal"] == de["legal"] == datetime(2031, 10, 27, 10, 0, tzinfo=UTC)  # Monday
    assert tr["human-rights"] == datetime(2031, 10, 28, 10, 0, tzinfo=UTC)  # 2 days
    assert de["decision"] == datetime(2031, 10, 29, 10, 0, tzinfo=UTC)  # 3 business days
    assert tr["decision"] == datetime(2031, 10, 30, 10, 0, tzinfo=UTC)  # the holiday skipped


@pytest.mark.config(REMINDERS={"HOLIDAY_COUNTRIES": ["DE"]})
def test_business_days_skip_the_company_countrys_holidays_too(api):
    thursday = datetime(2031, 10, 2, 10, 0, tzinfo=UTC)  # German Unity Day is Fri 3 Oct
    with frozen_at(thursday):
        case = open_case(api, jurisdiction="US")
    assert due_times(fetched(api, case["ref"]))["legal"] == datetime(2031, 10, 6, 10, 0, tzinfo=UTC)


def test_without_the_company_country_its_holiday_is_a_business_day(api):
    thursday = datetime(2031, 10, 2, 10, 0, tzinfo=UTC)
    with frozen_at(thursday):
        case = open_case(api, jurisdiction="US")
    assert due_times(fetched(api, case["ref"]))["legal"] == datetime(2031, 10, 3, 10, 0, tzinfo=UTC)


@pytest.mark.config(REMINDERS={"TIMEZONE": "Europe/Berlin"})
def test_business_days_keep_the_local_clock_time_across_a_daylight_saving_change(api):
    friday = datetime(2031, 3, 28, 16, 0, tzinfo=UTC)  # 17:00 in Berlin; summer time on Sunday
    with frozen_at(friday):
        case = open_case(api, jurisdiction="DE")
    # Monday 17:00 in Berlin, now summer time: 15:00 UTC
    assert due_times(fetched(api, case["ref"]))["legal"] == datetime(2031, 3, 31, 15, 0, tzinfo=UTC)


def _new_deadline(app, ref: str, deadline: datetime | None, reason: str):  # noqa: ANN202
    """What PATCH /cases/<ref> does when the deadline changes: set it on the locked case and
    reschedule, in one transaction. Returns the audit event's id and details, or None."""
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email="triager@example.org")).scalar()
        actor = Actor(user, "cli")

        def work():  # noqa: ANN202
            case = get_case(actor, ref, for_update=True)
            case.response_deadline = deadline
            event = reschedule(actor, case, reason)
            return (event.id, event.details) if event else None

        return run_in_transaction(work)


def test_a_new_deadline_moves_only_pending_due_times_audited_and_announced(app, api, slack_ids):
    with frozen_at(WED):
        case = open_case(api, response_deadline=iso(WED + timedelta(hours=20)))
        ref = case["ref"]
        filed = api("legal").post(f"/cases/{ref}/analyses", json=analysis_body(app, case, "legal"))
        assert filed.status_code == 201, filed.get_json()
    before = due_times(fetched(api, ref))
    with app.app_context():  # human rights was reminded once: moved later, it starts afresh
        row = db.session.execute(db.select(Assignment).filter_by(function_key="human-rights"))
        row.scalar().last_reminded_at = WED + timedelta(hours=9)
        db.session.commit()

    with frozen_at(WED + timedelta(hours=2)):
        extended = WED + timedelta(hours=40)
        event_id, details = _new_deadline(app, ref, extended, "extension granted by the court")
    after = due_times(fetched(api, ref))
    assert after["legal"] == before["legal"]  # filed: not moved
    assert after["human-rights"] == WED + timedelta(hours=16)  # 40% of 40 h
    assert after["decision"] == extended - timedelta(hours=4)
    assert max(after.values()) <= extended
    assert details["reason"] == "extension granted by the court"
    assert "legal" not in details["after"]
    assert details["before"]["decision"] == iso(before["decision"])
    assert details["after"]["decision"] == iso(after["decision"])
    assert details["after"]["human-rights"] == iso(after["human-rights"])
    with app.app_context():
        event = db.session.get(AuditEvent, event_id)
        assert event.action == "case.rescheduled" and event.object_ref == ref
        hr = db.session.execute(db.select(Assignment).filter_by(function_key="human-rights"))
        assert hr.scalar().last_reminded_at is None

    sent = notices(app, kind="case_rescheduled")
    audiences = {n.audience for n in sent}
    assert slack_ids["exec"] in audiences and slack_ids["rights"] in audiences
    assert slack_ids["legal"] not in audiences  # legal's analysis did not move
    to_hr = next(n for n in sent if n.audience == slack_ids["rights"])
    assert "Human rights" in to_hr.payload["text"] and "was" in to_hr.payload["text"]

    # the same deadline again: nothing moves, nothing is audited or sent
    assert _new_deadline(app, ref, extended, "same again") is None
    assert len(notices(app, kind="case_rescheduled")) == len(sent)


def test_patching_the_deadline_through_the_api_reschedules_what_is_open(app, api, client, people):
    """The door users take: PATCH /cases/<ref> with a new response deadline (an extension)."""
    with frozen_at(WED):
        case = open_case(api, response_deadline=iso(WED + timedelta(hours=20)))
    ref = case["ref"]
    extended = WED + timedelta(days=6)
    with frozen_at(WED + timedelta(hours=1)):
        response = client.patch(
            f"/api/v1/cases/{ref}",
            json={"response_deadline": iso(extended), "version": case["version"]},
            headers=people["triager"].headers,  # the opener
        )
    assert response.status_code == 200, response.get_json()
    after = due_times(response.get_json())
    # far enough now for the playbook's own business days to come first: the decision three
    # (Thu, Fri, Mon), legal's one
    assert after["decision"] == datetime(2031, 3, 10, 10, 0, tzinfo=UTC)
    assert after["legal"] == WED + timedelta(days=1)
    assert max(after.values()) <= extended
    timeline = api("admin").get(f"/cases/{ref}/timeline").get_json()
    (moved,) = [e for e in timeline if e["action"] == "case.rescheduled"]
    assert moved["details"]["reason"] == "intake edited: response_deadline changed"
    assert moved["details"]["after"]["decision"] == iso(after["decision"])
    assert moved["details"]["before"]["decision"] == iso(WED + timedelta(hours=16))


def test_a_shorter_deadline_pulls_due_times_earlier_and_tells_a_secret_case_by_ref(
    app, api, slack_ids
):
    with frozen_at(WED):
        case = open_case(api, response_deadline=iso(WED + timedelta(days=30)), restricted=True)
    ref = case["ref"]
    with frozen_at(WED + timedelta(hours=1)):
        _event, details = _new_deadline(app, ref, WED + timedelta(hours=10), "a new order")
    due = due_times(fetched(api, ref))
    assert max(due.values()) <= WED + timedelta(hours=10)
    assert set(details["after"]) == {
        "legal",
        "human-rights",
        "security",
        "trust-safety",
        "public-policy",
        "communications",
        "decision",
    }
    for notice in notices(app, kind="case_rescheduled"):
        assert notice.payload.get("secret") is True
        assert case["title"] not in notice.payload["text"]
        assert "Human rights" not in notice.payload["text"]


def test_removing_the_deadline_goes_back_to_the_playbook_s_business_days(app, api):
    with frozen_at(WED):
        case = open_case(api, response_deadline=iso(WED + timedelta(hours=20)))
        plain = open_case(api)
    with frozen_at(WED + timedelta(hours=1)):
        assert _new_deadline(app, case["ref"], None, "order withdrawn") is not None
    assert due_times(fetched(api, case["ref"])) == due_times(fetched(api, plain["ref"]))


def test_a_decided_case_has_nothing_to_reschedule(app, api):
    case = open_case(api, response_deadline=iso(datetime.now(UTC) + timedelta(days=5)))
    decision = {"option": "comply-narrowly", "rationale": "narrow and lawful", "override": True}
    decided = api("exec").post(f"/cases/{case['ref']}/decision", json=decision)
    assert decided.status_code == 201, decided.get_json()
    before = due_times(fetched(api, case["ref"]))
    later = datetime.now(UTC) + timedelta(days=20)
    assert _new_deadline(app, case["ref"], later, "extension after the decision") is None
    assert due_times(fetched(api, case["ref"])) == before


# --- the playbook keys ------------------------------------------------------------------------


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "playbooks"
    shutil.copytree(ROOT / "playbooks", target)
    return target


def problems_of(directory) -> list[str]:  # noqa: ANN001
    with pytest.raises(PlaybookError) as caught:
        load_dir(directory)
    return caught.value.problems


def line_of(path, needle: str) -> int:  # noqa: ANN001
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_the_shipped_playbooks_state_shares_and_network_shutdown_is_urgent():
    registry = load_dir(ROOT / "playbooks")
    shutdown = registry.get("network-shutdown")
    assert shutdown.urgent and shutdown.decision_due_hours == 8
    for playbook in registry.playbooks.values():  # legal and human rights in the first 40%
        assert playbook.function("legal").deadline_share <= 0.4
        assert playbook.function("human-rights").deadline_share <= 0.4
        assert all(f.deadline_share < 1 for f in playbook.functions)
        assert playbook.decision_before_deadline_hours > 0
        assert playbook.urgent == (playbook.key == "network-shutdown")


def test_an_urgent_playbook_refuses_days_and_a_normal_one_hours(copy):
    shutdown, takedown = copy / "network-shutdown.toml", copy / "content-takedown.toml"
    shutdown.write_text(shutdown.read_text().replace("due_hours = 3\n", "due_days = 1\n", 1))
    text = takedown.read_text().replace("decision_due_days = 3", "decision_due_hours = 72")
    takedown.write_text(text)
    found = problems_of(copy)
    assert (
        f"{shutdown}:{line_of(shutdown, 'due_days = 1')}: functions[0].due_days: an urgent "
        "playbook states due times in hours: use due_hours"
    ) in found
    assert (
        f"{takedown}:{line_of(takedown, 'decision_due_hours')}: decision_due_hours: hours are "
        "for urgent playbooks (urgent = true): use decision_due_days"
    ) in found


def test_shares_margins_and_urgent_are_checked(copy):
    takedown = copy / "content-takedown.toml"
    text = takedown.read_text()
    text = text.replace("deadline_share = 0.4", "deadline_share = 1.5", 1)
    text = text.replace("decision_before_deadline_hours = 4", "decision_before_deadline_hours = -1")
    text = text.replace('escalate_to = "', 'urgent = "yes"\nescalate_to = "', 1)
    takedown.write_text(text)
    found = "\n".join(problems_of(copy))
    assert (
        f"{takedown}:{line_of(takedown, 'deadline_share = 1.5')}: functions[0].deadline_share: "
        "must be a number greater than 0, at most 1"
    ) in found
    line = line_of(takedown, "decision_before_deadline_hours")
    assert f"{takedown}:{line}: decision_before_deadline_hours: must be a number of hours" in found
    assert f"{takedown}:{line_of(takedown, 'urgent =')}: urgent: must be true or false" in found


def test_shares_and_margin_default_when_absent(copy):
    takedown = copy / "content-takedown.toml"
    lines = takedown.read_text().splitlines(keepends=True)
    kept = [
        line
        for line in lines
        if not line.startswith(("deadline_share", "decision_before_deadline_hours"))
    ]
    takedown.write_text("".join(kept))
    playbook = load_dir(copy).get("content-takedown")
    assert {f.deadline_share for f in playbook.functions} == {0.5}
    assert playbook.decision_before_deadline_hours == 24
