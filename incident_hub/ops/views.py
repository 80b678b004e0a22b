"""``/healthz`` for load balancers and process supervisors, ``/metrics`` for Prometheus."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text

from ..clock import now
from ..extensions import db
from . import metrics
from .models import JobStat

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 when the database answers and a periodic job succeeded within HEARTBEAT_STALE_S;
    503 otherwise. Says nothing about cases or people."""
    stale_after = current_app.config["OPS"]["HEARTBEAT_STALE_S"]
    body: dict = {"status": "ok", "database": "ok", "scheduler": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        last_ok = db.session.execute(select(func.max(JobStat.last_ok_at))).scalar()
    except Exception:  # noqa: BLE001 — any database failure is an unhealthy answer, not a 500
        db.session.rollback()
        current_app.logger.warning("healthz: database unreachable", exc_info=True)
        body.update(status="unhealthy", database="unreachable", scheduler="unknown")
        return jsonify(body), 503
    finally:
        db.session.rollback()
    if last_ok is None:
        body.update(status="unhealthy", scheduler="no periodic job has run yet")
    else:
        age = (now() - last_ok).total_seconds()
        body["last_job_success_age_s"] = round(age, 1)
        if age > stale_after:
            body.update(status="unhealthy", scheduler=f"stale: no job succeeded for {age:.0f}s")
    return jsonify(body), 200 if body["status"] == "ok" else 503


@bp.get("/metrics")
def prometheus_metrics():  # noqa: ANN201
    """Prometheus exposition; needs ``Authorization: Bearer <OPS.METRICS_TOKEN>`` (off when
    the token is empty)."""
    token = current_app.config["OPS"]["METRICS_TOKEN"]
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return Response("metrics need the bearer token\n", 401, {"WWW-Authenticate": "Bearer"})
    return Response(metrics.render(), 200, {"Content-Type": CONTENT_TYPE_LATEST})
