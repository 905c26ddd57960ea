"""False discovery rate control (Benjamini-Hochberg) and q-values."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def bh_qvalues(p: ArrayLike) -> NDArray[np.float64]:
    """Benjamini-Hochberg adjusted p-values (q-values) of ``p``, any shape.

    NaN p-values (tests not made, e.g. too few expected events) are left NaN and do not
    count towards the number of tests. Rejecting every test with q <= alpha controls the
    false discovery rate at alpha (for independent or positively dependent tests).

    >>> bh_qvalues([0.01, 0.04, 0.03, 0.5]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    """
    arr = np.asarray(p, dtype=np.float64)
    flat = arr.ravel()
    q = np.full(flat.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(flat))
    m = tested.size
    if m == 0:
        return q.reshape(arr.shape)
    order = tested[np.argsort(flat[tested], kind="stable")]
    ranked = flat[order] * m / np.arange(1, m + 1)
    # Step-up: each q is the smallest adjusted value at or above its rank.
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q[order] = np.minimum(ranked, 1.0)
    return q.reshape(arr.shape)


def bh_reject(p: ArrayLike, alpha: float = 0.05) -> NDArray[np.bool_]:
    """Which tests Benjamini-Hochberg rejects at false discovery rate ``alpha``."""
    q = bh_qvalues(p)
    return np.asarray(np.nan_to_num(q, nan=np.inf) <= alpha)
