"""Has one count indicator got worse in an area, relative to the city? Vectorised over areas.

Each area is compared with the city period by period (indirect standardisation): its
expected count in period t is its exposure times the city rate in t, so seasonality and
city-wide changes (a new recording practice, a hot summer) cancel out, and what is left
is the area's own ratio to the city, O/E. Two one-sided tests ask whether that ratio has
moved in the worse direction:

* the step test compares the recent window with the baseline window before it,
  conditionally on the area's total over both (a binomial split, exact for Poisson counts
  and free of the area's unknown level);
* the trend test is the score test of a change of slope: O/E flat until two recent
  windows before the end, then rising log-linearly (quasi-Poisson, the area's level
  profiled out). It finds the steady rise that a step test sees only in part: a rise to
  x2 over 24 months puts only a third of its change into the baseline-versus-recent
  contrast.

Both allow for overdispersion in two layers. Month-to-month variance is modelled as
``mu * (phi0 + alpha * mu)`` (a quasi-Poisson scale plus a negative-binomial term),
fitted by moments across areas on the baseline window. On top, the slow drift of
small-area rates, which month-level noise does not show and which makes a plain Poisson
test alarm on real data, is an additive between-area variance of each test's effect,
estimated robustly across areas (as for funnel plots, Spiegelhalter 2005).

The combined p-value, the default ``p``, refers the larger of the two z-scores to the
exact distribution of the maximum of two correlated normals (their correlation is known
from the model, shrunk for the drift terms as if the two drifts were independent, which
errs on the safe side), so it costs far less than Bonferroni. On the synthetic benchmark
(``bench/bench_alerts.py``) it finds steps as well as the step test alone and about a
fifth more of the gradual rises (0.308 against 0.254 of them at LSOA size), at about the
same false alarms. ``rising`` says whether a steady rise fits
an area's change better than a step, and ``rise_start`` where the rise most likely began
(the first period after the change of slope that fits best), for sentences such as
"rising steadily since 2022-03".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from app.analysis.stats.fdr import bh_qvalues

TESTED = "tested"
TOO_FEW_EXPECTED = "too_few_expected"  # fewer than min_expected events expected recently
MISSING_DATA = "missing_data"  # too few periods with a count in either window
NO_EXPOSURE = "no_exposure"  # no positive denominator in the windows
SHORT_SERIES = "short_series"  # the panel is shorter than recent + min_baseline periods
REASONS = (TESTED, TOO_FEW_EXPECTED, MISSING_DATA, NO_EXPOSURE, SHORT_SERIES)


def _winsorised_moments() -> tuple[float, float]:
    """Second moment of a standard normal winsorised at its 10% and 90% points, and the
    relative SD (times sqrt(n)) of its estimate from n values with estimated cut points,
    from the influence function on a fine grid of normal quantiles."""
    z = special.ndtri((np.arange(200_000) + 0.5) / 200_000)
    c = float(special.ndtri(0.9))
    clipped = np.clip(z, -c, c) ** 2
    moment = float(clipped.mean())
    slope = 0.2 * c / float(np.exp(-0.5 * c * c) / np.sqrt(2.0 * np.pi))
    influence = clipped + slope * ((0.9 - (z <= c)) - (0.1 - (z <= -c)))
    return moment, float(influence.std() / moment)


_WINSOR_VAR, _WINSOR_SE = _winsorised_moments()


@dataclass(frozen=True)
class DeteriorationParams:
    """Settings of :func:`count_deterioration`.

    ``min_expected`` is the count expected in the recent window if nothing changed (the
    area's pooled ratio to the city over both windows times the city-expected count; a
    rule on the total keeps the conditional step test exact). Ten by default: at ten,
    even a doubling gives only p ~ 0.01 (a +50% rise p ~ 0.13) against a 36-month
    baseline, which cannot survive false discovery control over a run, so smaller areas
    would only add tests (and alerts resting on a handful of events); ten is also the
    usual public-health floor for reporting a rate. ``min_coverage`` is the share of
    periods in each window that must have a count. The baseline pools up to 36 months:
    on the benchmark that found more planted changes than 24, at no cost in false
    alarms. ``test`` chooses which p-value becomes ``p`` (the combined one by default);
    ``slope_window`` is how many final periods the trend test's slope spans (two recent
    windows by default; a value as long as the panel gives a slope over both windows);
    with ``overdispersion`` and ``empirical_null`` (the drift term) off the tests are
    plain Poisson (comparison only).
    """

    recent: int = 12
    baseline: int = 36  # at most; shorter if the panel is (down to min_baseline)
    min_expected: float = 10.0
    min_coverage: float = 0.75
    min_baseline: int = 12  # shortest usable baseline when the panel is short
    test: Literal["step", "combined", "trend"] = "combined"
    overdispersion: bool = True
    empirical_null: bool = True  # the drift term, estimated across areas
    min_null_areas: int = 30  # fewer tested areas: no drift term (too noisy to estimate)
    slope_window: int | None = None  # the trend's final periods; None: 2 x recent

    @property
    def rising_periods(self) -> int:
        """How many final periods the trend test's slope spans (a change of slope there)."""
        return 2 * self.recent if self.slope_window is None else self.slope_window

    def __post_init__(self) -> None:
        if self.recent < 1 or self.baseline < 1 or not 1 <= self.min_baseline <= self.baseline:
            raise ValueError("windows must be positive and min_baseline <= baseline")
        if not 0.0 < self.min_coverage <= 1.0:
            raise ValueError("min_coverage must be in (0, 1]")
        if self.slope_window is not None and self.slope_window < 2:
            raise ValueError("slope_window must be at least 2 periods")


