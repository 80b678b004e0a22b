"""Ephemeral Block Kit answers to the ``/incident`` command and to notice buttons.

Every answer is ``{"response_type": "ephemeral", "text": fallback, "blocks": [...]}``: only the
person who asked sees it. What a reply says about a case follows the notice rules
(:mod:`..notify.messages`): reference, title, status, due date and a link; a restricted case
only its reference and a link. Anything the user typed is escaped and shortened before it is
echoed, so a reply cannot be turned into a link or mention.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import current_app

from ..assessment import salience as hr_salience
from ..notify.messages import case_message, case_url, urgency
from ..playbooks import registry
from ..vocabulary import UNDECIDED, status_label

DEFAULT_COMMAND = "/incident"
MAX_ECHO = 40  # characters of user input echoed back
MAX_TITLE = 150  # characters of a case title in a list line


def escape(text: str) -> str:
    """Slack's three mrkdwn control characters; everything else is shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def echo(text: str) -> str:
    """User input, shortened and made safe to show inside a code span."""
    short = text if len(text) <= MAX_ECHO else text[: MAX_ECHO - 1] + "…"
    return escape(short.replace("`", "'"))


def ephemeral(text: str, blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The reply envelope; ``text`` is the notification/fallback, ``blocks`` what is shown."""
    reply: dict[str, Any] = {"response_type": "ephemeral", "text": text}
    if blocks:
        reply["blocks"] = blocks
    return reply


def section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def note(mrkdwn: str, fallback: str) -> dict[str, Any]:
    """A one-section reply."""
    return ephemeral(fallback, [section(mrkdwn)])


def help_reply(command: str = DEFAULT_COMMAND, error: str = "") -> dict[str, Any]:
    """Usage; ``error`` (already escaped) says what was wrong with the last command."""
    lines = [
        f"`{command} follow REF` follow a case's updates",
        f"`{command} unfollow REF` stop following it",
        f"`{command} status REF` where a case stands",
        f"`{command} list` open cases and cases awaiting a decision",
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
    text = f"Could not do that: {message}"
    return note(escape(text), text)


def oops() -> dict[str, Any]:
    """An unexpected error; the details are in the log, not in Slack."""
    text = "Something went wrong on our side; please try again, or use Incident Hub on the web."
    return note(text, text)


def followed(ref: str, newly: bool) -> dict[str, Any]:
    """Only the reference and a link, so it is safe for a restricted case too."""
    link = f"<{case_url(ref)}|{ref}>"
    if newly:
        return note(f"You now follow {link}.", f"You now follow {ref}.")
    return note(f"You already follow {link}.", f"You already follow {ref}.")


def unfollowed(ref: str, was_following: bool) -> dict[str, Any]:
    link = f"<{case_url(ref)}|{ref}>"
    if was_following:
        return note(f"You no longer follow {link}.", f"You no longer follow {ref}.")
    return note(f"You were not following {link}.", f"You were not following {ref}.")


def _progress(case) -> str:  # noqa: ANN001
    """Analyses filed/pending (and waived), and the decision of the current round."""
    counts = Counter(a.status for a in case.assignments)
    detail = f"Functions: {counts['filed']} filed, {counts['pending']} pending"
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
    reference and a link; any other case also shows progress, the decision and its
    human-rights salience band."""
    if case.restricted:
        message = case_message(case, "Case status")
    else:
        due = case.decision_due_at if case.status in UNDECIDED else None
        detail = _progress(case) + _salience(case)
        message = case_message(case, "Case status", due=due, detail=detail, follow=not following)
    return ephemeral(message["text"], message["blocks"])


def _list_line(case) -> tuple[str, str]:  # noqa: ANN001
    """(mrkdwn, plain) for one case in ``list``."""
    link = f"<{case_url(case.ref)}|{case.ref}>"
    if case.restricted:
        return f"{link} (restricted: details in Incident Hub only)", f"{case.ref} (restricted)"
    title = case.title if len(case.title) <= MAX_TITLE else case.title[: MAX_TITLE - 1] + "…"
    status = status_label(case.status)
    due = case.decision_due_at.strftime("%d %b %Y") if case.decision_due_at else "—"
    return (
        f"{link} {escape(title)}\n{status} · decision due {due}",
        f"{case.ref} {title} ({status})",
    )


def list_reply(cases: list, total: int) -> dict[str, Any]:
    """Open and awaiting-decision cases the user can see, most salient first, then newest
    (the case list's order), with links."""
    everything = f"{current_app.config['BASE_URL'].rstrip('/')}/cases"
    if not cases:
        text = "No open cases and none awaiting a decision."
        return note(f"{text} <{everything}|All cases>", text)
    head = f"*Open cases and cases awaiting a decision* ({total})"
    blocks = [section(head)]
    plain = []
    for case in cases:
        mrkdwn, line = _list_line(case)
        blocks.append(section(mrkdwn))
        plain.append(line)
    more = f"Showing {len(cases)} of {total}. " if total > len(cases) else ""
    footer = {"type": "mrkdwn", "text": f"{more}<{everything}|All cases>"}
    blocks.append({"type": "context", "elements": [footer]})
    return ephemeral(f"{total} case(s): " + "; ".join(plain), blocks)


def interaction_reply(text: str) -> dict[str, Any]:
    """The inline answer to a button press; it never replaces the notice it was pressed on."""
    return {"response_type": "ephemeral", "replace_original": False, "text": text}
