"""Block Kit messages with a plain-text fallback, carrying the minimum a reader needs.

A message says what happened, the case reference, title, status, the relevant due date and a
link; a case whose human-rights salience is high or critical is marked urgent, with its
salience. A secret case (restricted, or under a gag order: :func:`secret`) carries only its
reference and a link (no salience either): its title may itself reveal a government demand
under a gag order; the announce channel hears only :func:`secret_announcement`. Every foreign
text is escaped and every text cut to Slack's limits (:mod:`.slack_text`), and a feed item's
link is put in a Slack link only once :func:`.slack_text.safe_url` has accepted it.

Beside its blocks, a case notice carries its e-mail form (``"mail"``, :mod:`.mail_text`), built
in the same branch from the same values: a secret case's e-mail says what its Slack message
says, no more. The outbox keeps it off Slack rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from ..assessment import salience as hr_salience
from ..clock import as_utc, now, span
from ..vocabulary import CaseStatus, status_label
from .mail_text import mail_part
from .slack_text import (
    BUTTON_VALUE,
    context,
    escape,
    fallback,
    fit,
    link,
    one_line,
    plain,
    safe_url,
    section,
)

RESTRICTED_ANNOUNCEMENT = "A restricted case was opened; members were told directly."
TITLE_BUDGET = 1500  # a title's share of a section (escaped): room left for the rest
DETAIL_BUDGET = 1000
LONG_LINK = 1000  # a feed link longer than this goes in a button's url, not in the text


def case_url(ref: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/cases/{ref}"


def secret(case) -> bool:  # noqa: ANN001
    """Restricted or under a gag order: Slack hears its reference at most, never its title,
    jurisdiction, playbook or salience (whether or not the gag order made it restricted)."""
    return bool(case.restricted or case.gag_order)


def _when(value: datetime | None) -> str:
    return value.strftime("%d %b %Y %H:%M UTC") if value else ""


def deadline_line(case, at: datetime | None = None) -> str:  # noqa: ANN001
    """``Response deadline: in 19 h (Fri 4 Dec 20:00 UTC)`` (or ``passed 5 h ago``) while the
    case has a response deadline and is not closed, else ``""``. ``case`` may be a plain row
    (reminder sweeps): one without the column has no line."""
    deadline = getattr(case, "response_deadline", None)
    if deadline is None or getattr(case, "status", "") == CaseStatus.CLOSED:
        return ""
    deadline = as_utc(deadline)
    delta = deadline - (at or now())
    left = f"in {span(delta)}" if delta >= timedelta(0) else f"passed {span(-delta)} ago"
    day = f"{deadline:%a} {deadline.day} {deadline:%b}"
    if deadline.year != (at or now()).year:
        day += f" {deadline.year}"
    return f"Response deadline: {left} ({day} {deadline:%H:%M} UTC)"


def buttons(ref: str, *, follow: bool = True) -> dict[str, Any]:
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": "open",
            "url": case_url(ref),
            "text": plain("Open in Incident Hub"),
            "value": ref[:BUTTON_VALUE],
        }
    ]
    if follow:
        elements.append(
            {
                "type": "button",
                "action_id": "follow",
                "value": ref[:BUTTON_VALUE],
                "text": plain("Follow"),
            }
        )
    return {"type": "actions", "block_id": f"case-actions:{ref}"[:255], "elements": elements}


def urgency(case) -> str:  # noqa: ANN001
    """``"URGENT · salience 72/100 (high) · "`` for a case of high or critical human-rights
    salience (see assessment/salience.py), else ``""``; never for a secret case. ``case``
    may be a plain row (reminder sweeps): one without a ``salience`` column is not urgent."""
    salience = getattr(case, "salience", 0)
    if secret(case) or not hr_salience.is_urgent(salience):
        return ""
    return f"URGENT · salience {hr_salience.describe(salience)} · "


def secret_announcement() -> dict[str, Any]:
    """What the announce channel hears of a secret case being opened: that one was, no more
    (no reference, title, jurisdiction or playbook); its members are told directly."""
    return {
        "text": RESTRICTED_ANNOUNCEMENT,
        "blocks": [section(RESTRICTED_ANNOUNCEMENT)],
        "secret": True,
    }


def case_message(
    case, headline: str, *, due: datetime | None = None, detail: str = "", follow: bool = True
) -> dict[str, Any]:  # noqa: ANN001
    """A case notice. ``headline`` says what happened ("Decision recorded", …); ``detail`` is
    plain text (escaped here). A secret case's payload is marked ``secret``: delivery never
    sends it to the announce channel in place of a case channel."""
    url, ref = case_url(case.ref), escape(case.ref)
    if secret(case):
        text = f"{fit(headline, 200)}: {ref} (restricted case) {escape(url)}"
        blocks = [
            section(
                f"*{fit(headline, 200)}* · {link(url, ref)} "
                "(restricted: details in Incident Hub only)"
            ),
            buttons(case.ref, follow=False),
        ]
        said = f"{headline}: {case.ref} (restricted case: details in Incident Hub only)"
        mail = mail_part(f"{headline}: {case.ref}", [said], url)
        return {"text": fallback(text), "blocks": blocks, "secret": True, "mail": mail}
    status = status_label(case.status)
    facts = [f"*Status:* {status}", f"*Jurisdiction:* {fit(case.jurisdiction, 50)}"]
    if due:
        facts.append(f"*Due:* {_when(due)}")
    urgent = urgency(case)
    title = fit(case.title, TITLE_BUDGET)
    text = f"{fit(urgent + headline, 300)}: {ref} {title} — {status}" + (
        f", due {_when(due)}" if due else ""
    )
    body = f"*{fit(urgent + headline, 300)}*\n{link(url, ref)} {title}"
    if urgent:
        facts.insert(0, f"*Salience:* {hr_salience.describe(case.salience)}")  # has one
    deadline = deadline_line(case)
    if deadline:
        body += f"\n*{deadline}*"
        text += f". {deadline}"
    if detail:
        body += f"\n{fit(detail, DETAIL_BUDGET, line=False)}"
        text += f". {fit(detail, DETAIL_BUDGET)}"
    blocks = [section(body), context("  ·  ".join(facts)), buttons(case.ref, follow=follow)]
    mail = _mail(case, urgent, headline, due, detail, url)
    return {"text": fallback(f"{text} {escape(url)}"), "blocks": blocks, "mail": mail}


def _mail(  # noqa: ANN001
    case, urgent: str, headline: str, due: datetime | None, detail: str, url: str
) -> dict[str, Any]:
    """The plain-text form of a case notice that is not secret: what its blocks say, cut
    where they are cut."""
    title, headline = one_line(case.title)[:TITLE_BUDGET], (urgent + headline)[:300]
    lines = [headline, f"{case.ref} {title}", f"Status: {status_label(case.status)}"]
    lines.append(f"Jurisdiction: {one_line(case.jurisdiction)[:50]}")
    if urgent:
        lines.append(f"Salience: {hr_salience.describe(case.salience)}")
    lines += [f"Due: {_when(due)}" if due else "", deadline_line(case), detail[:DETAIL_BUDGET]]
    return mail_part(f"{headline}: {case.ref} {title}", lines, url)


def alert_message(alert: dict[str, Any]) -> dict[str, Any]:
    """A flagged alert for the triage channel: title, source, why, and a link to the queue.

    ``alert`` holds id, score, title, link, source_title, topics, jurisdictions, matched. The
    item's link is the feed author's: a Slack link only if :func:`safe_url` accepts it (and it
    is short), else a button's ``url`` if accepted, else left out.
    """
    base = current_app.config["BASE_URL"].rstrip("/")
    title = fit(alert["title"] or "(untitled)", TITLE_BUDGET)
    why = fit(", ".join(alert["matched"][:6]), DETAIL_BUDGET)
    where = fit(", ".join(alert["jurisdictions"]) or "jurisdiction unknown", 300)
    topics = fit(", ".join(alert["topics"]) or "—", 300)
    score = f"{alert['score']:.1f}"
    text = f"Alert flagged ({score}): {title} [{where}] {escape(base)}/triage"
    url = safe_url(alert["link"])
    inline = url if len(url) <= LONG_LINK else ""
    summary = (
        f"*Alert flagged* (score {score}) · {link(inline, title)}\n"
        f"{fit(alert['source_title'], 300)} · {where} · topics: {topics}"
    )
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": "open_triage",
            "url": f"{base}/triage",
            "text": plain("Open the triage queue"),
        }
    ]
    if url and not inline:
        elements.append(
            {"type": "button", "action_id": "open_item", "url": url, "text": plain("Open the item")}
        )
    blocks = [
        section(summary),
        context(f"Why: {why}"),
        {"type": "actions", "block_id": f"alert-actions:{alert['id']}", "elements": elements},
    ]
    return {"text": fallback(text), "blocks": blocks}
