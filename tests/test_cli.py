"""The ``incident-hub`` command as an operator uses it: users, tokens, schema, cases (audit:
test_cli_audit.py).

Every command runs through the real command group against the test app (``runner``), on each
backend. A refusal must be one clear message and a non-zero exit code, never a traceback, and
must leave nothing behind in the database.
"""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from cli_checks import count, ok, refused
from conftest import CLI, Runner, _base_config, lead_for
from sqlalchemy import create_engine, inspect, select, text

from incident_hub import create_app
from incident_hub.audit.models import AuditEvent
from incident_hub.auth.models import ApiToken, User
from incident_hub.auth.service import check_password, create_user
from incident_hub.cases.models import Analysis, Case, Decision
from incident_hub.extensions import db

PASSWORD = "correct horse battery staple"


def create(runner, *args: str, email: str = "ada@example.org", **kwargs):
    return runner.invoke(["users", "create", "--email", email, "--name", "Ada L", *args], **kwargs)


# --- users create -------------------------------------------------------------------------


def test_create_a_user_with_several_roles_functions_and_a_slack_id(app, runner):
    output = ok(create(runner, "--role", "lead", "--role", "executive", "--function", "legal",
                       "--function", "privacy", "--slack-id", "U024BE7LH",
                       email="Ada@Example.ORG"))  # fmt: skip
    assert "Created ada@example.org (executive, lead; leads legal, privacy)." in output
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == "ada@example.org")).scalar_one()
        assert user.roles == {"lead", "executive"} and user.functions == {"legal", "privacy"}
        assert user.slack_user_id == "U024BE7LH" and user.name == "Ada L"
        assert user.password_hash is None and user.active
        events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user.created"))
        [event] = events.scalars().all()
        assert event.object_ref == "ada@example.org" and event.origin == "cli"


def test_password_is_read_from_stdin_and_only_its_hash_is_kept(app, runner):
    ok(create(runner, "--role", "admin", "--password-stdin", input=f"{PASSWORD}\n"))
    with app.app_context():
        user = check_password("ada@example.org", PASSWORD)
        assert user is not None and user.roles == {"admin"}
        assert PASSWORD not in user.password_hash
        assert check_password("ada@example.org", PASSWORD[:-1]) is None


ADA = "ada@example.org"


@pytest.mark.parametrize(
    ("email", "args", "stdin", "message"),
    [
        (ADA, ["--role", "superuser"], None, "unknown role 'superuser'"),
        (ADA, ["--role", "admin", "--role", "wizard"], None, "unknown role 'wizard'"),
        (ADA, ["--role", "lead"], None, "a lead needs at least one --function"),
        (ADA, ["--role", "triager", "--function", "legal"], None, "--function is for leads"),
        (ADA, ["--role", "lead", "--function", "astrology"], None, "unknown function 'astrology'"),
        ("not-an-email", ["--role", "admin"], None, "not an email address"),
        ("a b@example.org", ["--role", "admin"], None, "not an email address"),
        (ADA, ["--role", "admin", "--password-stdin"], "short\n", "at least 12 characters"),
        (ADA, ["--role", "admin", "--password-stdin"], "\n", "at least 12 characters"),
        (ADA, ["--role", "admin", "--password-stdin"], "123456789012\n", "too weak"),
    ],
    ids=[
        "role",
        "second-role",
        "lead-no-fn",
        "fn-no-lead",
        "unknown-fn",
        "email",
        "email-space",
        "short-password",
        "empty-password",
        "weak-password",
    ],  # fmt: skip
)
def test_create_user_refuses_bad_input_with_a_clear_message(
    app, runner, email, args, stdin, message
):
    before = count(app, User), count(app, AuditEvent)
    output = refused(create(runner, *args, email=email, input=stdin))
    assert message in output
    assert len(output.strip().splitlines()) == 1, output
    assert (count(app, User), count(app, AuditEvent)) == before


def test_create_user_without_a_role_is_a_usage_error(app, runner):
    refused(create(runner), "--role", code=2)
    assert count(app, User) == 0


