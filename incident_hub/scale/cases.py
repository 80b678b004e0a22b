"""Seeding many realistic past cases quickly (SQLAlchemy Core bulk inserts in batches)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from ..actor import Actor
from ..assessment import salience
from ..assessment.models import Assessment
from ..auth.models import User, UserFunction, UserRole
from ..auth.service import create_user
from ..cases.models import Analysis, Assignment, Case, CaseMember, Decision, RefCounter
from ..clock import now
from ..extensions import db
from ..followthrough.models import Action
from ..playbooks import Playbook, registry
from ..precedent import concepts
from ..precedent.index import compose_body
from ..precedent.models import CaseConcept, CaseDocument
from ..vocabulary import DECIDED_OR_CLOSED, MemberKind
from .vocab import (
    ACTIONS,
    ANALYSIS,
    AUTHORITIES,
    COUNTRIES,
    DATA,
    EVENTS,
    GROUPS,
    QUALITY,
    RATIONALE,
    REGIONS,
    SERVICES,
    THEMES,
    TOPICS,
)

Progress = Callable[[int, int], None]
# Share of cases in each status (the rest are open).
STATUS_SHARES = (("closed", 0.25), ("decided", 0.45), ("awaiting_decision", 0.1))


@dataclass
class Staff:
    """Who the seeded cases name: an opener, an executive and a lead per function."""

    opener_id: int
    executive_id: int
    leads: dict[str, int] = field(default_factory=dict)


def ensure_staff() -> Staff:
    """Existing people for each part (a triager or admin, an executive, a lead per function),
    creating ``seed-…@example.org`` accounts for the parts nobody holds."""
    actor = Actor(user=None, via="cli")

    def someone(role: str) -> int:
        found = db.session.execute(
            select(UserRole.user_id).where(UserRole.role == role).order_by(UserRole.user_id)
        ).scalar()
        if found is None:
            email = f"seed-{role}@example.org"
            found = create_user(actor, email=email, name=f"Seed {role}", roles=[role]).id
        return found

    leads = dict(
        db.session.execute(
            select(UserFunction.function_key, UserFunction.user_id).order_by(
                UserFunction.user_id.desc()
            )
        ).all()
    )
    for key in sorted(set(registry().functions) - set(leads)):
        email = f"seed-{key}@example.org"
        user = db.session.execute(select(User).where(User.email == email)).scalar()
        user = user or create_user(
            actor, email=email, name=f"Seed {key}", roles=["lead"], functions=[key]
        )
        leads[key] = user.id
    db.session.commit()
    return Staff(opener_id=someone("triager"), executive_id=someone("executive"), leads=leads)


class _Writer:
    """Generates one case's rows; ``rng`` makes a run repeatable."""

    def __init__(self, rng: random.Random, staff: Staff, at: datetime):
        self.rng, self.staff, self.at = rng, staff, at
        self.playbooks: list[Playbook] = [
            registry().playbooks[k] for k in sorted(registry().playbooks)
        ]
        # Two laws per jurisdiction and theme, so that many cases arise under the same law.
        self.laws = {
            (code, key, index): [
                rng.choice(theme[0]).format(n=rng.randint(100, 9999), y=rng.randint(2015, 2026))
                for _ in range(2)
            ]
            for code in COUNTRIES
            for key, themes in THEMES.items()
            for index, theme in enumerate(themes)
        }

    def case(self, ref: str, opened: datetime) -> dict:
        rng, pick = self.rng, self.rng.choice
        playbook = pick(self.playbooks)
        kind = playbook.key if playbook.key in THEMES else "content-takedown"
        themes = THEMES[kind]
        theme = rng.randrange(len(themes))
        _, titles, summary_lines = themes[theme]
        code = pick(list(COUNTRIES))
        slots = {
            "country": COUNTRIES[code], "authority": pick(AUTHORITIES), "topic": pick(TOPICS),
            "group": pick(GROUPS), "data": pick(DATA), "region": pick(REGIONS),
            "event": pick(EVENTS), "service": pick(SERVICES), "quality": pick(QUALITY),
            "instrument": pick(self.laws[code, kind, theme]),
            "k": str(rng.randint(3, 400)), "h": pick(("24", "48", "72")),
            "m": str(rng.randint(2, 12)),
        }  # fmt: skip
        lines = rng.sample(summary_lines, k=rng.randint(2, len(summary_lines)))
        title = pick(titles).format(**slots)
        if rng.random() < 0.5 and slots["country"] not in title:
            title = f"{slots['country'].removeprefix('the ')}: {title}"
        status = self._status(rng.random())
        spec = {
            "playbook": playbook,
            "slots": slots,
            "row": {
                "ref": ref, "title": title[:300], "playbook_key": playbook.key,
                "jurisdiction": code, "summary": " ".join(x.format(**slots) for x in lines),
                "instrument": slots["instrument"], "authority": slots["authority"],
                "legal_basis": f"Art. {rng.randint(1, 60)} of {slots['instrument']}",
                "stage": pick(("draft", "consultation", "adopted", "in_force")),
                "effective_date": (opened + timedelta(days=rng.randint(-60, 180))).date(),
                "response_deadline": opened + timedelta(hours=rng.choice((24, 48, 72, 168))),
                "gag_order": rng.random() < 0.1, "source_url": "", "status": status,
                "restricted": rng.random() < 0.05, "opened_by_id": self.staff.opener_id,
                "opened_at": opened, "round": 1, "version": 1, "slack_channel_id": "",
                "decision_due_at": opened + timedelta(days=playbook.decision_due_days),
                "awaiting_since": opened + timedelta(days=2) if status != "open" else None,
                "closed_at": min(opened + timedelta(days=30), self.at)
                if status == "closed" else None,
                "salience": 0,
            },
        }  # fmt: skip
        spec["assessment"] = self._assessment(spec)
        return spec

    @staticmethod
    def _status(roll: float) -> str:
        for status, share in STATUS_SHARES:
            if roll < share:
                return status
            roll -= share
        return "open"

    def analyses(self, case_id: int, spec: dict) -> list[dict]:
        rng, row, playbook = self.rng, spec["row"], spec["playbook"]
        if row["status"] == "open" and rng.random() < 0.5:
            return []
        out = []
        for f in playbook.functions:
            if row["status"] == "open" and rng.random() < 0.4:
                continue
            sentences = rng.sample(ANALYSIS, k=rng.randint(3, 5))
            answers = {q.key: rng.choice(ANALYSIS).format(**spec["slots"]) for q in f.questions[:2]}
            out.append({
                "case_id": case_id, "function_key": f.key, "text": " ".join(
                    s.format(**spec["slots"]) for s in sentences) + f" ({row['instrument']})",
                "answers": answers, "recommendation": rng.choice(playbook.options).key,
                "author_id": self.staff.leads.get(f.key, self.staff.opener_id), "version": 1,
                "current": True, "filed_at": row["opened_at"] + timedelta(hours=rng.randint(2, 40)),
            })  # fmt: skip
        return out

    def decision(self, case_id: int, spec: dict) -> dict | None:
        row, rng = spec["row"], self.rng
        if row["status"] not in DECIDED_OR_CLOSED:
            return None
        return {
            "case_id": case_id, "round": 1, "executive_id": self.staff.executive_id,
            "option_key": rng.choice(spec["playbook"].options).key,
            "rationale": rng.choice(RATIONALE).format(**spec["slots"]),
            "conditions": "Review in three months." if rng.random() < 0.3 else "",
            "overridden": False, "decided_at": min(row["opened_at"] + timedelta(days=3), self.at),
        }  # fmt: skip

    def _assessment(self, spec: dict) -> dict | None:
        """Assessed cases (three in ten) name a subset of the playbook's rights."""
        rng = self.rng
        if rng.random() > 0.3:
            return None
        rights = list(spec["playbook"].rights)
        scale, scope, irr, likely = (rng.randint(1, 5) for _ in range(4))
        spec["row"]["salience"] = salience.compute(scale, scope, irr, likely)
        return {
            "rights": rng.sample(rights, k=rng.randint(1, len(rights))),
            "at_risk_groups": [spec["slots"]["group"]], "groups_note": "", "scale": scale,
            "scope": scope, "irremediability": irr, "likelihood": likely,
            "involvement": rng.choice(("cause", "contribute", "linked")), "leverage": "",
            "tests": {},
            "updated_by_id": self.staff.leads.get("human-rights", self.staff.opener_id),
            "updated_at": spec["row"]["opened_at"] + timedelta(days=1), "version": 1,
        }  # fmt: skip

    def actions(self, case_id: int, spec: dict) -> list[dict]:
        row, rng = spec["row"], self.rng
        if row["status"] not in DECIDED_OR_CLOSED or rng.random() > 0.4:
            return []
        done_by = min(row["opened_at"] + timedelta(days=10), self.at)
        return [
            {
                "case_id": case_id, "round": 1, "title": title, "detail": "",
                "owner_id": self.staff.leads.get("legal", self.staff.opener_id),
                "due_at": done_by, "review_on": None, "note": "", "effectiveness": "",
                "status": "done" if row["status"] == "closed" or rng.random() < 0.5 else "open",
                "created_by_id": self.staff.executive_id, "created_at": row["opened_at"],
                "completed_at": done_by if row["status"] == "closed" else None,
            }
            for title in rng.sample(ACTIONS, k=rng.randint(1, 3))
        ]  # fmt: skip


