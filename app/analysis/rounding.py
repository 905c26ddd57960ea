"""Numbers for JSON: rounded, and null where not finite (NaN means "not tested")."""

from __future__ import annotations

import math
from typing import Any


def rounded(value: Any, digits: int = 6) -> float | None:
    number = float(value)
    return round(number, digits) if math.isfinite(number) else None