def test_duplicate_email_is_refused_whatever_its_case(app, runner):
    ok(create(runner, "--role", "admin"))
    refused(create(runner, "--role", "triager", email=" ADA@example.org"), "already exists")
    assert count(app, User) == 1
    with app.app_context():
        assert db.session.execute(select(User)).scalar_one().roles == {"admin"}


def test_slack_id_can_be_mapped_to_only_one_user(app, runner):
    ok(create(runner, "--role", "admin", "--slack-id", "U1"))
    refused(create(runner, "--role", "admin", "--slack-id", "U1", email="bob@example.org"),
            "U1", "already mapped")  # fmt: skip
    assert count(app, User) == 1


# --- users token ----------------------------------------------------------------------------


def all_values(connection) -> list[str]:
    """Every value in every table, as text."""
    values = []
    for table in inspect(connection).get_table_names():
        for row in connection.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
            values.extend(str(v) for v in row if v is not None)
    return values


def test_token_authenticates_against_the_api_and_only_its_hash_is_stored(app, runner, client):
    ok(create(runner, "--role", "triager"))
    result = runner.invoke(["users", "token", "ada@example.org", "--label", "ci pipeline"])
    token = ok(result).strip()
    assert re.fullmatch(r"ih_[A-Za-z0-9_-]{40,}", token), result.output

    response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == []
    assert client.get("/api/v1/cases").status_code == 401
    forged = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}x"})
    assert forged.status_code == 401

    with app.app_context():
        [row] = db.session.execute(select(ApiToken)).scalars().all()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert row.name == "ci pipeline" and row.user.email == "ada@example.org"
        with db.engine.connect() as connection:
            assert not [v for v in all_values(connection) if token in v or token[3:] in v]
        db.session.remove()
        db.engine.dispose()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):  # not in the file's bytes either (free pages, journal)
        assert token[3:].encode() not in Path(url.removeprefix("sqlite:///")).read_bytes()


def test_each_token_is_new_and_both_work(app, runner, client):
    ok(create(runner, "--role", "executive"))
    first = ok(runner.invoke(["users", "token", "ada@example.org"])).strip()
    second = ok(runner.invoke(["users", "token", "ADA@example.org"])).strip()
    assert first != second
    for token in (first, second):
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/cases", headers=headers).status_code == 200
    assert count(app, ApiToken) == 2


def test_token_for_an_unknown_email_is_refused(app, runner):
    output = refused(runner.invoke(["users", "token", "nobody@example.org"]))
    assert "no user with email 'nobody@example.org'" in output
    assert "ih_" not in output and count(app, ApiToken) == 0


# --- init-db ---------------------------------------------------------------------------------


def test_init_db_is_idempotent_and_keeps_data(app, runner, people):
    for _ in range(2):
        assert "latest migration" in ok(runner.invoke(["init-db"]))
    assert count(app, User) == len(people)


@contextmanager
def fresh_database(backend: dict, tmp_path: Path):
    """An empty database of the backend: a new SQLite file, or a new PostgreSQL schema."""
    if backend["name"] == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}", None
        return
    admin = create_engine(backend["url"])
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS init_db_test CASCADE"))
        conn.execute(text("CREATE SCHEMA init_db_test"))
    try:
        yield backend["url"] + "?options=-csearch_path%3Dinit_db_test", "init_db_test"
    finally:
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS init_db_test CASCADE"))
        admin.dispose()


def test_init_db_creates_the_schema_on_an_empty_database_and_is_idempotent(backend, tmp_path):
    with fresh_database(backend, tmp_path) as (url, schema):
        fresh = create_app(_base_config(url))
        runner = Runner(fresh)
        for _ in range(2):
            assert "latest migration" in ok(runner.invoke(["init-db"]))
        with fresh.app_context():
            tables = set(inspect(db.engine).get_table_names(schema=schema))
            with db.engine.connect() as conn:
                versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            db.engine.dispose()
    assert {"users", "api_tokens", "cases", "audit_events", "alembic_version"} <= tables
    assert len(versions) == 1


