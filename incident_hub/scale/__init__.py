"""A fast bulk seeder: thousands of realistic past cases, for benchmarks and ``demo --scale``.

``seed_cases(n)`` writes ``n`` cases with SQLAlchemy Core bulk inserts in batches: cases of every
installed playbook across ~40 jurisdictions, with intake (instrument, authority, legal basis),
assignments, current analyses for most, decisions for most (some closed, some with follow-through
actions), human-rights assessments for some, a few restricted, and each case's search document.
References are ``INC-YYYY-NNNN`` continuing each year's counter, which is moved on.

The text is generated (seeded, so a run is repeatable) from the vocabulary in :mod:`.vocab`; it
describes no real order. Needs an app context; each batch is committed. Seeded rows are fixtures:
no audit events or notices are written for them.
"""

from __future__ import annotations

from .cases import Progress, Staff, ensure_staff, seed_cases

__all__ = ["Progress", "Staff", "ensure_staff", "seed_cases"]
