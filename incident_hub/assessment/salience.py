"""Salience: one figure, 1–100, ranking a case's human-rights risk (0 = not assessed).

The formula (UNGP 14 and 24: severity first, likelihood added when ranking)::

    severity points = scale + scope + 2 × irremediability        (4 to 20)
    salience        = severity points × likelihood                (4 to 100)

Irremediability counts double: an impact that cannot be undone (a death, an arrest, a source
exposed) outweighs a wide but reversible one. Until all four scores are given, salience is 0.

Bands: low 1–24 · medium 25–49 · high 50–74 · critical 75–100. A case with high or critical
salience makes its Slack notices urgent.

Examples: 3/3/3 likely-3 → 12 × 3 = 36 (medium); 5/3/5 likely-4 → 18 × 4 = 72 (high);
5/4/5 likely-5 → 19 × 5 = 95 (critical).
"""

from __future__ import annotations

BANDS: tuple[tuple[str, int], ...] = (("critical", 75), ("high", 50), ("medium", 25), ("low", 1))
BAND_LABELS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
URGENT_BANDS = frozenset({"high", "critical"})


def compute(
    scale: int | None, scope: int | None, irremediability: int | None, likelihood: int | None
) -> int:
    """The salience of these scores; 0 when any of them is missing."""
    if scale is None or scope is None or irremediability is None or likelihood is None:
        return 0
    return (scale + scope + 2 * irremediability) * likelihood


def band(salience: int | None) -> str | None:
    """``low`` · ``medium`` · ``high`` · ``critical``, or None when not assessed (0)."""
    for name, floor in BANDS:
        if (salience or 0) >= floor:
            return name
    return None


def is_urgent(salience: int | None) -> bool:
    return band(salience) in URGENT_BANDS


def describe(salience: int | None) -> str:
    """``"72/100 (high)"`` or ``"not assessed"``."""
    name = band(salience)
    return f"{salience}/100 ({name})" if name else "not assessed"
