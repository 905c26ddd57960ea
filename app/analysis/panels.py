"""Indicator values as panels: one row per area, one column per period, for the analysis.

Values come through the same SQL the API reads (stored, summed up the hierarchy, or
computed from a numerator and a denominator), so an alert is about the numbers a user
can look up. Rows are copied out of PostgreSQL as CSV and placed with numpy indexing,
not built as Python objects one value at a time.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from psycopg import ClientCursor
from sqlalchemy.orm import Session

from app.areas import repository as area_repo
from app.indicators.indicator import Indicator
from app.observations import values as values_repo
from app.observations.derivation import values_sql

FloatPanel = NDArray[np.float64]


@dataclass(frozen=True)
class Areas:
    """The areas of one type (newest vintage) in a fixed order: the panels' rows."""

    type_code: str
    ids: NDArray[np.int64]
    codes: list[str]
    names: list[str]

    def __len__(self) -> int:
        return len(self.codes)


@dataclass
class Panel:
    """One indicator's values for :class:`Areas` over its periods (oldest first)."""

    indicator: Indicator
    periods: list[str]
    starts: list[date]
    value: FloatPanel
    numerator: FloatPanel
    denominator: FloatPanel
    notes: list[str] = field(default_factory=list)

    @property
    def has_counts(self) -> bool:
        """Whether numerators and denominators are known for most values."""
        known = ~np.isnan(self.numerator) & ~np.isnan(self.denominator)
        return bool(known.sum() >= 0.5 * np.count_nonzero(~np.isnan(self.value)) > 0)

    def seen(self) -> dict[str, Any]:
        """What the run saw of this indicator (recorded with the run)."""
        return {
            "periods": [self.periods[0], self.periods[-1]] if self.periods else [],
            "n_periods": len(self.periods),
            "values": int(np.count_nonzero(~np.isnan(self.value))),
        }


def load_areas(session: Session, type_code: str) -> Areas:
    """The newest vintage's areas of ``type_code``, in the order of their ids."""
    rows = sorted(area_repo.areas_of_type(session, type_code), key=lambda r: int(r.id))
    return Areas(
        type_code,
        np.array([r.id for r in rows], dtype=np.int64),
        [str(r.code) for r in rows],
        [str(r.name) for r in rows],
    )


def load_panel(session: Session, indicator: Indicator, areas: Areas) -> Panel | None:
    """``indicator`` at ``areas.type_code``, or None when it has no values there."""
    notes: list[str] = []
    query = values_sql(
        session, indicator, values_repo.ValueFilter(type_code=areas.type_code), "p_", notes
    )
    if query is None:
        return None
    sql, params = query
    frame = _copy_frame(
        session,
        f"SELECT v.area_id, v.period, v.period_start, v.value, v.numerator, v.denominator "
        f"FROM ({sql}) v",
        params,
    )
    if frame.empty:
        return None
    starts = sorted(set(frame["period_start"]))
    labels = dict(zip(frame["period_start"], frame["period"], strict=True))
    column = {s: i for i, s in enumerate(starts)}
    row = {int(a): i for i, a in enumerate(areas.ids)}
    rows = frame["area_id"].map(row)
    keep = rows.notna().to_numpy()
    r = rows[keep].to_numpy(dtype=np.int64)
    c = frame["period_start"][keep].map(column).to_numpy(dtype=np.int64)
    shape = (len(areas), len(starts))

    def place(name: str) -> FloatPanel:
        out = np.full(shape, np.nan)
        out[r, c] = frame[name][keep].to_numpy(dtype=np.float64, na_value=np.nan)
        return out

    return Panel(
        indicator,
        [str(labels[s]) for s in starts],
        [date.fromisoformat(str(s)) for s in starts],
        place("value"),
        place("numerator"),
        place("denominator"),
        notes,
    )


def exposure_for(counts: Panel, population: Panel | None) -> FloatPanel | None:
    """Population for each area and period of ``counts``: the latest population period
    starting on or before it (the earliest one for periods before any population)."""
    if population is None or not population.starts:
        return None
    pop_starts = np.array(population.starts, dtype="datetime64[D]")
    wanted = np.array(counts.starts, dtype="datetime64[D]")
    index = np.searchsorted(pop_starts, wanted, side="right") - 1
    index = np.clip(index, 0, len(pop_starts) - 1)
    filled = _forward_fill(population.value)
    return filled[:, index]


def _forward_fill(panel: FloatPanel) -> FloatPanel:
    """Missing values take the last known value of their row (then the first known)."""
    out = panel.copy()
    n_rows, n_cols = out.shape
    idx = np.where(~np.isnan(out), np.arange(n_cols), 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    out = out[np.arange(n_rows)[:, None], idx]
    first = np.argmax(~np.isnan(panel), axis=1)
    lead = np.isnan(out)
    out[lead] = panel[np.arange(n_rows), first][np.nonzero(lead)[0]]
    return out


def _copy_frame(session: Session, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    """The rows of ``sql`` through ``COPY … TO STDOUT`` as CSV, read by pandas."""
    conn: Any = session.connection().connection.driver_connection
    # COPY takes no parameters: bind them into a literal query on the client side.
    with ClientCursor(conn) as cur:
        bound = cur.mogrify(_to_psycopg(sql), params)
    buffer = io.BytesIO()
    with conn.cursor() as cur, cur.copy(f"COPY ({bound}) TO STDOUT (FORMAT csv, HEADER)") as cp:
        for chunk in cp:
            buffer.write(chunk)
    buffer.seek(0)
    return pd.read_csv(
        buffer,
        dtype={"area_id": "int64", "period": "string"},
        converters={"period_start": str},
    )


def _to_psycopg(sql: str) -> str:
    """SQLAlchemy's ``:name`` parameters as psycopg's ``%(name)s`` (casts ``::`` kept)."""
    escaped = sql.replace("%", "%%")
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", escaped)