# --- cases ---------------------------------------------------------------------------------


def as_(name: str) -> list[str]:
    return ["--as", f"{name}@example.org"]


def open_case_cli(runner, *extra: str) -> str:
    output = ok(runner.invoke(["cases", "open", *as_("triager"), "--playbook", "content-takedown",
                               "--title", "Order to remove 40 posts", "--jurisdiction", "TR",
                               *extra]))  # fmt: skip
    match = re.search(r"(INC-\d{4}-\d{4}) opened \((\d+) functions assigned\)", output)
    assert match, output
    return match[1]


def show(runner, ref: str, name: str = "admin") -> dict:
    return json.loads(ok(runner.invoke(["cases", "show", *as_(name), ref])))


def test_a_case_runs_its_whole_lifecycle_from_the_command_line(app, runner, people):
    ref = open_case_cli(runner, "--summary", "Ministry order", "--gag-order", "--stage", "adopted")
    spec = app.extensions["incident_hub.playbooks"].get("content-takedown")
    required = [f for f in spec.functions if f.required]

    listed = ok(runner.invoke(["cases", "list", *as_("legal")]))
    assert re.search(rf"^{ref}\s+open\s+TR\s+Order to remove 40 posts$", listed, re.M)
    assert "1 case(s)." in listed

    for index, function in enumerate(required):
        answers = [a for q in function.questions for a in ("--answer", f"{q.key}=On {q.key}.")]
        result = runner.invoke(
            ["cases", "file", ref, *as_(lead_for(function.key)), "--function", function.key,
             "--recommendation", "comply-narrowly", "--analysis", "-", *answers],
            input=f"The {function.key} analysis,\nover two lines.\n",
        )  # fmt: skip
        status = "awaiting_decision" if index == len(required) - 1 else "open"
        assert f"{ref}: {function.key} analysis filed (version 1); case is {status}." in ok(result)

    decided = runner.invoke(["cases", "decide", ref, *as_("exec"), "--option", "seek-clarification",
                             "--rationale", "Ask the ministry to narrow the order first.",
                             "--conditions", "Revisit in 48 hours"])  # fmt: skip
    assert f"{ref}: decided — seek-clarification." in ok(decided)

    case = show(runner, ref, "legal")
    assert case["ref"] == ref and case["status"] == "decided"
    assert case["intake"]["gag_order"] is True and case["summary"] == "Ministry order"
    assert case["decision"]["option"] == "seek-clarification"
    assert case["decision"]["executive"] == "exec@example.org"
    assert case["decision"]["conditions"] == "Revisit in 48 hours"
    filed = {a["function"]: a for a in case["analyses"]}
    assert set(filed) == {f.key for f in required}
    legal = filed["legal"]
    assert legal["analysis"].startswith("The legal analysis,\nover two lines.")
    assert legal["answers"] == {q.key: f"On {q.key}." for q in spec.function("legal").questions}
    assert legal["author"] == "legal@example.org"

    assert f"{ref}  decided" in ok(runner.invoke(["cases", "list", *as_("exec"),
                                                  "--status", "decided"]))  # fmt: skip
    assert "0 case(s)." in ok(runner.invoke(["cases", "list", *as_("exec"), "--status", "open"]))
    assert "audit chain OK" in ok(runner.invoke(["audit", "verify"]))


def test_triager_cannot_decide_and_nothing_is_recorded(app, runner, people):
    ref = open_case_cli(runner)
    result = runner.invoke(["cases", "decide", ref, *as_("triager"), "--option",
                            "comply-narrowly", "--rationale", "r", "--override"])  # fmt: skip
    output = refused(result)
    assert "only an executive can record a decision" in output
    assert count(app, Decision) == 0
    case = show(runner, ref)
    assert case["status"] == "open" and case["decision"] is None
    with app.app_context():
        denied = db.session.execute(select(AuditEvent.action, AuditEvent.actor)
                                    .where(AuditEvent.outcome == "denied")).all()  # fmt: skip
    assert [tuple(row) for row in denied] == [("decision.record", "triager@example.org")]
    ok(runner.invoke(["audit", "verify"]))


