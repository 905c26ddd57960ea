"""Analysis runs: load every indicator's panel, test, raise alerts, record the evidence.

A run is one transaction: its record, its alerts and what it saw are written together,
and a failed run is recorded as failed (by the caller, in a new transaction) with nothing
half-written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.access import policy
from app.access.audited import note_read
from app.access.viewer import Viewer
from app.analysis import alert_view, run_view, withholding
from app.analysis import repository as repo
from app.analysis.citywide import citywide_findings, deprivation_rank
from app.analysis.params import AnalysisParams, default_area_types
from app.analysis.type_analysis import add_correlated, analyse_type, count_kinds
from app.areas import custom
from app.areas import repository as area_repo
from app.errors import InvalidParameterError, NotFoundError
from app.indicators import repository as indicator_repo
from app.indicators.service import visible_indicators


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
    """Analyse every indicator at each of the run's area types (``params.area_types``, or
    the automatic choice) and store the run with its alerts.

    Each type is analysed on its own, with its own false discovery rates, except
    correlated deterioration, whose false discovery rate holds across the run's types;
    the findings about the city as a whole (pairs, gaps) are made once, at the finest of
    the types.
    """
    started = time.perf_counter()
    counts, names = _area_types(session)
    type_codes = params.area_types or default_area_types(counts)
    if not type_codes:
        raise InvalidParameterError("There are no areas to analyse: import boundaries first")
    for code in type_codes:
        if code not in counts:
            raise InvalidParameterError(f"Unknown area type {code!r}")
        if counts[code] == 0:
            raise InvalidParameterError(f"Area type {code!r} has no areas to analyse")
    params = replace(params, area_types=tuple(type_codes))
    run_id = repo.start_run(session, trigger, actor, batch_id, params.as_json())
    indicators = indicator_repo.list_indicators(session)
    analysed = {
        code: analyse_type(session, code, names[code], indicators, params) for code in type_codes
    }
    agency_names = repo.agency_names(session)
    for analysis in analysed.values():
        analysis.agency_names = agency_names
    add_correlated(list(analysed.values()), params)
    finest = max(type_codes, key=lambda code: counts[code])
    at_finest = analysed[finest]
    rank = deprivation_rank(session, at_finest.areas)
    city_alerts, city_summary = citywide_findings(at_finest.tests, rank, params)
    alerts = [a for t in analysed.values() for a in t.alerts]
    alerts += [replace(a, area_type=finest) for a in city_alerts]
    repo.insert_alerts(session, run_id, alerts)
    seconds = time.perf_counter() - started
    seen = {
        "area_types": {code: t.seen for code, t in analysed.items()},
        "newest_batch": repo.newest_batch(session),
    }
    summary = {
        "seconds": round(seconds, 2),
        "alerts": count_kinds(alerts),
        "area_types": {code: t.summary for code, t in analysed.items()},
        "citywide_area_type": finest,
        **city_summary,
    }
    repo.finish_run(session, run_id, seen, summary)
    return RunOutcome(run_id, len(alerts), seconds)


def _area_types(session: Session) -> tuple[dict[str, int], dict[str, str]]:
    """Each area type's number of areas (in its newest vintage) and its name."""
    rows = area_repo.area_types(session)
    counts = {str(t.code): max((int(v["count"]) for v in t.vintages), default=0) for t in rows}
    return counts, {str(t.code): str(t.name) for t in rows}


def analysis_is_stale(session: Session) -> bool:
    """Whether data arrived after the newest finished run (or no run has finished)."""
    seen = repo.newest_batch_seen(session)
    newest = repo.newest_batch(session)
    return newest is not None and (seen is None or seen < newest)


# ----------------------------------------------------------------------------- reading

KINDS = ("deterioration", "correlated", "hotspot", "gap")


def list_alerts(
    session: Session, viewer: Viewer, f: repo.AlertFilter, *, note_reads: bool = True
) -> dict[str, Any]:
    """The alerts of a run (the newest finished one by default) that the viewer may see:
    those whose indicators are all visible to them. Restricted indicators' reads are
    audited unless ``note_reads`` is false (for a caller that gives none of the figures)."""
    if f.kind is not None and f.kind not in KINDS:
        raise InvalidParameterError(f"kind must be one of {', '.join(KINDS)}")
    hidden = custom.hidden_types(session, viewer)
    if f.area_type is not None and (
        f.area_type in hidden or not area_repo.area_type_exists(session, f.area_type)
    ):
        raise InvalidParameterError(f"Unknown area type {f.area_type!r}")
    run_id = f.run_id if f.run_id is not None else repo.latest_finished_run(session)
    if run_id is None and f.alert_id is None:
        return {"run": None, "alerts": [], "notes": ["No analysis has run yet"]}
    every = indicator_repo.all_codes(session)
    shown = visible_indicators(session, viewer)
    codes = None if len(shown) == len(every) else [i.code for i in shown]
    f = repo.AlertFilter(
        **{**f.__dict__, "run_id": run_id, "shown_indicators": codes, "hidden_types": [*hidden]}
    )
    alerts = [alert_out(r) for r in repo.list_alerts(session, f)]
    by_code = {i.code: i for i in shown}
    for alert in alerts:
        alert_view.place(alert, by_code)
    withholding.as_seen_by(session, viewer, alerts)
    alert_view.add_handling(session, viewer, alerts)
    for code in sorted({c for a in alerts for c in a["indicators"]} if note_reads else ()):
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
    out["raised_at"] = out["raised_at"].isoformat()
    out["details"] = list(out["details"] or [])
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
    # params name the area types analysed, custom areas' among them.
    for key in ("params", "data", "summary"):
        if key in out:
            out[key] = run_view.without_codes(out[key], hidden)
    out["links"] = {"alerts": f"/api/alerts?run={out['id']}"}
    return out
