"""Speed risk of targets: trend fits, needed and observed speed, projection, trajectory."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.analysis.stats.targets import (
    AMBER,
    GREEN,
    HIGH,
    LOW,
    MEDIUM,
    RED,
    fit_counts,
    fit_values,
    project,
    speed_risk,
    trajectory,
)

T975_1 = 12.706204736174707  # t quantile 0.975 on 1 df


def _line_with_se() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values 10, 12, 14 at t = 0, 1, 2, each with standard error 1.

    An exact line: slope 2, intercept 10, chi^2 = 0, so dispersion 1 and cov = (X'X)^-1
    with X'X = [[3, 3], [3, 5]] (det 6): [[5/6, -1/2], [-1/2, 1/2]]. At t = 4 the fit is
    18 with variance 5/6 + 2 x 4 x (-1/2) + 16 x 1/2 = 29/6, se 2.19848; df = 1.
    """
    return np.arange(3.0), np.array([10.0, 12.0, 14.0]), np.ones(3)


def test_exact_exponential_decline_recovers_the_rate() -> None:
    # Counts 1000 x 0.9^t with exposure 10,000: the rate is 0.1 x 0.9^t, so the fit is
    # exact: intercept log(0.1), slope log(0.9), Pearson chi^2 = 0 and dispersion 1.
    t = np.arange(6.0)
    counts = 1000 * 0.9**t
    fit = fit_counts(t, counts, np.full(6, 10_000.0))
    assert fit.scale == "log"
    assert fit.slope == pytest.approx(math.log(0.9), abs=1e-10)
    assert fit.intercept == pytest.approx(math.log(0.1), abs=1e-10)
    assert fit.dispersion == 1.0
    assert (fit.df, fit.periods, fit.t_last) == (4, 6, 5.0)
    assert fit.value(2.0) == pytest.approx(0.081)
    # Inverse Fisher information: with S_k = sum mu t^k, var(slope) = S0 / (S0 S2 - S1^2).
    s0, s1, s2 = (float(np.sum(counts * t**k)) for k in range(3))
    assert fit.cov[1, 1] == pytest.approx(s0 / (s0 * s2 - s1**2), rel=1e-9)
    assert fit.cov[0, 0] == pytest.approx(s2 / (s0 * s2 - s1**2), rel=1e-9)
    # A NaN point (count or exposure) is skipped, leaving the same exact fit.
    with_gap = fit_counts(np.arange(7.0), [*counts, np.nan], [*np.full(6, 1e4), 1e4])
    assert with_gap.slope == pytest.approx(fit.slope, abs=1e-10)
    assert with_gap.periods == 6


def test_pearson_dispersion_of_an_over_dispersed_series() -> None:
    # Counts 120, 80, 80, 120 (exposure 1): sum t y = 600 = sum t x 100, so the fit is flat
    # at mu = 100. Pearson chi^2 = 4 x 20^2 / 100 = 16 on 2 df: dispersion 8. Fisher
    # information 100 [[4, 6], [6, 14]] (det 20 x 100^2), so var(slope) = 8 x 400 / 200,000
    # = 0.016 and var(intercept) = 8 x 1400 / 200,000 = 0.056.
    fit = fit_counts(np.arange(4.0), [120, 80, 80, 120], np.ones(4))
    assert fit.slope == pytest.approx(0.0, abs=1e-12)
    assert fit.intercept == pytest.approx(math.log(100.0))
    assert fit.dispersion == pytest.approx(8.0)
    assert fit.cov[1, 1] == pytest.approx(0.016)
    assert fit.cov[0, 0] == pytest.approx(0.056)
    # Under-dispersed counts keep dispersion 1 (Poisson is the floor).
    assert fit_counts(np.arange(4.0), [100, 101, 99, 100], np.ones(4)).dispersion == 1.0


def test_fits_need_three_points_and_events() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        fit_counts([0, 1, 2], [5, np.nan, 4], [1, 1, 1])
    with pytest.raises(ValueError, match="no events"):
        fit_counts([0, 1, 2], [0, 0, 0], [1, 1, 1])
    with pytest.raises(ValueError, match="converge"):
        fit_counts([0, 1, 2], [0, 0, 7], [1, 1, 1])  # all events at the end: slope -> inf
    with pytest.raises(ValueError, match="at least 3"):
        fit_values([0, 1], [1, 2])


