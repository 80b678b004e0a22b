"""``incident-hub demo``: a working instance with demo people and cases, on loopback only.

Demo cases are illustrations built on the kinds of law change in DOMAIN.md; they describe no
real order. Passwords are generated afresh on every run and printed, so no fixed credential
ever works against a demo database.
"""

from __future__ import annotations

import secrets

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from .actor import Actor
from .auth.models import User
from .auth.service import create_user, issue_token
from .cases import analyses
from .cases import service as cases
from .cases.models import Case
from .console import CLI_ACTOR
from .extensions import db

DEMO_DOMAIN = "demo.incident-hub.test"
DEMO_USERS = [
    # (local part, name, roles, functions)
    ("admin", "Ada Admin", ["admin"], []),
    ("triager", "Tomás Triager", ["triager"], []),
    ("legal", "Lena Legal", ["lead"], ["legal"]),
    ("rights", "Hamid Rights", ["lead"], ["human-rights"]),
    ("policy", "Priya Policy", ["lead"], ["public-policy", "communications", "investor-relations"]),
    (
        "tech",
        "Eun-ji Engineering",
        ["lead"],
        ["engineering", "security", "privacy", "trust-safety", "export-control"],
    ),
    ("exec", "Esther Executive", ["executive"], []),
]


def _email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def ensure_users() -> dict[str, tuple[User, str]]:
    """Create the demo users if missing and give each a fresh random password."""
    out = {}
    for local, name, roles, functions in DEMO_USERS:
        email = _email(local)
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if user is None:
            # Demo Slack ids, so the notices page shows what each person would receive.
            user = create_user(
                CLI_ACTOR,
                email=email,
                name=name,
                roles=roles,
                functions=functions,
                slack_user_id=f"UDEMO{local.upper()}",
            )
        password = secrets.token_urlsafe(9)
        user.password_hash = generate_password_hash(password)
        db.session.commit()
        out[local] = (user, password)
    return out


def _as(users: dict[str, tuple[User, str]], local: str) -> Actor:
    return Actor(user=users[local][0], via="cli", address="demo")


def _answers(case: Case, function: str, text: str) -> dict[str, str]:
    """Every question of the function answered (a required one left open would be a draft)."""
    spec = cases.playbook_of(case).function(function)
    return {q.key: text for q in spec.questions} if spec else {}


def seed_cases(users: dict[str, tuple[User, str]]) -> list[Case]:
    """Three cases in different states: decided, awaiting decision, open (restricted)."""
    if db.session.execute(select(Case.id).limit(1)).first():
        return []
    triager = _as(users, "triager")
    takedown = cases.open_case(
        triager,
        {
            "title": "Demo: order to remove posts criticising a ministry within 48 hours",
            "playbook": "content-takedown",
            "jurisdiction": "TR",
            "stage": "in_force",
            "instrument": "Administrative removal order under the internet law",
            "authority": "National telecoms regulator",
            "legal_basis": "Internet law, removal article",
            "summary": "An order names 40 posts by journalists and asks for removal nationwide "
            "within 48 hours, with throttling threatened for non-compliance.",
        },
    )
    localisation = cases.open_case(
        triager,
        {
            "title": "Demo: draft rules requiring local data storage and a resident officer",
            "playbook": "data-localisation",
            "jurisdiction": "PK",
            "stage": "consultation",
            "instrument": "Draft online harms rules",
            "authority": "Ministry of IT",
            "summary": "Consultation draft requiring local data storage, a resident grievance "
            "officer and 24-hour removals.",
        },
    )
    shutdown = cases.open_case(
        triager,
        {
            "title": "Demo: regional mobile data shutdown order during protests",
            "playbook": "network-shutdown",
            "jurisdiction": "MM",
            "stage": "in_force",
            "restricted": True,
            "gag_order": True,
            "summary": "Carrier partners report an order to suspend mobile data in two regions.",
        },
    )

    def file_all(case: Case, recommendation: str) -> None:
        for assignment in list(case.assignments):
            fn = assignment.function_key
            lead = next(k for k, (u, _) in users.items() if fn in u.functions)
            analyses.file_analysis(
                _as(users, lead),
                case.ref,
                {
                    "function": fn,
                    "recommendation": recommendation,
                    "analysis": f"{fn.replace('-', ' ').capitalize()} view: recommend "
                    f"{recommendation.replace('-', ' ')}; see answers.",
                    "answers": _answers(
                        case, fn, "Assessed against the playbook; details in the analysis."
                    ),
                },
            )

    options = {c.ref: [o.key for o in _playbook(c).options] for c in (takedown, localisation)}
    file_all(takedown, options[takedown.ref][0])
    cases.record_decision(
        _as(users, "exec"),
        takedown.ref,
        {
            "option": options[takedown.ref][0],
            "rationale": "Restrict only the posts found unlawful locally, geo-blocked in TR; "
            "challenge the rest and publish the order in the transparency report.",
        },
    )
    file_all(localisation, options[localisation.ref][1])
    first = shutdown.assignments[0].function_key
    lead = next(k for k, (u, _) in users.items() if first in u.functions)
    analyses.file_analysis(
        _as(users, lead),
        shutdown.ref,
        {
            "function": first,
            "recommendation": _playbook(shutdown).options[0].key,
            "analysis": "Order received through carrier partners; legal basis unclear.",
        },
    )
    _follow_through(users, takedown, localisation)
    return [takedown, localisation, shutdown]


