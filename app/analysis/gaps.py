"""Narrowing the gap: each indicator in the most deprived areas against the rest of the
city, over time, with the gap's own trend; an alert where the gap is widening."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.analysis import repository as repo
from app.analysis import sentences
from app.analysis.detect import IndicatorTest, judged
from app.analysis.panels import Panel
from app.analysis.params import AnalysisParams
from app.analysis.rounding import rounded
from app.analysis.stats.fdr import bh_qvalues
from app.analysis.stats.gap import GapResult, deprivation_gap
from app.indicators.periods import PeriodType

# Months are pooled into quarters: a month's gap between two groups of areas is mostly
# noise, and quarters keep enough points for the gap's trend over three years.
BLOCK = {PeriodType.MONTH: 3}
GROUP_NAMES = {5: "fifth", 10: "tenth"}


def gap_findings(
    tests: list[IndicatorTest], rank: NDArray[np.float64] | None, params: AnalysisParams
) -> tuple[list[repo.NewAlert], dict[str, Any]]:
    if rank is None:
        return [], {"tested": False, "why": "no deprivation (IMD rank or score) at this type"}
    results: list[tuple[IndicatorTest, list[str], GapResult]] = []
    for test in tests:
        outcome = _gap(test, rank, params)
        if outcome is not None:
            results.append((test, *outcome))
    if not results:
        return [], {"tested": False, "why": "no indicator has enough periods for a gap trend"}
    p = np.array([r.absolute_trend.p for _, _, r in results], dtype=np.float64)
    q = bh_qvalues(p)
    alerts = []
    summary: dict[str, Any] = {
        "tested": True,
        "groups": params.deprivation_groups,
        "indicators": {},
    }
    for (test, periods, result), q_value in zip(results, q, strict=True):
        trend = result.absolute_trend
        summary["indicators"][test.code] = _summary(periods, result, float(q_value))
        widening = trend.verdict == "widening" and result.disadvantaged == "most_deprived"
        if widening and q_value <= params.q:
            alerts.append(_alert(test, periods, result, float(q_value), params))
    return alerts, summary


def _gap(
    test: IndicatorTest, rank: NDArray[np.float64], params: AnalysisParams
) -> tuple[list[str], GapResult] | None:
    if test.method == "trend":
        return panel_gap(test.panel, None, None, rank, params.deprivation_groups)
    if test.counts is None or test.exposure is None:
        return None  # counts without a population: no rate to compare
    return panel_gap(test.panel, test.counts, test.exposure, rank, params.deprivation_groups)


def panel_gap(
    panel: Panel,
    counts: NDArray[np.float64] | None,
    exposure: NDArray[np.float64] | None,
    rank: NDArray[np.float64],
    groups: int,
    min_periods: int = 3,
) -> tuple[list[str], GapResult] | None:
    """The gap of one indicator's panel in pooled periods (:data:`BLOCK`): from
    ``counts`` and ``exposure`` (areas x periods) when given, pooled by summing, else from
    the panel's values, averaged. None with fewer than ``min_periods`` pooled periods
    (the run's trend needs 3)."""
    ind = panel.indicator
    block = BLOCK.get(ind.period_type, 1)
    polarity = judged(ind)
    if counts is None or exposure is None:
        values, periods = pool_blocks(panel.value, panel.periods, block, mean=True)
        if len(periods) < min_periods:
            return None
        return periods, deprivation_gap(rank, value=values, groups=groups, polarity=polarity)
    num_b, periods = pool_blocks(counts, panel.periods, block)
    den_b, _ = pool_blocks(exposure, panel.periods, block)
    if len(periods) < min_periods:
        return None
    result = deprivation_gap(
        rank,
        numerator=num_b,
        denominator=den_b,
        groups=groups,
        multiplier=ind.kind.scale(ind.multiplier),
        count_model=ind.kind.count_model,
        polarity=polarity,
    )
    return periods, result


def pool_blocks(
    panel: NDArray[np.float64], periods: list[str], size: int, *, mean: bool = False
) -> tuple[NDArray[np.float64], list[str]]:
    """Sum (or average) consecutive periods in blocks of ``size``, ending with the newest;
    a block missing any period is missing."""
    n = (panel.shape[1] // size) * size
    if n == 0:
        return panel[:, :0], []
    tail = panel[:, -n:].reshape(panel.shape[0], n // size, size)
    pooled = tail.mean(axis=2) if mean else tail.sum(axis=2)
    labels = periods[-n:]
    names = [
        labels[i] if size == 1 else f"{labels[i]} to {labels[i + size - 1]}"
        for i in range(0, n, size)
    ]
    return pooled, names


def _summary(periods: list[str], result: GapResult, q: float) -> dict[str, Any]:
    def nums(values: NDArray[np.float64]) -> list[float | None]:
        return [rounded(v, 4) for v in values]

    trend = result.absolute_trend
    return {
        "periods": periods,
        "most_deprived": nums(result.most_deprived),
        "rest": nums(result.rest),
        "absolute_gap": nums(result.absolute),
        "relative_gap": nums(result.relative),
        "sii": nums(result.sii),
        "rii": nums(result.rii),
        "trend": {
            "verdict": trend.verdict,
            "slope_per_period": rounded(trend.slope),
            "p": rounded(trend.p),
            "q": rounded(q),
        },
        "relative_trend": result.relative_trend.verdict,
        "disadvantaged": result.disadvantaged,
    }


def _alert(
    test: IndicatorTest, periods: list[str], result: GapResult, q: float, params: AnalysisParams
) -> repo.NewAlert:
    ind = test.panel.indicator
    part = GROUP_NAMES.get(params.deprivation_groups, "group")
    latest = len(periods) - 1
    worded = sentences.gap(
        ind,
        part,
        periods,
        float(result.most_deprived[latest]),
        float(result.rest[latest]),
        float(result.absolute_trend.slope),
        q,
    )
    return repo.NewAlert(
        kind="gap",
        area_id=None,
        indicators=[test.code],
        agencies=[str(ind.agency)],
        period_from=periods[0],
        period_to=periods[-1],
        q=q,
        sentence=worded.sentence,
        stats=_summary(periods, result, q),
        details=worded.details,
    )
