"""The JSON API (``/api/v1``), authenticated by bearer tokens."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import errors, routes, watch_routes  # noqa: E402, F401
