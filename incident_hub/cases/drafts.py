"""Drafts: what a user typed into a case's form and has not submitted yet, kept server-side.

A draft belongs to one user and one form, named by its key:

- ``analysis:<ref>:<function>``: a function's analysis form,
- ``decision:<ref>``: the executive decision form,
- ``action:<ref>``: the case page's "Add an action" form.

Its ``fields`` are the form's fields as posted (name → list of values). Drafts are written by
autosave as the user types (static/drafts.js), by a submission that could not be taken (the
session had expired, a re-authentication was needed, the action form was refused at a field)
and are deleted when the form is successfully submitted (by the service that files it, in the
same transaction) or discarded. Only their own user ever reads them (every query is by the
actor's user id) and only while that user may still see the case (``get_case``: a restricted
case's non-member gets 404, as everywhere). Saving one asks the form's own permission and
state checks (a lead of that function, an executive, a case still undecided…): nothing is
kept for a form its user could not submit. Saves are not audited: a draft is private scratch,
nobody else's view of the case changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from ..actor import Actor
from ..clock import now
from ..errors import Conflict, NotFound, ServiceError
from ..extensions import db
from ..schemas import Input, parse
from ..transaction import run_in_transaction
from ..vocabulary import DECIDED_NOT_CLOSED
from .models import Case, Draft
from .queries import get_case

KEY_RE = re.compile(
    r"^(?P<kind>analysis|decision|action):(?P<ref>[A-Za-z0-9][A-Za-z0-9-]{0,39})"
    r"(?::(?P<function>[a-z0-9][a-z0-9-]{0,49}))?$"
)
MAX_FIELDS = 100  # a form's fields (the human-rights analysis form has about forty)
MAX_VALUES = 50  # values of one field (a group of checkboxes)
MAX_CHARS = 300_000  # all values together (the longest field, an analysis, is 50,000)
KEEP_DAYS = 30  # a draft left this long is forgotten (when its user saves another)
NOT_KEPT = ("csrf_token",)  # never stored: the session's token is no part of what was typed


def _as_lists(value: Any) -> Any:
    """A JSON client may send ``{"name": "text"}``: one value is a list of one."""
    if isinstance(value, Mapping):
        return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
    return value


def _bounded(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    if len(fields) > MAX_FIELDS:
        raise PydanticCustomError(
            "draft_fields", "has too many fields (at most {n})", {"n": MAX_FIELDS}
        )
    total = 0
    for name, values in fields.items():
        if len(name) > 80 or len(values) > MAX_VALUES:
            raise PydanticCustomError("draft_field", "has a field too long to keep")
        total += sum(len(v) for v in values)
    if total > MAX_CHARS:
        raise PydanticCustomError(
            "draft_length",
            "is too long to keep ({n} > {max} characters)",
            {"n": total, "max": MAX_CHARS},
        )
    return {k: v for k, v in fields.items() if k not in NOT_KEPT}


class DraftInput(Input):
    """A draft's fields as the form holds them, kept exactly as typed (no stripping)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False, frozen=True)

    fields: Annotated[
        dict[str, list[Annotated[str, Field(strict=True)]]],
        BeforeValidator(_as_lists),
        AfterValidator(_bounded),
        Field(description="Each form field's name and its values as typed"),
    ]


@dataclass(frozen=True)
class FormKey:
    """A parsed form key: which form of which case."""

    kind: str
    ref: str
    function: str | None

    def canonical(self, case: Case) -> str:
        tail = f":{self.function}" if self.function else ""
        return f"{self.kind}:{case.ref}{tail}"


def parse_key(key: str) -> FormKey:
    """``analysis:INC-2026-0007:legal`` → its parts; anything else is no such draft (404)."""
    match = KEY_RE.match(key or "")
    if match is None or (match["kind"] == "analysis") != bool(match["function"]):
        raise NotFound("no such form to keep a draft of")
    return FormKey(match["kind"], match["ref"], match["function"])


def key_for(endpoint: str | None, view_args: Mapping[str, Any] | None) -> str | None:
    """The draft key of a form posted to ``endpoint`` (the web routes that take drafts)."""
    args = dict(view_args or {})
    ref = str(args.get("ref", ""))
    if endpoint == "cases.analysis_form":
        return f"analysis:{ref}:{args.get('function', '')}"
    if endpoint == "cases.decision_form":
        return f"decision:{ref}"
    if endpoint == "followthrough.add_action":
        return f"action:{ref}"
    if endpoint == "cases.save_draft":
        return str(args.get("form", ""))
    return None


def form_url(key: str) -> str | None:
    """Where the form of ``key`` is (a local path), for sending the user back to it."""
    from flask import url_for

    try:
        parsed = parse_key(key)
    except NotFound:
        return None
    if parsed.kind == "analysis":
        return url_for("cases.analysis_form", ref=parsed.ref, function=parsed.function)
    if parsed.kind == "decision":
        return url_for("cases.decision_form", ref=parsed.ref)
    return url_for("cases.detail", ref=parsed.ref, _anchor="add-action")


