"""Import every model so metadata (and Alembic autogenerate) sees the whole schema."""

from .assessment.models import Assessment  # noqa: F401
from .audit.models import AuditEvent  # noqa: F401
from .auth.models import ApiToken, User, UserFunction, UserRole, WebSession  # noqa: F401
from .cases.models import (  # noqa: F401, E501
    Analysis,
    AnalysisDraft,
    Assignment,
    Case,
    Decision,
    Draft,
    Follow,
    RefCounter,
)
from .discussion.models import Comment, CommentMention, CommentVersion  # noqa: F401
from .engagement.models import Engagement, Organisation  # noqa: F401
from .evidence.models import Attachment  # noqa: F401
from .followthrough.models import Action, CaseLink  # noqa: F401
from .monitoring.models import CaseMonitoring, CaseReview  # noqa: F401
from .notify.models import Notice, SlackRequest  # noqa: F401
from .ops.models import JobStat  # noqa: F401
from .precedent.models import CaseConcept, CaseDocument, CaseOutcome  # noqa: F401
from .watch.models import Alert, FeedItem, Source  # noqa: F401