@dataclass
class DeteriorationResult:
    """Per area (every array has shape (n_areas,)); p-values are NaN where not tested."""

    observed: NDArray[np.float64]  # count in the recent window
    expected: NDArray[np.float64]  # recent window, at the area's baseline ratio to the city
    ratio: NDArray[np.float64]  # recent SR / baseline SR (1.62: 62% above its baseline)
    p_step: NDArray[np.float64]
    p_trend: NDArray[np.float64]
    p: NDArray[np.float64]  # the chosen test's p (params.test; default the combined one)
    reason: NDArray[np.str_]  # "tested" or why not (see REASONS)
    p_combined: NDArray[np.float64]  # step and trend combined (max-z), one-sided worse
    dispersion: float  # Pearson chi-square / df of the baseline fit (1 = Poisson)
    phi: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))  # inflation used
    dispersion_scale: float = 1.0  # phi0 of the variance model mu * (phi0 + alpha * mu)
    dispersion_size: float = 0.0  # alpha of the variance model
    drift: tuple[float, float] = (0.0, 0.0)  # SD of (log step, log slope) beyond noise
    z_step: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    z_trend: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    # One-sided z of the chosen test, areas too small to test alone included: for pooling
    # neighbours' evidence into clusters (app.analysis.stats.clusters), never an alert;
    # `weight` is each one's recent count expected if nothing changed (its total split by
    # the city's expectation: it does not move with the split the z measures).
    z_pool: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    weight: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    # A steady rise fits the area's change better than a step (their scores over model
    # variance alone compared), and it is a rise (trend z > 0): for wording, not testing.
    rising: NDArray[np.bool_] = field(default_factory=lambda: np.empty(0, dtype=np.bool_))
    # How much better a steady rise fits than a step (difference of their z over model
    # variance; > 0 where `rising`), to weigh the shape of several indicators together.
    rise_margin: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    # Column of the panel of the first period of the best-fitting rise (the one after the
    # change of slope); -1 = not tested.
    rise_start: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @property
    def tested(self) -> NDArray[np.bool_]:
        return np.asarray(self.reason == TESTED)


def describe_change(ratio: float) -> str:
    """``1.62`` -> ``"62% above its city-adjusted baseline"``."""
    if not np.isfinite(ratio):
        return "no baseline to compare with"
    pct = round(abs(ratio - 1.0) * 100)
    side = "above" if ratio >= 1.0 else "below"
    return f"{pct}% {side} its city-adjusted baseline"


