"""Deterioration of one count indicator: the step and trend tests, overdispersion, rules."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats

from app.analysis.stats.deterioration import (
    MISSING_DATA,
    NO_EXPOSURE,
    SHORT_SERIES,
    TESTED,
    TOO_FEW_EXPECTED,
    DeteriorationParams,
    _max_z_pvalue,
    count_deterioration,
    describe_change,
    run_qvalues,
)
from app.analysis.stats.fdr import bh_qvalues
from app.analysis.stats.synthetic import make_panel

N_AREAS, N_PERIODS = 300, 48


def poisson_panel(
    seed: int, rate: float = 0.004, city: NDArray[np.float64] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Counts, exposure and the true mean of a plain Poisson panel with area effects."""
    rng = np.random.default_rng(seed)
    exposure = np.repeat(rng.uniform(1000, 3000, N_AREAS)[:, None], N_PERIODS, axis=1)
    level = rng.lognormal(0.0, 0.3, N_AREAS)[:, None]
    profile = np.ones(N_PERIODS) if city is None else city
    mu = exposure * rate * level * profile[None, :]
    return rng.poisson(mu).astype(float), exposure, mu


def test_finds_a_large_planted_step() -> None:
    counts, exposure, mu = poisson_panel(1)
    rng = np.random.default_rng(2)
    counts[7, -12:] = rng.poisson(2.0 * mu[7, -12:])  # the rate doubles in area 7
    result = count_deterioration(counts, exposure, polarity=1)
    q = bh_qvalues(result.p)
    assert result.p[7] < 1e-6
    assert q[7] <= 0.05
    assert np.sum(q <= 0.05) <= 2  # area 7, and at most one chance finding
    assert result.ratio[7] == pytest.approx(2.0, rel=0.3)
    assert result.observed[7] == counts[7, -12:].sum()


def test_ignores_a_city_wide_change_and_seasonality() -> None:
    months = np.arange(N_PERIODS)
    # Strong seasonality and a city-wide +60% in the recent year: nobody's fault.
    city = (1.0 + 0.5 * np.cos(2 * np.pi * months / 12)) * np.where(months >= 36, 1.6, 1.0)
    counts, exposure, mu = poisson_panel(3, city=city)
    result = count_deterioration(counts, exposure, polarity=1)
    assert np.sum(bh_qvalues(result.p) <= 0.05) == 0
    assert np.nanmedian(result.ratio) == pytest.approx(1.0, abs=0.05)
    # A real step on top of the city-wide change is still found.
    counts[11, -12:] = np.random.default_rng(4).poisson(2.0 * mu[11, -12:])
    again = count_deterioration(counts, exposure, polarity=1)
    assert bh_qvalues(again.p)[11] <= 0.05


def gamma_poisson(
    seed: int, shape: float | NDArray[np.float64], mean: NDArray[np.float64]
) -> NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    return rng.poisson(mean * rng.gamma(shape, 1.0 / shape, mean.shape)).astype(float)


def test_overdispersion_is_estimated_close_to_the_truth() -> None:
    rng = np.random.default_rng(5)
    size = rng.uniform(1.0, 40.0, 2000)[:, None]  # monthly counts from 1 to 40
    mean = np.repeat(size, N_PERIODS, axis=1)
    # Negative binomial (gamma-Poisson): variance mu + mu^2 / 8, so alpha = 0.125.
    nb = count_deterioration(gamma_poisson(6, 8.0, mean))
    assert nb.dispersion_size == pytest.approx(0.125, rel=0.2)
    assert nb.dispersion_scale == pytest.approx(1.0, abs=0.1)
    # Quasi-Poisson: variance 2 mu whatever the size (gamma shape proportional to mu).
    qp = count_deterioration(gamma_poisson(7, mean / 1.0, mean))
    assert qp.dispersion_scale == pytest.approx(2.0, rel=0.1)
    assert qp.dispersion_size < 0.01
    # Plain Poisson: nothing to allow for.
    poisson = count_deterioration(np.random.default_rng(8).poisson(mean).astype(float))
    assert poisson.dispersion == pytest.approx(1.0, abs=0.05)
    assert poisson.dispersion_size < 0.01


