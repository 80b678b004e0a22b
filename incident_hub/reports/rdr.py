"""The two tables behind the transparency export, in Ranking Digital Rights (RDR) terms.

RDR asks companies to publish data on government demands: F6 (demands to restrict content or
accounts: by country, legal authority, number received and number complied with), P11a (demands
for user data, the same breakdown) and F10 (network shutdowns). Law changes of every other kind
are reported under G4 (impact assessment of governments and regulations).

``DEMAND_TYPES`` maps a playbook to the indicator its cases count under; ``COMPLIANCE`` says,
for each decision option of the shipped playbooks (``playbooks/*.toml``), whether deciding it
means the demand was complied with. A playbook or option missing from a table is never guessed:
it counts under G4, or as "unclassified", so a new playbook shows up instead of being miscounted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str


F6 = Indicator("F6", "Government demands to restrict content or accounts")
P11 = Indicator("P11", "Government demands for user data")
F10 = Indicator("F10", "Network shutdowns and service blocking")
G4 = Indicator("G4", "Other law changes (impact assessment of governments and regulations)")
INDICATORS = (F6, P11, F10, G4)

# playbook key -> the RDR indicator its cases are reported under (anything else: G4)
DEMAND_TYPES: dict[str, Indicator] = {
    "content-takedown": F6,
    "surveillance-data-demand": P11,
    "network-shutdown": F10,
}

COMPLIED = "complied"
PARTIAL = "partially complied"
NOT_COMPLIED = "not complied"
PENDING = "pending"
UNCLASSIFIED = "unclassified"
COMPLIANCE_CLASSES = (COMPLIED, PARTIAL, NOT_COMPLIED, PENDING, UNCLASSIFIED)

# decision option key -> what the decision means for the demand. "pending" is also what a case
# without a decision (in its current round) counts as.
COMPLIANCE: dict[str, str] = {
    # carried out, narrowed to what the order strictly requires (UNGP 23)
    "comply-narrowly": COMPLIED,
    "comply-minimise-scope": COMPLIED,
    # telling users and publishing accompany compliance: the restriction is applied, then
    # disclosed (RDR F8, P12)
    "notify-users": COMPLIED,
    "notify-and-publish": COMPLIED,
    "publish-transparency": COMPLIED,
    # the parts that exceed the legal basis are declined, the rest carried out
    "partially-reject": PARTIAL,
    # not carried out: contested, opposed, or the service withdrawn instead
    "challenge-in-court": NOT_COMPLIED,
    "coalition-oppose": NOT_COMPLIED,
    "withdraw-feature": NOT_COMPLIED,
    "withdraw-from-market": NOT_COMPLIED,
    "refuse-to-implement": NOT_COMPLIED,
    # nothing carried out yet: the company has gone back to the government first
    "seek-clarification": PENDING,
    "engage-government": PENDING,
    "engage-with-peers": PENDING,
}


def indicator_for(playbook_key: str) -> Indicator:
    return DEMAND_TYPES.get(playbook_key, G4)


def compliance_for(option_key: str | None) -> str:
    if not option_key:
        return PENDING
    return COMPLIANCE.get(option_key, UNCLASSIFIED)
