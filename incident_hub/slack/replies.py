"""Ephemeral Block Kit answers to the ``/incident`` command and to notice buttons.

Every answer is ``{"response_type": "ephemeral", "text": fallback, "blocks": [...]}``: only the
person who asked sees it. What a reply says about a case follows the notice rules
(:mod:`..notify.messages`): reference, title, status, due date and a link; a restricted case
only its reference and a link (a secret case: restricted or under a gag order). Anything that
is not ours (what the user typed, titles, option labels, a service's message) is escaped and
cut to Slack's limits (:mod:`..notify.slack_text`), so a reply cannot be turned into a link or
a mention, and Slack never refuses it for its length.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import current_app

from ..assessment import salience as hr_salience
from ..notify.messages import case_message, case_url, secret, urgency
from ..notify.slack_text import context, escape, fallback, fit, link, section
from ..playbooks import registry
from ..vocabulary import UNDECIDED, AssignmentStatus, status_label

DEFAULT_COMMAND = "/incident"
MAX_ECHO = 40  # characters of user input echoed back
MAX_TITLE = 150  # characters of a case title in a list line


def echo(text: str) -> str:
    """User input, shortened and made safe to show inside a code span."""
    return fit(text.replace("`", "'"), MAX_ECHO)


def ephemeral(text: str, blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The reply envelope; ``text`` is the notification/fallback, ``blocks`` what is shown."""
    reply: dict[str, Any] = {"response_type": "ephemeral", "text": fallback(text)}
    if blocks:
        reply["blocks"] = blocks
    return reply


def note(mrkdwn: str, fallback: str) -> dict[str, Any]:
    """A one-section reply; both texts already escaped."""
    return ephemeral(fallback, [section(mrkdwn)])


def help_reply(command: str = DEFAULT_COMMAND, error: str = "") -> dict[str, Any]:
    """Usage; ``error`` (already escaped) says what was wrong with the last command."""
    lines = [
        f"`{command} follow REF` follow a case's updates",
        f"`{command} unfollow REF` stop following it",
        f"`{command} status REF` where a case stands",
        f"`{command} list` open cases and cases awaiting a decision",
        f"`{command} open [TITLE]` open a new case with a form (triagers and admins); on a "
        "message, the shortcut *Open a case from this message* fills it in",
        f"`{command} help` this text",
    ]
    head = "*Incident Hub*" + (f"\n{error}" if error else "")
    text = (
        (error + " " if error else "")
        + "Usage: "
        + "; ".join(line.replace("`", "") for line in lines)
    )
    return ephemeral(text, [section(head), section("\n".join(lines))])


def not_linked(slack_user_id: str) -> dict[str, Any]:
    """For an unmapped (or deactivated) Slack user: no case facts, only how to get linked."""
    text = (
        "Your Slack account is not linked to Incident Hub; ask an admin to add your Slack id "
        f"({echo(slack_user_id)})."
    )
    return note(text, text)


def no_case(ref: str) -> dict[str, Any]:
    """The one answer for a case that does not exist and for one the user may not see."""
    text = f"No case {echo(ref.strip().upper())}."
    return note(text, text)


def problem(message: str) -> dict[str, Any]:
    """A service refused (conflict, validation, permission): its message, politely."""
    text = f"Could not do that: {fit(message, 1000, line=False)}"
    return note(text, text)


def oops() -> dict[str, Any]:
    """An unexpected error; the details are in the log, not in Slack."""
    text = "Something went wrong on our side; please try again, or use Incident Hub on the web."
    return note(text, text)


def followed(ref: str, newly: bool) -> dict[str, Any]:
    """Only the reference and a link, so it is safe for a restricted case too."""
    ref, to = escape(ref), link(case_url(ref), escape(ref))
    if newly:
        return note(f"You now follow {to}.", f"You now follow {ref}.")
    return note(f"You already follow {to}.", f"You already follow {ref}.")


def unfollowed(ref: str, was_following: bool) -> dict[str, Any]:
    ref, to = escape(ref), link(case_url(ref), escape(ref))
    if was_following:
        return note(f"You no longer follow {to}.", f"You no longer follow {ref}.")
    return note(f"You were not following {to}.", f"You were not following {ref}.")


def _progress(case) -> str:  # noqa: ANN001
    """Analyses filed/pending (and draft: required questions open; and waived), and the
    decision of the current round (plain text: case_message escapes it)."""
    counts = Counter(a.status for a in case.assignments)
    detail = f"Functions: {counts['filed']} filed, {counts['pending']} pending"
    if counts[AssignmentStatus.DRAFT]:
        detail += f", {counts[AssignmentStatus.DRAFT]} draft (required questions open)"
    if counts["waived"]:
        detail += f", {counts['waived']} waived"
    decision = case.decision
    if decision is not None:
        playbook = registry().get(case.playbook_key)
        option = playbook.option(decision.option_key) if playbook else None
        title = option.title if option else decision.option_key
        detail += f". Decision: {title} ({decision.decided_at.strftime('%d %b %Y')})"
    return detail


def _salience(case) -> str:  # noqa: ANN001
    """The human-rights salience band, unless the notice builder already marks it urgent."""
    if urgency(case):
        return ""
    return f". Human-rights salience: {hr_salience.describe(case.salience)}"


def status_reply(case, following: bool) -> dict[str, Any]:  # noqa: ANN001
    """A case's standing, built by the notice builder so a restricted case shows only its
    reference and a link (a secret one); any other case also shows progress, the decision and
    its human-rights salience band."""
    if secret(case):
        message = case_message(case, "Case status")
    else:
        due = case.decision_due_at if case.status in UNDECIDED else None
        detail = _progress(case) + _salience(case)
        message = case_message(case, "Case status", due=due, detail=detail, follow=not following)
    return ephemeral(message["text"], message["blocks"])


def _list_line(case) -> tuple[str, str]:  # noqa: ANN001
    """(mrkdwn, fallback) for one case in ``list``, both escaped."""
    ref = escape(case.ref)
    to = link(case_url(case.ref), ref)
    if secret(case):
        return f"{to} (restricted: details in Incident Hub only)", f"{ref} (restricted)"
    title = fit(case.title, MAX_TITLE)
    status = status_label(case.status)
    due = case.decision_due_at.strftime("%d %b %Y") if case.decision_due_at else "—"
    return f"{to} {title}\n{status} · decision due {due}", f"{ref} {title} ({status})"


def list_reply(cases: list, total: int) -> dict[str, Any]:
    """Open and awaiting-decision cases the user can see, most salient first, then newest
    (the case list's order), with links."""
    everything = f"{current_app.config['BASE_URL'].rstrip('/')}/cases"
    if not cases:
        text = "No open cases and none awaiting a decision."
        return note(f"{text} {link(everything, 'All cases')}", text)
    head = f"*Open cases and cases awaiting a decision* ({total})"
    blocks = [section(head)]
    plain = []
    for case in cases:
        mrkdwn, line = _list_line(case)
        blocks.append(section(mrkdwn))
        plain.append(line)
    more = f"Showing {len(cases)} of {total}. " if total > len(cases) else ""
    blocks.append(context(f"{more}{link(everything, 'All cases')}"))
    return ephemeral(f"{total} case(s): " + "; ".join(plain), blocks)


def interaction_reply(text: str) -> dict[str, Any]:
    """The inline answer to a button press (``text`` already escaped); it never replaces the
    notice it was pressed on."""
    return {"response_type": "ephemeral", "replace_original": False, "text": fallback(text)}