def test_overdispersed_tests_are_calibrated_where_plain_poisson_is_not() -> None:
    panel = make_panel(n_areas=500, null=True, seed=9)
    shares = {}
    for name, params in {
        "allowed": DeteriorationParams(),
        "plain": DeteriorationParams(overdispersion=False, empirical_null=False),
    }.items():
        p = np.concatenate(
            [
                count_deterioration(panel.counts[k], panel.exposure, s.polarity, params).p
                for k, s in enumerate(panel.indicators)
            ]
        )
        shares[name] = float(np.nanmean(p < 0.01))
    assert shares["allowed"] < 0.02  # about 0.01 when calibrated
    assert shares["plain"] > 0.025  # many false alarms


def test_too_few_expected_marks_and_skips() -> None:
    counts, exposure, _ = poisson_panel(10)
    exposure[:5] = 20.0  # tiny populations: about one event a year
    counts[:5] = np.random.default_rng(11).poisson(0.1, (5, N_PERIODS))
    counts[5, -12:-4] = np.nan  # two thirds of the recent year missing
    exposure[6] = np.nan  # no denominator at all
    result = count_deterioration(counts, exposure, polarity=1)
    assert list(result.reason[:7]) == [TOO_FEW_EXPECTED] * 5 + [MISSING_DATA, NO_EXPOSURE]
    assert np.all(result.reason[7:] == TESTED)
    assert np.isnan(result.p[:7]).all()
    assert np.isnan(result.p_step[:7]).all()
    assert np.isfinite(result.p[7:]).all()
    # The threshold is configurable: at 0.5 expected events the tiny areas are tested.
    loose = count_deterioration(counts, exposure, 1, DeteriorationParams(min_expected=0.5))
    assert np.sum(loose.reason[:5] == TESTED) >= 3


def test_short_panels_are_not_tested() -> None:
    counts, exposure, _ = poisson_panel(12)
    result = count_deterioration(counts[:, :20], exposure[:, :20])
    assert np.all(result.reason == SHORT_SERIES)
    assert np.isnan(result.p).all()


@pytest.mark.parametrize("factor", [0.4, 2.0])
def test_polarity_flips_the_worse_direction(factor: float) -> None:
    counts, exposure, mu = poisson_panel(13, rate=0.01)
    counts[3, -12:] = np.random.default_rng(14).poisson(factor * mu[3, -12:])
    up = count_deterioration(counts, exposure, polarity=1)
    down = count_deterioration(counts, exposure, polarity=-1)
    worse, better = (up, down) if factor > 1 else (down, up)
    assert worse.p[3] < 1e-5
    assert better.p[3] > 0.5
    assert up.ratio[3] == down.ratio[3]  # the ratio itself is the same either way


def test_combined_p_is_the_exact_maximum_of_two_correlated_normals() -> None:
    m = np.array([2.0, 3.0])
    # rho = 0: P(max >= m) = 1 - Phi(m)^2, with Phi(2) and Phi(3) from tables.
    phi = np.array([0.9772498680518208, 0.9986501019683699])
    np.testing.assert_allclose(_max_z_pvalue(m, m, np.zeros(2)), 1 - phi**2, rtol=1e-9)
    # rho = 0.8: against scipy's bivariate normal distribution function.
    cov = [[1.0, 0.8], [0.8, 1.0]]
    for value in m:
        both_below = stats.multivariate_normal(cov=cov).cdf([value, value])
        assert _max_z_pvalue(np.array([value]), np.array([value]), np.array([0.8]))[
            0
        ] == pytest.approx(1 - both_below, rel=1e-4)
    counts, exposure, _ = poisson_panel(15)
    r = count_deterioration(counts, exposure)
    smaller = np.minimum(r.p_step, r.p_trend)
    assert np.all(r.p_combined >= smaller - 1e-12)
    assert np.all(r.p_combined <= 2 * smaller + 1e-12)  # never worse than Bonferroni
    assert np.mean(r.p_combined < 1.8 * smaller) > 0.5  # and usually better


