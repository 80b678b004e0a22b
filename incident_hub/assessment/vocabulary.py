"""The words of the human-rights assessment, in one place: rights, groups at heightened risk,
severity and likelihood levels with their guidance, involvement (UNGP 19) and Telenor's tests.

Keys are what the API, the database and the forms carry; labels and guidance are what people
read. The rights and their labels are the package's one list (``incident_hub.vocabulary``), so
an alert's rights, a playbook's and a case's assessment speak the same vocabulary.
"""

from __future__ import annotations

from typing import TypedDict

from ..vocabulary import RIGHT_LABELS

# Rights that a law change can affect: key -> label (ICCPR articles for reference).
RIGHTS: dict[str, str] = RIGHT_LABELS

# Groups at heightened risk of vulnerability or marginalisation (UNGP 18).
GROUPS: dict[str, str] = {
    "journalists": "Journalists and media workers",
    "human-rights-defenders": "Human-rights defenders and activists",
    "opposition": "Political opposition and dissidents",
    "minorities": "Ethnic, religious or linguistic minorities",
    "lgbtqi": "LGBTQI+ people",
    "women": "Women and girls",
    "children": "Children",
    "migrants": "Migrants, refugees and stateless people",
    "indigenous-peoples": "Indigenous peoples",
    "persons-with-disabilities": "Persons with disabilities",
}


class Score(TypedDict):
    label: str
    question: str
    levels: dict[int, tuple[str, str]]  # level 1–5: (short name, guidance)


# Severity (UNGP 14 commentary: scale, scope, irremediable character) plus likelihood, which is
# added when ranking salient risks. Each level 1–5 has a short name and guidance.
SCORES: dict[str, Score] = {
    "scale": {
        "label": "Scale",
        "question": "How grave is the impact for the people affected?",
        "levels": {
            1: (
                "minor",
                "inconvenience, easily absorbed (a short delay to a non-essential service)",
            ),
            2: (
                "moderate",
                "limits a right for a time (lawful, non-political content geo-blocked)",
            ),
            3: (
                "significant",
                "a substantial restriction (political speech removed; ordinary personal data "
                "disclosed to the authorities)",
            ),
            4: (
                "serious",
                "harm to core rights or sensitive data (journalists silenced; health, sexuality, "
                "political opinion or location data disclosed)",
            ),
            5: (
                "grave",
                "loss of life, liberty, or exposure of sources (arrest, violence, torture; "
                "journalists' sources or activists identified)",
            ),
        },
    },
    "scope": {
        "label": "Scope",
        "question": "How many people are or could be affected?",
        "levels": {
            1: ("a few", "a few individuals or accounts"),
            2: ("a group", "a defined group: hundreds of accounts, one community or one outlet"),
            3: ("many", "thousands of users, a region or a sizeable community"),
            4: ("most", "a large share of users in the country, or a whole service there"),
            5: ("everyone", "a whole population, or users across several countries"),
        },
    },
    "irremediability": {
        "label": "Irremediable character",
        "question": "How hard is it to restore the people affected to their situation before?",
        "levels": {
            1: ("fully remediable", "quickly and fully put right (content or access restored)"),
            2: ("remediable", "put right with effort within days, little lasting effect"),
            3: ("partly remediable", "some lasting effect (chilling effect, lost income)"),
            4: (
                "hard to remedy",
                "data once disclosed cannot be recalled; a lasting chilling effect on speech",
            ),
            5: (
                "irreversible",
                "death, torture, imprisonment, or exposure of sources or of people at risk",
            ),
        },
    },
    "likelihood": {
        "label": "Likelihood",
        "question": "How likely is the impact if we go ahead as currently planned?",
        "levels": {
            1: ("rare", "only in exceptional circumstances"),
            2: ("unlikely", "could happen, but is not expected"),
            3: ("possible", "might well happen; there is some precedent"),
            4: ("likely", "expected in most circumstances; clear precedent in this jurisdiction"),
            5: ("almost certain", "almost certain, or already happening (an actual impact)"),
        },
    },
}
SEVERITY = ("scale", "scope", "irremediability")
SCORE_KEYS = (*SEVERITY, "likelihood")

# The company's involvement in the impact (UNGP 13 and 19).
INVOLVEMENT: dict[str, tuple[str, str]] = {
    "cause": (
        "Causes",
        "our own action or omission would by itself result in the impact (we hand over the "
        "data, we shut the network down). Cease or prevent it, and remediate.",
    ),
    "contribute": (
        "Contributes to",
        "our action together with others' (the government's) results in the impact, or we "
        "facilitate or incentivise it. Cease or prevent our contribution, use leverage to "
        "mitigate the rest, and remediate to the extent of our contribution.",
    ),
    "linked": (
        "Directly linked to",
        "another party causes the impact and it is linked to our operations, products or "
        "services through a business relationship, without our contribution. Use and build "
        "leverage to prevent or mitigate it.",
    ),
}

# Telenor's four tests of a government directive, each answered yes / no / unclear with a note.
TESTS: dict[str, tuple[str, str]] = {
    "legal-basis": (
        "Legal basis",
        "Is the directive based on law, issued in writing by a competent authority following "
        "due process, and specific about what it requires?",
    ),
    "human-rights-impact": (
        "Human-rights impact",
        "Have the impacts on users' rights been assessed, and can they be avoided or "
        "mitigated if we comply?",
    ),
    "necessity-proportionality": (
        "Necessity and proportionality",
        "Is the measure necessary for a legitimate aim, and the least intrusive way to reach "
        "it, limited in scope and duration?",
    ),
    "transparency": (
        "Ability to be transparent",
        "Can we tell the users affected, the public or our transparency report about the "
        "directive and what we did, or does a gag order prevent it?",
    ),
}
ANSWERS: dict[str, str] = {"yes": "Yes", "no": "No", "unclear": "Unclear"}

# Longest accepted text per field (characters).
LIMITS = {"groups_note": 2000, "leverage": 5000, "test_note": 2000}


def level_name(score: str, value: int | None) -> str:
    """``"5 — grave"``, or ``"—"`` when not scored."""
    if value is None:
        return "—"
    levels = SCORES[score]["levels"]
    return f"{value} — {levels[value][0]}"
