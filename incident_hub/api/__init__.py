"""The JSON API (``/api/v1``), authenticated by bearer tokens.

Each feature adds its routes to :data:`bp` from its own ``api.py`` (see :mod:`..doors`); this
package holds what they share: the blueprint, errors, the OpenAPI document and its models.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import errors, openapi  # noqa: E402, F401  (error handlers, /openapi.json)
