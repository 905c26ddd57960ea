"""Confidence intervals against published worked values and independent derivations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from app.analysis.stats.intervals import (
    byar,
    exact_poisson,
    poisson_count_interval,
    proportion_interval,
    rate_interval,
    wilson,
    z_value,
)


def _score_interval_by_roots(k: int, n: int, level: float) -> tuple[float, float]:
    """Wilson's interval from its definition: the p solving (k/n - p)^2 = z^2 p(1-p)/n."""
    z = stats.norm.ppf(1 - (1 - level) / 2)
    p_hat = k / n
    # (1 + z^2/n) p^2 - (2 p_hat + z^2/n) p + p_hat^2 = 0
    roots = np.sort(np.roots([1 + z * z / n, -(2 * p_hat + z * z / n), p_hat * p_hat]).real)
    return float(roots[0]), float(roots[1])


def test_wilson_reproduces_newcombe_1998_table_ii() -> None:
    # Newcombe RG (1998) "Two-sided confidence intervals for the single proportion: comparison
    # of seven methods", Stat Med 17:857-872, Table II, method 3 (score, no continuity
    # correction); the 81/263 case is also the worked example in Newcombe & Altman,
    # "Statistics with Confidence" (2nd edn), ch. 6. Published to 4 decimal places.
    k = np.array([81, 15, 0, 1])
    n = np.array([263, 148, 20, 29])
    lower, upper = wilson(k, n)
    np.testing.assert_allclose(lower, [0.2553, 0.0624, 0.0000, 0.0061], atol=5e-5)
    np.testing.assert_allclose(upper, [0.3662, 0.1605, 0.1611, 0.1718], atol=5e-5)


@pytest.mark.parametrize(("k", "n"), [(8, 20), (81, 263), (1, 29), (999, 1000)])
def test_wilson_998_matches_score_equation_roots(k: int, n: int) -> None:
    # No published 99.8% example found: derived independently as the roots of the score
    # equation that defines Wilson's interval.
    expected = _score_interval_by_roots(k, n, 0.998)
    np.testing.assert_allclose(wilson(k, n, 0.998), expected, rtol=1e-10)


def test_wilson_edge_cases() -> None:
    lower, upper = wilson([0, 20, 0], [20, 20, 0])
    assert lower[0] == 0.0
    assert upper[1] == 1.0
    assert np.isnan(lower[2])
    assert np.isnan(upper[2])
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson(21, 20)
    lo_pct, hi_pct = proportion_interval(81, 263)
    assert lo_pct == pytest.approx(25.53, abs=5e-3)  # Newcombe's 0.2553 as a percentage
    assert hi_pct == pytest.approx(36.62, abs=5e-3)


def test_z_values() -> None:
    # Standard normal table: 1.960 (95%) and 3.090 (99.8%).
    assert z_value(0.95) == pytest.approx(1.95996, abs=1e-5)
    assert z_value(0.998) == pytest.approx(3.09023, abs=1e-5)
    with pytest.raises(ValueError, match="level"):
        z_value(95)


def test_exact_poisson_zero_events() -> None:
    # epitools (R) pois.exact documentation: "When x = 0, for the upper confidence limit
    # pois.exact returns 3.689".
    lower, upper = exact_poisson(0)
    assert lower == 0.0
    assert upper == pytest.approx(3.689, abs=5e-4)


@pytest.mark.parametrize("level", [0.95, 0.998])
@pytest.mark.parametrize("k", [1, 8, 9, 120])
def test_exact_poisson_matches_poisson_tail_sums(k: int, level: float) -> None:
    # Derived independently of the chi-square identity: the exact (Garwood) limits are the
    # means at which the Poisson tail sums beyond k equal alpha/2 (scipy's Poisson cdf).
    half_alpha = (1 - level) / 2
    lower_expected = optimize.brentq(lambda m: stats.poisson.sf(k - 1, m) - half_alpha, 1e-9, 1e4)
    upper_expected = optimize.brentq(lambda m: stats.poisson.cdf(k, m) - half_alpha, 1e-9, 1e4)
    lower, upper = exact_poisson(k, level)
    assert lower == pytest.approx(lower_expected, rel=1e-8)
    assert upper == pytest.approx(upper_expected, rel=1e-8)


def test_exact_poisson_eight_events_table_values() -> None:
    # Exact 95% limits for 8 events, 3.45 to 15.76 (2 d.p.), as in published tables of exact
    # Poisson limits; no specific table could be opened to cite here, so the tail-sum test
    # above is the independent check of these numbers.
    lower, upper = exact_poisson(8)
    assert lower == pytest.approx(3.45, abs=5e-3)
    assert upper == pytest.approx(15.76, abs=5e-3)


def test_byar_reproduces_published_example() -> None:
    # The "byar" Ruby gem's documented example (z = 1.96): for 100 observed events,
    # upper_bound = 121.628347271806 and lower(100, 90) = 0.9040199067337297, i.e. a lower
    # limit of 0.9040199067337297 * 90 = 81.36179. We use z = 1.959964 (the exact normal
    # quantile, as PHEindicatormethods does), which moves the limits by under 0.001.
    lower, upper = byar(100)
    assert upper == pytest.approx(121.628347271806, abs=1e-3)
    assert lower == pytest.approx(0.9040199067337297 * 90, abs=1e-3)


def test_byar_within_guidance_accuracy_of_exact() -> None:
    # OHID Technical Guide "Confidence intervals": at 95% "Byar's method is within 0.2% of
    # the exact value for numerators of 10 or more".
    k = np.arange(10, 5001)
    byar_lo, byar_hi = byar(k)
    exact_lo, exact_hi = exact_poisson(k)
    assert np.max(np.abs(byar_lo / exact_lo - 1)) < 0.002
    assert np.max(np.abs(byar_hi / exact_hi - 1)) < 0.002


def test_byar_small_counts() -> None:
    lower, _ = byar([0, 1], 0.998)
    assert lower[0] == 0.0
    assert np.isnan(lower[1])  # the cube goes negative: the approximation has failed


def test_count_interval_switches_method_at_ten() -> None:
    # Fingertips/OHID "Rates": exact method below 10 events, Byar's method from 10.
    k = np.array([9, 10])
    lower, upper = poisson_count_interval(k, 0.998)
    exact_lo, exact_hi = exact_poisson(9, 0.998)
    byar_lo, byar_hi = byar(10, 0.998)
    assert (lower[0], upper[0]) == (exact_lo, exact_hi)
    assert (lower[1], upper[1]) == (byar_lo, byar_hi)


def test_rate_interval_scales_the_count_interval() -> None:
    # 8 events in 50,000 person-years per 100,000: the exact limits for 8 events (derived
    # from Poisson tail sums above) times 100,000 / 50,000.
    half_alpha = 0.025
    lo8 = optimize.brentq(lambda m: stats.poisson.sf(7, m) - half_alpha, 1e-9, 100)
    hi8 = optimize.brentq(lambda m: stats.poisson.cdf(8, m) - half_alpha, 1e-9, 100)
    lower, upper = rate_interval([8, 8], [50_000, 0])
    assert lower[0] == pytest.approx(lo8 * 2, rel=1e-8)
    assert upper[0] == pytest.approx(hi8 * 2, rel=1e-8)
    assert np.isnan(lower[1])
    assert np.isnan(upper[1])


def test_nan_counts_give_nan_limits() -> None:
    lower, upper = poisson_count_interval([np.nan, 3.0])
    assert np.isnan(lower[0])
    assert np.isnan(upper[0])
    assert np.isfinite(upper[1])
    with pytest.raises(ValueError, match="counts"):
        byar(-1)
