"""Empirical-Bayes smoothing of small areas' ratios (Poisson-gamma, Marshall 1991).

An area with a handful of events has a ratio to its expectation that swings widely by
chance; shrinking each ratio towards the city's, more where fewer events are expected,
keeps those swings from passing for hot spots. esda's ``Empirical_Bayes`` does the
shrinking (the global method of moments estimate of the gamma prior).
"""

from __future__ import annotations

import numpy as np
from esda.smoothing import Empirical_Bayes
from numpy.typing import ArrayLike, NDArray


def smoothed_log_ratio(
    observed: ArrayLike, expected: ArrayLike, polarity: int, scored: ArrayLike
) -> NDArray[np.float64]:
    """``polarity * log`` of each area's smoothed ratio of observed to expected events
    (higher = worse), NaN where not ``scored`` (or nothing is expected)."""
    o = np.asarray(observed, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    use = np.asarray(scored, dtype=np.bool_) & np.isfinite(o) & np.isfinite(e) & (e > 0)
    out = np.full(o.size, np.nan)
    if use.sum() < 2:
        return out
    ratio = np.asarray(Empirical_Bayes(o[use], e[use]).r, dtype=np.float64).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):  # a ratio shrunk to 0 or below
        out[use] = polarity * np.log(ratio)
    out[~np.isfinite(out)] = np.nan
    return out
