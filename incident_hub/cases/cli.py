"""``incident-hub cases …``: the case lifecycle from the command line, acting as a named user.

The operator names the user (``--as``); that user's permissions apply exactly as on the web and
API, because these commands call the same service functions.
"""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from ..actor import Actor
from ..console import run_service


def _actor(email: str) -> Actor:
    from ..auth.service import find_user

    user = run_service(find_user, email)
    if not user.active:
        raise click.ClickException(f"{email} is disabled")
    return Actor(user=user, via="cli")


def _pair(item: str, option: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep:
        raise click.BadParameter(f"{item!r}: use FUNCTION=EMAIL", param_hint=option)
    return key.strip(), value.strip()


def _text(value: str) -> str:
    """``-`` reads the text from standard input (for long analyses)."""
    return sys.stdin.read() if value == "-" else value


@click.group()
def cases() -> None:
    """Open cases, file analyses, record decisions."""


AS_USER = click.option(
    "--as",
    "as_user",
    required=True,
    metavar="EMAIL",
    help="Act as this user (their permissions apply).",
)


@cases.command("list")
@AS_USER
@click.option("--status", default=None)
@click.option("--limit", default=100, show_default=True)
@with_appcontext
def cases_list(as_user: str, status: str | None, limit: int) -> None:
    """List cases visible to the user."""
    from .queries import list_cases

    rows, total = run_service(list_cases, _actor(as_user), {"status": status, "limit": limit})
    for case in rows:
        click.echo(f"{case.ref}  {case.status:<18} {case.jurisdiction}  {case.title}")
    click.echo(f"{total} case(s).")


@cases.command("show")
@AS_USER
@click.argument("ref")
@with_appcontext
def cases_show(as_user: str, ref: str) -> None:
    """Print a case as JSON (the API's shape)."""
    from .queries import view_case
    from .serialize import case_to_dict

    actor = _actor(as_user)
    case = run_service(view_case, actor, ref)
    click.echo(json.dumps(case_to_dict(case, actor.user), indent=2))


@cases.command("open")
@AS_USER
@click.option("--playbook", required=True)
@click.option("--title", required=True)
@click.option("--jurisdiction", required=True)
@click.option("--summary", default="")
@click.option("--instrument", default="")
@click.option("--authority", default="")
@click.option("--legal-basis", default="")
@click.option("--stage", default=None)
@click.option("--effective-date", default=None)
@click.option("--response-deadline", default=None)
@click.option("--gag-order", is_flag=True, help="A gag order: the case is restricted.")
@click.option("--restricted", is_flag=True)
@click.option(
    "--lead",
    "leads",
    multiple=True,
    metavar="FUNCTION=EMAIL",
    help="Assign this lead to the function (repeat; a function not named gets all its leads).",
)
@click.option(
    "--owner",
    "owners",
    multiple=True,
    metavar="FUNCTION=EMAIL",
    help="Make this assigned lead the function's owner (default: its one lead, if one).",
)
@with_appcontext
def cases_open(
    as_user: str, leads: tuple[str, ...], owners: tuple[str, ...], **fields: object
) -> None:
    """Open a case from a playbook."""
    from .service import open_case

    named: dict[str, list[str]] = {}
    for item in leads:
        key, sep, email = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: use FUNCTION=EMAIL", param_hint="--lead")
        named.setdefault(key.strip(), []).append(email.strip())
    if named:
        fields["leads"] = named
    if owners:
        fields["owners"] = dict(_pair(item, "--owner") for item in owners)
    case = run_service(open_case, _actor(as_user), fields)
    click.echo(f"{case.ref} opened ({len(case.assignments)} functions assigned).")


@cases.command("edit")
@AS_USER
@click.argument("ref")
@click.option("--title", default=None)
@click.option("--summary", default=None, help="The summary, or - to read stdin.")
@click.option(
    "--jurisdiction",
    "jurisdictions",
    multiple=True,
    metavar="COUNTRY",
    help="Every country the case concerns, the primary first (repeat; replaces the list).",
)
@click.option("--instrument", default=None)
@click.option("--authority", default=None)
@click.option("--legal-basis", default=None)
@click.option("--stage", default=None, help="Where the law stands; '' clears it.")
@click.option("--effective-date", default=None, help="YYYY-MM-DD; '' clears it.")
@click.option(
    "--deadline",
    "--response-deadline",
    "response_deadline",
    default=None,
    help="ISO date or time (a bare date: end of that day UTC); '' clears it.",
)
@click.option("--gag-order/--no-gag-order", default=None, help="A gag order restricts the case.")
@click.option("--version", type=int, default=None, help="The version you read: refused if stale.")
@with_appcontext
def cases_edit(as_user: str, ref: str, jurisdictions: tuple[str, ...], **fields: object) -> None:
    """Correct a case's intake: only the options given change (every change is in the
    case's timeline). Exit 1 with the reason when refused (a stale --version among them)."""
    from .editing import edit_case

    sent = {k: v for k, v in fields.items() if v is not None}
    if sent.get("summary") == "-":
        sent["summary"] = _text("-")
    if jurisdictions:
        sent["jurisdictions"] = list(jurisdictions)
    if not set(sent) - {"version"}:
        raise click.UsageError("name at least one field to change (see --help)")
    actor = _actor(as_user)
    before = run_service(_version_of, actor, ref)
    case = run_service(edit_case, actor, ref, sent)
    if case.version == before:
        click.echo(f"{case.ref}: nothing changed (version {case.version}).")
    else:
        click.echo(f"{case.ref}: intake saved (now version {case.version}).")


def _version_of(actor: Actor, ref: str) -> int:
    from .queries import get_case

    return get_case(actor, ref).version


@cases.command("file")
@AS_USER
@click.argument("ref")
@click.option("--function", "function", required=True)
@click.option("--recommendation", required=True, help="An option key of the playbook.")
@click.option("--analysis", required=True, help="The analysis text, or - to read stdin.")
@click.option("--answer", "answers", multiple=True, metavar="QUESTION=TEXT")
@click.option(
    "--privileged", is_flag=True, help="Legal advice: only the case's members may read it."
)
@click.option("--draft", is_flag=True, help="Keep it as the function's draft, not filed.")
@with_appcontext
def cases_file(
    as_user: str,
    ref: str,
    function: str,
    recommendation: str,
    analysis: str,
    answers: tuple[str, ...],
    privileged: bool,
    draft: bool,
) -> None:
    """File a function's analysis and recommendation (a required question left unanswered
    keeps it as a draft: not filed)."""
    from .analyses import file_analysis
    from .completeness import draft_said
    from .draft_filings import AnalysisDraft

    parsed = {}
    for item in answers:
        key, sep, text = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: use QUESTION=TEXT", param_hint="--answer")
        parsed[key.strip()] = text
    analysis_row = run_service(
        file_analysis,
        _actor(as_user),
        ref,
        {
            "function": function,
            "recommendation": recommendation,
            "analysis": _text(analysis),
            "answers": parsed,
            "privileged": privileged,
            "draft": draft,
        },
    )
    if isinstance(analysis_row, AnalysisDraft):
        click.echo(draft_said(analysis_row))
        return
    click.echo(
        f"{analysis_row.case.ref}: {function} analysis filed (version "
        f"{analysis_row.version}); case is {analysis_row.case.status}."
    )


@cases.command("decide")
@AS_USER
@click.argument("ref")
@click.option("--option", required=True)
@click.option("--rationale", required=True, help="Why; or - to read stdin.")
@click.option("--conditions", default="")
@click.option("--override", is_flag=True, help="Decide before every function has filed.")
@with_appcontext
def cases_decide(
    as_user: str, ref: str, option: str, rationale: str, conditions: str, override: bool
) -> None:
    """Record the executive decision."""
    from .service import record_decision

    decision = run_service(
        record_decision,
        _actor(as_user),
        ref,
        {
            "option": option,
            "rationale": _text(rationale),
            "conditions": conditions,
            "override": override,
        },
    )
    click.echo(f"{decision.case.ref}: decided — {option}.")


@cases.command("close")
@AS_USER
@click.argument("ref")
@click.option("--note", default="")
@click.option(
    "--government-response",
    "government_response",
    default=None,
    metavar="WORD",
    help="What the government did next (backed_down, fined, blocked, unknown, …)",
)
@click.option("--response-note", "government_response_note", default="", help="More on it")
@click.option("--lesson", default="", help="The lesson learned, for precedent")
@with_appcontext
def cases_close(as_user: str, ref: str, note: str, **outcome: str | None) -> None:
    """Close a case (admin), optionally with what the government did next and the lesson."""
    from .admin_actions import close_case

    case = run_service(close_case, _actor(as_user), ref, {"note": note, **outcome})
    click.echo(f"{case.ref} closed.")


@cases.command("reopen")
@AS_USER
@click.argument("ref")
@click.option("--note", required=True)
@click.option("--carry", "carry", multiple=True, metavar="ID", help="Carry this open action over")
@click.option("--close", "close", multiple=True, metavar="ID", help="Close (waive) this action")
@click.option(
    "--all",
    "all_actions",
    type=click.Choice(["carry", "close"]),
    help="What to do with every open action not named by --carry or --close",
)
@with_appcontext
def cases_reopen(
    as_user: str,
    ref: str,
    note: str,
    carry: tuple[str, ...],
    close: tuple[str, ...],
    all_actions: str | None,
) -> None:
    """Reopen a decided or closed case as a new round (admin); each action still open is
    carried over (--carry ID) or closed, waived with the note (--close ID); --all for the rest."""
    from .admin_actions import reopen_case

    both = sorted(set(carry) & set(close))
    if both:
        raise click.UsageError(f"action {', '.join(both)} is given to both --carry and --close")
    actions = {key: "carry" for key in carry} | {key: "close" for key in close}
    raw = {"note": note, "actions": actions, "all_actions": all_actions}
    case = run_service(reopen_case, _actor(as_user), ref, raw)
    click.echo(f"{case.ref} reopened (round {case.round}).")


@cases.command("lift-restriction")
@AS_USER
@click.argument("ref")
@click.option("--reason", required=True, help="Why everyone signed in may now see the case.")
@with_appcontext
def cases_lift_restriction(as_user: str, ref: str, reason: str) -> None:
    """Lift a restricted (or gagged) case's restriction (admin)."""
    from .members import lift_restriction

    case = run_service(lift_restriction, _actor(as_user), ref, {"reason": reason})
    click.echo(f"{case.ref} is no longer restricted.")


@cases.command("add-stage")
@AS_USER
@click.argument("ref")
@click.argument("stage")
@click.option("--date", "dated", required=True, help="When the law reached it (YYYY-MM-DD).")
@click.option("--url", "source_url", default="", help="The http(s) link that shows it.")
@click.option("--note", default="")
@click.option("--alert", "alert_id", default=None, help="The case's alert that reported it.")
@with_appcontext
def cases_add_stage(as_user: str, ref: str, **fields: object) -> None:
    """Record a dated stage of the case's law (draft, consultation, adopted, in_force, amended,
    suspended, struck_down, repealed); the latest-dated one is the case's current stage."""
    from ..vocabulary import stage_label
    from .stages import add_stage

    row = run_service(add_stage, _actor(as_user), ref, fields)
    click.echo(f"{ref.strip().upper()}: {stage_label(row.stage)} from {row.dated.isoformat()}.")


@cases.command("stages")
@AS_USER
@click.argument("ref")
@with_appcontext
def cases_stages(as_user: str, ref: str) -> None:
    """List the dated stages of the case's law, oldest first (* marks the current one)."""
    from .serialize import stages_to_dicts
    from .stages import list_stages

    _case, rows = run_service(list_stages, _actor(as_user), ref)
    for s in stages_to_dicts(rows):
        mark = "*" if s["current"] else " "
        click.echo(f"{mark} {s['dated']}  {s['label']:<16} {s['source_url']}")
    click.echo(f"{len(rows)} stage(s).")


def register(cli: click.Group) -> None:
    """Add ``incident-hub cases …`` (see :mod:`incident_hub.doors`)."""
    cli.add_command(cases)


# Commands of this group kept in their own modules: who works a case (assignees, members)
# and a case's functions.
from . import cli_assign  # noqa: E402, F401
