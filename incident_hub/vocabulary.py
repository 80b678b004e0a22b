"""The fixed words of Incident Hub, each defined once: rights, topics, statuses, origins and
notice kinds. Every other module imports them from here.

Each vocabulary is a ``StrEnum``: a member *is* its string (``CaseStatus.OPEN == "open"``), so
the database, the JSON API, the CLI and Slack carry exactly the same values as plain strings
would, and a typo in a name is an AttributeError (and a mypy error) instead of a silent
mismatch. ``X_VALUES`` tuples list the wire values in order, for validation and forms.

This module imports nothing from the package, so anything may import it: models, services,
views, the scheduler.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user may do besides leading functions (``auth.models.ROLES`` lists the same words;
    tests/test_import_walls.py checks that they agree)."""

    ADMIN = "admin"
    TRIAGER = "triager"
    LEAD = "lead"
    EXECUTIVE = "executive"


ROLES: tuple[str, ...] = tuple(Role)


class Right(StrEnum):
    """Rights that a law change can affect; keys shared by the watch rules, the playbooks, the
    human-rights assessment and precedent search."""

    EXPRESSION = "expression"
    PRIVACY = "privacy"
    ASSEMBLY = "assembly"
    ASSOCIATION = "association"
    NON_DISCRIMINATION = "non-discrimination"
    OFFLINE_HARM = "offline-harm"
    ACCESS_TO_INFORMATION = "access-to-information"
    DUE_PROCESS = "due-process"


RIGHTS: tuple[str, ...] = tuple(Right)
# What people read (ICCPR articles for reference).
RIGHT_LABELS: dict[str, str] = {
    Right.EXPRESSION: "Freedom of expression (ICCPR art. 19)",
    Right.PRIVACY: "Privacy (ICCPR art. 17)",
    Right.ASSEMBLY: "Peaceful assembly (ICCPR art. 21)",
    Right.ASSOCIATION: "Freedom of association (ICCPR art. 22)",
    Right.NON_DISCRIMINATION: "Non-discrimination (ICCPR art. 2 and 26)",
    Right.OFFLINE_HARM: "Life, liberty and security of person / offline harm (ICCPR art. 6 and 9)",
    Right.ACCESS_TO_INFORMATION: "Access to information (ICCPR art. 19(2))",
    Right.DUE_PROCESS: "Due process and effective remedy (ICCPR art. 2(3) and 14)",
}


class Topic(StrEnum):
    """The watch classifier's topics (``feeds/rules.toml`` gives each its terms and rights)."""

    CONTENT_REMOVAL = "content-removal"
    DATA_LOCALISATION = "data-localisation"
    SHUTDOWN_BLOCKING = "shutdown-blocking"
    ENCRYPTION_LAWFUL_ACCESS = "encryption-lawful-access"
    SURVEILLANCE_DATA_DEMANDS = "surveillance-data-demands"
    PLATFORM_REGULATION = "platform-regulation"
    AGE_VERIFICATION = "age-verification"
    FOREIGN_AGENT_FAKE_NEWS = "foreign-agent-fake-news"
    BIOMETRICS_AI = "biometrics-ai"
    ASSEMBLY_PROTEST = "assembly-protest"
    ASSOCIATION = "association"
    NON_DISCRIMINATION = "non-discrimination"
    ELECTIONS = "elections"
    EMERGENCY_VIOLENCE = "emergency-violence"


TOPICS: tuple[str, ...] = tuple(Topic)
# How precedent search and its explanations name a topic.
TOPIC_LABELS: dict[str, str] = {
    Topic.CONTENT_REMOVAL: "content removal",
    Topic.DATA_LOCALISATION: "data localisation",
    Topic.SHUTDOWN_BLOCKING: "internet shutdown or blocking",
    Topic.ENCRYPTION_LAWFUL_ACCESS: "encryption and lawful access",
    Topic.SURVEILLANCE_DATA_DEMANDS: "surveillance and data demands",
    Topic.PLATFORM_REGULATION: "platform regulation",
    Topic.AGE_VERIFICATION: "age verification",
    Topic.FOREIGN_AGENT_FAKE_NEWS: "foreign agents and false news",
    Topic.BIOMETRICS_AI: "biometrics and AI",
    Topic.ASSEMBLY_PROTEST: "assembly and protest",
    Topic.ASSOCIATION: "freedom of association",
    Topic.NON_DISCRIMINATION: "non-discrimination",
    Topic.ELECTIONS: "elections",
    Topic.EMERGENCY_VIOLENCE: "emergency powers and violence",
}


