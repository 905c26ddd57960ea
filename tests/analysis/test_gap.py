"""The deprivation gap: pooled values, confidence intervals, SII/RII and the gap's trend."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.analysis.stats.gap import (
    INSUFFICIENT,
    NARROWING,
    NO_CHANGE,
    WIDENING,
    deprivation_gap,
    gap_trend,
)
from app.deprivation import deprivation_groups

Z95 = 1.959963984540054


def _counts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """10 areas (IMD ranks 1..10, so quintiles of 2 areas), 4 periods, denominators 10,000.

    Most deprived quintile (ranks 1, 2): numerators 300 - 30t and 200 - 30t, i.e. pooled
    (500 - 60t) / 20,000 = 25, 22, 19, 16 per 1,000. Every other area: 100 / 10,000, so the
    rest is 800 / 80,000 = 10 per 1,000 in every period.
    """
    t = np.arange(4)
    num = np.full((10, 4), 100.0)
    num[0] = 300 - 30 * t
    num[1] = 200 - 30 * t
    return np.arange(1, 11), num, np.full((10, 4), 10_000.0)


def test_deprivation_groups_local_and_national() -> None:
    assert deprivation_groups(np.arange(10, 0, -1), 5).tolist() == [4, 4, 3, 3, 2, 2, 1, 1, 0, 0]
    # Unranked areas are left out; 7 ranked areas in 5 groups: sizes 2, 1, 2, 1, 1.
    ranks = [5, np.nan, 1, 7, 2, 3, 4, 6]
    assert deprivation_groups(ranks, 5).tolist() == [2, -1, 0, 4, 0, 1, 2, 3]
    # National deciles of IMD 2019 (32,844 LSOAs): rank 3,284 is decile 1, 3,285 decile 2.
    national = deprivation_groups([1, 3284, 3285, 32844], 10, rank_total=32844)
    assert national.tolist() == [0, 0, 1, 9]


def test_gap_hand_computed_counts() -> None:
    rank, num, den = _counts()
    result = deprivation_gap(rank, numerator=num, denominator=den, multiplier=1000)
    # Period 0: most deprived 500 / 20,000 = 25 per 1,000; rest 800 / 80,000 = 10.
    # Absolute gap 15. Poisson var(rate) = N / D^2 x 1000^2: 500 / 4e8 x 1e6 = 1.25 and
    # 800 / 6.4e9 x 1e6 = 0.125; se = sqrt(1.375) = 1.17260; CI 15 -/+ 1.95996 x 1.17260
    # = 12.7018 .. 17.2982.
    np.testing.assert_allclose(result.most_deprived, [25, 22, 19, 16])
    np.testing.assert_allclose(result.rest, [10, 10, 10, 10])
    np.testing.assert_allclose(result.absolute, [15, 12, 9, 6])
    assert result.absolute_lower[0] == pytest.approx(12.7018, abs=1e-4)
    assert result.absolute_upper[0] == pytest.approx(17.2982, abs=1e-4)
    # Relative gap 2.5; var log = 1/500 + 1/800 = 0.00325, se 0.0570088:
    # 2.5 x exp(-/+ 1.95996 x 0.0570088) = 2.5 x exp(-/+ 0.111735) = 2.23570 .. 2.79554.
    assert result.relative[0] == pytest.approx(2.5)
    assert result.relative_lower[0] == pytest.approx(2.5 * math.exp(-Z95 * math.sqrt(0.00325)))
    assert result.relative_lower[0] == pytest.approx(2.23570, abs=1e-5)
    assert result.relative_upper[0] == pytest.approx(2.79554, abs=1e-5)
    # Quintiles have equal populations (20,000), so SII is the plain least squares slope of
    # the quintile rates [25, 10, 10, 10, 10] on the midpoints [0.1, 0.3, 0.5, 0.7, 0.9]:
    # mean 13; sum (x - 0.5)(y - 13) = -0.4 x 12 + (-0.2 + 0 + 0.2 + 0.4) x (-3) = -6.0;
    # sum (x - 0.5)^2 = 0.4; SII = -15 and RII = -15 / 13.
    # Var(SII) = sum c^2 var, c = (x - 0.5) / 0.4 = [-1, -0.5, 0, 0.5, 1], var = N / D^2 x
    # 1e6 = [1.25, 0.5, 0.5, 0.5, 0.5]: 1.25 + 0.125 + 0.125 + 0.5 = 2.0.
    np.testing.assert_allclose(result.group_value[:, 0], [25, 10, 10, 10, 10])
    np.testing.assert_allclose(result.group_population[:, 0], 20_000)
    assert result.sii[0] == pytest.approx(-15.0)
    assert result.rii[0] == pytest.approx(-15 / 13)
    assert result.sii_upper[0] - result.sii[0] == pytest.approx(Z95 * math.sqrt(2.0))
    # The gap falls by exactly 3 a period, so the fit is perfect (phi = 1) and narrowing.
    trend = result.absolute_trend
    assert trend.slope == pytest.approx(-3.0)
    assert trend.p < 0.05
    assert trend.lower < -3.0 < trend.upper
    assert trend.periods == 4
    assert trend.verdict == NARROWING
    assert result.relative_trend.slope < 0
    assert result.relative_trend.verdict == NARROWING
    assert result.disadvantaged == "most_deprived"


def test_missing_counts_drop_the_whole_area_period() -> None:
    rank, num, den = _counts()
    num[1, 0] = np.nan  # area 2 drops out of period 0: 300 / 10,000 = 30 per 1,000
    den[5, 1] = np.nan  # one "rest" area out of period 1: 700 / 70,000, still 10
    result = deprivation_gap(rank, numerator=num, denominator=den, multiplier=1000)
    assert result.most_deprived[0] == pytest.approx(30.0)
    assert result.rest[1] == pytest.approx(10.0)
    assert result.group_population[2, 1] == pytest.approx(10_000)


def test_binomial_counts_have_smaller_variance_than_poisson() -> None:
    rank, num, den = _counts()
    poisson = deprivation_gap(rank, numerator=num, denominator=den)
    binomial = deprivation_gap(rank, numerator=num, denominator=den, count_model="binomial")
    np.testing.assert_allclose(poisson.absolute, binomial.absolute)
    # p(1 - p) / D against p / D: the interval shrinks by sqrt(1 - p) per group.
    assert (binomial.absolute_upper < poisson.absolute_upper).all()


def _values(most_deprived: list[float], rest: float) -> tuple[np.ndarray, np.ndarray]:
    """10 areas, quintiles of 2; each group's two areas are its value -/+ 1."""
    periods = len(most_deprived)
    level = np.vstack([np.array(most_deprived)] * 2 + [np.full(periods, rest)] * 8)
    spread = np.tile([[-1.0], [1.0]], (5, periods))
    return np.arange(1, 11), level + spread


