"""Trends over time, vectorised over areas: one row per area, one column per period.

* :func:`mann_kendall`: Mann-Kendall test (S, tie-corrected variance, continuity-corrected
  Z, two-sided p) and Sen's slope, for any indicator; NaNs are skipped per row.
* :func:`recent_trend_proportion`, :func:`recent_trend_from_intervals` and
  :func:`recent_trend_rate`: Fingertips' "recent trend" markers on the latest five points,
  per the OHID guidance "Fingertips trend markers" and its R implementation
  (PHEindicatormethods ``assign_trend_markers``). Proportions: chi-squared test for trend
  on counts, direction from the log-odds slope. Rates and other types: regression weighted
  by the inverse variance implied by the 95% interval. A trend needs chi-squared (1 df)
  above its 99.8% point and no single point whose removal reverses the slope's sign.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from app.analysis.stats.compare import POLARITIES, Polarity
from app.analysis.stats.intervals import rate_interval, z_value

MK_MIN_POINTS = 4
TREND_POINTS = 5
#: chi-squared (1 df) at 99.8%, 9.5495...: the guidance's significance threshold.
TREND_CHI2_THRESHOLD = float(stats.chi2.ppf(0.998, 1))

CANNOT_BE_CALCULATED = "Cannot be calculated"  # Fingertips' own wording
NO_SIGNIFICANT_CHANGE = "No significant change"
_DIRECTION_LABELS: dict[Polarity, tuple[str, str]] = {
    "higher_is_worse": ("Increasing and getting worse", "Decreasing and getting better"),
    "higher_is_better": ("Increasing and getting better", "Decreasing and getting worse"),
    "no_judgement": ("Increasing", "Decreasing"),
}


@dataclass(frozen=True)
class MannKendallResult:
    """Per-row Mann-Kendall results; ``reason`` is "" where the test was made."""

    n: NDArray[np.int64]
    s: NDArray[np.float64]
    var_s: NDArray[np.float64]
    z: NDArray[np.float64]
    p: NDArray[np.float64]
    slope: NDArray[np.float64]
    reason: NDArray[np.str_]


def mann_kendall(values: ArrayLike, times: ArrayLike | None = None) -> MannKendallResult:
    """Mann-Kendall trend test and Sen's slope for each row of ``values`` (areas x periods).

    NaNs are skipped per row. S sums sign(x_j - x_i) over valid pairs i < j; its variance is
    ``[n(n-1)(2n+5) - sum t(t-1)(2t+5)] / 18`` over groups of t tied values; Z applies the
    continuity correction ``(S - sign(S)) / sqrt(var)``; p is two-sided (normal). Sen's slope
    is the median of the pairwise slopes, per unit of ``times`` (default: column index).
    Rows with fewer than 4 valid points, or all values equal, get NaN z and p and a reason;
    S is still given, and Sen's slope where there are 2 or more points.
    """
    x = np.atleast_2d(np.asarray(values, dtype=np.float64))
    n_t = x.shape[1]
    t = _times(times, n_t)
    valid = ~np.isnan(x)
    n = valid.sum(axis=1)
    i, j = np.triu_indices(n_t, k=1)  # every pair of periods once, earlier first
    diff = x[:, j] - x[:, i]
    pair_ok = valid[:, i] & valid[:, j]
    s = np.sign(np.where(pair_ok, diff, 0.0)).sum(axis=1)

    # Tie correction: an element in a group of t equal values contributes (t-1)(2t+5), so a
    # group contributes t(t-1)(2t+5). NaN never equals NaN, so missing values drop out.
    group_size = (x[:, :, None] == x[:, None, :]).sum(axis=2)
    tie_term = np.where(valid, (group_size - 1) * (2 * group_size + 5), 0).sum(axis=1)
    var_s = (n * (n - 1) * (2 * n + 5) - tie_term) / 18.0

    reason = np.full(x.shape[0], "", dtype=object)
    reason[var_s <= 0] = "all values equal"
    reason[n < MK_MIN_POINTS] = f"fewer than {MK_MIN_POINTS} valid points"
    tested = reason == ""
    z = np.full(x.shape[0], np.nan)
    z[tested] = (s[tested] - np.sign(s[tested])) / np.sqrt(var_s[tested])
    p = 2.0 * stats.norm.sf(np.abs(z))

    slopes = np.where(pair_ok, diff / (t[j] - t[i]), np.nan)
    slope = np.full(x.shape[0], np.nan)
    has_pair = n >= 2
    slope[has_pair] = np.nanmedian(slopes[has_pair], axis=1)
    return MannKendallResult(
        n=n.astype(np.int64),
        s=s,
        var_s=var_s,
        z=z,
        p=p,
        slope=slope,
        reason=reason.astype(str),
    )


@dataclass(frozen=True)
class RecentTrendResult:
    """Per-row Fingertips recent-trend marker, why it was given, and the statistics behind it.

    ``slope`` is the log-odds change per unit time for proportions and the value's change per
    unit time for the interval-based method; ``chi_square`` is the 1-df test statistic.
    """

    label: NDArray[np.str_]
    reason: NDArray[np.str_]
    chi_square: NDArray[np.float64]
    slope: NDArray[np.float64]


def chi_squared_trend(
    counts: ArrayLike, denominators: ArrayLike, times: ArrayLike | None = None
) -> NDArray[np.float64]:
    """Chi-squared test for trend in proportions (Armitage 1955), 1 df, for each row.

    ``N (N sum(r t) - R sum(n t))^2 / [R (N - R) (N sum(n t^2) - sum(n t)^2)]`` over the
    row's columns, with R and N the total count and denominator and t the ``times`` (default
    column index). The same statistic as R's ``prop.trend.test``; NaN anywhere in a row, or
    a row with no events or all events, gives NaN.
    """
    r = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    n = np.atleast_2d(np.asarray(denominators, dtype=np.float64))
    t = _times(times, r.shape[1])
    t = t - t.mean()  # the statistic does not change; the subtraction below loses less
    big_r, big_n = r.sum(axis=1), n.sum(axis=1)
    num = big_n * (big_n * (r * t).sum(axis=1) - big_r * (n * t).sum(axis=1)) ** 2
    den = big_r * (big_n - big_r) * (big_n * (n * t * t).sum(axis=1) - (n * t).sum(axis=1) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def recent_trend_proportion(
    counts: ArrayLike,
    denominators: ArrayLike,
    polarity: Polarity,
    times: ArrayLike | None = None,
) -> RecentTrendResult:
    """Fingertips' recent trend for a proportion, from counts and denominators.

    Uses the last five columns. Significance: :func:`chi_squared_trend` against chi-squared(1)
    at 99.8%. Direction: the least-squares slope of log(p / (1 - p)) on time. Rows with
    missing or invalid values in those five points, or a proportion of exactly 0 or 1 (log
    odds undefined), cannot be calculated.
    """
    (r, n), t, short = _last_points([counts, denominators], times)
    missing = np.isnan(r).any(axis=1) | np.isnan(n).any(axis=1)
    with np.errstate(invalid="ignore"):
        bad = ((n <= 0) | (r < 0) | (r > n)).any(axis=1) & ~missing
        edge = ((r == 0) | (r == n)).any(axis=1) & ~missing & ~bad
    usable = ~(missing | bad | edge | short)
    # Stand-in values keep the arithmetic finite on rows that are masked out anyway.
    r = np.where(usable[:, None], r, 1.0)
    n = np.where(usable[:, None], n, 2.0)
    chi_square = chi_squared_trend(r, n, t)
    log_odds = np.log(r / (n - r))
    beta, _, loo = _slope_and_leave_one_out(log_odds, t, np.ones_like(log_odds))
    reasons = _reasons(
        (edge, "proportion of 0 or 1 at a point"),
        (bad, "invalid counts or denominators"),
        (missing, "missing values"),
        (short, "not enough data points"),
    )
    return _classify(chi_square, beta, loo, reasons, polarity)


def recent_trend_from_intervals(
    values: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    polarity: Polarity,
    times: ArrayLike | None = None,
    level: float = 0.95,
) -> RecentTrendResult:
    """Fingertips' recent trend for rates and other non-proportion indicators.

    Uses the last five columns. Each point's standard error is taken from its interval,
    ``(upper - lower) / (2 z)`` with z for ``level`` (95%, as Fingertips stores); the slope
    is the inverse-variance weighted least-squares slope of value on time, and the statistic
    is ``slope^2 / var(slope)`` against chi-squared(1) at 99.8%. Values and limits must be
    on the same scale.
    """
    (y, lo, hi), t, short = _last_points([values, lower, upper], times)
    missing = np.isnan(y).any(axis=1)
    no_ci = (np.isnan(lo) | np.isnan(hi)).any(axis=1) & ~missing
    with np.errstate(invalid="ignore"):
        bad = ~(hi > lo).all(axis=1) & ~missing & ~no_ci
    usable = ~(missing | no_ci | bad | short)
    se = np.where(usable[:, None], (hi - lo) / (2.0 * z_value(level)), 1.0)
    y = np.where(usable[:, None], y, 0.0)
    weights = 1.0 / se**2
    beta, var_beta, loo = _slope_and_leave_one_out(y, t, weights)
    chi_square = beta**2 / var_beta
    reasons = _reasons(
        (bad, "interval of zero or negative width"),
        (no_ci, "missing confidence interval"),
        (missing, "missing values"),
        (short, "not enough data points"),
    )
    return _classify(chi_square, beta, loo, reasons, polarity)


def recent_trend_rate(
    counts: ArrayLike,
    denominators: ArrayLike,
    polarity: Polarity,
    multiplier: float = 100_000.0,
    times: ArrayLike | None = None,
) -> RecentTrendResult:
    """Recent trend for a crude rate: 95% exact/Byar intervals, then the interval method."""
    k = np.asarray(counts, dtype=np.float64)
    d = np.asarray(denominators, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(d > 0, k / d * multiplier, np.nan)
    lower, upper = rate_interval(k, d, multiplier, 0.95)
    return recent_trend_from_intervals(values, lower, upper, polarity, times)


def _last_points(
    arrays: list[ArrayLike], times: ArrayLike | None
) -> tuple[list[NDArray[np.float64]], NDArray[np.float64], NDArray[np.bool_]]:
    """The last five columns of each array, their centred times, and rows too short to test."""
    xs = [np.atleast_2d(np.asarray(a, dtype=np.float64)) for a in arrays]
    if any(x.shape != xs[0].shape for x in xs):
        raise ValueError(f"shapes differ: {[x.shape for x in xs]}")
    n_rows, n_t = xs[0].shape
    t = _times(times, n_t)
    short = np.full(n_rows, n_t < TREND_POINTS)
    if n_t < TREND_POINTS:  # pad so the arithmetic runs; every row is reported as too short
        pad = TREND_POINTS - n_t
        xs = [np.hstack([np.full((n_rows, pad), np.nan), x]) for x in xs]
        t = np.concatenate([t[0] - np.arange(pad, 0, -1.0), t])
    t = t[-TREND_POINTS:]
    # Centring time leaves slopes and statistics unchanged and avoids cancellation with years.
    return [x[:, -TREND_POINTS:] for x in xs], t - t.mean(), short


def _slope_and_leave_one_out(
    y: NDArray[np.float64], t: NDArray[np.float64], w: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Weighted least-squares slope and its variance, and the slope with each point left out."""
    keep = 1.0 - np.eye(y.shape[1])  # row k drops point k
    beta, var_beta = _weighted_slope(y, t, w)
    loo, _ = _weighted_slope(y[:, None, :], t, w[:, None, :] * keep)
    return beta, var_beta, loo


