"""Deprivation groups: areas ranked by the Index of Multiple Deprivation cut into
quantiles. Framework-free (numpy only), so that the statistics can use it; the city's own
ranking of a type's areas, which the analysis, the gap view, the profile's similar areas
and disclosure control share, is :func:`app.observations.deprivation.city_ranking`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


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
