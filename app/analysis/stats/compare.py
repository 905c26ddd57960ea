"""Comparing an area's value with a benchmark (city or national), as Fingertips does.

Fingertips calls an area significantly different from its benchmark when the benchmark
value lies outside the area's confidence interval (strictly: a benchmark exactly on a limit
counts as similar). Whether "higher" is "better" or "worse" depends on the indicator's
polarity; indicators with no judgement are labelled "higher" / "lower" instead. Fingertips
makes the comparison at 95% and at 99.8%; :func:`compare_counts_to_benchmark` does both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from app.analysis.stats.intervals import LEVELS, proportion_interval, rate_interval

Polarity = Literal["higher_is_worse", "higher_is_better", "no_judgement"]
Measure = Literal["proportion", "rate"]

POLARITIES: tuple[Polarity, ...] = ("higher_is_worse", "higher_is_better", "no_judgement")

BETTER = "better"
SIMILAR = "similar"
WORSE = "worse"
HIGHER = "higher"
LOWER = "lower"
NOT_COMPARED = "not compared"


def benchmark_significance(
    lower: ArrayLike, upper: ArrayLike, benchmark: ArrayLike
) -> NDArray[np.float64]:
    """Where the benchmark lies relative to the area's interval, as Fingertips tests it.

    Returns +1.0 where the whole interval is above the benchmark (``lower > benchmark``),
    -1.0 where it is below (``upper < benchmark``), 0.0 where the benchmark is inside the
    interval (not significant), and NaN where the interval or benchmark is missing.
    """
    lo = np.asarray(lower, dtype=np.float64)
    hi = np.asarray(upper, dtype=np.float64)
    bench = np.asarray(benchmark, dtype=np.float64)
    missing = np.isnan(lo) | np.isnan(hi) | np.isnan(bench)
    with np.errstate(invalid="ignore"):
        sig = np.where(lo > bench, 1.0, np.where(hi < bench, -1.0, 0.0))
    return np.where(missing, np.nan, sig)


def compare_to_benchmark(
    lower: ArrayLike, upper: ArrayLike, benchmark: ArrayLike, polarity: Polarity
) -> NDArray[np.str_]:
    """Fingertips' label for each area: its interval against the benchmark value.

    With ``polarity`` "higher_is_worse" or "higher_is_better" the labels are "better",
    "similar" and "worse"; with "no_judgement" they are "higher", "similar" and "lower".
    Where the interval (or benchmark) is NaN the label is "not compared".
    """
    sig = benchmark_significance(lower, upper, benchmark)
    above, below = _labels_for(polarity)
    labels = np.where(sig > 0, above, np.where(sig < 0, below, SIMILAR))
    return np.where(np.isnan(sig), NOT_COMPARED, labels)


@dataclass(frozen=True)
class LevelComparison:
    """One confidence level's interval, significance and label for every area."""

    level: float
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    significance: NDArray[np.float64]
    label: NDArray[np.str_]


def compare_counts_to_benchmark(
    k: ArrayLike,
    denominator: ArrayLike,
    benchmark: ArrayLike,
    polarity: Polarity,
    measure: Measure = "proportion",
    multiplier: float | None = None,
    levels: tuple[float, ...] = LEVELS,
) -> dict[float, LevelComparison]:
    """Compare areas' counts with a benchmark at each level (95% and 99.8% by default).

    ``measure`` "proportion" uses the Wilson interval, "rate" the exact/Byar interval for
    a crude rate. The benchmark must be on the indicator's scale: ``multiplier`` defaults to
    100 for proportions (a percentage) and 100,000 for rates. Returns one
    :class:`LevelComparison` per level, keyed by level.
    """
    if measure not in ("proportion", "rate"):
        raise ValueError(f"unknown measure {measure!r}")
    out: dict[float, LevelComparison] = {}
    for level in levels:  # two levels, not one per area: the areas stay vectorised
        if measure == "proportion":
            scale = 100.0 if multiplier is None else multiplier
            lower, upper = proportion_interval(k, denominator, scale, level)
        else:
            scale = 100_000.0 if multiplier is None else multiplier
            lower, upper = rate_interval(k, denominator, scale, level)
        out[level] = LevelComparison(
            level=level,
            lower=lower,
            upper=upper,
            significance=benchmark_significance(lower, upper, benchmark),
            label=compare_to_benchmark(lower, upper, benchmark, polarity),
        )
    return out


def _labels_for(polarity: Polarity) -> tuple[str, str]:
    """Labels for (interval above benchmark, interval below benchmark)."""
    if polarity == "higher_is_worse":
        return WORSE, BETTER
    if polarity == "higher_is_better":
        return BETTER, WORSE
    if polarity == "no_judgement":
        return HIGHER, LOWER
    raise ValueError(f"unknown polarity {polarity!r}; expected one of {POLARITIES}")