def test_narrowing_and_widening_given_polarity() -> None:
    # A "higher is better" indicator (e.g. % reaching a standard): the most deprived are
    # lower, so the gap is negative. Rising towards the rest is narrowing.
    rank, value = _values([50, 55, 60, 65, 70], rest=80)
    better = deprivation_gap(rank, value=value, polarity="higher_is_better")
    np.testing.assert_allclose(better.absolute, [-30, -25, -20, -15, -10])
    assert better.absolute_trend.slope == pytest.approx(5.0)
    assert better.absolute_trend.verdict == NARROWING
    assert better.relative_trend.verdict == NARROWING
    assert better.disadvantaged == "most_deprived"

    rank, value = _values([50, 45, 40, 35, 30], rest=80)
    falling = deprivation_gap(rank, value=value, polarity="higher_is_better")
    assert falling.absolute_trend.verdict == WIDENING
    assert falling.disadvantaged == "most_deprived"

    # The same numbers for a "higher is worse" indicator: the most deprived are better
    # off, and it is their advantage that widens.
    worse = deprivation_gap(rank, value=value, polarity="higher_is_worse")
    assert worse.absolute_trend.verdict == WIDENING
    assert worse.disadvantaged == "rest"
    assert deprivation_gap(rank, value=value, polarity="no_judgement").disadvantaged == ""