def run_qvalues(p_values: Sequence[ArrayLike]) -> list[NDArray[np.float64]]:
    """Benjamini-Hochberg q-values across every test of a run (all indicators at once).

    Pass the ``p`` of every result in the run; gets back one q array per input, NaN
    where not tested. Control across the whole run is what keeps the alert list honest.
    """
    arrays = [np.asarray(p, dtype=np.float64) for p in p_values]
    if not arrays:
        return []
    q = bh_qvalues(np.concatenate([a.ravel() for a in arrays]))
    splits = np.cumsum([a.size for a in arrays])[:-1]
    return [part.reshape(a.shape) for part, a in zip(np.split(q, splits), arrays, strict=True)]


def count_deterioration(
    counts: ArrayLike,
    exposure: ArrayLike | None = None,
    polarity: int = 1,
    params: DeteriorationParams = DeteriorationParams(),
) -> DeteriorationResult:
    """Test every area of one indicator for deterioration in the recent window.

    Parameters
    ----------
    counts : (n_areas, n_periods) counts, oldest period first; NaN = missing.
    exposure : (n_areas, n_periods) denominators (population); None = 1 everywhere.
    polarity : +1 if higher is worse, -1 if higher is better; only "worse" alarms.
    params : windows, small-number rule, which test.
    """
    obs = np.asarray(counts, dtype=np.float64)
    if obs.ndim != 2:
        raise ValueError("counts must be areas x periods")
    expo = np.ones_like(obs) if exposure is None else np.asarray(exposure, dtype=np.float64)
    if expo.shape != obs.shape:
        raise ValueError("exposure must have the shape of counts")
    if polarity not in (1, -1):
        raise ValueError("polarity must be +1 or -1")
    n_areas, n_periods = obs.shape
    recent = params.recent
    baseline = min(params.baseline, n_periods - recent)
    if baseline < params.min_baseline:
        return _untested(n_areas, SHORT_SERIES)
    width = recent + baseline

    # City rate per period, from the cells that have both a count and a denominator.
    has_expo = np.isfinite(expo) & (expo > 0)
    ok = np.isfinite(obs) & has_expo
    denom = np.where(ok, expo, 0.0).sum(axis=0)
    rate = np.full(n_periods, np.nan)
    np.divide(np.where(ok, obs, 0.0).sum(axis=0), denom, out=rate, where=denom > 0)

    win = slice(n_periods - width, n_periods)
    present = ok[:, win] & np.isfinite(rate[win])
    o = np.where(present, obs[:, win], 0.0)
    e = np.where(present, expo[:, win] * np.nan_to_num(rate[win]), 0.0)
    o_b, o_r = o[:, :baseline].sum(axis=1), o[:, baseline:].sum(axis=1)
    e_b, e_r = e[:, :baseline].sum(axis=1), e[:, baseline:].sum(axis=1)
    total_o, total_e = o_b + o_r, e_b + e_r

    with np.errstate(divide="ignore", invalid="ignore"):
        theta_b = o_b / e_b
        expected = theta_b * e_r
        ratio = (o_r / e_r) / theta_b
        null_expected = total_o * e_r / total_e  # recent count expected if nothing changed

    reason = np.full(n_areas, TESTED, dtype="<U16")
    short_b = present[:, :baseline].sum(axis=1) < params.min_coverage * baseline
    short_r = present[:, baseline:].sum(axis=1) < params.min_coverage * recent
    reason[~(null_expected >= params.min_expected)] = TOO_FEW_EXPECTED
    reason[short_b | short_r | (e_b <= 0) | (e_r <= 0)] = MISSING_DATA
    reason[~has_expo[:, win].any(axis=1)] = NO_EXPOSURE
    tested = reason == TESTED
    usable = (reason == TESTED) | (reason == TOO_FEW_EXPECTED)

    chi2_df, phi0, alpha = _fit_dispersion(
        o[:, :baseline], e[:, :baseline], present[:, :baseline] & usable[:, None]
    )
    if not params.overdispersion:
        phi0, alpha = 1.0, 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = total_o / total_e
        # Effective monthly size for the variance of a window sum: sum(mu^2) / sum(mu).
        size = theta * np.einsum("at,at->a", e, e) / total_e
    # Areas with too few events to test on their own are scored too (never as alerts):
    # pooled with their neighbours they can show a cluster (`z_pool`).
    phi = np.where(usable, phi0 + alpha * np.nan_to_num(size), np.nan)

    # Step: split of the total between the windows; worse = too many recent events
    # (polarity +1) or too many baseline ones (-1). Its binomial variance is `info`;
    # month-level noise multiplies it by phi, drift adds tau^2 * info^2.
    share_r = np.divide(e_r, total_e, out=np.full(n_areas, np.nan), where=usable)
    k, share = (o_r, share_r) if polarity == 1 else (o_b, 1.0 - share_r)
    info = total_o * share * (1.0 - share)
    tau2_step = _drift_variance(k - total_o * share, phi * info, info, tested, params)
    p_step = _binomial_upper(k, total_o, share, phi + tau2_step * info, usable)

    # Trend: score of a log-linear slope over the last `rising_periods` (flat before:
    # a change of slope), with the area's level profiled out.
    t = np.maximum(np.arange(width, dtype=np.float64) - (width - params.rising_periods), 0.0)
    et, ett = e @ t, e @ (t * t)
    with np.errstate(divide="ignore", invalid="ignore"):
        tbar = et / total_e
        spread = ett - tbar * et  # sum e (t - tbar)^2
        score = polarity * (o @ t - tbar * total_o)
        info_t = theta * spread
        cross = e[:, baseline:] @ t[baseline:] - tbar * e_r  # sum e (s - sbar)(t - tbar)
        rho = cross / np.sqrt(e_r * e_b / total_e * spread)
    tau2_trend = _drift_variance(score, phi * info_t, info_t, tested, params)
    with np.errstate(divide="ignore", invalid="ignore"):
        z_trend = np.where(usable, score / np.sqrt(phi * info_t + tau2_trend * info_t**2), np.nan)
    p_trend = special.ndtr(-z_trend)

    z_step = -special.ndtri(p_step)
    # The drift terms add to each score's variance; were the two drifts independent, the
    # scores' correlation would shrink by these factors. Taking it so errs on the safe
    # side (a lower correlation makes the maximum's p larger) unless drifts of level and
    # slope are negatively related, which a drifting rate does not make them.
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = (
            rho
            * np.sqrt(phi * info / (phi * info + tau2_step * info**2))
            * np.sqrt(phi * info_t / (phi * info_t + tau2_trend * info_t**2))
        )
    p_combined = _max_z_pvalue(z_step, z_trend, rho)
    p_all = {"step": p_step, "trend": p_trend, "combined": p_combined}[params.test]
    z_pool = -special.ndtri(p_all)
    p_step, p_trend, p_combined, p, z_step, z_trend, phi = (
        np.where(tested, x, np.nan)
        for x in (p_step, p_trend, p_combined, p_all, z_step, z_trend, phi)
    )
    # Which shape fits the area's change better, a step or a steady rise: the two score
    # statistics over their model variance alone (the drift term calibrates the tests
    # across areas; it says nothing about this area's shape).
    with np.errstate(divide="ignore", invalid="ignore"):
        fit_step = (k - total_o * share) / np.sqrt(phi * info)
        fit_trend = score / np.sqrt(phi * info_t)
    # The first period above the flat level before it.
    rise_start = _rise_start(o, e, polarity, phi, tested, recent) + 1 + (n_periods - width)
    return DeteriorationResult(
        observed=np.where(np.isfinite(o_r) & (reason != NO_EXPOSURE), o_r, np.nan),
        expected=expected,
        ratio=np.where(np.isfinite(ratio), ratio, np.where(o_r > 0, np.inf, np.nan)),
        p_step=p_step,
        p_trend=p_trend,
        p=p,
        reason=reason.astype(np.str_),
        p_combined=p_combined,
        dispersion=chi2_df,
        phi=phi,
        dispersion_scale=phi0,
        dispersion_size=alpha,
        drift=(float(np.sqrt(tau2_step)), float(np.sqrt(tau2_trend))),
        z_step=z_step,
        z_trend=z_trend,
        z_pool=z_pool,
        weight=np.where(np.isfinite(z_pool), null_expected, np.nan),
        rising=np.asarray(tested & (np.nan_to_num(fit_trend - fit_step) > 0) & (z_trend > 0)),
        rise_margin=np.where(tested, fit_trend - fit_step, np.nan),
        rise_start=np.where(tested, rise_start, -1),
    )


