"""Deprivation groups: a type's areas ranked by the Index of Multiple Deprivation and cut
into the city's own quantiles. Framework-free (numpy only), so that the analysis (pairs
stratified by decile, the gap), the profile's similar areas and disclosure control, which
protects each group's total, all use one rule.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Deprivation per area, best first: IMD rank (1 = most deprived) or, failing that, score
# (higher = more deprived): (indicator code, sign that makes the most deprived smallest).
DEPRIVATION: tuple[tuple[str, float], ...] = (("imd_rank", 1.0), ("imd_score", -1.0))
COVERAGE = 0.9  # the share of a type's areas that must have a value to be ranked


def deprivation_rank_of(
    latest: ArrayLike, sign: float, coverage: float = COVERAGE
) -> NDArray[np.float64] | None:
    """Each area's rank among these (1 = most deprived) from its latest IMD value (NaN:
    none; such areas get no rank), or None when fewer than ``coverage`` of them have one.

    >>> deprivation_rank_of([30.0, 10.0, float("nan"), 20.0], -1.0, coverage=0.5).tolist()
    [1.0, 3.0, nan, 2.0]
    """
    values = np.asarray(latest, dtype=np.float64).ravel()
    if values.size == 0 or np.count_nonzero(~np.isnan(values)) < coverage * values.size:
        return None
    key = np.where(np.isnan(values), np.inf, sign * values)
    rank = np.empty(values.size)
    rank[np.argsort(key, kind="stable")] = np.arange(1, values.size + 1)
    rank[np.isnan(values)] = np.nan
    return rank


def deprivation_groups(
    deprivation_rank: ArrayLike, groups: int = 5, rank_total: int | None = None
) -> NDArray[np.int64]:
    """Group per area, 0 = most deprived (IMD rank 1 = most deprived); -1 where no rank.

    With ``rank_total`` None the city's own areas are cut into ``groups`` of (nearly) equal
    numbers of areas, i.e. local quintiles; with the national number of areas (32,844 LSOAs
    for IMD 2019) groups are national quantiles and some may be empty.
    """
    rank = np.asarray(deprivation_rank, dtype=np.float64).ravel()
    if groups < 2:
        raise ValueError("need at least 2 groups")
    out = np.full(rank.size, -1, dtype=np.int64)
    ok = np.flatnonzero(np.isfinite(rank))
    if rank_total is None:
        position = np.empty(ok.size, dtype=np.int64)
        position[np.argsort(rank[ok], kind="stable")] = np.arange(ok.size)
        out[ok] = position * groups // max(ok.size, 1)
    else:
        # Decile d holds ranks up to d x total / 10 (IMD 2019: decile 1 = ranks 1..3284).
        out[ok] = np.clip(np.ceil(rank[ok] * groups / rank_total) - 1, 0, groups - 1).astype(
            np.int64
        )
    return out
