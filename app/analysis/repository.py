"""SQL for analysis runs and alerts."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Row, text
from sqlalchemy.orm import Session


def to_json(value: Any) -> str:
    """JSON for a jsonb column: NaN and infinities (not JSON) become null."""
    return json.dumps(finite(value), allow_nan=False)


def finite(value: Any) -> Any:
    """``value`` as JSON holds it: NaN and infinities null, numpy's scalars Python's."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


@dataclass(frozen=True)
class NewAlert:
    kind: str
    area_id: int | None
    indicators: list[str]
    agencies: list[str]
    period_from: str | None
    period_to: str | None
    q: float | None
    sentence: str
    stats: dict[str, Any]
    # The area type whose analysis found it; the run sets it on every alert it stores.
    area_type: str | None = None
    details: list[str] = field(default_factory=list)  # the statistics, in short strings


@dataclass(frozen=True)
class AlertFilter:
    run_id: int | None = None  # None: the newest finished run
    area_code: str | None = None
    indicator: str | None = None
    agency: str | None = None
    kind: str | None = None
    area_type: str | None = None
    shown_indicators: list[str] | None = None  # alerts only of these; None: of any
    hidden_types: list[str] | None = None  # no alerts found at these area types
    alert_id: int | None = None  # one alert (of any run)
    limit: int = 100
    offset: int = 0


def start_run(
    session: Session, trigger: str, actor: str, batch_id: int | None, params: dict[str, Any]
) -> int:
    return int(
        session.execute(
            text(
                "INSERT INTO analysis_run (trigger, actor, batch_id, status, params) "
                "VALUES (:t, :a, :b, 'running', CAST(:p AS jsonb)) RETURNING id"
            ),
            {"t": trigger, "a": actor, "b": batch_id, "p": to_json(params)},
        ).scalar_one()
    )


def finish_run(
    session: Session, run_id: int, data: dict[str, Any], summary: dict[str, Any]
) -> None:
    session.execute(
        text(
            "UPDATE analysis_run SET status = 'done', finished_at = clock_timestamp(), "
            "data = CAST(:d AS jsonb), summary = CAST(:s AS jsonb) WHERE id = :r"
        ),
        {"r": run_id, "d": to_json(data), "s": to_json(summary)},
    )


def record_failure(session: Session, run_id: int, error: str) -> None:
    session.execute(
        text(
            "UPDATE analysis_run SET status = 'failed', finished_at = clock_timestamp(), "
            "error = :e WHERE id = :r"
        ),
        {"r": run_id, "e": error},
    )


def insert_alerts(session: Session, run_id: int, alerts: Sequence[NewAlert]) -> None:
    """Store a run's alerts; each carries the first run of its series (:func:`continue_series`)."""
    if not alerts:
        return
    session.execute(
        text(
            "INSERT INTO alert (run_id, kind, area_type, area_id, indicators, agencies, "
            "period_from, period_to, q, sentence, stats, details, first_run_id) VALUES (:run, "
            ":kind, :area_type, :area_id, :indicators, :agencies, :period_from, :period_to, :q, "
            ":sentence, CAST(:stats AS jsonb), :details, :run)"
        ),
        [{**a.__dict__, "run": run_id, "stats": to_json(a.stats)} for a in alerts],
    )
    continue_series(session, run_id)


# The same alert (``p``) as ``a``: kind, area, area type and indicators (in any order).
SAME_ALERT = (
    "p.kind = a.kind AND p.area_id IS NOT DISTINCT FROM a.area_id "
    "AND p.area_type IS NOT DISTINCT FROM a.area_type "
    "AND p.indicators @> a.indicators AND p.indicators <@ a.indicators"
)


def continue_series(session: Session, run_id: int) -> None:
    """Alerts of ``run_id`` that the previous finished run raised too carry on its series:
    its first run and the time it was first raised (a new alert keeps its own run's)."""
    session.execute(
        text(
            f"""
            UPDATE alert a SET first_run_id = p.first_run_id, raised_at = p.raised_at
            FROM alert p
            WHERE a.run_id = :run AND {SAME_ALERT}
              AND p.run_id = (SELECT max(id) FROM analysis_run
                              WHERE status = 'done' AND id < :run)
            """
        ),
        {"run": run_id},
    )


def latest_finished_run(session: Session) -> int | None:
    value = session.execute(
        text("SELECT max(id) FROM analysis_run WHERE status = 'done'")
    ).scalar_one()
    return None if value is None else int(value)