def _weighted_slope(
    y: NDArray[np.float64], t: NDArray[np.float64], w: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    s1, st, sy = w.sum(-1), (w * t).sum(-1), (w * y).sum(-1)
    sty, stt = (w * t * y).sum(-1), (w * t * t).sum(-1)
    det = s1 * stt - st**2
    return (s1 * sty - st * sy) / det, s1 / det


def _reasons(*masks: tuple[ArrayLike, str]) -> NDArray[np.object_]:
    """Why each row cannot be calculated ("" if it can); later masks take precedence."""
    reasons = np.full(np.shape(masks[0][0]), "", dtype=object)
    for mask, reason in masks:
        reasons[np.asarray(mask, dtype=bool)] = reason
    return reasons


def _classify(
    chi_square: NDArray[np.float64],
    beta: NDArray[np.float64],
    loo: NDArray[np.float64],
    reasons: NDArray[np.object_],
    polarity: Polarity,
) -> RecentTrendResult:
    if polarity not in POLARITIES:
        raise ValueError(f"unknown polarity {polarity!r}; expected one of {POLARITIES}")
    up, down = _DIRECTION_LABELS[polarity]
    ok = reasons == ""
    significant = chi_square > TREND_CHI2_THRESHOLD
    # Fingertips' outlier check: a single point must not be able to reverse the direction.
    outlier = (np.sign(loo) != np.sign(beta)[:, None]).any(axis=1)
    trend = significant & ~outlier & (beta != 0)
    label = np.where(trend, np.where(beta > 0, up, down), NO_SIGNIFICANT_CHANGE).astype(object)
    reasons = reasons.copy()
    reasons[ok & trend] = "significant trend, no outliers"
    reasons[ok & significant & ~trend] = "outlier found"
    reasons[ok & ~significant] = "no significant trend"
    label[~ok] = CANNOT_BE_CALCULATED
    return RecentTrendResult(
        label=label.astype(str),
        reason=reasons.astype(str),
        chi_square=np.where(ok, chi_square, np.nan),
        slope=np.where(ok, beta, np.nan),
    )


def _times(times: ArrayLike | None, n_t: int) -> NDArray[np.float64]:
    if times is None:
        return np.arange(n_t, dtype=np.float64)
    t = np.asarray(times, dtype=np.float64)
    if t.shape != (n_t,) or np.any(np.diff(t) <= 0):
        raise ValueError(f"times must be {n_t} strictly increasing values")
    return t
