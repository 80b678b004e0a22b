"""CLI commands for precedent and search (registered by incident_hub.cli)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..cases.cli import AS_USER, _actor, cases
from ..console import run_service
from ..vocabulary import GOVERNMENT_RESPONSES

HELP = (
    "Record what the government did next after a round of a closed case (or an earlier "
    "round), and the lesson learned (admins, executives). RESPONSE: "
    + ", ".join(GOVERNMENT_RESPONSES)
    + "."
)


@click.command("government-response", help=HELP)
@AS_USER
@click.argument("ref")
@click.argument("response", metavar="RESPONSE")
@click.option("--note", default="", help="More on what the government did")
@click.option("--lesson", default="", help="The lesson learned, for precedent")
@click.option("--round", "round_", type=int, default=None, help="Default: the current round")
@with_appcontext
def cases_government_response(
    as_user: str, ref: str, response: str, note: str, lesson: str, round_: int | None
) -> None:
    from .outcomes import set_government_response

    raw = {"government_response": response, "note": note, "lesson": lesson, "round": round_}
    case, row = run_service(set_government_response, _actor(as_user), ref, raw)
    click.echo(f"{case.ref} round {row.round}: {row.government_response} recorded.")


def register(cli: click.Group) -> None:
    """Add this feature's commands to the ``incident-hub`` group, and ``cases
    government-response`` to the cases group (doors.FEATURES lists cases first)."""
    cases.add_command(cases_government_response)

    @cli.group("search")
    def search_group() -> None:
        """Full-text search index."""

    @search_group.command("reindex")
    @with_appcontext
    def reindex_command() -> None:
        """Rebuild every case's search document (title, intake, analyses, decision) and
        concepts (what it is about, read with the current flagging rules)."""
        from ..console import CLI_ACTOR
        from .index import reindex

        count = run_service(reindex, CLI_ACTOR)
        click.echo(f"Reindexed {count} case{'' if count == 1 else 's'}.")