def test_wls_line_with_errors() -> None:
    t, v, se = _line_with_se()
    fit = fit_values(t, v, se)
    assert (fit.slope, fit.intercept, fit.dispersion) == pytest.approx((2.0, 10.0, 1.0))
    np.testing.assert_allclose(fit.cov, [[5 / 6, -0.5], [-0.5, 0.5]], atol=1e-12)
    m, s = fit.mean(4.0)
    assert m == pytest.approx(18.0)
    assert s == pytest.approx(math.sqrt(29 / 6))
    lo, hi = fit.interval(4.0, 0.95)
    assert hi - 18.0 == pytest.approx(T975_1 * math.sqrt(29 / 6))
    assert 18.0 - lo == pytest.approx(T975_1 * math.sqrt(29 / 6))
    # Scatter beyond the errors widens: residuals +1, -2, +1 about the line 10, 12, 14 give
    # slope 2 again (symmetric), chi^2 = 1 + 4 + 1 = 6 on 1 df, so cov is 6 x (X'X)^-1.
    noisy = fit_values(t, v + np.array([1.0, -2.0, 1.0]), se)
    assert noisy.slope == pytest.approx(2.0)
    assert noisy.dispersion == pytest.approx(6.0)
    assert noisy.cov[1, 1] == pytest.approx(3.0)


def test_log_scale_values_use_the_delta_method() -> None:
    # v = 100 e^(0.1 t) with se 10% of the value: on the log scale an exact line, slope 0.1,
    # with se_g = 0.1 everywhere: cov = 0.01 x (X'X)^-1, var(slope) = 0.01 x 1/2 = 0.005.
    t = np.arange(3.0)
    v = 100 * np.exp(0.1 * t)
    fit = fit_values(t, v, 0.1 * v, scale="log")
    assert fit.slope == pytest.approx(0.1)
    assert fit.cov[1, 1] == pytest.approx(0.005)
    assert fit.value(5.0) == pytest.approx(100 * math.exp(0.5))
    lo, hi = fit.interval(5.0)
    assert lo * hi == pytest.approx(fit.value(5.0) ** 2)  # symmetric on the log scale


def test_ols_line_and_needed_speed() -> None:
    # v = 50 - 2t at t = 0..5 (OLS, no errors): level 40 at t_last = 5. Target 30 by t = 10:
    # needed = (30 - 40) / (10 - 5) = -2 a period, the speed observed; the projection at 10
    # is exactly 30 with a perfect fit (se 0), so on time with probability 0.5.
    t = np.arange(6.0)
    fit = fit_values(t, 50 - 2 * t)
    assert fit.slope == pytest.approx(-2.0)
    assert fit.dispersion == pytest.approx(0.0, abs=1e-20)
    risk = speed_risk(fit, 30.0, 10.0, "down")
    assert risk.needed == pytest.approx(-2.0)
    assert risk.observed == pytest.approx(-2.0)
    assert risk.p_on_time == 0.5
    assert not risk.already_met
    # Target 25 by t = 10: needed (25 - 40) / 5 = -3; certain to miss (se 0): high risk.
    late = speed_risk(fit, 25.0, 10.0, "down")
    assert late.needed == pytest.approx(-3.0)
    assert (late.p_on_time, late.level) == (0.0, HIGH)
    # A target of 45 is already met at the level of 40 (down is good).
    assert speed_risk(fit, 45.0, 10.0, "down").already_met


def test_p_on_time_from_the_t_distribution() -> None:
    # The line with errors projects 18 at t = 4 with se sqrt(29/6) on 1 df (Cauchy).
    t, v, se = _line_with_se()
    fit = fit_values(t, v, se)
    s = math.sqrt(29 / 6)
    half = speed_risk(fit, 18.0, 4.0, "up")
    assert half.p_on_time == pytest.approx(0.5)
    assert half.needed == pytest.approx((18.0 - 14.0) / (4.0 - 2.0))  # 2 a period
    # Target one se below the projection, "up": P(T_1 <= 1) = 1/2 + atan(1)/pi = 0.75,
    # medium risk (0.5 <= p < 0.8); for "down" the complement, 0.25, high risk.
    up = speed_risk(fit, 18.0 - s, 4.0, "up")
    assert up.p_on_time == pytest.approx(0.75)
    assert up.level == MEDIUM
    down = speed_risk(fit, 18.0 - s, 4.0, "down")
    assert down.p_on_time == pytest.approx(0.25)
    assert down.level == HIGH
    # Three se below: P(T_1 <= 3) = 1/2 + atan(3)/pi = 0.89758, low risk.
    low = speed_risk(fit, 18.0 - 3 * s, 4.0, "up")
    assert low.p_on_time == pytest.approx(0.5 + math.atan(3) / math.pi)
    assert low.level == LOW
    # The slope's interval: 2 -/+ t(0.975, 1) x sqrt(1/2).
    assert up.upper - 2.0 == pytest.approx(T975_1 * math.sqrt(0.5))
    assert 2.0 - up.lower == pytest.approx(T975_1 * math.sqrt(0.5))


