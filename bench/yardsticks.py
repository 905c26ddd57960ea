"""Established surveillance methods, as yardsticks for the project's own detectors.

Both score every (area, indicator) series for deterioration in the recent window; the
benchmark sets each one's alarm threshold so that it raises as many false alarms as the
method it is compared with (on panels with nothing planted), and compares what they find.

* **Farrington flexible** (Noufaily et al. 2013, Stat Med 32:1206; R's
  ``surveillance::farringtonFlexible``), the quasi-Poisson exceedance method UKHSA runs
  for routine surveillance, adapted to monthly counts: each area's own history (the
  baseline before the recent window) is fitted by a quasi-Poisson GLM with a log
  population offset, an annual harmonic for seasons and a linear trend kept only where
  significant; past outbreaks are down-weighted (Anscombe residuals above 2.58) and the
  model refitted; each recent month's upper threshold is the 2/3-power-transformed
  prediction interval; the score is the largest exceedance ``(y - mu) / (U - mu)`` over
  the recent window (an alarm when above 1, at the method's own setting).
* **CUSUM** (Page 1954; Poisson CUSUM as in Lucas 1985), on the same city-standardised
  expectation as the project's tests (so seasons and city-wide changes cancel): in-control
  mean ``mu0 = area's baseline ratio to the city x city-expected count``, designed to
  detect a doubling (a halving where lower is worse), log-likelihood ratio increments
  scaled by the overdispersion; the score is the CUSUM's largest value over the recent
  window.

They are vectorised over areas (a benchmark runs thousands of series) and written for
the benchmark only: the analysis never uses them.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray
from scipy import special

Matrix = NDArray[np.float64]
_Z_THRESHOLD = float(special.ndtri(0.99))  # Noufaily's default: the 99% upper limit
_ANSCOMBE_CUT = 2.58


def farrington_scores(
    counts: Matrix, exposure: Matrix, polarity: int, recent: int = 12, baseline: int = 36
) -> Matrix:
    """(n_areas,) largest exceedance score over the recent window (NaN: too little data).

    ``polarity`` -1 (lower is worse) scores the series' shortfall below its lower limit
    instead (the same transformation, mirrored)."""
    n_periods = counts.shape[1]
    baseline = min(baseline, n_periods - recent)
    start = n_periods - recent
    t = np.arange(n_periods, dtype=np.float64)
    design = np.column_stack(
        [np.ones(n_periods), np.cos(2 * np.pi * t / 12), np.sin(2 * np.pi * t / 12), t / 12]
    )
    base = slice(start - baseline, start)
    y = np.nan_to_num(counts[:, base])
    offset = np.log(np.maximum(exposure[:, base], 1e-9))
    x = design[base]
    beta, cov, phi = _quasi_poisson(y, x, offset)
    # Drop the trend where it is not significant at 5% (two-sided), then refit.
    z_trend = beta[:, 3] / np.sqrt(np.maximum(cov[:, 3, 3], 1e-300))
    flat = np.abs(z_trend) < 1.96
    if flat.any():
        b2, c2, p2 = _quasi_poisson(y[flat], x[:, :3], offset[flat])
        beta[flat] = np.column_stack([b2, np.zeros(int(flat.sum()))])
        cov[flat] = 0.0
        cov[np.flatnonzero(flat), :3, :3] = c2
        phi[flat] = p2
    xr = design[start:]
    eta = xr @ beta.T + np.log(np.maximum(exposure[:, start:], 1e-9)).T  # (recent, areas)
    mu = np.exp(eta).T
    var_eta = np.einsum("tp,apq,tq->at", xr, cov, xr)
    var_mu = mu * mu * var_eta
    spread = np.sqrt(4.0 / 9.0 * (phi[:, None] * mu ** (1 / 3) + mu ** (-2 / 3) * var_mu))
    observed = counts[:, start:]
    if polarity == 1:
        limit = (mu ** (2 / 3) + _Z_THRESHOLD * spread) ** 1.5
        score = (observed - mu) / (limit - mu)
    else:
        limit = np.maximum(mu ** (2 / 3) - _Z_THRESHOLD * spread, 0.0) ** 1.5
        score = (mu - observed) / np.maximum(mu - limit, 1e-9)
    score = np.where(np.isfinite(observed), score, np.nan)
    usable = np.isfinite(score).any(axis=1) & (y.sum(axis=1) > 0)
    return np.where(usable, np.nanmax(np.where(np.isfinite(score), score, -np.inf), axis=1), np.nan)


def _quasi_poisson(
    y: Matrix, x: Matrix, offset: Matrix
) -> tuple[Matrix, NDArray[np.float64], NDArray[np.float64]]:
    """Per-area quasi-Poisson GLM by IRLS, with Farrington's down-weighting of past
    outbreaks and one refit. Returns coefficients (areas x p), their covariance
    (areas x p x p, scaled by the dispersion) and the dispersion (>= 1)."""
    weights = np.ones_like(y)
    beta = np.zeros((y.shape[0], x.shape[1]))
    beta[:, 0] = np.log(np.maximum(y.mean(axis=1), 0.5)) - offset.mean(axis=1)
    for rounds in range(2):
        for _ in range(15):
            mu = np.exp(np.clip(beta @ x.T + offset, -30, 30))
            w = weights * mu
            work = (beta @ x.T) + (y - mu) / mu
            xtwx = np.einsum("np,an,nq->apq", x, w, x) + 1e-9 * np.eye(x.shape[1])
            xtwz = np.einsum("np,an->ap", x, w * work)
            beta = np.linalg.solve(xtwx, xtwz[..., None])[..., 0]
        mu = np.exp(np.clip(beta @ x.T + offset, -30, 30))
        df = max(y.shape[1] - x.shape[1], 1)
        phi = np.maximum(1.0, (weights * (y - mu) ** 2 / mu).sum(axis=1) / df)
        if rounds == 0:
            anscombe = (
                1.5 * (np.cbrt(y) ** 2 * np.cbrt(mu) - mu) / (np.sqrt(phi)[:, None] * mu ** (1 / 6))
            )
            weights = np.where(anscombe > _ANSCOMBE_CUT, anscombe**-2.0, 1.0)
            weights *= y.shape[1] / weights.sum(axis=1, keepdims=True)
    xtwx = np.einsum("np,an,nq->apq", x, weights * mu, x) + 1e-9 * np.eye(x.shape[1])
    cov = phi[:, None, None] * np.linalg.inv(xtwx)
    return beta, cov, phi


def cusum_scores(
    counts: Matrix, exposure: Matrix, polarity: int, recent: int = 12, baseline: int = 36
) -> Matrix:
    """(n_areas,) largest value of a Poisson CUSUM over the recent window, against the
    city-standardised expectation (NaN: no baseline)."""
    n_areas, n_periods = counts.shape
    baseline = min(baseline, n_periods - recent)
    start = n_periods - recent
    ok = np.isfinite(counts) & (exposure > 0)
    rate = np.where(ok, counts, 0.0).sum(axis=0) / np.where(ok, exposure, 0.0).sum(axis=0)
    expected = exposure * rate
    base = slice(start - baseline, start)
    o_b = np.where(ok[:, base], counts[:, base], 0.0).sum(axis=1)
    e_b = np.where(ok[:, base], expected[:, base], 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an area with no baseline: NaN
        theta = o_b / e_b
        mu0 = theta[:, None] * expected
        phi = np.maximum(
            1.0,
            np.nanmean(
                np.where(ok[:, base], (counts[:, base] - mu0[:, base]) ** 2 / mu0[:, base], np.nan),
                axis=1,
            ),
        )
    k = 2.0 if polarity == 1 else 0.5  # the rate ratio the chart is designed to detect
    s = np.zeros(n_areas)
    best = np.zeros(n_areas)
    for t in range(start, n_periods):
        y = np.where(ok[:, t], counts[:, t], 0.0)
        m = np.where(ok[:, t], mu0[:, t], 0.0)
        llr = (y * np.log(k) - m * (k - 1.0)) / phi
        s = np.maximum(0.0, s + np.nan_to_num(llr))
        best = np.maximum(best, s)
    return np.where((e_b > 0) & (o_b > 0), best, np.nan)
