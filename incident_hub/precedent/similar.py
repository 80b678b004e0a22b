"""Precedent: the past cases most like a case, by substance, with why each was matched.

Concepts: what the case is about, read by the feed watcher's classifier from its title and
intake (topics, places and regions, language: :mod:`.concepts`), stored per case in
``case_concepts``; the cases sharing the most of them are fetched through its index. Text: the
case's most distinctive terms (from its title, summary, instrument, legal basis and current
analyses; rare across all cases, frequent in this one) are looked up in the full-text index
(FTS5 ``case_fts`` / the GIN index on ``case_documents.tsv``); the database ranks cases by the
summed weight of the terms they share and hands back the best few dozen (see
:mod:`.textmatch`). Those, plus recent cases of the same playbook (same jurisdiction first),
are scored on the situation (the topics both are about, weighted by how strongly), the places
named, the shared terms, playbook, jurisdiction, rights (the assessment's, else the
playbook's), legal instrument and issuing authority. The score is in [0, 1]:

    0.35 situation + 0.05 places + 0.15 text + 0.10 instrument + 0.05 authority
    + 0.10 playbook + 0.10 jurisdiction + 0.10 rights

The situation outweighs the words: "carriers told to go dark" finds "mobile data shutdown", in
any language the rules cover, ahead of a case that only shares words. Cases the actor may not
see are never in the results, and the case itself is left out. The number of statements is
the same whatever the data (the case page's query budget).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, case, cast, func, select

from ..actor import Actor
from ..assessment.models import Assessment
from ..auth import permissions as perm
from ..auth.models import User
from ..cases.models import Case, Decision
from ..cases.queries import get_case
from ..extensions import db
from ..followthrough.models import Action
from ..playbooks import registry
from ..schemas import parse
from ..vocabulary import ActionStatus
from . import concepts, outcomes
from .inputs import SimilarQuery
from .models import CaseConcept, CaseOutcome
from .terms import STOPWORDS, words
from .textmatch import IndexScans, Scope, Term, candidates, distinctive_terms

WEIGHTS = {
    "situation": 0.35,
    "places": 0.05,
    "text": 0.15,
    "instrument": 0.10,
    "authority": 0.05,
    "playbook": 0.10,
    "jurisdiction": 0.10,
    "rights": 0.10,
}
EXCERPT = 280
# Words that name the kind of instrument, not which one (Law 7253 is "7253").
INSTRUMENT_WORDS = STOPWORDS | frozenset(
    "law laws act acts no nr art article articles s section sections rule rules regulation "  # noqa: SIM905
    "regulations decree decrees code order orders amendment amendments amending bill federal "
    "fz draft statute ordinance directive".split()
)


@dataclass
class SimilarCase:
    ref: str
    title: str
    status: str
    playbook: str
    jurisdiction: str
    restricted: bool
    opened_at: datetime
    score: float
    reasons: list[str] = field(default_factory=list)
    decision: dict[str, Any] | None = None
    actions: dict[str, int] = field(default_factory=lambda: {"done": 0, "waived": 0, "total": 0})
    # what happened next, as recorded for its latest round (None: nothing recorded yet)
    response: dict[str, Any] | None = None


def similar_cases(actor: Actor, ref: str, limit: Any = 5) -> list[SimilarCase]:
    """The past cases most like ``ref`` that the actor may see, best first (404 if the actor
    may not see ``ref`` itself)."""
    limit = parse(SimilarQuery, {} if limit in (None, "") else {"limit": limit}).limit
    case_ = get_case(actor, ref)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    about = concepts.of_case(concepts.app_classifier(), case_)
    scope = _scope(actor)
    with IndexScans(postgres) as index:
        terms = distinctive_terms(case_, postgres, index.size)
        hits = candidates(case_, terms, postgres, about, scope)
    rows = _details([case_.id, *hits])
    own = next((row for row in rows if row.id == case_.id), None)
    rights = set((own.rights if own else None) or _playbook_rights(case_))
    mine = _Profile(case_, rights, about)
    total_weight = sum(t.weight for t in terms) or 1.0
    scored = []
    for row in rows:
        if row.id == case_.id or not scope.allows(row.id, row.restricted):
            continue
        shared = [t for i, t in enumerate(terms) if hits.get(row.id, 0) >> i & 1]
        theirs = concepts.parse(row.concepts)
        share = sum(t.weight for t in shared) / total_weight
        score, _ = mine.compare(row, theirs, share, shared)
        scored.append((score, row.opened_at, row, theirs, share, shared))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    return [  # why, for the few shown only
        _result(row, score, mine.compare(row, theirs, share, shared, explain=True)[1])
        for score, _, row, theirs, share, shared in scored[:limit]
    ]


def _details(ids: list[int]) -> list[Any]:
    """Everything the scoring and the results need about the cases ``ids``, in one statement:
    the case, its concepts, its assessment's rights, the decision of its current round (and
    who made it), its follow-through actions counted by status, and what happened next in the
    latest round recorded (government response, note, lesson)."""
    tally = (
        select(
            Action.case_id,
            Action.round,
            func.count().label("total"),
            func.sum(case((Action.status == ActionStatus.DONE, 1), else_=0)).label("done"),
            func.sum(case((Action.status == ActionStatus.WAIVED, 1), else_=0)).label("waived"),
        )
        .where(Action.case_id.in_(ids))
        .group_by(Action.case_id, Action.round)
        .subquery()
    )
    latest = (
        select(CaseOutcome.case_id, func.max(CaseOutcome.round).label("round"))
        .where(CaseOutcome.case_id.in_(ids))
        .group_by(CaseOutcome.case_id)
        .subquery()
    )
    pair = CaseConcept.concept + "=" + cast(CaseConcept.weight, String)
    about = (  # "topic:shutdown-blocking=1.0|place:IN=0.5|…" (see concepts.parse)
        select(func.aggregate_strings(pair, "|"))
        .where(
            CaseConcept.case_id == Case.id,
            CaseConcept.weight > 0,
            CaseConcept.concept.not_like("situation:%"),  # for the lookup only
        )
        .scalar_subquery()
    )
    return list(
        db.session.execute(
            select(
                *(getattr(Case, name) for name in ("id", "ref", "title", "status", "playbook_key")),
                *(getattr(Case, name) for name in ("jurisdiction", "restricted", "opened_by_id")),
                *(getattr(Case, name) for name in ("opened_at", "instrument", "authority")),
                Assessment.rights,
                Decision.option_key,
                Decision.decided_at,
                func.substr(Decision.rationale, 1, EXCERPT + 1).label("rationale"),
                User.name.label("executive"),
                CaseOutcome.round.label("response_round"),
                CaseOutcome.government_response,
                func.substr(CaseOutcome.note, 1, outcomes.NOTE_EXCERPT + 1).label("response_note"),
                func.substr(CaseOutcome.lesson, 1, outcomes.LESSON_EXCERPT + 1).label("lesson"),
                CaseOutcome.recorded_at.label("response_recorded_at"),
                tally.c.total,
                tally.c.done,
                tally.c.waived,
                about.label("concepts"),
            )
            .outerjoin(Assessment, Assessment.case_id == Case.id)
            .outerjoin(Decision, and_(Decision.case_id == Case.id, Decision.round == Case.round))
            .outerjoin(User, User.id == Decision.executive_id)
            .outerjoin(tally, and_(tally.c.case_id == Case.id, tally.c.round == Case.round))
            .outerjoin(latest, latest.c.case_id == Case.id)
            .outerjoin(
                CaseOutcome,
                and_(CaseOutcome.case_id == Case.id, CaseOutcome.round == latest.c.round),
            )
            .where(Case.id.in_(ids))
        ).all()
    )


def _scope(actor: Actor) -> Scope:
    """The cases the actor may see: every one, or the unrestricted ones and the restricted ones
    ``perm`` names (a member's few). Candidates are looked up among those only, so a hidden
    case takes no candidate's place, and term rarity is read from unrestricted cases (see
    :mod:`.textmatch`): nothing a non-member is shown depends on a case they may not see."""
    user = actor.require_user()
    if perm.sees_every_case(user):
        return Scope(every=True)
    ids = db.session.execute(perm.restricted_visible_ids(user)).scalars()
    return Scope(every=False, restricted_ids=frozenset(ids))


def _result(row: Any, score: float, reasons: list[str]) -> SimilarCase:
    decision = None
    if row.option_key is not None:
        playbook = registry().get(row.playbook_key)
        option = playbook.option(row.option_key) if playbook else None
        decision = {
            "option": row.option_key,
            "option_title": option.title if option else row.option_key,
            "executive": row.executive or "",
            "decided_at": row.decided_at,
            "rationale": outcomes.excerpt(row.rationale, EXCERPT),
        }
    response = None
    if row.government_response is not None:
        response = outcomes.summary(
            row.response_round,
            row.government_response,
            row.response_note,
            row.lesson,
            row.response_recorded_at,
        )
    return SimilarCase(
        ref=row.ref,
        title=row.title,
        status=row.status,
        playbook=row.playbook_key,
        jurisdiction=row.jurisdiction,
        restricted=row.restricted,
        opened_at=row.opened_at,
        score=round(score, 3),
        reasons=reasons,
        decision=decision,
        actions={"done": row.done or 0, "waived": row.waived or 0, "total": row.total or 0},
        response=response,
    )


def _playbook_rights(row: Any) -> tuple[str, ...]:
    playbook = registry().get(row.playbook_key)
    return playbook.rights if playbook else ()


def _distinct(value: str | None) -> set[str]:
    return {w for w in words(value or "") if w not in INSTRUMENT_WORDS}


def _norm(value: str | None) -> str:
    return " ".join(words(value or ""))


class _Profile:
    """What the case is compared on, and how one other case compares."""

    def __init__(self, case_: Case, rights: set[str], about: concepts.Concepts):
        self.playbook, self.jurisdiction, self.rights = (
            case_.playbook_key,
            case_.jurisdiction,
            rights,
        )
        self.about = about
        self.instrument_words = _distinct(case_.instrument)
        self.authority = _norm(case_.authority)

    def compare(
        self,
        row: Any,
        about: concepts.Concepts,
        text_share: float,
        shared: list[Term],
        explain: bool = False,
    ) -> tuple[float, list[str]]:
        """The score of ``row`` (whose concepts are ``about``) and, if ``explain``, why."""
        situation, places, reasons = concepts.compare(self.about, about, explain)
        score = WEIGHTS["situation"] * situation + WEIGHTS["places"] * places
        score += WEIGHTS["text"] * text_share
        if row.playbook_key == self.playbook:
            score += WEIGHTS["playbook"]
            if explain:
                playbook = registry().get(row.playbook_key)
                reasons.append(f"same playbook: {playbook.title if playbook else row.playbook_key}")
        if row.jurisdiction == self.jurisdiction:
            score += WEIGHTS["jurisdiction"]
            reasons.append(f"same jurisdiction: {row.jurisdiction}")
        theirs = set(row.rights or _playbook_rights(row))
        if self.rights and theirs & self.rights:
            score += WEIGHTS["rights"] * len(theirs & self.rights) / len(theirs | self.rights)
            reasons.append(f"shared rights: {', '.join(sorted(theirs & self.rights))}")
        theirs_words = _distinct(row.instrument)
        if self.instrument_words and theirs_words == self.instrument_words:
            score += WEIGHTS["instrument"]  # "Law No. 7253" is "Law 7253"
            reasons.append(f"same instrument: {row.instrument}")
        elif self.instrument_words & theirs_words:
            overlap = len(self.instrument_words & theirs_words)
            score += WEIGHTS["instrument"] * overlap / len(self.instrument_words | theirs_words)
            reasons.append(f"similar instrument: {row.instrument}")
        if self.authority and _norm(row.authority) == self.authority:
            score += WEIGHTS["authority"]
            reasons.append(f"same authority: {row.authority}")
        if shared:
            reasons.append("shared terms: " + ", ".join(t.word for t in shared[:6]))
        return min(score, 1.0), reasons
