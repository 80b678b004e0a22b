"""Block Kit messages with a plain-text fallback, carrying the minimum a reader needs.

A message says what happened, the case reference, title, status, the relevant due date and a
link; a case whose human-rights salience is high or critical is marked urgent, with its
salience. A restricted case's message carries only its reference and a link (no salience
either): its title may itself reveal a government demand under a gag order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app

from ..assessment import salience as hr_salience
from ..vocabulary import status_label


def case_url(ref: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/cases/{ref}"


def _mrkdwn_escape(text: str) -> str:
    """Slack's three control characters; everything else is shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _when(value: datetime | None) -> str:
    return value.strftime("%d %b %Y %H:%M UTC") if value else ""


def buttons(ref: str, *, follow: bool = True) -> dict[str, Any]:
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": "open",
            "url": case_url(ref),
            "text": {"type": "plain_text", "text": "Open in Incident Hub"},
            "value": ref,
        }
    ]
    if follow:
        elements.append(
            {
                "type": "button",
                "action_id": "follow",
                "value": ref,
                "text": {"type": "plain_text", "text": "Follow"},
            }
        )
    return {"type": "actions", "block_id": f"case-actions:{ref}", "elements": elements}


def urgency(case) -> str:  # noqa: ANN001
    """``"URGENT · salience 72/100 (high) · "`` for a case of high or critical human-rights
    salience (see assessment/salience.py), else ``""``; never for a restricted case. ``case``
    may be a plain row (reminder sweeps): one without a ``salience`` column is not urgent."""
    salience = getattr(case, "salience", 0)
    if case.restricted or not hr_salience.is_urgent(salience):
        return ""
    return f"URGENT · salience {hr_salience.describe(salience)} · "


def case_message(
    case, headline: str, *, due: datetime | None = None, detail: str = "", follow: bool = True
) -> dict[str, Any]:  # noqa: ANN001
    """A case notice. ``headline`` says what happened ("Decision recorded", …)."""
    if case.restricted:
        text = f"{headline}: {case.ref} (restricted case) {case_url(case.ref)}"
        blocks = [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{_mrkdwn_escape(headline)}* · <{case_url(case.ref)}|{case.ref}> "
                    "(restricted: details in Incident Hub only)",
                },
            },
            buttons(case.ref, follow=False),
        ]
        return {"text": text, "blocks": blocks}
    status = status_label(case.status)
    facts = [f"*Status:* {status}", f"*Jurisdiction:* {case.jurisdiction}"]
    if due:
        facts.append(f"*Due:* {_when(due)}")
    urgent = urgency(case)
    text = f"{urgent}{headline}: {case.ref} {case.title} — {status}" + (
        f", due {_when(due)}" if due else ""
    )
    section = (
        f"*{_mrkdwn_escape(urgent + headline)}*\n<{case_url(case.ref)}|{case.ref}> "
        f"{_mrkdwn_escape(case.title)}"
    )
    if urgent:
        facts.insert(0, f"*Salience:* {hr_salience.describe(case.salience)}")  # has one
    if detail:
        section += f"\n{_mrkdwn_escape(detail)}"
        text += f". {detail}"
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": section}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "  ·  ".join(facts)}]},
        buttons(case.ref, follow=follow),
    ]
    return {"text": f"{text} {case_url(case.ref)}", "blocks": blocks}


def alert_message(alert: dict[str, Any]) -> dict[str, Any]:
    """A flagged alert for the triage channel: title, source, why, and a link to the queue.

    ``alert`` holds id, score, title, link, source_title, topics, jurisdictions, matched.
    """
    base = current_app.config["BASE_URL"].rstrip("/")
    title = _mrkdwn_escape(alert["title"] or "(untitled)")
    why = ", ".join(alert["matched"][:6])
    where = ", ".join(alert["jurisdictions"]) or "jurisdiction unknown"
    text = f"Alert flagged ({alert['score']:.1f}): {alert['title']} [{where}] {base}/triage"
    link = f"<{alert['link']}|{title}>" if alert["link"] else title
    summary = (
        f"*Alert flagged* (score {alert['score']:.1f}) · {link}\n"
        f"{_mrkdwn_escape(alert['source_title'])} · {where} · "
        f"topics: {', '.join(alert['topics']) or '—'}"
    )
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": summary}},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"Why: {_mrkdwn_escape(why)}"}],
        },
        {
            "type": "actions",
            "block_id": f"alert-actions:{alert['id']}",
            "elements": [
                {
                    "type": "button",
                    "action_id": "open_triage",
                    "url": f"{base}/triage",
                    "text": {"type": "plain_text", "text": "Open the triage queue"},
                }
            ],
        },
    ]
    return {"text": text, "blocks": blocks}
