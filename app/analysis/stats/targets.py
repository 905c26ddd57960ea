"""Speed risk of a target: the trend so far, projected to the period the target is due.

A target says where an indicator should be by a due period (say 10% fewer burglaries by
March 2028). Three questions are answered here, from the series so far:

* :func:`fit_counts` / :func:`fit_values`: the trend, log-linear for counts (a
  quasi-Poisson GLM fitted by IRLS, exposure as offset) or a straight line for values
  (weighted least squares on the linear or log scale). Extra-variation beyond the sampling
  error widens the fit's covariance, never narrows it.
* :func:`speed_risk`: how fast the indicator must move from where it is now to reach the
  target in time, how fast it is moving, and the probability that the fitted mean at the
  due period is on the good side of the target.
* :func:`project`: the fitted mean at the due period with its confidence interval, and a
  red / amber / green status against the target.

:func:`trajectory` gives the planned path from a baseline to the target (straight or
geometric, optionally seasonal), to draw and to compare each period's value with.

Times are period indices (months or quarters numbered on, not necessarily from 0); every
slope is per period on the fit's scale (for "log", exp(slope) - 1 is the relative change
per period).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

Scale = Literal["log", "linear"]
Direction = Literal["down", "up"]  # the direction of improvement
Floats = NDArray[np.float64]

MIN_POINTS = 3
#: Speed-risk levels by the probability of being on the good side of the target when due:
#: at least 0.8 is "low" risk, at least 0.5 "medium" (more likely on time than not, but not
#: by much), below 0.5 "high" (more likely late than on time).
LOW_RISK_P = 0.8
MEDIUM_RISK_P = 0.5
LOW, MEDIUM, HIGH = "low", "medium", "high"
RED, AMBER, GREEN = "red", "amber", "green"

_IRLS_MAX_ITER = 100
_IRLS_TOL = 1e-10


@dataclass(frozen=True)
class TrendFit:
    """A straight-line trend on a scale: g(y) = intercept + slope * t (g = log for "log").

    ``cov`` is the 2 x 2 covariance of (intercept, slope), with ``dispersion`` included:
    cov = dispersion x (X' W X)^-1 for the fit's weights W. For counts and for values with
    standard errors, ``dispersion`` = max(1, Pearson chi^2 / df) (1: no variation beyond
    the sampling error); for values without standard errors it is the residual variance
    (all weights 1). ``df`` = periods - 2; ``t_last`` is the last observed time. For
    counts the intercept is per unit of exposure, so :meth:`value` is a rate per unit.
    """

    scale: Scale
    intercept: float
    slope: float
    cov: Floats
    dispersion: float
    df: int
    periods: int
    t_last: float

    def mean(self, t: float) -> tuple[float, float]:
        """The fitted value at ``t`` on the fitting scale, and its standard error."""
        x = np.array([1.0, t])
        var = float(x @ self.cov @ x)
        return self.intercept + self.slope * t, float(np.sqrt(max(var, 0.0)))

    def value(self, t: float) -> float:
        """The fitted value at ``t`` on the natural scale (a rate per unit exposure)."""
        return _inverse(self.scale, self.mean(t)[0])

    def interval(self, t: float, level: float = 0.95) -> tuple[float, float]:
        """Confidence interval of the fitted mean at ``t``, natural scale: t-distribution
        with ``df`` on the fitting scale, back-transformed (so asymmetric for "log")."""
        m, se = self.mean(t)
        half = _t_crit(level, self.df) * se
        return _inverse(self.scale, m - half), _inverse(self.scale, m + half)


@dataclass(frozen=True)
class SpeedRisk:
    """How fast the indicator must move, how fast it moves, and the chance of being on time.

    ``needed``: the slope (per period, fitting scale) that takes the fitted value at
    ``t_last`` to the target at the due period (NaN when the due period is not after
    ``t_last``). ``observed``, ``lower``, ``upper``: the fitted slope and its confidence
    interval. ``p_on_time``: the probability, under the t-distribution of the projected
    mean, that the mean at the due period is on the good side of the target (for "down":
    at or below it). ``level``: "low" (p >= :data:`LOW_RISK_P`), "medium" (p >=
    :data:`MEDIUM_RISK_P`) or "high". ``already_met``: the fitted value at ``t_last``
    already meets the target.
    """

    needed: float
    observed: float
    lower: float
    upper: float
    p_on_time: float
    level: str
    already_met: bool


@dataclass(frozen=True)
class Projection:
    """The fitted mean at ``t`` (the due period), natural scale, with its confidence
    interval and the target. ``level``: "red" when the interval lies wholly on the wrong
    side of the target, "green" wholly on the good side, "amber" when it holds the target
    (a limit equal to the target counts as holding it)."""

    t: float
    value: float
    lower: float
    upper: float
    target: float
    level: str


def fit_counts(t: ArrayLike, counts: ArrayLike, exposure: ArrayLike) -> TrendFit:
    """Quasi-Poisson log-linear trend: log(mu) = log(exposure) + a + b t, fitted by IRLS.

    Points with a NaN count, time or exposure, or exposure <= 0, are skipped; at least 3
    must remain, with events not all at the first or last time (else the maximum
    likelihood slope is infinite). dispersion = max(1, Pearson chi^2 / (n - 2)) and cov =
    dispersion x inverse Fisher information. ``a`` is per unit of exposure.
    """
    tt, y, e = _arrays(t, counts, exposure)
    ok = np.isfinite(tt) & np.isfinite(y) & np.isfinite(e) & (e > 0)
    tt, y, e = tt[ok], y[ok], e[ok]
    _check_points(tt.size)
    if np.any(y < 0):
        raise ValueError("counts must be >= 0")
    if y.sum() <= 0:
        raise ValueError("no events: a log-linear trend cannot be fitted to zeros")
    # Centred time keeps X'WX well conditioned; the coefficients are moved back below.
    centre = float(tt.mean())
    x = np.column_stack([np.ones_like(tt), tt - centre])
    beta = np.array([np.log(y.sum() / e.sum()), 0.0])
    beta = _irls(x, y, e, beta)
    if not np.all(np.isfinite(beta)):
        raise ValueError("the trend did not converge (are all events at one end of the series?)")
    mu = e * np.exp(x @ beta)
    df = tt.size - 2
    dispersion = max(1.0, float(np.sum((y - mu) ** 2 / mu)) / df)
    cov = np.asarray(dispersion * np.linalg.inv(x.T @ (mu[:, None] * x)), dtype=np.float64)
    return _uncentred("log", beta, cov, centre, dispersion, df, tt)


def fit_values(
    t: ArrayLike, values: ArrayLike, se: ArrayLike | None = None, *, scale: Scale = "linear"
) -> TrendFit:
    """Straight-line trend of values (a percentage, a score) on the linear or log scale.

    With ``se`` (each value's standard error), weighted least squares with weights 1 /
    se_g^2, where se_g = se on the linear scale and se / value on the log scale (delta
    method); the covariance is multiplied by max(1, chi^2 / df), so period-to-period
    variation beyond the stated errors widens it. Without ``se``, ordinary least squares
    with the residual variance. NaN points (and, with ``se``, se <= 0) are skipped; on the
    log scale the values must be > 0. At least 3 points.
    """
    if scale not in ("log", "linear"):
        raise ValueError(f"scale is 'log' or 'linear', got {scale!r}")
    tt, v = _arrays(t, values)
    s = np.ones_like(v) if se is None else np.broadcast_to(np.asarray(se, np.float64), v.shape)
    ok = np.isfinite(tt) & np.isfinite(v) & np.isfinite(s) & (s > 0)
    tt, v, s = tt[ok], v[ok], s[ok]
    _check_points(tt.size)
    if scale == "log":
        if np.any(v <= 0):
            raise ValueError("values must be > 0 on the log scale")
        y, s = np.log(v), s / v
    else:
        y = v
    w = 1.0 / s**2
    centre = float(tt.mean())
    x = np.column_stack([np.ones_like(tt), tt - centre])
    xtwx = x.T @ (w[:, None] * x)
    beta = np.linalg.solve(xtwx, x.T @ (w * y))
    df = tt.size - 2
    chi2 = float(np.sum(w * (y - x @ beta) ** 2))
    # With errors given, a lucky straight line cannot narrow them (floor 1); without, the
    # residual variance is all there is.
    dispersion = max(1.0, chi2 / df) if se is not None else chi2 / df
    cov = np.asarray(dispersion * np.linalg.inv(xtwx), dtype=np.float64)
    return _uncentred(scale, np.asarray(beta, np.float64), cov, centre, dispersion, df, tt)


def speed_risk(
    fit: TrendFit, target: float, due_t: float, direction: Direction, *, level: float = 0.95
) -> SpeedRisk:
    """The speed needed to reach ``target`` by ``due_t``, the speed so far, and the risk.

    ``target`` is on the fit's natural scale (for :func:`fit_counts`, a rate per unit of
    exposure: a target of 12 per 1,000 is 0.012) and must be > 0 on the log scale.
    ``level`` is the confidence level of the slope's interval. A due period at or before
    ``t_last`` is allowed: ``needed`` is then NaN and the probability comes from the fit at
    ``due_t`` all the same.
    """
    _check_direction(direction)
    g_target = _forward(fit.scale, target)
    g_now, _ = fit.mean(fit.t_last)
    needed = (g_target - g_now) / (due_t - fit.t_last) if due_t > fit.t_last else np.nan
    se_slope = float(np.sqrt(max(fit.cov[1, 1], 0.0)))
    half = _t_crit(level, fit.df) * se_slope
    p = _p_good_side(fit, g_target, due_t, direction)
    risk = LOW if p >= LOW_RISK_P else MEDIUM if p >= MEDIUM_RISK_P else HIGH
    met = g_now <= g_target if direction == "down" else g_now >= g_target
    return SpeedRisk(
        needed=float(needed),
        observed=fit.slope,
        lower=fit.slope - half,
        upper=fit.slope + half,
        p_on_time=p,
        level=risk,
        already_met=bool(met),
    )


def project(
    fit: TrendFit, target: float, due_t: float, direction: Direction, *, level: float = 0.95
) -> Projection:
    """The fitted mean at ``due_t`` with its confidence interval, and red / amber / green."""
    _check_direction(direction)
    _forward(fit.scale, target)  # validates the target for the scale
    lower, upper = fit.interval(due_t, level)
    good_below = direction == "down"
    if (upper < target) if good_below else (lower > target):
        status = GREEN
    elif (lower > target) if good_below else (upper < target):
        status = RED
    else:
        status = AMBER
    return Projection(due_t, fit.value(due_t), lower, upper, target, status)


def trajectory(
    baseline: float,
    baseline_t: float,
    target: float,
    due_t: float,
    t: ArrayLike,
    *,
    scale: Scale = "linear",
    profile: Sequence[float] | None = None,
    months: ArrayLike | None = None,
) -> Floats:
    """The planned value at each ``t``: from (``baseline_t``, ``baseline``) to (``due_t``,
    ``target``), held at the target after ``due_t``, NaN before ``baseline_t``.

    On the "linear" scale the plan is a straight line; on "log" a geometric one (the same
    relative change every period: baseline x (target / baseline)^f, f the share of the way
    from baseline_t to due_t), which needs baseline and target > 0.

    With ``profile``, 12 positive seasonal weights for calendar months January..December,
    and ``months`` (each t's calendar month, 1..12), the planned value is the line times
    its month's weight: plan(t) = line(t) x w[month(t)] / mean(w). The weights are rescaled
    to mean 1, so ``baseline`` and ``target`` are deseasonalised levels (a year's plan
    averages about the line), and the held target after ``due_t`` is seasonal too.
    """
    if scale not in ("log", "linear"):
        raise ValueError(f"scale is 'log' or 'linear', got {scale!r}")
    if not due_t > baseline_t:
        raise ValueError("due_t must be after baseline_t")
    tt = np.asarray(t, dtype=np.float64)
    share = np.clip((tt - baseline_t) / (due_t - baseline_t), None, 1.0)
    if scale == "log":
        if not (baseline > 0 and target > 0):
            raise ValueError("baseline and target must be > 0 on the log scale")
        line = baseline * (target / baseline) ** share
    else:
        line = baseline + share * (target - baseline)
    line = np.where(tt < baseline_t, np.nan, line)
    if profile is None:
        return np.asarray(line, dtype=np.float64)
    w = np.asarray(profile, dtype=np.float64)
    if w.shape != (12,) or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("profile must be 12 positive numbers, one per calendar month")
    if months is None:
        raise ValueError("a profile needs months= (each t's calendar month, 1..12)")
    m = np.asarray(months)
    if m.shape != tt.shape or np.any((m < 1) | (m > 12)) or np.any(m != np.round(m)):
        raise ValueError("months must give each t's calendar month, 1..12")
    return np.asarray(line * (w / w.mean())[m.astype(np.intp) - 1], dtype=np.float64)


def _irls(x: Floats, y: Floats, e: Floats, beta: Floats) -> Floats:
    """Poisson IRLS with log link and offset log(e); NaN coefficients if it diverges."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for _ in range(_IRLS_MAX_ITER):
            mu = e * np.exp(x @ beta)
            # Working weights mu and working response eta + (y - mu) / mu (eta without offset).
            z = x @ beta + (y - mu) / mu
            try:
                new = np.asarray(
                    np.linalg.solve(x.T @ (mu[:, None] * x), x.T @ (mu * z)), dtype=np.float64
                )
            except np.linalg.LinAlgError:
                break
            if not np.all(np.isfinite(new)):
                break
            step = float(np.max(np.abs(new - beta)))
            beta = new
            if step < _IRLS_TOL:
                return beta
    return np.full(2, np.nan)


def _p_good_side(fit: TrendFit, g_target: float, due_t: float, direction: Direction) -> float:
    m, se = fit.mean(due_t)
    gap = g_target - m if direction == "down" else m - g_target
    if se <= 0:  # a perfect line without errors: the projection is certain
        return 1.0 if gap > 0 else 0.0 if gap < 0 else 0.5
    return float(stats.t.cdf(gap / se, fit.df))


def _uncentred(
    scale: Scale,
    beta: Floats,
    cov: Floats,
    centre: float,
    dispersion: float,
    df: int,
    t: Floats,
) -> TrendFit:
    """A fit made on t - centre, moved back to t: a = a_c - b centre, cov = A cov_c A'."""
    a = np.array([[1.0, -centre], [0.0, 1.0]])
    return TrendFit(
        scale=scale,
        intercept=float(beta[0] - beta[1] * centre),
        slope=float(beta[1]),
        cov=a @ cov @ a.T,
        dispersion=float(dispersion),
        df=int(df),
        periods=int(t.size),
        t_last=float(t.max()),
    )


def _arrays(*xs: ArrayLike) -> list[Floats]:
    out = [np.asarray(x, dtype=np.float64).ravel() for x in xs]
    if any(x.shape != out[0].shape for x in out):
        raise ValueError(f"lengths differ: {[x.size for x in out]}")
    return out


def _check_points(n: int) -> None:
    if n < MIN_POINTS:
        raise ValueError(f"a trend needs at least {MIN_POINTS} usable points, got {n}")


def _check_direction(direction: str) -> None:
    if direction not in ("down", "up"):
        raise ValueError(f"direction is 'down' or 'up', got {direction!r}")


def _forward(scale: Scale, value: float) -> float:
    if scale == "log":
        if not value > 0:
            raise ValueError("the target must be > 0 on the log scale")
        return float(np.log(value))
    return float(value)


def _inverse(scale: Scale, g: float) -> float:
    return float(np.exp(g)) if scale == "log" else float(g)


def _t_crit(level: float, df: int) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1 (exclusive), got {level}")
    return float(stats.t.ppf(0.5 + level / 2.0, df))