def get_run(session: Session, run_id: int) -> Row[Any] | None:
    return session.execute(
        text(f"SELECT {_RUN_COLUMNS}, r.data, r.summary FROM analysis_run r WHERE r.id = :r"),
        {"r": run_id},
    ).first()


def list_runs(session: Session, limit: int) -> Sequence[Row[Any]]:
    return session.execute(
        text(f"SELECT {_RUN_COLUMNS} FROM analysis_run r ORDER BY r.id DESC LIMIT :n"),
        {"n": limit},
    ).all()


_RUN_COLUMNS = (
    "r.id, r.trigger, r.batch_id, r.actor, r.status, r.params, r.error, r.started_at, "
    "r.finished_at, (SELECT count(*) FROM alert a WHERE a.run_id = r.id) AS alerts"
)


def list_alerts(session: Session, f: AlertFilter) -> Sequence[Row[Any]]:
    where = ["al.run_id = :run" if f.alert_id is None else "al.id = :alert"]
    params: dict[str, Any] = {"run": f.run_id, "limit": f.limit, "offset": f.offset}
    if f.alert_id is not None:
        params["alert"] = f.alert_id
    if f.area_code is not None:
        where.append("ar.code = :area")
        params["area"] = f.area_code
    if f.indicator is not None:
        where.append(":indicator = ANY(al.indicators)")
        params["indicator"] = f.indicator
    if f.agency is not None:
        where.append(":agency = ANY(al.agencies)")
        params["agency"] = f.agency
    if f.kind is not None:
        where.append("al.kind = :kind")
        params["kind"] = f.kind
    if f.area_type is not None:
        where.append("al.area_type = :area_type")
        params["area_type"] = f.area_type
    if f.shown_indicators is not None:
        where.append("al.indicators <@ CAST(:shown AS text[])")
        params["shown"] = f.shown_indicators
    if f.hidden_types:
        where.append("(al.area_type IS NULL OR al.area_type <> ALL(CAST(:hidden AS text[])))")
        params["hidden"] = f.hidden_types
    return session.execute(
        text(
            f"""
            SELECT al.id, al.run_id, al.kind, al.area_id, ar.code AS area_code,
                   ar.name AS area_name, al.area_type, t.name AS area_type_name,
                   al.indicators, al.agencies, al.period_from, al.period_to, al.q,
                   al.sentence, al.stats, al.details, al.created_at, al.first_run_id,
                   al.raised_at
            FROM alert al LEFT JOIN area ar ON ar.id = al.area_id
            LEFT JOIN area_type t ON t.code = al.area_type
            WHERE {" AND ".join(where)}
            ORDER BY al.created_at DESC, al.q ASC NULLS LAST, al.id
            LIMIT :limit OFFSET :offset
            """
        ),
        params,
    ).all()


def agency_names(session: Session) -> dict[str, str]:
    """Each agency as sentences name it: its title, else its short name."""
    rows = session.execute(text("SELECT name, coalesce(title, name) FROM agency")).all()
    return {str(name): str(title) for name, title in rows}


def newest_batch(session: Session) -> int | None:
    value = session.execute(text("SELECT max(id) FROM batch")).scalar_one()
    return None if value is None else int(value)


def newest_batch_seen(session: Session) -> int | None:
    """The newest batch the newest finished run saw."""
    value = session.execute(
        text(
            "SELECT (data->>'newest_batch')::bigint FROM analysis_run WHERE status = 'done' "
            "ORDER BY id DESC LIMIT 1"
        )
    ).scalar()
    return None if value is None else int(value)


def batch_exists(session: Session, batch_id: int) -> bool:
    return (
        session.execute(text("SELECT 1 FROM batch WHERE id = :b"), {"b": batch_id}).first()
        is not None
    )


def alert_windows(session: Session, indicator: str) -> Sequence[Row[Any]]:
    """The windows (first and last period) of the finished runs' alerts about an area
    that name ``indicator``, newest run first: which run's alerts an indicator layer
    shows for an older period (:mod:`app.analysis.layer`)."""
    return session.execute(
        text(
            """
            SELECT DISTINCT al.run_id, al.period_from, al.period_to
            FROM alert al JOIN analysis_run r ON r.id = al.run_id
            WHERE r.status = 'done' AND al.area_id IS NOT NULL
              AND :indicator = ANY(al.indicators)
            ORDER BY al.run_id DESC
            """
        ),
        {"indicator": indicator},
    ).all()
