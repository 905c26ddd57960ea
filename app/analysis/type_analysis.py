"""One area type's part of a run: each indicator's deterioration and the clusters among
the areas of that type, with false discovery rates controlled within the type (a family
of tests of its own: adding another type never changes those q-values); and correlated
deterioration, tested at every type of the run with one false discovery rate across
them (:func:`add_correlated`), so that the run's correlated areas are controlled together
whatever the resolution they were found at.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from app.analysis import repository as repo
from app.analysis import sentences
from app.analysis.citywide import hotspot_findings
from app.analysis.detect import IndicatorTest, apply_fdr, examine_indicator, skip_reason
from app.analysis.panels import Areas, Panel, load_areas, load_panel
from app.analysis.params import AnalysisParams
from app.analysis.rounding import rounded
from app.analysis.sentences import area_label, gradual
from app.analysis.stats.correlated import CorrelatedResult, correlated_families
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator, Polarity

POPULATION = "population"


@dataclass
class TypeAnalysis:
    """What a run found at one area type."""

    type_code: str
    areas: Areas
    labels: list[str]  # each area as sentences name it
    tests: list[IndicatorTest]
    alerts: list[repo.NewAlert]
    seen: dict[str, Any]  # per indicator: periods and values
    summary: dict[str, Any]  # tested, skipped, correlated, hotspots, alerts, seconds
    agency_names: dict[str, str] = field(default_factory=dict)  # as sentences name them


def analyse_type(
    session: Session,
    type_code: str,
    type_name: str,
    indicators: list[Indicator],
    params: AnalysisParams,
) -> TypeAnalysis:
    """Test every indicator at ``type_code`` and raise its alerts (each labelled with the
    type): deterioration, correlated deterioration and hotspots."""
    started = time.perf_counter()
    areas = load_areas(session, type_code)
    labels = [area_label(name, type_name) for name in areas.names]
    population = _panel(session, POPULATION, areas)
    tests: list[IndicatorTest] = []
    skipped: dict[str, str] = {}
    seen: dict[str, Any] = {}
    for indicator in indicators:
        judged = indicator.polarity is not Polarity.NO_JUDGEMENT
        panel = load_panel(session, indicator, areas) if judged else None
        why = skip_reason(panel, indicator)
        if why is None and panel is not None:
            seen[indicator.code] = panel.seen()
            outcome = examine_indicator(panel, population, params)
            if isinstance(outcome, str):
                why = outcome
            else:
                tests.append(outcome)
        if why is not None:
            skipped[str(indicator.code)] = why
    apply_fdr(tests)

    alerts = _deterioration_alerts(tests, areas, labels, params)
    hot, hot_summary = hotspot_findings(session, tests, areas, labels, params)
    alerts = [replace(a, area_type=type_code) for a in [*alerts, *hot]]
    summary = {
        "name": type_name,
        "areas": len(areas),
        "seconds": round(time.perf_counter() - started, 2),
        "alerts": count_kinds(alerts),
        "tested": {t.code: t.summary() for t in tests},
        "skipped": skipped,
        "hotspots": hot_summary,
    }
    seen_here = {"areas": len(areas), "indicators": seen}
    return TypeAnalysis(type_code, areas, labels, tests, alerts, seen_here, summary)


def add_correlated(analysed: list[TypeAnalysis], params: AnalysisParams) -> None:
    """Correlated deterioration at every type of the run, one AdaFilter-BH across all of
    their areas: adds each type's alerts and summary."""
    testable = [t for t in analysed if len(t.tests) >= 2]
    families = [
        (np.stack([x.p for x in t.tests], axis=1), [str(x.panel.indicator.agency) for x in t.tests])
        for t in testable
    ]
    across = [t.type_code for t in testable]
    for t in analysed:
        if len(t.tests) < 2:
            t.summary["correlated"] = {
                "tested": False,
                "why": "fewer than two indicators were tested",
            }
    for t, result in zip(testable, correlated_families(families, params.q), strict=True):
        alerts = [replace(a, area_type=t.type_code) for a in _correlated_alerts(t, result, params)]
        t.alerts.extend(alerts)
        t.summary["alerts"] = count_kinds(t.alerts)
        t.summary["correlated"] = {
            "tested": True,
            "indicators": [x.code for x in t.tests],
            "areas_tested": int(np.count_nonzero(~np.isnan(result.p))),
            "false_discovery_rate_across": across,
        }


def count_kinds(alerts: list[repo.NewAlert]) -> dict[str, int]:
    out: dict[str, int] = {}
    for alert in alerts:
        out[alert.kind] = out.get(alert.kind, 0) + 1
    return out


def _panel(session: Session, code: str, areas: Areas) -> Panel | None:
    indicator = indicator_repo.indicator(session, code)
    return None if indicator is None else load_panel(session, indicator, areas)


def _deterioration_alerts(
    tests: list[IndicatorTest], areas: Areas, labels: list[str], params: AnalysisParams
) -> list[repo.NewAlert]:
    alerts = []
    for test in tests:
        ind = test.panel.indicator
        for i in np.flatnonzero(np.nan_to_num(test.q, nan=1.0) <= params.q).tolist():
            worded = sentences.deterioration(test, i, labels[i])
            alerts.append(
                repo.NewAlert(
                    kind="deterioration",
                    area_id=int(areas.ids[i]),
                    indicators=[test.code],
                    agencies=[str(ind.agency)],
                    period_from=test.recent_periods[0],
                    period_to=test.recent_periods[-1],
                    q=float(test.q[i]),
                    sentence=worded.sentence,
                    stats=_area_stats(test, i),
                    details=worded.details,
                )
            )
    return alerts


def _correlated_alerts(
    analysis: TypeAnalysis, result: CorrelatedResult, params: AnalysisParams
) -> list[repo.NewAlert]:
    tests, areas, labels = analysis.tests, analysis.areas, analysis.labels
    alerts = []
    for i in np.flatnonzero(np.nan_to_num(result.q, nan=1.0) <= params.q).tolist():
        drivers = sorted((tests[j] for j in result.drivers[i]), key=lambda t: float(t.p[i]))
        if len(drivers) < 2:
            continue
        worded = sentences.correlated(
            drivers, i, labels[i], float(result.q[i]), analysis.agency_names
        )
        alerts.append(
            repo.NewAlert(
                kind="correlated",
                area_id=int(areas.ids[i]),
                indicators=[t.code for t in drivers],
                agencies=sorted({str(t.panel.indicator.agency) for t in drivers}),
                period_from=min(t.recent_periods[0] for t in drivers),
                period_to=max(t.recent_periods[-1] for t in drivers),
                q=float(result.q[i]),
                sentence=worded.sentence,
                details=worded.details,
                stats={
                    "p": rounded(result.p[i]),
                    "q": rounded(result.q[i]),
                    "spans_agencies": bool(result.spans_agencies[i]),
                    "gradual": gradual(drivers, i) is not None,
                    "indicators": {t.code: _area_stats(t, i) for t in drivers},
                },
            )
        )
    return alerts


def _area_stats(test: IndicatorTest, i: int) -> dict[str, Any]:
    out: dict[str, Any] = {"method": test.method, "p": rounded(test.p[i]), "q": rounded(test.q[i])}
    out.update({name: rounded(values[i]) for name, values in test.stats.items()})
    if test.dispersion is not None:
        out["dispersion"] = round(float(test.dispersion), 4)
    out["window"] = {"recent": test.recent_periods, "baseline_periods": test.window[1]}
    since = test.rising_since(i)
    if since is not None:
        out["rising_since"] = since
    return out
