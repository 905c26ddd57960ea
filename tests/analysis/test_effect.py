"""Effectiveness of actions: difference in differences on city-standardised series."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.analysis.stats.effect import (
    NO_COMPARATORS,
    NOT_SHOWN,
    TOO_EARLY,
    WORKING,
    _moments,
    did_counts,
    did_values,
)

T975_4 = 2.7764451051977987  # t quantile 0.975 on 4 df


def _counts_panel(
    n_treated: int = 6, n_comp: int = 10
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Areas x 4 periods (2 pre, 2 post), expected 1,000 in every cell.

    Treated areas: 1,000 a period before, 800 after (-20%); comparators 1,000 then 900
    (-10%).
    """
    n = n_treated + n_comp
    expected = np.full((n, 4), 1000.0)
    counts = np.full((n, 4), 1000.0)
    counts[:n_treated, 2:] = 800.0
    counts[n_treated:, 2:] = 900.0
    treated = np.arange(n) < n_treated
    post = np.array([False, False, True, True])
    return counts, expected, treated, ~treated, post


def test_did_counts_twenty_against_ten_percent() -> None:
    # Pooled: treated O_pre = 2,000, O_post = 1,600; comparators 2,000 and 1,800; E = 2,000
    # each. d_treated = log(1600.5 / 2000) - log(2000.5 / 2000), d_comp likewise with
    # 1800.5, so the estimate is log(1600.5 / 1800.5) = -0.117757 (log(0.8 / 0.9) =
    # -0.117783 without the 0.5). Every comparator has the same d, so the moments give
    # phi = 1 (the floor) and tau^2 = 0: var_i = 1/2000 + 1/2000 = 0.001, and var(estimate)
    # = 0.001 / 6 + 0.001 / 10 = 0.000266667 (se 0.0163299). t = -7.2111 on 9 df.
    counts, expected, treated, comparators, post = _counts_panel()
    eff = did_counts(counts, expected, treated, comparators, post, "down")
    assert eff.estimate == pytest.approx(math.log(1600.5 / 1800.5), abs=1e-12)
    assert eff.estimate == pytest.approx(math.log(0.8 / 0.9), abs=1e-4)
    se = math.sqrt(0.001 / 6 + 0.001 / 10)
    t975_9 = 2.2621571627409915
    assert eff.upper - eff.estimate == pytest.approx(t975_9 * se)
    assert eff.estimate - eff.lower == pytest.approx(t975_9 * se)
    assert eff.p < 1e-4
    assert eff.verdict == WORKING
    assert (eff.treated, eff.comparators, eff.pre_periods, eff.post_periods) == (6, 10, 2, 2)
    assert eff.scale == "log"
    # The other direction: the same statistic, the other tail.
    up = did_counts(counts, expected, treated, comparators, post, "up")
    assert up.p == pytest.approx(1.0 - eff.p)
    assert up.verdict == NOT_SHOWN
    assert up.estimate == eff.estimate


def test_did_counts_standardises_by_expected() -> None:
    # Double the expected counts after the start in every area (a city-wide rise that the
    # expected counts carry): each area's d falls by log 2 alike, so the estimate holds.
    counts, expected, treated, comparators, post = _counts_panel()
    expected[:, 2:] *= 2.0
    eff = did_counts(counts, expected, treated, comparators, post, "down")
    assert eff.estimate == pytest.approx(math.log(1600.5 / 1800.5), abs=1e-12)


def test_lag_periods_are_in_neither_mask() -> None:
    # Period 2 is the lag: set to a wild value, it is left out when pre and post skip it.
    counts, expected, treated, comparators, _ = _counts_panel()
    counts = np.hstack([counts[:, :2], np.full((16, 1), 5000.0), counts[:, 2:]])
    expected = np.hstack([expected[:, :2], np.full((16, 1), 1000.0), expected[:, 2:]])
    pre = np.array([True, True, False, False, False])
    post = np.array([False, False, False, True, True])
    eff = did_counts(counts, expected, treated, comparators, post, "down", pre=pre)
    assert eff.estimate == pytest.approx(math.log(1600.5 / 1800.5), abs=1e-12)
    assert (eff.pre_periods, eff.post_periods) == (2, 2)


def test_too_early_and_no_comparators() -> None:
    counts, expected, treated, comparators, post = _counts_panel()
    one_post = np.array([False, False, False, True])
    early = did_counts(
        counts, expected, treated, comparators, one_post, "down", pre=~post
    )  # 1 post period < min_post = 2
    assert early.verdict == TOO_EARLY
    assert math.isnan(early.estimate)
    assert math.isnan(early.p)
    few = comparators & (np.arange(16) < 10)  # 4 comparators < min_comparators = 5
    none = did_counts(counts, expected, treated, few, post, "down")
    assert none.verdict == NO_COMPARATORS
    assert none.comparators == 4
    assert math.isnan(none.lower)
    # A comparator with no expected events after the start is left out: 10 -> 9.
    expected[15, 2:] = 0.0
    assert did_counts(counts, expected, treated, comparators, post, "down").comparators == 9
    with pytest.raises(ValueError, match="both treated and a comparator"):
        did_counts(counts, expected, treated, np.ones(16, dtype=bool), post, "down")