def test_due_period_already_past_and_bad_targets() -> None:
    t, v, se = _line_with_se()
    fit = fit_values(t, v, se)
    past = speed_risk(fit, 12.0, 1.0, "up")
    assert math.isnan(past.needed)
    assert past.p_on_time == pytest.approx(0.5)  # fitted value at t = 1 is exactly 12
    log_fit = fit_counts(np.arange(6.0), 1000 * 0.9 ** np.arange(6.0), np.full(6, 1e4))
    with pytest.raises(ValueError, match="> 0"):
        speed_risk(log_fit, 0.0, 10.0, "down")
    with pytest.raises(ValueError, match="direction"):
        speed_risk(log_fit, 0.05, 10.0, "sideways")  # type: ignore[arg-type]


def test_exponential_decline_needed_rate_on_the_log_scale() -> None:
    # The rate is 0.1 x 0.9^5 = 0.059049 at t_last = 5. To reach 0.05 by t = 10 needs
    # log(0.05 / 0.059049) / 5 = -0.033269 a period on the log scale.
    fit = fit_counts(np.arange(6.0), 1000 * 0.9 ** np.arange(6.0), np.full(6, 1e4))
    risk = speed_risk(fit, 0.05, 10.0, "down")
    assert risk.needed == pytest.approx(math.log(0.05 / 0.059049) / 5)
    assert risk.needed == pytest.approx(-0.033269, abs=1e-6)
    assert risk.observed == pytest.approx(math.log(0.9))


def test_projection_red_amber_green() -> None:
    # At level 0.5 on 1 df the t quantile is 1 (Cauchy quartile), so the interval at t = 4
    # is 18 -/+ sqrt(29/6) = 15.8015 .. 20.1985.
    t, v, se = _line_with_se()
    fit = fit_values(t, v, se)
    p = project(fit, 15.0, 4.0, "up", level=0.5)
    assert (p.value, p.lower, p.upper) == pytest.approx(
        (18.0, 18 - math.sqrt(29 / 6), 18 + math.sqrt(29 / 6))
    )
    assert p.level == GREEN  # wholly above 15, up is good
    assert project(fit, 21.0, 4.0, "up", level=0.5).level == RED
    assert project(fit, 18.0, 4.0, "up", level=0.5).level == AMBER
    assert project(fit, 21.0, 4.0, "down", level=0.5).level == GREEN
    assert project(fit, 15.0, 4.0, "down", level=0.5).level == RED
    # A limit exactly on the target holds it: amber.
    assert project(fit, 18 - math.sqrt(29 / 6), 4.0, "up", level=0.5).level == AMBER


def test_trajectory_lines_hold_and_season() -> None:
    t = np.array([-1.0, 0.0, 1.0, 2.0, 4.0, 6.0])
    # Straight: 100 -> 80 over 4 periods, 5 a period; NaN before the baseline; held after.
    np.testing.assert_allclose(trajectory(100.0, 0.0, 80.0, 4.0, t), [np.nan, 100, 95, 90, 80, 80])
    # Geometric: 100 -> 81 over 2 periods, x 0.9 a period.
    np.testing.assert_allclose(
        trajectory(100.0, 0.0, 81.0, 2.0, [0.0, 1.0, 2.0, 3.0], scale="log"), [100, 90, 81, 81]
    )
    # Seasonal: weights 1.2 for January..June and 0.8 for July..December (mean 1); the
    # straight line 100 -> 80 over 4 periods is 100 at t = 0 (January: 120) and 95 at
    # t = 1 (July: 76). Weights not of mean 1 are rescaled: 2.4 / 1.6 give the same.
    profile = [1.2] * 6 + [0.8] * 6
    got = trajectory(100.0, 0.0, 80.0, 4.0, [0.0, 1.0], profile=profile, months=[1, 7])
    np.testing.assert_allclose(got, [120.0, 76.0])
    doubled = [2 * w for w in profile]
    np.testing.assert_allclose(
        trajectory(100.0, 0.0, 80.0, 4.0, [0.0, 1.0], profile=doubled, months=[1, 7]), got
    )


@pytest.mark.parametrize(
    ("profile", "months"),
    [([1.0] * 11, [1]), ([1.0] * 11 + [-1.0], [1]), ([1.0] * 12, None), ([1.0] * 12, [13])],
)
def test_trajectory_rejects_bad_profiles(profile: list[float], months: list[int] | None) -> None:
    with pytest.raises(ValueError, match=r"profile|months"):
        trajectory(100.0, 0.0, 80.0, 4.0, [0.0], profile=profile, months=months)
