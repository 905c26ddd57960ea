"""Confidence intervals for proportions, counts and rates, as Fingertips computes them.

The methods are those of the OHID (formerly PHE) public health technical guidance
("Confidence intervals", "Proportions", "Rates") and its R implementation,
PHEindicatormethods:

* proportions: the Wilson score interval without continuity correction;
* counts and crude rates: the exact Poisson interval (through its link with the chi-square
  distribution) for fewer than 10 events, and Byar's approximation for 10 or more.

Every function takes arrays of any (broadcastable) shape and returns arrays of that shape;
NaN inputs give NaN limits, so missing data flows through rather than raising.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

Interval = tuple[NDArray[np.float64], NDArray[np.float64]]

#: The levels Fingertips shows: 95% for display, 99.8% (about 3 standard errors) for
#: comparisons that should not flag many areas by chance alone.
LEVELS: tuple[float, float] = (0.95, 0.998)

#: Below this many events the exact Poisson interval is used; at or above it, Byar's method
#: (which the guidance finds within 0.2% of the exact limits at 95% from 10 events upwards).
BYAR_MIN_EVENTS = 10


def z_value(level: float) -> float:
    """Two-sided standard normal quantile for a confidence ``level`` (0.95 gives 1.95996...)."""
    _check_level(level)
    return float(special.ndtri(1.0 - (1.0 - level) / 2.0))


def wilson(k: ArrayLike, n: ArrayLike, level: float = 0.95) -> Interval:
    """Wilson score interval (no continuity correction) for the proportion ``k / n``.

    Limits are proportions in [0, 1]; multiply by 100 for percentages. Unlike the normal
    approximation it never leaves [0, 1] and still gives an interval when ``k`` is 0 or
    ``n``, which is why the guidance prefers it (Newcombe 1998). ``n == 0`` gives NaN.

    >>> [round(float(v), 4) for v in wilson(81, 263)]
    [0.2553, 0.3662]
    """
    z = z_value(level)
    kk = np.asarray(k, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        if np.any(kk < 0) or np.any(nn < 0) or np.any(kk > nn):
            raise ValueError("wilson needs 0 <= k <= n")
    with np.errstate(divide="ignore", invalid="ignore"):
        q = 1.0 - kk / nn
        centre = 2.0 * kk + z * z
        half = z * np.sqrt(z * z + 4.0 * kk * q)
        denom = 2.0 * (nn + z * z)
        lower = (centre - half) / denom
        upper = (centre + half) / denom
    empty = nn == 0
    lower = np.where(empty, np.nan, np.clip(lower, 0.0, 1.0))
    upper = np.where(empty, np.nan, np.clip(upper, 0.0, 1.0))
    return lower, upper


def byar(k: ArrayLike, level: float = 0.95) -> Interval:
    """Byar's approximation to the Poisson interval for an observed count ``k``.

    A cube-root (Wilson-Hilferty) transform of the Poisson limits: cheap and accurate from
    about 10 events (Breslow and Day 1987). Where the lower limit formula goes negative, as
    it can for very small counts at 99.8%, the approximation has failed and the lower limit
    is NaN (as PHEindicatormethods does); a count of 0 has lower limit 0.
    """
    z = z_value(level)
    kk = _counts(k)
    k1 = kk + 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = kk * (1.0 - 1.0 / (9.0 * kk) - z / (3.0 * np.sqrt(kk))) ** 3
    upper = k1 * (1.0 - 1.0 / (9.0 * k1) + z / (3.0 * np.sqrt(k1))) ** 3
    lower = np.where(kk == 0, 0.0, np.where(lower < 0, np.nan, lower))
    return lower, upper


def exact_poisson(k: ArrayLike, level: float = 0.95) -> Interval:
    """Exact (Garwood) Poisson interval for an observed count ``k``.

    Uses the identity between Poisson tail sums and the chi-square distribution:
    lower = chi2(alpha/2; 2k) / 2 and upper = chi2(1 - alpha/2; 2k + 2) / 2, with lower 0
    when ``k`` is 0 (Armitage and Berry 2002).
    """
    _check_level(level)
    alpha = 1.0 - level
    kk = _counts(k)
    with np.errstate(invalid="ignore"):
        lower = np.where(kk > 0, stats.chi2.ppf(alpha / 2.0, 2.0 * kk) / 2.0, 0.0)
    upper = stats.chi2.ppf(1.0 - alpha / 2.0, 2.0 * kk + 2.0) / 2.0
    lower = np.where(np.isnan(kk), np.nan, lower)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def poisson_count_interval(k: ArrayLike, level: float = 0.95) -> Interval:
    """Interval for a count as Fingertips computes it: exact below 10 events, Byar from 10."""
    kk = _counts(k)
    exact_lo, exact_hi = exact_poisson(kk, level)
    byar_lo, byar_hi = byar(kk, level)
    small = kk < BYAR_MIN_EVENTS
    return np.where(small, exact_lo, byar_lo), np.where(small, exact_hi, byar_hi)


def rate_interval(
    k: ArrayLike,
    denominator: ArrayLike,
    multiplier: float = 100_000.0,
    level: float = 0.95,
) -> Interval:
    """Interval for a crude rate ``k / denominator * multiplier`` (e.g. per 100,000).

    The count's interval (:func:`poisson_count_interval`) divided by the denominator: the
    denominator (population or person-years) is treated as fixed. A zero denominator gives NaN.
    """
    lower, upper = poisson_count_interval(k, level)
    denom = np.asarray(denominator, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(denom > 0, multiplier / denom, np.nan)
    return lower * scale, upper * scale


def proportion_interval(
    k: ArrayLike, n: ArrayLike, multiplier: float = 100.0, level: float = 0.95
) -> Interval:
    """Wilson interval on the indicator's scale (``multiplier`` 100 for a percentage)."""
    lower, upper = wilson(k, n, level)
    return lower * multiplier, upper * multiplier


def _counts(k: ArrayLike) -> NDArray[np.float64]:
    kk = np.asarray(k, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        if np.any(kk < 0):
            raise ValueError("counts must be >= 0")
    return kk


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1 (exclusive), got {level}")