def _may_submit(actor: Actor, parsed: FormKey, case: Case) -> None:
    """The form's own checks (audited refusals, 409 for a finished case): a draft is kept only
    for a form its user could submit now."""
    from ..followthrough import service as followthrough
    from . import analyses, service
    from .service import playbook_of

    if parsed.kind == "analysis":
        if playbook_of(case).function(parsed.function or "") is None:
            raise NotFound(f"{parsed.function} is not part of this case's playbook")
        analyses.authorize_analysis(actor, case, parsed.function or "")
    elif parsed.kind == "decision":
        service.authorize_decision(actor, case)
    else:
        followthrough.authorize_add_action(actor, case)
        if case.status not in DECIDED_NOT_CLOSED:
            raise Conflict(f"{case.ref} is not decided: actions follow a decision")


def _find(user_id: int, key: str) -> Draft | None:
    return db.session.execute(
        select(Draft).where(Draft.user_id == user_id, Draft.form_key == key)
    ).scalar_one_or_none()


def save_draft(actor: Actor, key: str, raw: DraftInput | Mapping[str, Any]) -> Draft:
    """Keep what ``actor`` typed into the form ``key`` (replacing their earlier draft of it)."""
    user_id = actor.require_user().id
    parsed = parse_key(key)
    case = get_case(actor, parsed.ref)
    _may_submit(actor, parsed, case)
    data = parse(DraftInput, raw)
    canonical = parsed.canonical(case)
    fields = {k: v for k, v in data.fields.items() if k not in NOT_KEPT}

    def work() -> Draft:
        stamp = now()
        db.session.execute(
            delete(Draft).where(
                Draft.user_id == user_id, Draft.updated_at < stamp - timedelta(days=KEEP_DAYS)
            )
        )
        row = _find(user_id, canonical)
        if row is None:
            row = Draft(user_id=user_id, case_id=case.id, form_key=canonical)
            db.session.add(row)
        row.fields, row.updated_at = fields, stamp
        return row

    try:
        return run_in_transaction(work)
    except Conflict:  # two saves of the same draft at once (autosave and submit): one won
        return run_in_transaction(work)


def get_draft(actor: Actor, key: str) -> Draft:
    """``actor``'s own draft of ``key`` (404: none, or the case is not visible to them)."""
    found = find_draft(actor, key)
    if found is None:
        raise NotFound("no draft of this form")
    return found


def find_draft(actor: Actor, key: str) -> Draft | None:
    """``actor``'s own draft of ``key``, or None; 404 when the case is not visible."""
    parsed = parse_key(key)
    case = get_case(actor, parsed.ref)
    return _find(actor.require_user().id, parsed.canonical(case))


def discard_draft(actor: Actor, key: str) -> bool:
    """Delete ``actor``'s draft of ``key``; False when there was none."""
    found = find_draft(actor, key)
    if found is None:
        return False

    def work() -> bool:
        db.session.delete(found)
        return True

    return run_in_transaction(work)


def forget(user_id: int, key: str) -> None:
    """The form was submitted: its draft goes (inside the caller's transaction)."""
    db.session.execute(delete(Draft).where(Draft.user_id == user_id, Draft.form_key == key))


def fields_of(form: MultiDict) -> dict[str, list[str]]:
    """A posted form's fields, every value of each, as a draft keeps them."""
    return {name: form.getlist(name) for name in form if name not in NOT_KEPT}


def keep_posted(actor: Actor, key: str | None, form: MultiDict) -> Draft | None:
    """Keep a submission that could not be taken now (expired session, re-authentication,
    a refused field) as the user's draft; None when it cannot be kept (no such form, no
    longer allowed, too long): the caller goes on as it would have without a draft."""
    if not key or actor.user is None:
        return None
    try:
        return save_draft(actor, key, {"fields": fields_of(form)})
    except ServiceError:
        db.session.rollback()
        return None


def stamp(user_id: int, key: str) -> datetime | None:
    """When ``user_id`` last saved a draft of ``key`` (None: no draft): part of a cached
    page's key, so a page showing the draft is never served from before it changed."""
    return db.session.execute(
        select(Draft.updated_at).where(Draft.user_id == user_id, Draft.form_key == key)
    ).scalar_one_or_none()


def label(at: datetime) -> str:
    """When a draft was saved, as the page says it: "14:05 UTC", with the day if not today."""
    if at.date() == now().date():
        return at.strftime("%H:%M UTC")
    return at.strftime("%d %b %H:%M UTC")


def as_form(draft: Draft | None) -> MultiDict | None:
    """A draft's fields as a posted form (what the form views read), or None."""
    if draft is None:
        return None
    fields = draft.fields if isinstance(draft.fields, dict) else {}
    return MultiDict(
        [(k, v) for k, values in fields.items() if isinstance(values, list) for v in values]
    )