def test_a_lead_cannot_file_for_a_function_they_do_not_lead(app, runner, people):
    ref = open_case_cli(runner)
    output = refused(runner.invoke(["cases", "file", ref, *as_("legal"), "--function",
                                    "human-rights", "--recommendation", "comply-narrowly",
                                    "--analysis", "Not mine to file."]))  # fmt: skip
    assert "only a lead of Human rights can file its analysis" in output
    assert count(app, Analysis) == 0
    assert show(runner, ref)["assignments"][1]["status"] == "pending"


def test_a_lead_cannot_open_a_case(app, runner, people):
    result = runner.invoke(["cases", "open", *as_("legal"), "--playbook", "content-takedown",
                            "--title", "t", "--jurisdiction", "TR"])  # fmt: skip
    refused(result, "only triagers and admins can open cases")
    assert count(app, Case) == 0


def test_executive_must_wait_for_the_analyses_unless_overriding(app, runner, people):
    ref = open_case_cli(runner)
    args = ["cases", "decide", ref, *as_("exec"), "--option", "comply-narrowly",
            "--rationale", "Deadline is in hours."]  # fmt: skip
    refused(runner.invoke(args), "still open", "waiting for: legal")
    assert count(app, Decision) == 0
    ok(runner.invoke([*args, "--override"]))
    assert show(runner, ref)["decision"]["override"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--playbook", "no-such-playbook"], "unknown playbook 'no-such-playbook'"),
        (["--playbook", "content-takedown", "--stage", "rumoured"], "stage"),
        (["--playbook", "content-takedown", "--effective-date", "tomorrow"], "effective_date"),
    ],
)
def test_opening_a_case_with_bad_input_is_refused(app, runner, people, args, message):
    result = runner.invoke(["cases", "open", *as_("triager"), "--title", "t",
                            "--jurisdiction", "TR", *args])  # fmt: skip
    refused(result, message)
    assert count(app, Case) == 0


def test_an_unknown_option_or_answer_is_refused(app, runner, people):
    ref = open_case_cli(runner)
    filing = ["cases", "file", ref, *as_("legal"), "--function", "legal", "--analysis", "a"]
    refused(runner.invoke([*filing, "--recommendation", "do-nothing"]), "comply-narrowly")
    filing += ["--recommendation", "comply-narrowly", "--answer"]
    refused(runner.invoke([*filing, "horoscope=yes"]), "unknown question 'horoscope'")
    refused(runner.invoke([*filing, "no equals sign"]), "QUESTION=TEXT", code=2)
    assert count(app, Analysis) == 0


def test_restricted_cases_are_hidden_from_uninvolved_users(app, runner, people):
    ref = open_case_cli(runner, "--restricted")
    assert show(runner, ref, "legal")["restricted"] is True  # a lead of an assigned function
    refused(runner.invoke(["cases", "show", *as_("outsider"), ref]), ref)
    assert "0 case(s)." in ok(runner.invoke(["cases", "list", *as_("outsider")]))
    assert ref in ok(runner.invoke(["cases", "list", *as_("exec")]))


def test_acting_as_an_unknown_or_disabled_user_is_refused(app, runner, people):
    refused(runner.invoke(["cases", "list", "--as", "ghost@example.org"]),
            "no user with email 'ghost@example.org'")  # fmt: skip
    with app.app_context():
        user = create_user(CLI, email="gone@example.org", name="Gone", roles=["triager"])
        user.active = False
        db.session.commit()
    result = runner.invoke(["cases", "open", "--as", "gone@example.org", "--playbook",
                            "content-takedown", "--title", "t",
                            "--jurisdiction", "TR"])  # fmt: skip
    refused(result, "gone@example.org is disabled")
    assert count(app, Case) == 0