def _rise_start(
    o: NDArray[np.float64],
    e: NDArray[np.float64],
    polarity: int,
    phi: NDArray[np.float64],
    tested: NDArray[np.bool_],
    recent: int,
) -> NDArray[np.int64]:
    """Where each area's rise most likely began (a column of the window): the change of
    slope, among starts a quarter of a recent window apart and at least one recent window
    before the end, whose score z is largest. Descriptive only: no p-value rests on it."""
    width = o.shape[1]
    spacing = max(1, recent // 4)
    starts = np.arange(0, width - recent + 1, spacing)
    total_o, total_e = o.sum(axis=1), e.sum(axis=1)
    best = np.zeros(o.shape[0], dtype=np.int64)
    best_z = np.full(o.shape[0], -np.inf)
    for start in starts.tolist():
        g = np.maximum(np.arange(width, dtype=np.float64) - start, 0.0)
        eg, egg = e @ g, e @ (g * g)
        with np.errstate(divide="ignore", invalid="ignore"):
            gbar = eg / total_e
            score = polarity * (o @ g - gbar * total_o)
            z = score / np.sqrt(phi * total_o / total_e * (egg - gbar * eg))
        better = tested & (np.nan_to_num(z, nan=-np.inf) > best_z)
        best[better], best_z[better] = start, z[better]
    return best


def _untested(n_areas: int, why: str) -> DeteriorationResult:
    nan = np.full(n_areas, np.nan)
    return DeteriorationResult(
        observed=nan.copy(),
        expected=nan.copy(),
        ratio=nan.copy(),
        p_step=nan.copy(),
        p_trend=nan.copy(),
        p=nan.copy(),
        reason=np.full(n_areas, why),
        p_combined=nan.copy(),
        dispersion=float("nan"),
        phi=nan.copy(),
        z_step=nan.copy(),
        z_trend=nan.copy(),
        z_pool=nan.copy(),
        weight=nan.copy(),
        rising=np.zeros(n_areas, dtype=np.bool_),
        rise_margin=nan.copy(),
        rise_start=np.full(n_areas, -1, dtype=np.int64),
    )


def _binomial_upper(
    k: NDArray[np.float64],
    n: NDArray[np.float64],
    share: NDArray[np.float64],
    phi: NDArray[np.float64],
    tested: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """Mid-p of ``P(X >= k)``, ``X ~ Binomial(n, share)``, with counts scaled by ``phi``.

    Dividing counts by the variance inflation (a scaled binomial) keeps the skewness of
    small counts, which a normal approximation would lose in exactly the tail we test.
    The regularised incomplete beta makes the tail continuous in non-integer k and n.
    """
    p = np.full(k.shape, np.nan)
    ks, ns, sh = k[tested] / phi[tested], n[tested] / phi[tested], share[tested]
    tiny = np.finfo(np.float64).tiny
    at_least = np.where(ks > 0, special.betainc(np.maximum(ks, tiny), ns - ks + 1, sh), 1.0)
    more = np.where(ns - ks > 0, special.betainc(ks + 1, np.maximum(ns - ks, tiny), sh), 0.0)
    p[tested] = 0.5 * (at_least + more)
    return p


def _drift_variance(
    d: NDArray[np.float64],
    v: NDArray[np.float64],
    info: NDArray[np.float64],
    tested: NDArray[np.bool_],
    params: DeteriorationParams,
) -> float:
    """Between-area variance ``tau^2`` of the effect behind a score statistic ``d``.

    ``d`` has model variance ``v`` and information ``info`` (``d / info`` estimates the
    log effect). Drift adds ``tau^2 * info^2``, relatively more for big areas, as in
    funnel plots with an additive random effect (Spiegelhalter 2005). The z-scores
    ``d / sqrt(v)`` should have variance 1: only an excess of their 10%-winsorised
    variance beyond two standard errors counts as drift (else a small city's noise would
    cost power for nothing); then ``tau^2`` is found by bisection so that
    ``d / sqrt(v + tau^2 info^2)`` has winsorised variance 1. Winsorising keeps the few
    real changes out of the estimate; at most 10,000 areas are used.
    """
    if not params.empirical_null:
        return 0.0
    idx = np.flatnonzero(tested & np.isfinite(d) & (v > 0) & (info > 0))
    if idx.size < params.min_null_areas:
        return 0.0
    idx = idx[:: max(1, idx.size // 10_000)]
    d, v, info = d[idx], v[idx], info[idx]

    def spread(tau2: float) -> float:
        z = d / np.sqrt(v + tau2 * info * info)
        lo, hi = np.percentile(z, (10.0, 90.0))
        return float(np.mean(np.clip(z, lo, hi) ** 2)) / _WINSOR_VAR

    if spread(0.0) <= 1.0 + 2.0 * _WINSOR_SE / np.sqrt(idx.size):
        return 0.0
    lo, hi = 0.0, 1.0
    for _ in range(40):  # spread falls towards 0 as tau^2 grows: bracket, then bisect
        if spread(hi) <= 1.0:
            break
        lo, hi = hi, hi * 4.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if spread(mid) > 1.0 else (lo, mid)
    return hi


def _max_z_pvalue(
    z1: NDArray[np.float64], z2: NDArray[np.float64], rho: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``P(max(Z1, Z2) >= m)`` for standard bivariate normals with correlation ``rho``.

    ``Phi2(m, m; rho) = Phi(m) - 2 T(m, sqrt((1 - rho) / (1 + rho)))`` (Owen 1956).
    """
    m = np.fmax(z1, z2)  # one NaN score: the other alone
    r = np.clip(rho, -0.999999, 0.999999)
    a = np.sqrt((1.0 - r) / (1.0 + r))
    with np.errstate(invalid="ignore"):
        p = special.ndtr(-m) + 2.0 * special.owens_t(m, a)
    return np.asarray(np.clip(p, 0.0, 1.0), dtype=np.float64)


def _fit_dispersion(
    o: NDArray[np.float64], e: NDArray[np.float64], present: NDArray[np.bool_]
) -> tuple[float, float, float]:
    """Variance model ``mu * (phi0 + alpha * mu)`` fitted by moments on the baseline.

    Each area's baseline is fitted with a constant ratio to the city; its Pearson
    chi-square / df estimates ``phi0 + alpha * m`` where ``m`` is its typical monthly
    count, so a weighted regression of that ratio on ``m`` across areas gives phi0
    (intercept) and alpha (slope). Weights are the inverse variance of the ratio,
    ``(2 v^2 + v / m) / df``. Both are kept at or above Poisson (phi0 >= 1, alpha >= 0):
    assuming less noise than Poisson would only add false alarms.

    Returns the overall Pearson chi-square / df, phi0 and alpha.
    """
    o = np.where(present, o, 0.0)
    e = np.where(present, e, 0.0)
    tot_o, tot_e = o.sum(axis=1), e.sum(axis=1)
    use = (tot_o > 0) & (present.sum(axis=1) >= 2)
    if use.sum() < 2:
        return float("nan"), 1.0, 0.0
    o, e, tot_o, tot_e = o[use], e[use], tot_o[use], tot_e[use]
    mu = (tot_o / tot_e)[:, None] * e
    cell = mu > 0
    h = e / tot_e[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = np.where(cell, (o - mu) ** 2 / mu, 0.0).sum(axis=1)
    df = np.where(cell, 1.0 - h, 0.0).sum(axis=1)
    keep = df > 0.5
    pearson, df = pearson[keep], df[keep]
    size = np.where(cell, (1.0 - h) * mu, 0.0).sum(axis=1)[keep] / df
    chi2_df = float(pearson.sum() / df.sum())
    ratio = pearson / df
    phi0, alpha = max(1.0, chi2_df), 0.0
    for _ in range(5):
        v = phi0 + alpha * size
        w = df / (2.0 * v * v + v / size)
        sw, sx, sxx = w.sum(), (w * size).sum(), (w * size * size).sum()
        sy, sxy = (w * ratio).sum(), (w * size * ratio).sum()
        det = sw * sxx - sx * sx
        alpha = (sw * sxy - sx * sy) / det if det > 0 else 0.0
        phi0 = (sy - alpha * sx) / sw
        if alpha < 0.0:
            alpha, phi0 = 0.0, sy / sw
        if phi0 < 1.0:
            phi0 = 1.0
            alpha = max(0.0, (sxy - sx) / sxx)
    return chi2_df, float(phi0), float(alpha)
