"""Analysis runs: load every indicator's panel, test, raise alerts, record the evidence.

A run is one transaction: its record, its alerts and what it saw are written together,
and a failed run is recorded as failed (by the caller, in a new transaction) with nothing
half-written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.access import policy
from app.access.audited import note_read
from app.access.viewer import Viewer
from app.analysis import repository as repo
from app.analysis import run_view, withholding
from app.analysis.citywide import citywide_findings, deprivation_rank
from app.analysis.detect import IndicatorTest, apply_fdr, examine_indicator, skip_reason
from app.analysis.panels import Areas, Panel, load_areas, load_panel
from app.analysis.params import AnalysisParams
from app.analysis.rounding import rounded
from app.analysis.sentences import correlated_sentence, deterioration_sentence
from app.analysis.stats.correlated import correlated_deterioration
from app.areas import repository as area_repo
from app.errors import InvalidParameterError, NotFoundError
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Polarity
from app.indicators.service import visible_indicators

POPULATION = "population"


@dataclass
class RunOutcome:
    run_id: int
    alerts: int
    seconds: float


def run_analysis(
    session: Session,
    params: AnalysisParams,
    *,
    trigger: str,
    actor: str,
    batch_id: int | None = None,
) -> RunOutcome:
    """Analyse every indicator at one area type and store the run with its alerts."""
    started = time.perf_counter()
    type_code = params.area_type or _finest_type_with_areas(session)
    if not area_repo.area_type_exists(session, type_code):
        raise InvalidParameterError(f"Unknown area type {type_code!r}")
    params = AnalysisParams(**{**params.as_json(), "area_type": type_code})
    run_id = repo.start_run(session, trigger, actor, batch_id, params.as_json())
    areas = load_areas(session, type_code)
    indicators = indicator_repo.list_indicators(session)
    population = _panel(session, POPULATION, areas)

    tests: list[IndicatorTest] = []
    skipped: dict[str, str] = {}
    seen: dict[str, Any] = {
        "area_type": type_code,
        "areas": len(areas),
        "newest_batch": repo.newest_batch(session),
        "indicators": {},
    }
    for indicator in indicators:
        judged = indicator.polarity is not Polarity.NO_JUDGEMENT
        panel = load_panel(session, indicator, areas) if judged else None
        why = skip_reason(panel, indicator)
        if why is None and panel is not None:
            seen["indicators"][indicator.code] = panel.seen()
            outcome = examine_indicator(panel, population, params)
            if isinstance(outcome, str):
                why = outcome
            else:
                tests.append(outcome)
        if why is not None:
            skipped[str(indicator.code)] = why
    apply_fdr(tests)

    alerts = _deterioration_alerts(tests, areas, params)
    correlated, correlated_summary = _correlated_alerts(tests, areas, params)
    alerts += correlated
    rank = deprivation_rank(session, areas)
    city_alerts, city_summary = citywide_findings(session, tests, areas, rank, params)
    alerts += city_alerts
    repo.insert_alerts(session, run_id, alerts)
    seconds = time.perf_counter() - started
    summary = {
        "seconds": round(seconds, 2),
        "alerts": _count_kinds(alerts),
        "tested": {t.code: t.summary() for t in tests},
        "skipped": skipped,
        "correlated": correlated_summary,
        **city_summary,
    }
    repo.finish_run(session, run_id, seen, summary)
    return RunOutcome(run_id, len(alerts), seconds)


def _panel(session: Session, code: str, areas: Areas) -> Panel | None:
    indicator = indicator_repo.indicator(session, code)
    return None if indicator is None else load_panel(session, indicator, areas)


def _finest_type_with_areas(session: Session) -> str:
    """The area type with the most areas (LSOAs, where they are loaded)."""
    counts = {
        str(t.code): max((int(v["count"]) for v in t.vintages), default=0)
        for t in area_repo.area_types(session)
    }
    if not any(counts.values()):
        raise InvalidParameterError("There are no areas to analyse: import boundaries first")
    return max(counts, key=lambda code: counts[code])


def _deterioration_alerts(
    tests: list[IndicatorTest], areas: Areas, params: AnalysisParams
) -> list[repo.NewAlert]:
    alerts = []
    for test in tests:
        ind = test.panel.indicator
        for i in np.flatnonzero(np.nan_to_num(test.q, nan=1.0) <= params.q).tolist():
            alerts.append(
                repo.NewAlert(
                    kind="deterioration",
                    area_id=int(areas.ids[i]),
                    indicators=[test.code],
                    agencies=[str(ind.agency)],
                    period_from=test.recent_periods[0],
                    period_to=test.recent_periods[-1],
                    q=float(test.q[i]),
                    sentence=deterioration_sentence(test, i, areas.names[i]),
                    stats=_area_stats(test, i),
                )
            )
    return alerts


def _correlated_alerts(
    tests: list[IndicatorTest], areas: Areas, params: AnalysisParams
) -> tuple[list[repo.NewAlert], dict[str, Any]]:
    if len(tests) < 2:
        return [], {"tested": False, "why": "fewer than two indicators were tested"}
    p = np.stack([t.p for t in tests], axis=1)
    agencies = [str(t.panel.indicator.agency) for t in tests]
    result = correlated_deterioration(p, agencies, q=params.q)
    alerts = []
    for i in np.flatnonzero(np.nan_to_num(result.q, nan=1.0) <= params.q).tolist():
        drivers = sorted((tests[j] for j in result.drivers[i]), key=lambda t: float(t.p[i]))
        if len(drivers) < 2:
            continue
        alerts.append(
            repo.NewAlert(
                kind="correlated",
                area_id=int(areas.ids[i]),
                indicators=[t.code for t in drivers],
                agencies=sorted({str(t.panel.indicator.agency) for t in drivers}),
                period_from=min(t.recent_periods[0] for t in drivers),
                period_to=max(t.recent_periods[-1] for t in drivers),
                q=float(result.q[i]),
                sentence=correlated_sentence(drivers, i, areas.names[i], float(result.q[i])),
                stats={
                    "p": rounded(result.p[i]),
                    "q": rounded(result.q[i]),
                    "spans_agencies": bool(result.spans_agencies[i]),
                    "indicators": {t.code: _area_stats(t, i) for t in drivers},
                },
            )
        )
    return alerts, {
        "tested": True,
        "indicators": [t.code for t in tests],
        "areas_tested": int(np.count_nonzero(~np.isnan(result.p))),
    }


def _area_stats(test: IndicatorTest, i: int) -> dict[str, Any]:
    out: dict[str, Any] = {"method": test.method, "p": rounded(test.p[i]), "q": rounded(test.q[i])}
    out.update({name: rounded(values[i]) for name, values in test.stats.items()})
    if test.dispersion is not None:
        out["dispersion"] = round(float(test.dispersion), 4)
    out["window"] = {"recent": test.recent_periods, "baseline_periods": test.window[1]}
    return out


def _count_kinds(alerts: list[repo.NewAlert]) -> dict[str, int]:
    out: dict[str, int] = {}
    for alert in alerts:
        out[alert.kind] = out.get(alert.kind, 0) + 1
    return out


def analysis_is_stale(session: Session) -> bool:
    """Whether data arrived after the newest finished run (or no run has finished)."""
    seen = repo.newest_batch_seen(session)
    newest = repo.newest_batch(session)
    return newest is not None and (seen is None or seen < newest)


# ----------------------------------------------------------------------------- reading

KINDS = ("deterioration", "correlated", "hotspot", "gap")


def list_alerts(session: Session, viewer: Viewer, f: repo.AlertFilter) -> dict[str, Any]:
    """The alerts of a run (the newest finished one by default) that the viewer may see:
    those whose indicators are all visible to them."""
    if f.kind is not None and f.kind not in KINDS:
        raise InvalidParameterError(f"kind must be one of {', '.join(KINDS)}")
    run_id = f.run_id if f.run_id is not None else repo.latest_finished_run(session)
    if run_id is None:
        return {"run": None, "alerts": [], "notes": ["No analysis has run yet"]}
    every = indicator_repo.all_codes(session)
    shown = visible_indicators(session, viewer)
    codes = None if len(shown) == len(every) else [i.code for i in shown]
    f = repo.AlertFilter(**{**f.__dict__, "run_id": run_id, "shown_indicators": codes})
    alerts = [alert_out(r) for r in repo.list_alerts(session, f)]
    withholding.as_seen_by(session, viewer, alerts)
    by_code = {i.code: i for i in shown}
    for code in sorted({c for a in alerts for c in a["indicators"]}):
        note_read(session, viewer, by_code[code], code, None, "alerts")
    for alert in alerts:
        del alert["area_id"]
    return {"run": run_id, "alerts": alerts, "notes": []}


def alert_out(row: Row[Any]) -> dict[str, Any]:
    out = dict(row._mapping)
    out["indicators"] = list(out["indicators"])
    out["agencies"] = list(out["agencies"])
    area, kind = out["area_code"], out["kind"]
    links = {"run": f"/api/analysis/runs/{out['run_id']}"}
    if area is not None:
        links["profile"] = f"/api/areas/{area}/profile"
    for code in out["indicators"]:
        where = f"&type={out['area_type']}&area={area}" if area is not None else ""
        links[f"data:{code}"] = f"/api/observations?indicator={code}{where}"
    out["links"] = links
    out["created_at"] = out["created_at"].isoformat()
    out["kind"] = kind
    return out


def get_run(session: Session, viewer: Viewer, run_id: int) -> dict[str, Any]:
    """One run, for partners (it records every indicator it saw, partners-only ones
    included), without the indicators the viewer may not see (agency-only ones of
    another agency)."""
    policy.require_partner(viewer)
    row = repo.get_run(session, run_id)
    if row is None:
        raise NotFoundError(f"There is no analysis run {run_id}")
    return run_out(row, run_view.hidden_codes(session, viewer))


def list_runs(session: Session, viewer: Viewer, limit: int) -> list[dict[str, Any]]:
    policy.require_partner(viewer)
    hidden = run_view.hidden_codes(session, viewer)
    return [run_out(r, hidden) for r in repo.list_runs(session, limit)]


def run_out(row: Row[Any], hidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    out = dict(row._mapping)
    for key in ("started_at", "finished_at"):
        out[key] = out[key].isoformat() if out[key] is not None else None
    for key in ("data", "summary"):
        if key in out:
            out[key] = run_view.without_codes(out[key], hidden)
    out["links"] = {"alerts": f"/api/alerts?run={out['id']}"}
    return out
