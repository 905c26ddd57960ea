"""Deterioration of each indicator in each area, as one family of tests per run.

Counts (and percentages or rates stored with numerators and denominators) are compared
with the city period by period (:func:`count_deterioration`: a step or a steady rise);
indicators published only as values (means, scores, percentages without counts) get a
Mann-Kendall trend test on their points. Every test at one area type shares one
Benjamini-Hochberg correction (each type a run analyses is a family of its own).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

from app.analysis.panels import FloatPanel, Panel, exposure_for
from app.analysis.params import WINDOWS, AnalysisParams
from app.analysis.stats.compare import Polarity as StatsPolarity
from app.analysis.stats.deterioration import DeteriorationParams, count_deterioration
from app.analysis.stats.fdr import bh_qvalues
from app.analysis.stats.trend import mann_kendall
from app.indicators.indicator import Indicator, Polarity

MIN_TREND_POINTS = 4
MIN_RISING_RECENT = 4  # a recent window of at least 4 periods (quarters, months) to say
POLARITY = {Polarity.HIGHER_IS_WORSE: 1, Polarity.HIGHER_IS_BETTER: -1}


def judged(indicator: Indicator) -> StatsPolarity:
    """The indicator's polarity as the statistics name it (the same words)."""
    return indicator.polarity.value


@dataclass
class IndicatorTest:
    """One indicator's tests across the areas (arrays have one entry per area)."""

    panel: Panel
    method: str  # "counts" | "trend"
    window: tuple[int, int]  # recent, baseline periods
    p: NDArray[np.float64]
    reason: NDArray[np.str_]
    # counts: observed/expected/ratio in the recent window; trend: Sen's slope per period
    stats: dict[str, NDArray[np.float64]]
    dispersion: float | None = None
    q: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    # The counts and denominators tested (counts method only), for the gap.
    counts: NDArray[np.float64] | None = None
    exposure: NDArray[np.float64] | None = None
    # Counts method only: each area's z for pooling with its neighbours (small areas
    # included) and its weight (recent count expected if nothing changed); whether a
    # steady rise fits it better than a step, by how much, and the column of the panel
    # where that rise began (-1 where not tested).
    pool_z: NDArray[np.float64] | None = None
    pool_weight: NDArray[np.float64] | None = None
    rising: NDArray[np.bool_] | None = None
    rise_margin: NDArray[np.float64] | None = None
    rise_start: NDArray[np.int64] | None = None

    @property
    def code(self) -> str:
        return str(self.panel.indicator.code)

    @property
    def recent_periods(self) -> list[str]:
        recent = self.window[0]
        return self.panel.periods[-recent:]

    def steady_rise_fit(self, i: int) -> float | None:
        """How much better a steady rise fits area ``i`` than a step (> 0: better), or
        None where that is not asked (values without counts, yearly data)."""
        if self.rise_margin is None or self.window[0] < MIN_RISING_RECENT:
            return None
        margin = float(self.rise_margin[i])
        return margin if np.isfinite(margin) else None

    def rising_since(self, i: int) -> str | None:
        """The period a steady rise in area ``i`` began, where a rise (rather than a
        step) carried its evidence; None otherwise, and for yearly data (three or four
        points are no "steady" rise to speak of)."""
        if self.rising is None or self.rise_start is None or not self.rising[i]:
            return None
        if self.window[0] < MIN_RISING_RECENT:
            return None
        start = int(self.rise_start[i])
        return self.panel.periods[start] if 0 <= start < len(self.panel.periods) else None

    def summary(self) -> dict[str, Any]:
        tested = self.reason == "tested"
        reasons, counts = np.unique(self.reason, return_counts=True)
        return {
            "method": self.method,
            "recent": self.window[0],
            "baseline": self.window[1],
            "tested": int(tested.sum()),
            "not_tested": {
                str(r): int(n) for r, n in zip(reasons, counts, strict=True) if r != "tested"
            },
            "dispersion": self.dispersion,
        }


def skip_reason(panel: Panel | None, indicator: Indicator) -> str | None:
    """Why an indicator is not tested for deterioration, or None when it is."""
    if indicator.polarity not in POLARITY:
        return "no judgement of better or worse"
    if indicator.derived:
        return f"analysed through its numerator {indicator.numerator}"
    if panel is None:
        return "no values at this area type"
    if len(panel.periods) < 2:
        return "a single period: nothing to compare"
    return None


