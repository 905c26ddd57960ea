"""Findings across the city: clusters of deterioration (hotspots, found at each area
type a run analyses), and, once per run, pairs of indicators that worsen together more
often than chance and the gap between the most deprived areas and the rest."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from app.analysis import repository as repo
from app.analysis import sentences
from app.analysis.detect import POLARITY, IndicatorTest
from app.analysis.gaps import gap_findings
from app.analysis.panels import Areas
from app.analysis.params import AnalysisParams
from app.analysis.rounding import rounded
from app.analysis.stats.clusters import Cluster, pooled_clusters
from app.analysis.stats.correlated import cooccurring_pairs
from app.analysis.stats.hotspots import (
    Hotspots,
    contiguity_weights,
    hotspots,
    lisa_quadrants,
    morans_i,
)
from app.analysis.stats.smoothing import smoothed_log_ratio
from app.areas import repository as area_repo
from app.observations.deprivation import city_ranking

MIN_HOTSPOT_AREAS = 30


def deprivation_rank(session: Session, areas: Areas) -> NDArray[np.float64] | None:
    """Each area's deprivation rank among ``areas`` (1 = most deprived), or None: the
    city's own ranking (:func:`app.observations.deprivation.city_ranking`)."""
    ranking = city_ranking(session, areas.type_code)
    if ranking is None:
        return None
    return np.array([ranking.rank.get(int(i), np.nan) for i in areas.ids], dtype=np.float64)


def citywide_findings(
    tests: list[IndicatorTest], rank: NDArray[np.float64] | None, params: AnalysisParams
) -> tuple[list[repo.NewAlert], dict[str, Any]]:
    """The run's findings about the city as a whole (made once per run, from the tests of
    one area type): pairs of indicators deteriorating together, and gaps."""
    summary: dict[str, Any] = {"pairs": _pairs(tests, rank, params)}
    alerts, summary["gaps"] = gap_findings(tests, rank, params)
    return alerts, summary


def hotspot_findings(
    session: Session,
    tests: list[IndicatorTest],
    areas: Areas,
    labels: list[str],
    params: AnalysisParams,
) -> tuple[list[repo.NewAlert], dict[str, Any]]:
    """Clusters of neighbouring areas where a counted indicator is getting worse together,
    among ``areas`` (one type): one alert per cluster, found by pooling the areas'
    evidence (:func:`pooled_clusters`, false discovery rate controlled across windows),
    so that a change spread over several small areas is found even when none stands
    out alone. Beside each, the centre's Getis-Ord Gi* z and local Moran (LISA) quadrant
    on the empirical-Bayes smoothed change, and each indicator's global Moran's I.
    ``labels`` name each area in sentences."""
    counted = [t for t in tests if t.method == "counts"]
    if len(areas) < MIN_HOTSPOT_AREAS or not counted:
        return [], {"tested": False, "why": f"fewer than {MIN_HOTSPOT_AREAS} areas"}
    geoms = shapely.from_wkb(area_repo.area_geometries(session, areas.ids.tolist()))
    weights = contiguity_weights(geoms)
    alerts = []
    out: dict[str, Any] = {
        "islands_linked": [areas.codes[i] for i in weights.islands],
        "method": "pooled neighbourhood scan (Monte Carlo, BH across windows)",
        "indicators": {},
    }
    for test in counted:
        z, weight = test.pool_z, test.pool_weight
        if z is None or weight is None:
            continue
        change = smoothed_change(test, z)
        if np.count_nonzero(~np.isnan(change)) < MIN_HOTSPOT_AREAS:
            continue
        found = pooled_clusters(
            z,
            np.nan_to_num(weight),
            weights.w.sparse,
            params.q,
            seed=params.seed,
        )
        moran = morans_i(change, weights.w)
        out["indicators"][test.code] = {
            "clusters": len(found.clusters),
            "areas": sum(len(c.areas) for c in found.clusters),
            "spread": round(found.spread, 4),
            "moran_i": round(moran.i, 4),
            "moran_p": round(moran.p, 6),
        }
        if not found.clusters:
            continue
        # Gi* and LISA describe the clusters found; with none, there is nothing to describe.
        gi = hotspots(change, weights.w, alpha=params.q)
        lisa = lisa_quadrants(change, weights.w)
        for cluster in found.clusters:
            alerts.append(_cluster_alert(test, cluster, areas, labels, gi, lisa, params.q))
    return alerts, out


def smoothed_change(test: IndicatorTest, pool_z: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each area's change, turned so that higher is worse: the log of its recent ratio to
    what its baseline predicts, empirical-Bayes smoothed (small areas shrink towards the
    city). NaN where the area was not scored (``pool_z`` NaN)."""
    polarity = POLARITY[test.panel.indicator.polarity]
    return smoothed_log_ratio(
        test.stats["observed"], test.stats["expected"], polarity, np.isfinite(pool_z)
    )


def _cluster_alert(
    test: IndicatorTest,
    cluster: Cluster,
    areas: Areas,
    labels: list[str],
    gi: Hotspots,
    lisa: NDArray[np.str_],
    q: float,
) -> repo.NewAlert:
    centre = cluster.centre
    alone = [i for i in cluster.areas if not np.nan_to_num(test.q[i], nan=1.0) <= q]
    stats: dict[str, Any] = {
        "method": "pooled neighbourhood scan",
        "areas": [areas.codes[i] for i in cluster.areas],
        "recent": test.recent_periods,
        "pooled_z": round(cluster.z, 4),
        "q": cluster.q,
        "ratio": rounded(test.stats["ratio"][centre]),
        "gi_z": rounded(gi.z[centre]),
        "gi_q": rounded(gi.q[centre]),
        "lisa": str(lisa[centre]),
    }
    worded = sentences.hotspot(test, centre, labels, len(cluster.areas), len(alone), stats)
    return repo.NewAlert(
        kind="hotspot",
        area_id=int(areas.ids[centre]),
        indicators=[test.code],
        agencies=[str(test.panel.indicator.agency)],
        period_from=test.recent_periods[0],
        period_to=test.recent_periods[-1],
        q=cluster.q,
        sentence=worded.sentence,
        stats=stats,
        details=worded.details,
    )


def _pairs(
    tests: list[IndicatorTest], rank: NDArray[np.float64] | None, params: AnalysisParams
) -> dict[str, Any]:
    """Which pairs of indicators deteriorate in the same areas more often than chance,
    by permutation within deprivation deciles (so shared deprivation is not enough)."""
    if len(tests) < 2:
        return {"tested": False, "why": "fewer than two indicators were tested"}
    p = np.stack([t.p for t in tests], axis=1)
    # Lenient flags, not alerts: a signal to co-occur (0/1 also takes the fast path).
    flags = (np.nan_to_num(p, nan=1.0) < 0.05).astype(np.float64)
    strata = np.zeros(p.shape[0], dtype=np.int64)
    if rank is not None:
        n = np.count_nonzero(~np.isnan(rank))
        strata = np.where(np.isnan(rank), 10, np.ceil(np.nan_to_num(rank) / n * 10)).astype(int)
    pairs = cooccurring_pairs(flags, strata, permutations=params.permutations, seed=params.seed)
    found = [
        {
            "indicators": [tests[r.i].code, tests[r.j].code],
            "observed": round(r.observed, 3),
            "expected": round(r.expected, 3),
            "p": r.p,
            "q": r.q,
        }
        for r in pairs
        if r.q <= params.q
    ]
    return {
        "tested": True,
        "pairs_tested": len(pairs),
        "stratified_by_deprivation": rank is not None,
        "together_more_than_chance": found,
    }
