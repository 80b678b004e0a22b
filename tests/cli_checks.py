"""Checks the CLI tests share: a command succeeded, or refused cleanly; rows committed."""

from __future__ import annotations

from sqlalchemy import func, select

from incident_hub.extensions import db


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    assert result.exception is None, repr(result.exception)
    return result.output


def refused(result, *words: str, code: int = 1) -> str:
    """A clean refusal: the given exit code, a message containing ``words``, no traceback."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output
    return result.output


def count(app, model) -> int:
    """Rows of ``model``, read in a context of its own (so only committed work is seen)."""
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()
