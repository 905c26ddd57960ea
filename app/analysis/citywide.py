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
from app.analysis.detect import POLARITY, IndicatorTest
from app.analysis.gaps import gap_findings
from app.analysis.panels import Areas
from app.analysis.params import AnalysisParams
from app.analysis.sentences import change_text, q_text, window_text
from app.analysis.stats.correlated import cooccurring_pairs
from app.analysis.stats.hotspots import HOT, contiguity_weights, hotspots, morans_i
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
    """Gi* on each counted indicator's change (log of recent over baseline ratio, turned
    so that higher is worse): clusters of neighbourhoods getting worse together, among
    ``areas`` (one type), false discovery rate controlled across them. ``labels`` name
    each area in sentences."""
    counted = [t for t in tests if t.method == "counts"]
    if len(areas) < MIN_HOTSPOT_AREAS or not counted:
        return [], {"tested": False, "why": f"fewer than {MIN_HOTSPOT_AREAS} areas"}
    geoms = shapely.from_wkb(area_repo.area_geometries(session, areas.ids.tolist()))
    weights = contiguity_weights(geoms)
    alerts = []
    out: dict[str, Any] = {
        "islands_linked": [areas.codes[i] for i in weights.islands],
        "indicators": {},
    }
    for test in counted:
        polarity = POLARITY[test.panel.indicator.polarity]
        with np.errstate(divide="ignore", invalid="ignore"):
            change = polarity * np.log(test.stats["ratio"])
        change[(test.reason != "tested") | ~np.isfinite(change)] = np.nan
        if np.count_nonzero(~np.isnan(change)) < MIN_HOTSPOT_AREAS:
            continue
        result = hotspots(change, weights.w, alpha=params.q)
        moran = morans_i(change, weights.w)
        hot = np.flatnonzero(result.label == HOT)
        out["indicators"][test.code] = {
            "hot": len(hot),
            "moran_i": round(moran.i, 4),
            "moran_p": round(moran.p, 6),
        }
        for i in hot.tolist():
            ratio = float(test.stats["ratio"][i])
            alerts.append(
                repo.NewAlert(
                    kind="hotspot",
                    area_id=int(areas.ids[i]),
                    indicators=[test.code],
                    agencies=[str(test.panel.indicator.agency)],
                    period_from=test.recent_periods[0],
                    period_to=test.recent_periods[-1],
                    q=float(result.q[i]),
                    sentence=(
                        f"{labels[i]} is in a cluster of neighbourhoods where "
                        f"{str(test.panel.indicator.title).lower()} is getting worse "
                        f"{window_text(test)}: here {change_text(test, i)} "
                        f"(Getis-Ord Gi* z = {float(result.z[i]):.1f}, "
                        f"{q_text(float(result.q[i]))})"
                    ),
                    stats={
                        "gi_z": round(float(result.z[i]), 4),
                        "p": float(result.p[i]),
                        "q": float(result.q[i]),
                        "ratio": round(ratio, 4),
                        "inference": result.inference,
                    },
                )
            )
    return alerts, out


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