def _opened_times(rng: random.Random, n: int, at: datetime, years: int) -> list[datetime]:
    start = at - timedelta(days=365 * years)
    span = (at - timedelta(days=4) - start).total_seconds()
    return sorted(start + timedelta(seconds=rng.random() * span) for _ in range(n))


def _refs(opened: list[datetime]) -> list[str]:
    """References continuing each year's counter, which is moved on to the last one used."""
    counters = dict(db.session.execute(select(RefCounter.year, RefCounter.last)).all())
    refs = []
    for when in opened:
        counters[when.year] = counters.get(when.year, 0) + 1
        refs.append(f"INC-{when.year}-{counters[when.year]:04d}")
    for year, last in counters.items():
        row = db.session.get(RefCounter, year)
        if row is None:
            db.session.add(RefCounter(year=year, last=last))
        else:
            row.last = last
    return refs


def seed_cases(
    n: int,
    *,
    progress: Progress | None = None,
    seed: int = 0,
    years: int = 6,
    batch: int = 1000,
    staff: Staff | None = None,
) -> list[int]:
    """Insert ``n`` past cases opened over the last ``years`` years; returns their ids."""
    rng = random.Random(seed)
    at = now().astimezone(UTC)
    staff = staff or ensure_staff()
    writer = _Writer(rng, staff, at)
    classifier = concepts.app_classifier()
    opened = _opened_times(rng, n, at, years)
    refs = _refs(opened)
    db.session.commit()  # the counters first: a concurrent open_case never reuses a number
    ids: list[int] = []
    for start in range(0, n, batch):
        specs = [writer.case(refs[i], opened[i]) for i in range(start, min(n, start + batch))]
        case_ids = db.session.scalars(
            insert(Case).returning(Case.id, sort_by_parameter_order=True),
            [s["row"] for s in specs],
        ).all()
        rows: dict[type, list[dict]] = {Assignment: [], Analysis: [], Decision: [], Assessment: [],
                                        Action: [], CaseDocument: [], CaseConcept: [],
                                        CaseMember: []}  # fmt: skip
        for case_id, spec in zip(case_ids, specs, strict=True):
            analyses = writer.analyses(case_id, spec)
            filed = {a["function_key"] for a in analyses}
            rows[Assignment] += [
                {
                    "case_id": case_id, "function_key": f.key, "required": f.required,
                    "due_at": spec["row"]["opened_at"] + timedelta(days=f.due_days), "note": "",
                    "status": "filed" if f.key in filed else "pending",
                    "filed_at": spec["row"]["opened_at"] if f.key in filed else None,
                }
                for f in spec["playbook"].functions
            ]  # fmt: skip
            rows[CaseMember] += [  # each function's lead is assigned, as open_case does
                {
                    "case_id": case_id, "user_id": staff.leads[f.key], "kind": MemberKind.ASSIGNED,
                    "function_key": f.key, "added_at": spec["row"]["opened_at"],
                }
                for f in spec["playbook"].functions
                if f.key in staff.leads
            ]  # fmt: skip
            decision = writer.decision(case_id, spec)
            if decision is not None:
                rows[Decision].append(decision)
            if spec["assessment"] is not None:
                rows[Assessment].append({"case_id": case_id, **spec["assessment"]})
            rows[Action] += writer.actions(case_id, spec)
            rows[Analysis] += analyses
            case = spec["row"]
            body = compose_body(
                (case["summary"], case["instrument"], case["authority"], case["legal_basis"]),
                (
                    (a["text"], a["answers"])
                    for a in sorted(analyses, key=lambda a: a["function_key"])
                ),
                (decision["rationale"], decision["conditions"]) if decision else None,
            )
            rows[CaseDocument].append(
                {"case_id": case_id, "title": case["title"], "body": body, "updated_at": at}
            )
            about = concepts.read(
                classifier,
                case["title"],
                (case["summary"], case["instrument"], case["authority"], case["legal_basis"]),
                case["jurisdiction"],
            )
            rows[CaseConcept] += [
                {"case_id": case_id, "concept": concept, "weight": weight}
                for concept, weight in about.rows().items()
            ]
        for model, values in rows.items():
            if values:
                db.session.execute(insert(model), values)
        db.session.commit()
        ids += case_ids
        if progress:
            progress(len(ids), n)
    return ids
