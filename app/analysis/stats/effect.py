"""Is an action working? Difference in differences on city-standardised series.

An action runs in some areas (treated) from a start period; after a stated lag its effect
should show. Its effect is judged against comparators, areas with no action in the same
deprivation group (the caller picks them): the change in the treated areas from before
the start to after the lag, beyond the change in the comparators. Both series are first
standardised to the city (counts against expected = population x the city's rate that
period; values as value - city value), so the city's seasons and trend drop out of each
area's change, and what the comparators add is the change particular to their group.

* :func:`did_counts`: counts (crimes, fires, attendances); the change of each area is
  the log ratio of its observed/expected after to before, so exp(estimate) - 1 is the
  relative change beyond the comparators.
* :func:`did_values`: values (a percentage, a score); the change is in the indicator's
  units.

Each area's change has a sampling part, which shrinks with its size (expected events, or
periods and weight), and a part that does not: areas change for reasons of their own
(tau^2). Both are estimated from the comparators' changes by moments (:func:`_moments`),
and the two groups' inverse-variance weighted mean changes are compared with a t
distribution on comparators - 1 degrees of freedom. The p-value is one-sided, in the
direction the action should move the indicator.

What the method cannot see: treated areas picked *because* they were high (or low) just
before the start regress to the mean without any action, and that is read as an effect
(``bench/bench_effectiveness.py`` measures how much). Choosing the pre period to end
before the selection, or comparators selected the same way, is the caller's remedy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

Direction = Literal["down", "up"]  # the direction the action should move the indicator
Floats = NDArray[np.float64]
Mask = NDArray[np.bool_]

WORKING = "working"
NOT_SHOWN = "not_shown"
TOO_EARLY = "too_early"
NO_COMPARATORS = "no_comparators"
#: Added to each pooled observed count so that an area with no events has a finite log
#: ratio (the usual 0.5 continuity term).
CONTINUITY = 0.5


@dataclass(frozen=True)
class Effect:
    """An action's effect beyond the comparators' change, and the verdict on it.

    ``estimate``: the difference in differences (treated - comparators) of the change from
    the pre to the post period: for counts on the log scale of observed/expected (exp
    (estimate) - 1 is the relative change), for values in the indicator's units. ``lower``,
    ``upper``: its two-sided interval at ``level``. ``p``: one-sided, in the expected
    direction. ``verdict``: "working" (p <= alpha), "not_shown", "too_early" (fewer than
    ``min_post`` post periods) or "no_comparators" (fewer than ``min_comparators`` usable
    comparator areas); the last two with NaN estimate, interval and p. ``treated`` and
    ``comparators`` count the usable areas; ``pre_periods`` and ``post_periods`` the
    periods in each mask.
    """

    estimate: float
    lower: float
    upper: float
    p: float
    verdict: str
    treated: int
    comparators: int
    pre_periods: int
    post_periods: int
    scale: str


def did_counts(
    counts: ArrayLike,
    expected: ArrayLike,
    treated: ArrayLike,
    comparators: ArrayLike,
    post: ArrayLike,
    direction: Direction,
    *,
    pre: ArrayLike | None = None,
    alpha: float = 0.05,
    level: float = 0.95,
    min_post: int = 2,
    min_comparators: int = 5,
) -> Effect:
    """Difference in differences of city-standardised counts (areas x periods).

    ``expected``: what each area would have at the city's rate that period (population x
    city rate). ``treated``, ``comparators``: boolean masks over areas (disjoint).
    ``post``: periods after the start plus the lag; ``pre`` (default ``~post``): periods
    before the start (leave the lag's periods out of both). Cells with a NaN count or
    expected are left out of the sums.

    Per area, over the pooled sums O and E of each period set,
    d_i = log((O_post + 0.5) / E_post) - log((O_pre + 0.5) / E_pre), with variance
    phi (1 / E_post + 1 / E_pre) + tau^2: Poisson noise scaled by the overdispersion phi
    (>= 1), plus the between-area variance tau^2 (>= 0) of change, both fitted to the
    comparators' d_i by moments (:func:`_moments`: least squares of their squared
    deviations on 1 / E_post + 1 / E_pre). With w_i = 1 / var_i, the estimate is the
    w-weighted mean d of the treated less that of the comparators, with variance
    1 / sum w (treated) + 1 / sum w (comparators), on t with comparators - 1 df. Areas with
    E_pre or E_post 0 are left out. Raises ValueError on masks of the wrong shape,
    overlapping masks, no pre period, or no usable treated area.
    """
    o, e = _matrices(counts, expected)
    t_mask, c_mask, post_m, pre_m = _masks(treated, comparators, post, pre, o.shape)
    ok = np.isfinite(o) & np.isfinite(e)
    o, e = np.where(ok, o, 0.0), np.where(ok, e, 0.0)
    o_post, e_post = o[:, post_m].sum(axis=1), e[:, post_m].sum(axis=1)
    o_pre, e_pre = o[:, pre_m].sum(axis=1), e[:, pre_m].sum(axis=1)
    usable = (e_post > 0) & (e_pre > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.log((o_post + CONTINUITY) / e_post) - np.log((o_pre + CONTINUITY) / e_pre)
        a = 1.0 / e_post + 1.0 / e_pre
    return _did(d, a, t_mask & usable, c_mask & usable, post_m, pre_m, direction,
                alpha, level, min_post, min_comparators, floor=1.0, scale="log")  # fmt: skip


def did_values(
    values: ArrayLike,
    city: ArrayLike,
    treated: ArrayLike,
    comparators: ArrayLike,
    post: ArrayLike,
    direction: Direction,
    *,
    pre: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    alpha: float = 0.05,
    level: float = 0.95,
    min_post: int = 2,
    min_comparators: int = 5,
) -> Effect:
    """Difference in differences of values (areas x periods) less the city value.

    ``city``: the city's value per period. The series is s = value - city; per area
    d_i = mean of s over the post periods - mean over the pre periods (NaN cells skipped),
    with variance sigma^2 (1 / n_post_i + 1 / n_pre_i) / w_i + tau^2, n the periods with a
    value and w_i the area's ``weights`` (e.g. its mean denominator, for percentages whose
    period-to-period variance falls as 1 / denominator), relative to the comparators' mean
    weight; 1 for every area without ``weights``. Areas with no value before or after are
    left out. Masks and verdicts as :func:`did_counts`.
    """
    v = np.atleast_2d(np.asarray(values, dtype=np.float64))
    c = np.asarray(city, dtype=np.float64).ravel()
    if c.shape != (v.shape[1],):
        raise ValueError(f"city must have one value per period ({v.shape[1]}), got {c.shape}")
    t_mask, c_mask, post_m, pre_m = _masks(treated, comparators, post, pre, v.shape)
    s = v - c[None, :]
    ok = np.isfinite(s)
    n_post, n_pre = ok[:, post_m].sum(axis=1), ok[:, pre_m].sum(axis=1)
    s0 = np.where(ok, s, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = s0[:, post_m].sum(axis=1) / n_post - s0[:, pre_m].sum(axis=1) / n_pre
        a = 1.0 / n_post + 1.0 / n_pre
    usable = (n_post > 0) & (n_pre > 0)
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64).ravel()
        if w.shape != (v.shape[0],):
            raise ValueError(f"weights must have one value per area ({v.shape[0]})")
        usable &= np.isfinite(w) & (w > 0)
        w_ref = np.mean(w[c_mask & usable]) if np.any(c_mask & usable) else 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            a = a * w_ref / w
    return _did(d, a, t_mask & usable, c_mask & usable, post_m, pre_m, direction,
                alpha, level, min_post, min_comparators, floor=0.0, scale="linear")  # fmt: skip


def _did(
    d: Floats,
    a: Floats,
    treated: Mask,
    comparators: Mask,
    post: Mask,
    pre: Mask,
    direction: Direction,
    alpha: float,
    level: float,
    min_post: int,
    min_comparators: int,
    *,
    floor: float,
    scale: str,
) -> Effect:
    """The weighted difference of mean changes, treated - comparators, and its verdict.

    var_i = phi a_i + tau^2 with (phi, tau^2) from :func:`_moments` on the comparators;
    w_i = 1 / var_i; the estimate's variance is 1 / sum w (treated) + 1 / sum w
    (comparators), referred to t with comparators - 1 degrees of freedom (the variance
    is estimated from them).
    """
    if not 0.0 < level < 1.0 or not 0.0 < alpha < 1.0:
        raise ValueError("level and alpha must be between 0 and 1 (exclusive)")
    n_t, n_c = int(treated.sum()), int(comparators.sum())
    n_pre, n_post = int(pre.sum()), int(post.sum())

    def effect(estimate: float, lower: float, upper: float, p: float, verdict: str) -> Effect:
        return Effect(estimate, lower, upper, p, verdict, n_t, n_c, n_pre, n_post, scale)

    if n_post < min_post:
        return effect(np.nan, np.nan, np.nan, np.nan, TOO_EARLY)
    if n_c < max(min_comparators, 2):
        return effect(np.nan, np.nan, np.nan, np.nan, NO_COMPARATORS)
    if n_t == 0:
        raise ValueError("no usable treated areas (each needs data before and after)")
    phi, tau2 = _moments(d[comparators], a[comparators], floor)
    var = phi * a + tau2
    if not np.all(var[treated | comparators] > 0):
        # Only possible for values with no spread at all among the comparators.
        return effect(np.nan, np.nan, np.nan, np.nan, NOT_SHOWN)
    w = 1.0 / var
    w_t, w_c = w[treated], w[comparators]
    estimate = float(
        np.sum(w_t * d[treated]) / w_t.sum() - np.sum(w_c * d[comparators]) / w_c.sum()
    )
    se = float(np.sqrt(1.0 / w_t.sum() + 1.0 / w_c.sum()))
    df = n_c - 1
    half = float(stats.t.ppf(0.5 + level / 2.0, df)) * se
    t_stat = estimate / se
    p = float(stats.t.cdf(t_stat, df) if direction == "down" else stats.t.sf(t_stat, df))
    verdict = WORKING if p <= alpha else NOT_SHOWN
    return effect(estimate, estimate - half, estimate + half, p, verdict)


def _moments(d: Floats, a: Floats, floor: float) -> tuple[float, float]:
    """(phi, tau^2) of var(d_i) = phi a_i + tau^2, by moments from one group's changes.

    The squared deviations from the group's mean, r_i = (d_i - mean d)^2 x m / (m - 1),
    have expectation about phi a_i + tau^2; (phi, tau^2) is their least squares fit on
    (a_i, 1), constrained to phi >= ``floor`` and tau^2 >= 0 (when the unconstrained fit
    breaks a constraint, the better of the two boundary fits, each a one-parameter least
    squares, is taken: the problem is convex, so that is the constrained optimum). When
    the a_i barely differ (as for values without gaps or weights) phi and tau^2 cannot be
    told apart and only their sum matters: tau^2 = 0 and phi = max(floor, mean r / mean a),
    with any excess over the floor put into tau^2 when the floor binds.
    """
    m = d.size
    r = (d - d.mean()) ** 2 * m / (m - 1)

    def sse(phi: float, tau2: float) -> float:
        return float(np.sum((r - phi * a - tau2) ** 2))

    def on_floor() -> tuple[float, float]:  # phi = floor, tau^2 by least squares (>= 0)
        return floor, max(0.0, float(np.mean(r - floor * a)))

    def no_tau() -> tuple[float, float]:  # tau^2 = 0, phi through the origin (>= floor)
        return max(floor, float(np.sum(a * r) / np.sum(a * a))), 0.0

    spread = float(np.std(a))
    if spread <= 1e-9 * float(np.mean(a)):
        phi = max(floor, float(np.mean(r) / np.mean(a)))
        return phi, max(0.0, float(np.mean(r - phi * a)))
    slope, intercept = np.polyfit(a, r, 1)
    if slope >= floor and intercept >= 0:
        return float(slope), float(intercept)
    return min((on_floor(), no_tau()), key=lambda pt: sse(*pt))


def _matrices(*xs: ArrayLike) -> list[Floats]:
    out = [np.atleast_2d(np.asarray(x, dtype=np.float64)) for x in xs]
    if any(x.shape != out[0].shape or x.ndim != 2 for x in out):
        raise ValueError(
            f"expected areas x periods arrays of one shape, got {[x.shape for x in out]}"
        )
    return out


def _masks(
    treated: ArrayLike,
    comparators: ArrayLike,
    post: ArrayLike,
    pre: ArrayLike | None,
    shape: tuple[int, ...],
) -> tuple[Mask, Mask, Mask, Mask]:
    areas, periods = shape
    t_mask = np.asarray(treated, dtype=np.bool_).ravel()
    c_mask = np.asarray(comparators, dtype=np.bool_).ravel()
    post_m = np.asarray(post, dtype=np.bool_).ravel()
    pre_m = ~post_m if pre is None else np.asarray(pre, dtype=np.bool_).ravel()
    if t_mask.shape != (areas,) or c_mask.shape != (areas,):
        raise ValueError(f"treated and comparators must be masks over the {areas} areas")
    if post_m.shape != (periods,) or pre_m.shape != (periods,):
        raise ValueError(f"post and pre must be masks over the {periods} periods")
    if np.any(t_mask & c_mask):
        raise ValueError("an area cannot be both treated and a comparator")
    if np.any(pre_m & post_m):
        raise ValueError("a period cannot be both pre and post")
    if not pre_m.any():
        raise ValueError("no pre periods: the change cannot be measured")
    return t_mask, c_mask, post_m, pre_m
