"""The JSON API (``/api/v1``), authenticated by bearer tokens."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from ..assessment import api as _assessment_api  # noqa: E402, F401
from ..engagement import api as _engagement_api  # noqa: E402, F401
from ..followthrough import api as _followthrough_api  # noqa: E402, F401
from ..precedent import api as _precedent_api  # noqa: E402, F401
from ..reports import api as _reports_api  # noqa: E402, F401
from . import errors, routes, watch_routes  # noqa: E402, F401
