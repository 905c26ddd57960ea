"""Numbers for JSON: rounded, and null where not finite (NaN means "not tested")."""

from __future__ import annotations

import math
from typing import Any


def rounded(value: Any, digits: int = 6) -> float | None:
    number = float(value)
    return round(number, digits) if math.isfinite(number) else None


def significant(value: Any, figures: int = 6) -> float | None:
    """``value`` to ``figures`` significant figures (a rate of 0.000621 keeps its
    digits), null where missing or not finite."""
    if value is None:
        return None
    number = float(value)
    return float(f"{number:.{figures}g}") if math.isfinite(number) else None