class CaseStatus(StrEnum):
    """Where a case stands: open (analyses coming in) → awaiting_decision → decided → closed;
    a decided case may be put under monitoring (decided, and re-reviewed on a cadence while
    its law phases in) and leaves it for decided again, or when it is closed or reopened."""

    OPEN = "open"
    AWAITING_DECISION = "awaiting_decision"
    DECIDED = "decided"
    MONITORING = "monitoring"
    CLOSED = "closed"


CASE_STATUSES: tuple[str, ...] = tuple(CaseStatus)
# A case still waiting for its decision (reminders, escalations, "open cases" counts).
UNDECIDED: tuple[str, ...] = (CaseStatus.OPEN, CaseStatus.AWAITING_DECISION)
# A case whose decision has been recorded (reopening, "not filed" functions): a monitored
# case is decided too.
DECIDED_OR_CLOSED: tuple[str, ...] = (CaseStatus.DECIDED, CaseStatus.MONITORING, CaseStatus.CLOSED)
# Decided and not closed: follow-through actions are still added and worked on.
DECIDED_NOT_CLOSED: tuple[str, ...] = (CaseStatus.DECIDED, CaseStatus.MONITORING)


class CaseStage(StrEnum):
    """Where the law (or order) a case is about stands. A case keeps the dated history of its
    law as ``law_stages`` rows; ``cases.stage`` is the stage of the latest-dated one."""

    DRAFT = "draft"
    CONSULTATION = "consultation"
    ADOPTED = "adopted"
    IN_FORCE = "in_force"
    AMENDED = "amended"
    SUSPENDED = "suspended"
    STRUCK_DOWN = "struck_down"
    REPEALED = "repealed"


CASE_STAGES: tuple[str, ...] = tuple(CaseStage)
# How pages, Slack messages and reports name a stage.
STAGE_LABELS: dict[str, str] = {
    CaseStage.DRAFT: "Draft",
    CaseStage.CONSULTATION: "In consultation",
    CaseStage.ADOPTED: "Adopted",
    CaseStage.IN_FORCE: "In force",
    CaseStage.AMENDED: "Amended",
    CaseStage.SUSPENDED: "Suspended",
    CaseStage.STRUCK_DOWN: "Struck down",
    CaseStage.REPEALED: "Repealed",
}


def stage_label(stage: str | None) -> str:
    """A stage as people read it ("In force"); an unknown one is shown as stored, none as ""."""
    if not stage:
        return ""
    return STAGE_LABELS.get(stage, stage.replace("_", " "))


class AssignmentStatus(StrEnum):
    """One function's part of a case: pending until its lead files (or an admin waives it);
    draft while what its lead submitted leaves a required question of the playbook open."""

    PENDING = "pending"
    FILED = "filed"
    WAIVED = "waived"
    DRAFT = "draft"


ASSIGNMENT_STATUSES: tuple[str, ...] = tuple(AssignmentStatus)
# Still owed by its function: holds the case back from its decision, reminded when overdue.
OUTSTANDING: tuple[str, ...] = (AssignmentStatus.PENDING, AssignmentStatus.DRAFT)


class MemberKind(StrEnum):
    """Why someone is on a case's need-to-know list (``case_members``)."""

    NAMED = "named"  # added by name (the opener, an admin or an executive)
    ASSIGNED = "assigned"  # a lead assigned to file for one of the case's functions
    OPENER = "opener"  # never stored: the case's opener is always a member


MEMBER_KINDS: tuple[str, ...] = tuple(MemberKind)