def _follow_through(users: dict[str, tuple[User, str]], takedown: Case, localisation: Case) -> None:
    """The decided demo case gets an assessment, consultations, actions and a related case."""
    from datetime import timedelta

    from .assessment.service import save_assessment
    from .clock import now
    from .engagement.service import record_engagement
    from .followthrough.links import link_cases
    from .followthrough.service import add_action

    rights, today = _as(users, "rights"), now().date()
    save_assessment(rights, takedown.ref, {
        "rights": ["expression", "access-to-information"], "at_risk_groups": ["journalists"],
        "scale": 4, "scope": 3, "irremediability": 3, "likelihood": 5, "involvement": "cause",
        "leverage": "Joint statement with peers through GNI; court challenge available.",
    })  # fmt: skip
    for name, kind, confidential, advice in (
        ("Demo press freedom NGO", "civil_society", False, "Challenge the order in court."),
        ("Demo journalists' union (local)", "civil_society", True, "Do not name us publicly."),
    ):
        record_engagement(rights, takedown.ref, {
            "organisation": {"name": name, "kind": kind, "country": "TR"},
            "contact": "Programme lead", "engaged_on": (today - timedelta(days=2)).isoformat(),
            "summary": "Briefed on the order and the posts it names.", "advice": advice,
            "confidential": confidential,
        })  # fmt: skip
    legal = users["legal"][0].email
    add_action(_as(users, "exec"), takedown.ref, {
        "title": "File the court challenge for the posts not unlawful locally", "owner": legal,
        "due_at": (now() + timedelta(days=5)).isoformat(),
        "review_on": (today + timedelta(days=30)).isoformat(),
    })  # fmt: skip
    link_cases(_as(users, "triager"), localisation.ref, {
        "other": takedown.ref, "kind": "related",
        "note": "Same regulator; the draft rules would make such orders routine.",
    })  # fmt: skip


def _playbook(case: Case):  # noqa: ANN202
    from .playbooks import registry

    return registry().get(case.playbook_key)


def load_demo_feeds() -> list:
    """Bind the shipped sources to their recorded snapshots (the others are paused: there is
    no internet in a demo) for the instance's whole life, and poll once."""
    from .vocabulary import SourceOrigin
    from .watch.models import DEMO_ORIGIN, Source
    from .watch.service import poll
    from .watch.sources import bind_to_snapshot, load_source_files, sync_sources_from_files

    sync_sources_from_files()
    snapshots = {
        s["key"]: s["snapshot"] for s in load_source_files(current_app.config["FEEDS_DIR"])
    }
    for source in db.session.execute(select(Source)).scalars():
        if source.origin in (SourceOrigin.FILE, DEMO_ORIGIN):
            bind_to_snapshot(source, snapshots.get(source.key, ""))
    db.session.commit()
    return poll()


def seed_history(cases: int) -> None:
    """``demo --scale``: a large generated history, with a progress bar per kind."""
    import time

    from .scale import seed_cases as seed_past_cases
    from .scale.alerts import seed_alerts

    started = time.perf_counter()
    for label, total, seed in (
        ("past cases", cases, seed_past_cases),
        ("alerts", cases * 10, seed_alerts),
    ):
        with click.progressbar(length=total, label=f"Seeding {total} {label}") as bar:
            shown = [0]

            def progress(done: int, _total: int, bar=bar, shown=shown) -> None:  # noqa: ANN001
                bar.update(done - shown[0])
                shown[0] = done

            seed(total, progress=progress)
    click.echo(f"Seeded {cases} past cases and {cases * 10} alerts in "
               f"{time.perf_counter() - started:.0f} s.")  # fmt: skip


@click.command("demo")
@click.option(
    "--port",
    default=5000,
    show_default=True,
    envvar="INCIDENT_HUB_DEMO_PORT",
    help="Port on 127.0.0.1 (or INCIDENT_HUB_DEMO_PORT).",
)
@click.option("--no-serve", is_flag=True, help="Seed and print logins, then exit.")
@click.option(
    "--scale",
    type=click.IntRange(0, 1_000_000),
    default=0,
    help="Also seed a large history: N past cases and 10×N alerts (e.g. --scale 10000).",
)
@with_appcontext
def demo(port: int, no_serve: bool, scale: int) -> None:
    """Init the DB, create demo users and cases, print logins and tokens, serve on loopback."""
    from flask import current_app

    from .database import upgrade_database

    base = f"http://127.0.0.1:{port}"
    if not current_app.config.get("BASE_URL_CONFIGURED"):
        # Links in Slack notices and the single sign-on redirect are built from BASE_URL: they
        # must point at the port this demo serves on, before any notice is written below.
        current_app.config["BASE_URL"] = base
    upgrade_database()
    users = ensure_users()
    seeded = seed_cases(users)
    polled = load_demo_feeds()
    if scale:
        seed_history(scale)
    click.echo(f"\nIncident Hub demo — {base}  (database: {db.engine.url.render_as_string()})\n")
    click.echo(f"{'login':<34} {'password':<14} API token")
    for user, password in users.values():
        token = issue_token(CLI_ACTOR, user, "demo")
        click.echo(f"{user.email:<34} {password:<14} {token}")
    if seeded:
        click.echo("\nDemo cases: " + ", ".join(f"{c.ref} ({c.status})" for c in seeded))
    click.echo(
        f"Feeds: {len(polled)} recorded snapshots polled from a loopback server, "
        f"{sum(r.new for r in polled)} new items, {sum(r.flagged for r in polled)} "
        f"flagged for triage ({base}/triage)."
    )
    click.echo(f"\nTry: curl -H 'Authorization: Bearer <token>' {base}/api/v1/cases\n")
    if not no_serve:
        # Not app.run(): Flask ignores it inside its own CLI. Loopback only, never 0.0.0.0.
        from flask.globals import app_ctx
        from werkzeug.serving import run_simple

        click.echo(f"Serving on {base} (Ctrl-C stops).")
        run_simple("127.0.0.1", port, app_ctx.app, threaded=True)  # the app, not a proxy