def counts_of(
    panel: Panel, population: Panel | None
) -> tuple[FloatPanel, FloatPanel | None] | None:
    """The counts behind a panel and what they are out of (the population for counts,
    None when it is unknown; the denominators for rates and percentages), or None for
    an indicator published as values only."""
    if panel.indicator.kind.counted:
        return panel.value, exposure_for(panel, population)
    if panel.has_counts:
        return panel.numerator, panel.denominator
    return None


def examine_indicator(
    panel: Panel, population: Panel | None, params: AnalysisParams
) -> IndicatorTest | str:
    """The deterioration tests of one indicator, or why none can be made."""
    indicator = panel.indicator
    polarity = POLARITY[indicator.polarity]
    recent, baseline, shortest = WINDOWS[indicator.period_type]
    periods = len(panel.periods)
    counted = counts_of(panel, population)
    if counted is None:
        return _trend_test(panel, polarity)
    counts, exposure = counted
    if periods < recent + shortest:
        return (
            f"{periods} periods: fewer than a recent window of {recent} and a baseline of "
            f"at least {shortest}"
        )
    baseline = min(baseline, periods - recent)
    result = count_deterioration(
        counts,
        exposure,
        polarity,
        DeteriorationParams(
            recent=recent,
            baseline=baseline,
            min_baseline=min(baseline, shortest),
            min_expected=params.min_expected,
        ),
    )
    stats = {
        "observed": result.observed,
        "expected": result.expected,
        "ratio": result.ratio,
        "p_step": result.p_step,
        "p_trend": result.p_trend,
        "p_combined": result.p_combined,
    }
    if not indicator.kind.counted:
        stats.update(_proportion_change(panel, recent, baseline))
    return IndicatorTest(
        panel,
        "counts",
        (recent, baseline),
        result.p,
        result.reason,
        stats,
        result.dispersion,
        counts=counts,
        exposure=exposure,
        pool_z=result.z_pool,
        pool_weight=result.weight,
        rising=result.rising,
        rise_margin=result.rise_margin,
        rise_start=result.rise_start,
    )


def _proportion_change(panel: Panel, recent: int, baseline: int) -> dict[str, Any]:
    """Recent and baseline values of a percentage or rate from its counts, and the change
    (for "up 4.1 points")."""
    mult = float(panel.indicator.multiplier or 1)
    num, den = np.nan_to_num(panel.numerator), np.nan_to_num(panel.denominator)
    start = -(recent + baseline)

    def rate(n: NDArray[np.float64], d: NDArray[np.float64]) -> NDArray[np.float64]:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(d > 0, n / d * mult, np.nan)

    now = rate(num[:, -recent:].sum(axis=1), den[:, -recent:].sum(axis=1))
    before = rate(num[:, start:-recent].sum(axis=1), den[:, start:-recent].sum(axis=1))
    return {"value_recent": now, "value_baseline": before, "change": now - before}


def _trend_test(panel: Panel, polarity: int) -> IndicatorTest | str:
    points = panel.value[:, -15:]
    if points.shape[1] < MIN_TREND_POINTS:
        return (
            f"{points.shape[1]} periods of values without counts: a trend test needs "
            f"{MIN_TREND_POINTS}"
        )
    result = mann_kendall(points)
    z = np.asarray(result.z, dtype=np.float64)
    # One-sided in the worse direction: upward for higher-is-worse.
    p = np.where(np.isnan(z), np.nan, norm.sf(polarity * z))
    reason = np.where(np.isnan(p), "too_few_points", "tested").astype(np.str_)
    stats = {"slope": np.asarray(result.slope, dtype=np.float64), "z": z}
    return IndicatorTest(panel, "trend", (points.shape[1], 0), p, reason, stats)


def apply_fdr(tests: list[IndicatorTest]) -> None:
    """One Benjamini-Hochberg correction across every test of one area type (``tests``
    are all of one type: a run corrects each type on its own, never pooled)."""
    if not tests:
        return
    q = bh_qvalues(np.stack([t.p for t in tests]))
    for test, row in zip(tests, q, strict=True):
        test.q = row