def test_value_gap_uses_population_weights_and_ratio_variance() -> None:
    # Most deprived areas 10 (population 3) and 20 (population 1): weighted mean 12.5;
    # the rest all 5. Ratio-estimator variance of the mean: sum w^2 (v - mean)^2 / (sum w)^2
    # x m / (m - 1) = (9 x 6.25 + 1 x 56.25) / 16 x 2 = 14.0625.
    value = np.array([10.0, 20, 5, 5, 5, 5, 5, 5, 5, 5])
    weights = np.array([3.0, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    result = deprivation_gap(np.arange(1, 11), value=value, weights=weights)
    assert result.most_deprived[0] == pytest.approx(12.5)
    assert result.absolute[0] == pytest.approx(7.5)
    assert result.absolute_upper[0] - 7.5 == pytest.approx(Z95 * math.sqrt(14.0625))


def test_sii_equals_the_slope_when_values_are_linear_in_the_midpoint() -> None:
    # 10 deciles of unequal population, one area each; values exactly 70 + 12 x midpoint
    # of each decile's cumulative population share, so the fitted line is exact:
    # SII = 12 and RII = 12 / (population-weighted mean).
    population = np.array([900.0, 1200, 1000, 800, 1500, 1100, 700, 1000, 1300, 500])
    share = population / population.sum()
    midpoint = np.cumsum(share) - share / 2
    value = 70 + 12 * midpoint
    result = deprivation_gap(np.arange(1, 11), value=value, weights=population, groups=10)
    assert result.sii[0] == pytest.approx(12.0)
    assert result.rii[0] == pytest.approx(12.0 / np.sum(share * value))
    # One area per decile: no within-group variance, so no interval.
    assert np.isnan(result.sii_lower[0])


def test_sii_matches_phe_weighted_regression_on_phe_example() -> None:
    # Inputs from the phe_sii example in PHEindicatormethods (R/SII_function.R, "Area1":
    # life expectancy by decile, 1 = most deprived). PHE fits Y sqrt(a) = b0 sqrt(a) +
    # b1 x sqrt(a) (a = population share, x = midpoint): np.polyfit with w = sqrt(a) does
    # exactly that, independently of our closed form.
    population = np.array([7291.0, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534])
    value = np.array([75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3])
    share = population / population.sum()
    midpoint = np.cumsum(share) - share / 2
    slope = np.polyfit(midpoint, value, 1, w=np.sqrt(share))[0]
    result = deprivation_gap(np.arange(1, 11), value=value, weights=population, groups=10)
    assert result.sii[0] == pytest.approx(slope, rel=1e-12)
    assert result.sii[0] > 0  # life expectancy rises towards the least deprived


def test_sii_hand_example_and_too_few_groups() -> None:
    # Equal populations, midpoints 0.1 .. 0.9, values [10, 8, 8, 6, 3]: mean 7,
    # sum (x - 0.5)(y - 7) = -0.4 x 3 - 0.2 x 1 + 0 + 0.2 x (-1) + 0.4 x (-4) = -3.2,
    # sum (x - 0.5)^2 = 0.4, so SII = -8 and RII = -8 / 7.
    rank = np.arange(1, 6)
    result = deprivation_gap(rank, value=[10.0, 8, 8, 6, 3])
    assert result.sii[0] == pytest.approx(-8.0)
    assert result.rii[0] == pytest.approx(-8 / 7)
    # Only 4 groups have values: no SII (PHE needs at least 5).
    sparse = deprivation_gap(rank, value=[10.0, 8, np.nan, 6, 3])
    assert np.isnan(sparse.sii[0])


def test_trend_needs_three_periods_and_a_significant_slope() -> None:
    assert gap_trend([5.0, 4.0], [1.0, 1.0]).verdict == INSUFFICIENT
    # Noisy around a flat line: residual scale phi > 1 widens the interval, no change.
    flat = gap_trend([5.0, 7.0, 4.0, 6.5, 5.0], [0.5] * 5)
    assert flat.verdict == NO_CHANGE
    assert flat.p > 0.05
    # A perfect line with small sampling variance: phi = 1, slope se = sqrt(1 / sum w
    # (t - 2)^2) = sqrt(0.1 / 10) = 0.1, t = -0.5 / 0.1 = -5 on 3 df.
    line = gap_trend([5.0, 4.5, 4.0, 3.5, 3.0], [0.1] * 5)
    assert line.slope == pytest.approx(-0.5)
    assert line.upper - line.slope == pytest.approx(3.182446305 * 0.1, rel=1e-6)
    assert line.verdict == NARROWING


def test_inputs_must_be_counts_or_values() -> None:
    rank, num, _ = _counts()
    with pytest.raises(ValueError, match="numerator and denominator, or value"):
        deprivation_gap(rank, numerator=num)
    with pytest.raises(ValueError, match="expected 10 areas"):
        deprivation_gap(rank, value=np.ones((9, 4)))
