"""Narrowing the gap: the most deprived areas against the rest of the city, over time.

Areas are put into deprivation groups by IMD rank (quintiles by default). Per period we give
the pooled value in the most deprived group and in the rest, the absolute gap (most deprived
- rest) and relative gap (ratio) with confidence intervals, the slope and relative indices of
inequality across all groups, and the trend of the gap itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from app.deprivation import deprivation_groups

Polarity = Literal["higher_is_worse", "higher_is_better", "no_judgement"]
CountModel = Literal["poisson", "binomial"]
Floats = NDArray[np.float64]

NARROWING = "narrowing"
WIDENING = "widening"
NO_CHANGE = "no_significant_change"
INSUFFICIENT = "insufficient_data"
MIN_SII_GROUPS = 5


@dataclass(frozen=True)
class Trend:
    """Weighted least squares trend of a gap on the period index (0, 1, ...).

    ``slope`` is per period (for the relative gap: of the log ratio, so exp(slope) is the
    ratio's change factor per period). ``verdict`` is "narrowing" / "widening" (significant
    slope towards / away from no gap), "no_significant_change" or "insufficient_data".
    """

    slope: float
    lower: float
    upper: float
    p: float
    periods: int
    verdict: str


@dataclass(frozen=True)
class GapResult:
    """Gap statistics per period (arrays of length periods) and the gap's trends.

    The two groups' values have normal (Wald) intervals from their pooled variances.

    ``group`` gives each area's group (0 = most deprived; -1 = no rank); ``group_value``
    and ``group_population`` are groups x periods. SII is PHE's sign: fitted value at the
    least deprived end minus at the most deprived end, so for "higher is worse" indicators a
    disadvantage of the most deprived gives a negative SII (but a positive absolute gap).
    RII = SII / population-weighted mean. ``disadvantaged`` says who is worse off in the
    latest period with a gap ("most_deprived" or "rest"); "" when that gap's CI includes 0
    or polarity is "no_judgement".
    """

    group: NDArray[np.int64]
    group_value: Floats
    group_population: Floats
    most_deprived: Floats
    most_deprived_lower: Floats
    most_deprived_upper: Floats
    rest: Floats
    rest_lower: Floats
    rest_upper: Floats
    absolute: Floats
    absolute_lower: Floats
    absolute_upper: Floats
    relative: Floats
    relative_lower: Floats
    relative_upper: Floats
    sii: Floats
    sii_lower: Floats
    sii_upper: Floats
    rii: Floats
    rii_lower: Floats
    rii_upper: Floats
    absolute_trend: Trend
    relative_trend: Trend
    disadvantaged: str


def deprivation_gap(
    deprivation_rank: ArrayLike,
    *,
    numerator: ArrayLike | None = None,
    denominator: ArrayLike | None = None,
    value: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    groups: int = 5,
    rank_total: int | None = None,
    multiplier: float = 1.0,
    count_model: CountModel = "poisson",
    polarity: Polarity = "higher_is_worse",
    confidence: float = 0.95,
) -> GapResult:
    """Gap between the most deprived group and the rest of the city, per period.

    Give ``numerator`` and ``denominator`` (areas x periods, NaN missing) for count-based
    indicators: groups are pooled (sum of numerators / sum of denominators x multiplier)
    and the counts treated as Poisson (events in a population; var(rate) = N / D^2) or
    binomial (var = p(1 - p) / D). Otherwise give ``value`` and optional ``weights``
    (population; areas or areas x periods): groups are population-weighted means, with the
    ratio-estimator variance that treats the group's areas as a sample. CIs are normal with
    the delta method: the difference on the natural scale (Wald), the ratio on the log scale
    (var log = 1/N for Poisson counts, the usual rate-ratio interval). ``confidence`` also
    sets the trend test's level (alpha = 1 - confidence).
    """
    rank = np.asarray(deprivation_rank, dtype=np.float64).ravel()
    group = deprivation_groups(rank, groups, rank_total)
    member = (group[None, :] == np.arange(groups)[:, None]).astype(np.float64)
    two = np.vstack([member[0], member[1:].sum(axis=0)])  # most deprived, rest
    if numerator is not None and denominator is not None and value is None:
        num, den = _matrix(numerator, rank.size), _matrix(denominator, rank.size)
        g_val, g_var, g_pop, _ = _pool_counts(member, num, den, multiplier, count_model)
        t_val, t_var, _, t_logvar = _pool_counts(two, num, den, multiplier, count_model)
    elif value is not None and numerator is None and denominator is None:
        val = _matrix(value, rank.size)
        wts = np.ones_like(val) if weights is None else _matrix(weights, rank.size, val.shape[1])
        g_val, g_var, g_pop, _ = _pool_values(member, val, wts)
        t_val, t_var, _, t_logvar = _pool_values(two, val, wts)
    else:
        raise ValueError("give numerator and denominator, or value (with optional weights)")

    zcrit = float(stats.norm.ppf(0.5 + confidence / 2))
    absolute = t_val[0] - t_val[1]
    abs_se = np.sqrt(t_var[0] + t_var[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(t_val[0] / t_val[1])
    log_se = np.sqrt(t_logvar[0] + t_logvar[1])
    sii, sii_se, rii, rii_se = _sii(g_val, g_var, g_pop)
    alpha = 1.0 - confidence
    t_half = zcrit * np.sqrt(t_var)
    return GapResult(
        group=group,
        group_value=g_val,
        group_population=g_pop,
        most_deprived=t_val[0],
        most_deprived_lower=t_val[0] - t_half[0],
        most_deprived_upper=t_val[0] + t_half[0],
        rest=t_val[1],
        rest_lower=t_val[1] - t_half[1],
        rest_upper=t_val[1] + t_half[1],
        absolute=absolute,
        absolute_lower=absolute - zcrit * abs_se,
        absolute_upper=absolute + zcrit * abs_se,
        relative=np.exp(log_ratio),
        relative_lower=np.exp(log_ratio - zcrit * log_se),
        relative_upper=np.exp(log_ratio + zcrit * log_se),
        sii=sii,
        sii_lower=sii - zcrit * sii_se,
        sii_upper=sii + zcrit * sii_se,
        rii=rii,
        rii_lower=rii - zcrit * rii_se,
        rii_upper=rii + zcrit * rii_se,
        absolute_trend=gap_trend(absolute, abs_se**2, alpha),
        relative_trend=gap_trend(log_ratio, log_se**2, alpha),
        disadvantaged=_disadvantaged(absolute, abs_se * zcrit, polarity),
    )


def gap_trend(gap: ArrayLike, variance: ArrayLike, alpha: float = 0.05) -> Trend:
    """Inverse-variance WLS slope of ``gap`` on the period index, with its t-test.

    The residual scale is estimated but never taken below the sampling variance (phi =
    max(1, chi^2 / (k - 2))): year-to-year noise beyond sampling error widens the interval,
    and a lucky straight line cannot narrow it. Needs 3 periods with a gap and variance.
    Narrowing = the slope points towards zero from the gap's average level.
    """
    y = np.asarray(gap, dtype=np.float64)
    var = np.asarray(variance, dtype=np.float64)
    ok = np.isfinite(y) & np.isfinite(var) & (var > 0)
    k = int(ok.sum())
    if k < 3:
        return Trend(np.nan, np.nan, np.nan, np.nan, k, INSUFFICIENT)
    t, y, w = np.arange(y.size, dtype=np.float64)[ok], y[ok], 1.0 / var[ok]
    t_bar, y_bar = np.average(t, weights=w), np.average(y, weights=w)
    sxx = float(np.sum(w * (t - t_bar) ** 2))
    slope = float(np.sum(w * (t - t_bar) * (y - y_bar)) / sxx)
    chi2 = float(np.sum(w * (y - y_bar - slope * (t - t_bar)) ** 2))
    se = np.sqrt(max(1.0, chi2 / (k - 2)) / sxx)
    p = float(2.0 * stats.t.sf(abs(slope) / se, k - 2))
    half = float(stats.t.ppf(1.0 - alpha / 2, k - 2)) * se
    direction = NARROWING if slope * y_bar < 0 else WIDENING
    verdict = NO_CHANGE if p > alpha else direction
    return Trend(slope, slope - half, slope + half, p, k, verdict)


def _matrix(x: ArrayLike, areas: int, periods: int | None = None) -> Floats:
    """``x`` as areas x periods floats; a vector is one period (or, given ``periods``,
    the same value in every period)."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None] if periods is None else np.repeat(arr[:, None], periods, axis=1)
    if arr.ndim != 2 or arr.shape[0] != areas or (periods and arr.shape[1] != periods):
        raise ValueError(f"expected {areas} areas x periods, got shape {arr.shape}")
    return arr