class AssigneeRole(StrEnum):
    """Who is named on an assignment (``assignees``): the one person who owns it, and the
    people it is delegated to. Both are reminded and may file the function's analysis."""

    OWNER = "owner"
    DELEGATE = "delegate"


ASSIGNEE_ROLES: tuple[str, ...] = tuple(AssigneeRole)


class AlertStatus(StrEnum):
    """A flagged feed item in the triage queue."""

    NEW = "new"
    DISMISSED = "dismissed"
    LINKED = "linked"
    CASE_OPENED = "case-opened"
    # Never stored: how an alert linked to (or opening) a case the viewer may not see is
    # shown to that viewer, so that the queue does not tell of a restricted case.
    TRIAGED = "triaged"


ALERT_STATUSES: tuple[str, ...] = tuple(AlertStatus)  # "triaged" is only ever shown
# Alerts a triager may still dismiss, link or open a case from.
UNTRIAGED: tuple[str, ...] = (AlertStatus.NEW, AlertStatus.DISMISSED)
# Alerts tied to a case (linked to one, or one was opened from them).
TIED_TO_CASE: tuple[str, ...] = (AlertStatus.LINKED, AlertStatus.CASE_OPENED)


class SourceOrigin(StrEnum):
    """Where a feed source came from: ``feeds/sources.toml``, an admin (web or API), or the
    demo (fetched only from a loopback server)."""

    FILE = "file"
    ADMIN = "admin"
    DEMO = "demo"


SOURCE_ORIGINS: tuple[str, ...] = tuple(SourceOrigin)