def test_moments_of_comparators_changes() -> None:
    # Equal a_i = 0.001: d = 0, 0.2, -0.2, 0.1, -0.1 (mean 0, sum of squares 0.1) gives
    # r = d^2 x 5/4, mean 0.025: phi = 0.025 / 0.001 = 25 and tau^2 = 0.
    d = np.array([0.0, 0.2, -0.2, 0.1, -0.1])
    phi, tau2 = _moments(d, np.full(5, 0.001), 1.0)
    assert (phi, tau2) == pytest.approx((25.0, 0.0))
    # Less spread than Poisson: phi stays at its floor of 1 and tau^2 at 0.
    assert _moments(d / 100, np.full(5, 0.001), 1.0) == pytest.approx((1.0, 0.0))
    # r exactly linear in a (r = 2 a + 0.01) is recovered. d_i = +/- sqrt(r_i x 4/5) in
    # pairs about 0 makes the mean 0, so r_i is as built.
    a = np.array([0.01, 0.01, 0.03, 0.03])
    r = 2 * a + 0.01
    d = np.sqrt(r * 3 / 4) * np.array([1, -1, 1, -1])  # m / (m - 1) = 4/3 for m = 4
    assert _moments(d, a, 1.0) == pytest.approx((2.0, 0.01))
    # The same r, but with phi's floor above 2: phi = 3, tau^2 = mean(r - 3a) = 0 floor.
    phi, tau2 = _moments(d, a, 3.0)
    assert phi == 3.0
    assert tau2 == pytest.approx(max(0.0, float(np.mean(r - 3 * a))))


def test_did_values_hand_computed() -> None:
    # City 50, 51, 49, 48; pre = periods 0-1, post = 2-3. Treated (2 areas) sit 10 above
    # the city before and 5 above after: d = -5. Comparators' d: -1, -2, 0, -1.5, -0.5 (mean
    # -1; squared deviations sum 2.5, r mean 2.5 / 5 x 5/4 = 0.625). a_i = 1/2 + 1/2 = 1
    # for all, so sigma^2 = 0.625, tau^2 = 0. Estimate -5 - (-1) = -4, variance
    # 0.625 / 2 + 0.625 / 5 = 0.4375 (se 0.661438) on 4 df: t = -6.0474.
    city = np.array([50.0, 51.0, 49.0, 48.0])
    before = np.array([10.0, 10.0, 3.0, 3.0, 3.0, 3.0, 3.0])
    change = np.array([-5.0, -5.0, -1.0, -2.0, 0.0, -1.5, -0.5])
    dev = np.column_stack([before, before, before + change, before + change])
    values = city[None, :] + dev
    treated = np.arange(7) < 2
    post = np.array([False, False, True, True])
    eff = did_values(values, city, treated, ~treated, post, "down")
    se = math.sqrt(0.4375)
    assert eff.estimate == pytest.approx(-4.0)
    assert eff.lower == pytest.approx(-4.0 - T975_4 * se)
    assert eff.upper == pytest.approx(-4.0 + T975_4 * se)
    assert eff.verdict == WORKING
    assert eff.scale == "linear"
    from scipy import stats

    assert eff.p == pytest.approx(float(stats.t.cdf(-4.0 / se, 4)))
    # Weights: the treated areas twice the comparators' weight halve their sampling
    # variance, 0.625 / 2 each: variance 0.3125 / 2 + 0.125 = 0.28125.
    weights = np.where(treated, 2.0, 1.0)
    heavy = did_values(values, city, treated, ~treated, post, "down", weights=weights)
    assert heavy.upper - heavy.estimate == pytest.approx(T975_4 * math.sqrt(0.28125))
    # A missing value is skipped: the estimate is unchanged when it falls in a constant run.
    gappy = values.copy()
    gappy[0, 0] = np.nan
    assert did_values(gappy, city, treated, ~treated, post, "down").estimate == pytest.approx(-4)


def _null_panel(
    rng: np.random.Generator, areas: int = 60, periods: int = 24, shape: float = 5.0
) -> tuple[np.ndarray, np.ndarray]:
    """Counts with no effect anywhere: area random effects (SD 0.3 on the log rate),
    a city-wide trend and season, negative-binomial noise (gamma-Poisson, shape 5)."""
    population = rng.lognormal(np.log(1500.0), 0.2, areas)
    months = np.arange(periods)
    city = 0.004 * np.exp(-0.1 * months / 12 + 0.2 * np.cos(2 * np.pi * months / 12))
    level = np.exp(rng.normal(0.0, 0.3, areas))
    mu = population[:, None] * city[None, :] * level[:, None]
    counts = rng.poisson(mu * rng.gamma(shape, 1.0 / shape, mu.shape)).astype(np.float64)
    rate = counts.sum(axis=0) / population.sum()
    return counts, population[:, None] * rate[None, :]


def test_false_working_rate_under_no_effect_holds_alpha() -> None:
    # 200 null panels: 6 treated areas against 54 comparators, 12 months before, a 4-month
    # lag, 8 after. At alpha 0.05 "working" should come about 10 times in 200 (binomial SD
    # about 3); the test allows up to 0.05 + 0.04 = 18, and the seed is fixed.
    rng = np.random.default_rng(20261203)
    treated = np.arange(60) < 6
    pre = np.arange(24) < 12
    post = np.arange(24) >= 16
    working = 0
    for _ in range(200):
        counts, expected = _null_panel(rng)
        eff = did_counts(counts, expected, treated, ~treated, post, "down", pre=pre)
        working += eff.verdict == WORKING
    assert working / 200 <= 0.05 + 0.04
    # ...and it is not vacuous: a real fall of 30% in the treated areas is found.
    counts, expected = _null_panel(np.random.default_rng(1))
    counts[:6, 16:] = np.round(counts[:6, 16:] * 0.7)
    assert did_counts(counts, expected, treated, ~treated, post, "down", pre=pre).verdict == (
        WORKING
    )