def test_run_qvalues_pool_every_test_of_a_run() -> None:
    a, b = np.array([0.001, np.nan, 0.2]), np.array([0.01, 0.03])
    qa, qb = run_qvalues([a, b])
    pooled = bh_qvalues(np.concatenate([a, b]))
    np.testing.assert_array_equal(np.concatenate([qa, qb]), pooled)
    assert np.isnan(qa[1])


def test_describe_change() -> None:
    assert describe_change(1.62) == "62% above its city-adjusted baseline"
    assert describe_change(0.7) == "30% below its city-adjusted baseline"


# ---------------------------------------------------------------- a steady rise


def _ramp(n_areas: int = 400, seed: int = 3) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Poisson counts, 48 months, every area flat at 8 a month except area 0, which
    rises log-linearly to x2 over the last 24 months (from column 24)."""
    rng = np.random.default_rng(seed)
    months = np.arange(48)
    mu = np.full((n_areas, 48), 8.0)
    mu[0] *= np.exp(np.log(2.0) * np.clip((months - 24) / 23, 0.0, 1.0))
    return rng.poisson(mu).astype(np.float64), np.ones((n_areas, 48))


def test_a_steady_rise_is_carried_by_the_change_of_slope_and_dated() -> None:
    counts, exposure = _ramp()
    r = count_deterioration(counts, exposure)
    assert r.z_trend[0] > r.z_step[0] > 0
    assert r.rising[0]
    assert r.p[0] == r.p_combined[0] < 1e-3
    assert r.p_combined[0] < r.p_step[0]
    assert 18 <= r.rise_start[0] <= 30  # began at column 24: the best change of slope is near
    assert r.p_step[0] > r.p_trend[0]
    # Elsewhere nothing rises: "rising" needs a rise (trend z > 0) that fits better than a
    # step, so it is said of fewer than half the unchanged areas, never of a fall.
    assert r.rising[1:].mean() < 0.4
    assert not (r.rising & (r.z_trend <= 0)).any()


def test_the_default_p_is_the_combined_one_and_a_slope_window_can_be_chosen() -> None:
    counts, exposure = _ramp()
    r = count_deterioration(counts, exposure)
    np.testing.assert_array_equal(r.p, r.p_combined)
    whole = count_deterioration(counts, exposure, params=DeteriorationParams(slope_window=48))
    # A slope over all 48 months fits a rise over the last 24 less well.
    assert whole.z_trend[0] < r.z_trend[0]
    assert DeteriorationParams().rising_periods == 24
    assert DeteriorationParams(recent=4).rising_periods == 8


def test_untested_areas_get_no_rise_and_a_slope_window_is_at_least_two() -> None:
    counts, exposure = _ramp()
    counts[7] = np.nan
    r = count_deterioration(counts, exposure)
    assert r.rise_start[7] == -1
    assert not r.rising[7]
    with pytest.raises(ValueError, match="slope_window"):
        DeteriorationParams(slope_window=1)


def test_small_areas_get_a_z_for_pooling_but_no_p() -> None:
    counts, exposure = _ramp()
    counts[5] = np.random.default_rng(0).poisson(0.1, 48)  # too few events to test alone
    r = count_deterioration(counts, exposure)
    assert r.reason[5] == "too_few_expected"
    assert np.isnan(r.p[5])
    assert np.isnan(r.z_step[5])
    assert np.isfinite(r.z_pool[5])
    assert r.weight[5] > 0  # what it would expect recently were nothing changed
    np.testing.assert_allclose(r.z_pool[r.tested], -stats.norm.ppf(r.p[r.tested]))


def test_the_change_of_slope_is_calibrated_under_the_null() -> None:
    panel = make_panel(n_areas=2000, null=True, seed=11)
    assert panel.indicators[4].polarity == -1  # health checks: lower is worse
    for k, spec in [(k, panel.indicators[k]) for k in (0, 2, 4)]:
        r = count_deterioration(panel.counts[k], panel.exposure, spec.polarity)
        p = r.p_trend[r.tested]
        assert 0.03 <= np.mean(p < 0.05) <= 0.07
        assert np.mean(r.p[r.tested] < 0.05) <= 0.07