class NoticeStatus(StrEnum):
    """An outbox row: pending (waiting, or waiting again after a retryable error) · sending
    (claimed by a deliverer) · sent (Slack answered ok) · failed (permanent error, shown to
    admins) · cancelled (no longer wanted, e.g. a reminder after the decision)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


NOTICE_STATUSES: tuple[str, ...] = tuple(NoticeStatus)


class NoticeKind(StrEnum):
    """What an outbox row is about (its ``kind`` column; also the metrics' labels)."""

    CASE_OPENED = "case_opened"
    CASE_CHANNEL = "case_channel"
    ASSIGNMENT = "assignment"
    ANALYSIS_FILED = "analysis_filed"
    AWAITING_DECISION = "awaiting_decision"
    DECISION_RECORDED = "decision_recorded"
    CASE_REOPENED = "case_reopened"
    CASE_CLOSED = "case_closed"
    CASE_OPEN = "case_open"  # to the people involved when a case is reopened
    ASSIGNMENT_OVERDUE = "assignment_overdue"
    DECISION_REMINDER = "decision_reminder"
    DECISION_ESCALATION = "decision_escalation"
    ALERT_FLAGGED = "alert_flagged"
    ACTION_ASSIGNED = "action_assigned"
    ACTION_DUE = "action_due"
    ACTION_OVERDUE = "action_overdue"
    CASE_RESCHEDULED = "case_rescheduled"  # due times moved with a new response deadline
    CASE_EDITED = "case_edited"  # to the people involved and followers: the intake changed
    STAGE_ADDED = "stage_added"  # the case's law reached a new stage
    LINKED_ALERT_CHANGED = "linked_alert_changed"  # a feed item of a linked alert changed
    MONITORING_OWNER = "monitoring_owner"  # a case's re-reviews are now yours
    REVIEW_DUE = "review_due"  # a monitored case's re-review is due soon
    REVIEW_OVERDUE = "review_overdue"
    COMMENT_MENTION = "comment_mention"  # you were @-mentioned in a comment
    COMMENT_QUESTION = "comment_question"  # a comment asks your function a question
    ASSIGNMENT_CHANGED = "assignment_changed"  # you now own, no longer own, or are a delegate
    FUNCTION_ADDED = "function_added"  # a function was added to a running case: yours to file
    PLAYBOOK_CHANGED = "playbook_changed"  # the case's playbook (and its functions) changed


NOTICE_KINDS: tuple[str, ...] = tuple(NoticeKind)
# Follow-through reminders (an action's owner: due soon, then overdue).
ACTION_REMINDER_KINDS: tuple[str, ...] = (NoticeKind.ACTION_DUE, NoticeKind.ACTION_OVERDUE)
# Monitoring re-review reminders (the review's owner: due soon, then overdue).
REVIEW_REMINDER_KINDS: tuple[str, ...] = (NoticeKind.REVIEW_DUE, NoticeKind.REVIEW_OVERDUE)
# Reminders stop when the case is decided or closed.
REMINDER_KINDS: tuple[str, ...] = (
    NoticeKind.ASSIGNMENT_OVERDUE,
    NoticeKind.DECISION_REMINDER,
    NoticeKind.DECISION_ESCALATION,
)


class ActionStatus(StrEnum):
    """A follow-through action after the decision."""

    OPEN = "open"
    DONE = "done"
    WAIVED = "waived"


ACTION_STATUSES: tuple[str, ...] = tuple(ActionStatus)


# How the web pages, Slack messages and reports name case, assignment and action statuses.
STATUS_LABELS: dict[str, str] = {
    CaseStatus.OPEN: "Open",
    CaseStatus.AWAITING_DECISION: "Awaiting decision",
    CaseStatus.DECIDED: "Decided",
    CaseStatus.MONITORING: "Monitoring",
    CaseStatus.CLOSED: "Closed",
    AssignmentStatus.PENDING: "Pending",
    AssignmentStatus.FILED: "Filed",
    AssignmentStatus.WAIVED: "Waived",  # an action's open and waived read the same
    AssignmentStatus.DRAFT: "Draft",
    ActionStatus.DONE: "Done",
}


def status_label(status: str) -> str:
    """A status as people read it; an unknown one is shown as stored."""
    return STATUS_LABELS.get(status, status)


class GovernmentResponse(StrEnum):
    """What the government did next, recorded when a case (a round of it) is closed: the
    outcome precedent shows beside the decision. ``unknown`` when nobody knows yet; it can be
    recorded or corrected later."""

    BACKED_DOWN = "backed_down"
    AMENDED = "amended"
    NO_RESPONSE = "no_response"
    ENFORCED = "enforced"
    ESCALATED = "escalated"
    FINED = "fined"
    THROTTLED = "throttled"
    BLOCKED = "blocked"
    STAFF_TARGETED = "staff_targeted"
    COURT_RULING_FOR_US = "court_ruling_for_us"
    COURT_RULING_AGAINST = "court_ruling_against"
    UNKNOWN = "unknown"


GOVERNMENT_RESPONSES: tuple[str, ...] = tuple(GovernmentResponse)
# How pages, the dossier and the API's ``government_response_title`` name each.
GOVERNMENT_RESPONSE_LABELS: dict[str, str] = {
    GovernmentResponse.BACKED_DOWN: "Backed down (withdrew or dropped the demand)",
    GovernmentResponse.AMENDED: "Amended or narrowed the demand or law",
    GovernmentResponse.NO_RESPONSE: "No further response",
    GovernmentResponse.ENFORCED: "Enforced the demand as issued",
    GovernmentResponse.ESCALATED: "Escalated (a new demand, order or law)",
    GovernmentResponse.FINED: "Fined or otherwise penalised the company",
    GovernmentResponse.THROTTLED: "Throttled the service",
    GovernmentResponse.BLOCKED: "Blocked the service",
    GovernmentResponse.STAFF_TARGETED: "Acted against local staff (summons, raid, arrest)",
    GovernmentResponse.COURT_RULING_FOR_US: "Court ruled in our favour",
    GovernmentResponse.COURT_RULING_AGAINST: "Court ruled against us",
    GovernmentResponse.UNKNOWN: "Not known yet",
}


def government_response_label(key: str | None) -> str:
    """A government response as people read it; an unknown key is shown as stored."""
    if not key:
        return ""
    return GOVERNMENT_RESPONSE_LABELS.get(key, key.replace("_", " "))