def _pool_counts(
    member: Floats, num: Floats, den: Floats, multiplier: float, model: CountModel
) -> tuple[Floats, Floats, Floats, Floats]:
    """Pooled rate per row of ``member`` (sets x areas): value, variance, population,
    variance of the log value. An area-period counts only with both counts present."""
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    n = member @ np.where(ok, num, 0.0)
    d = member @ np.where(ok, den, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(d > 0, n / d, np.nan)
        spread = 1.0 - rate if model == "binomial" else np.ones_like(rate)
        var = rate * spread / d * multiplier**2
        log_var = np.where(n > 0, spread / n, np.nan)
    return rate * multiplier, var, d, log_var


def _pool_values(
    member: Floats, value: Floats, weights: Floats
) -> tuple[Floats, Floats, Floats, Floats]:
    """Population-weighted mean per row of ``member``, with the ratio-estimator variance
    sum w^2 (v - mean)^2 / (sum w)^2 x m / (m - 1) over the m areas present."""
    ok = np.isfinite(value) & np.isfinite(weights) & (weights > 0)
    w = np.where(ok, weights, 0.0)
    # Centred on the city mean so that the expanded sum of squares keeps its precision.
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.sum(w * np.where(ok, value, 0.0), axis=0) / np.sum(w, axis=0)
        v = np.where(ok, value - centre, 0.0)
        total = member @ w
        mean = (member @ (w * v)) / total
        m = member @ ok.astype(np.float64)
        ss = member @ (w**2 * v**2) - 2 * mean * (member @ (w**2 * v)) + mean**2 * (member @ w**2)
        var = np.where(m > 1, np.clip(ss, 0.0, None) / total**2 * m / (m - 1), np.nan)
        level = mean + centre
        return level, var, total, var / level**2


def _sii(value: Floats, var: Floats, population: Floats) -> tuple[Floats, Floats, Floats, Floats]:
    """SII and RII per period (columns) from group values ordered most to least deprived.

    WLS (weights = population share, as PHE's sqrt(a) transformed regression) of the group
    values on the midpoint of each group's cumulative population share. Both are linear
    in the group values, so their variances are the group variances propagated exactly
    (RII by the delta method): what PHE's Monte Carlo intervals approximate.
    """
    ok = np.isfinite(value) & (population > 0)
    usable = ok.sum(axis=0) >= MIN_SII_GROUPS
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(ok, population, 0.0)
        a = a / a.sum(axis=0)
        x = np.cumsum(a, axis=0) - a / 2
        x_dev = x - np.sum(a * x, axis=0)
        coef = a * x_dev / np.sum(a * x_dev**2, axis=0)  # SII = sum(coef * value)
        y = np.where(ok, value, 0.0)
        v = np.where(ok, var, 0.0)
        sii = np.sum(coef * y, axis=0)
        mean = np.sum(a * y, axis=0)
        rii = sii / mean
        grad = (coef * mean - sii * a) / mean**2
        sii_se = np.sqrt(np.sum(coef**2 * v, axis=0))
        rii_se = np.sqrt(np.sum(grad**2 * v, axis=0))

    def keep(arr: Floats) -> Floats:
        return np.where(usable, arr, np.nan)

    return keep(sii), keep(sii_se), keep(rii), keep(rii_se)


def _disadvantaged(absolute: Floats, half_width: Floats, polarity: Polarity) -> str:
    """Who is worse off in the latest period with a gap, if its CI excludes zero."""
    if polarity == "no_judgement":
        return ""
    known = np.flatnonzero(np.isfinite(absolute) & np.isfinite(half_width))
    if known.size == 0 or abs(absolute[known[-1]]) <= half_width[known[-1]]:
        return ""
    md_higher = absolute[known[-1]] > 0
    return "most_deprived" if md_higher == (polarity == "higher_is_worse") else "rest"
