"""The case page's feature sections: each feature package gives the context of its section."""

from __future__ import annotations

from typing import Any

from ..actor import Actor
from .models import Case


def page_sections(actor: Actor, case: Case) -> dict[str, dict[str, Any]]:
    from ..assessment import views as assessment
    from ..discussion import views as discussion
    from ..engagement import views as engagement
    from ..evidence import views as evidence
    from ..followthrough import views as followthrough
    from ..monitoring import views as monitoring
    from ..precedent import views as precedent
    from ..reports import views as reports
    from . import completeness
    from . import views_assign as assign
    from . import views_stages as stages

    return {
        "stages": stages.case_section(actor, case),
        "assignees": assign.case_section(actor, case),
        "assessment": assessment.case_section(actor, case),
        "followthrough": followthrough.case_section(actor, case),
        "monitoring": monitoring.case_section(actor, case),
        "engagement": engagement.case_section(actor, case),
        "discussion": discussion.case_section(actor, case),
        "evidence": evidence.case_section(actor, case),
        "precedent": precedent.case_section(actor, case),
        "reports": reports.case_section(actor, case),
        "completeness": completeness.case_section(case),
    }
