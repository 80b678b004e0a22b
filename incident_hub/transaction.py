"""One service call, one transaction: commit on success, clear errors on failure."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from .actor import Actor
from .audit import service as audit
from .errors import Conflict, Forbidden, ServiceError
from .extensions import db

T = TypeVar("T")


def run_in_transaction(fn: Callable[[], T]) -> T:
    """Run ``fn`` and commit; a concurrent change or lost race becomes a 409, not a 500.

    A commit that only lost the race to append to the audit chain (another action wrote an
    event at the same moment, see :func:`audit.lost_chain_race`) is not the user's problem:
    the transaction is rolled back and ``fn`` runs again from the start, so ``fn`` must do its
    reads and checks inside (a re-run then sees the other action's change)."""
    for attempt in range(1, audit.CHAIN_ATTEMPTS + 1):
        try:
            result = fn()
            db.session.commit()
            return result
        except ServiceError:
            db.session.rollback()
            raise
        except (StaleDataError, IntegrityError, OperationalError) as exc:
            db.session.rollback()
            if audit.lost_chain_race(exc) and attempt < audit.CHAIN_ATTEMPTS:
                audit.back_off(attempt)
                continue
            if isinstance(exc, OperationalError) and "locked" not in str(exc).lower():
                raise
            # Usually a lost race; logged in full so a real bug never hides behind a 409.
            logging.getLogger(__name__).warning("transaction refused: %s", exc, exc_info=True)
            raise Conflict("someone changed this at the same time; reload and try again") from None
    raise AssertionError("unreachable: the last attempt returns or raises")


def deny(actor: Actor, action: str, object_type: str, ref: str, message: str) -> Forbidden:
    audit.record_denied(actor, action, object_type, ref, message)
    return Forbidden(message)
