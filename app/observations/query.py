"""Reading observations: the values a viewer may see of an indicator at an area type,
and how each was arrived at (stored, summed up the hierarchy, or computed as a rate)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.access import policy
from app.access.audited import note_read
from app.access.viewer import Viewer
from app.areas import custom
from app.areas import repository as area_repo
from app.areas.overlay import LOW_FIT
from app.errors import InvalidParameterError, UnknownAreaTypeError
from app.indicators.indicator import Indicator
from app.indicators.periods import PeriodError, is_period, parse_period
from app.indicators.service import visible_indicator
from app.observations import disclosure
from app.observations import values as sql
from app.observations.derivation import periods_sql, values_sql
from app.snapshots import cached

CSV_COLUMNS = [
    "area_code", "area_name", "area_type", "indicator", "period", "value", "numerator",
    "denominator", "suppressed", "derived_from", "fit", "low_fit",
]  # fmt: skip


@dataclass(frozen=True)
class ObservationQuery:
    indicator: str
    type_code: str | None = None
    area: str | None = None
    period: str | None = None
    from_period: str | None = None
    to_period: str | None = None


@dataclass
class ObservationResult:
    indicator: dict[str, Any]
    type_code: str
    notes: list[str]
    observations: list[dict[str, Any]]
    marking: str | None = None  # :func:`app.access.policy.marking` of the viewer's read

    def as_json(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "type": self.type_code,
            "notes": self.notes,
            "marking": self.marking,
            "observations": self.observations,
        }

    def as_csv(self) -> str:
        """The values as CSV; a restricted read's with a first column ``marking`` on
        every row (what spreadsheets and GIS tools read without being told: a comment
        line before the header is taken for the header)."""
        out = io.StringIO()
        columns = CSV_COLUMNS if self.marking is None else ["marking", *CSV_COLUMNS]
        writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        for row in self.observations:
            writer.writerow({**row, "indicator": self.indicator["code"], "marking": self.marking})
        return out.getvalue()


def query_observations(session: Session, viewer: Viewer, q: ObservationQuery) -> ObservationResult:
    """The values of ``q.indicator`` (404 for one the viewer may not see)."""
    indicator = visible_indicator(session, viewer, q.indicator)
    result = indicator_values(session, viewer, indicator, q)
    period = q.period or (
        f"{q.from_period or ''}..{q.to_period or ''}" if q.from_period or q.to_period else None
    )
    note_read(session, viewer, indicator, indicator.code, result.type_code, period)
    result.marking = policy.marking(viewer, indicator)
    return result


def indicator_values(
    session: Session, viewer: Viewer, indicator: Indicator, q: ObservationQuery
) -> ObservationResult:
    """The values of ``indicator`` (already known to be visible to the viewer)."""
    type_code = (q.type_code or indicator.area_types[0]).strip().lower()
    custom.require_visible_type(session, viewer, type_code)
    if not area_repo.area_type_exists(session, type_code):
        raise UnknownAreaTypeError(f"Unknown area type {type_code!r}")
    value_filter = _filter(indicator, type_code, q)
    notes: list[str] = []
    values = values_sql(session, indicator, value_filter, "v_", notes)
    rows = [] if values is None else sql.fetch(session, values)
    hidden = disclosure.for_viewer(
        session, viewer, indicator, value_filter.start_from, value_filter.start_to
    )
    observations = [_shape(row, hidden.hides(row)) for row in rows]
    if any(o["suppressed"] for o in observations):
        notes.append(suppression_note(session, indicator))
    return ObservationResult(asdict(indicator), type_code, notes, observations)


def available_periods(
    session: Session, viewer: Viewer, indicator: Indicator, type_code: str
) -> list[str]:
    """The periods with values of ``indicator`` at ``type_code``, oldest first (reused
    while the database is unchanged: maps, their tiles and pages all ask)."""

    def periods() -> list[str]:
        values = periods_sql(session, indicator, sql.ValueFilter(type_code=type_code))
        labels = [] if values is None else sql.periods(session, values)
        # A label no period reads as (stored before periods had bounds) is never offered.
        return [label for label in labels if is_period(label, indicator.period_type)]

    key = policy.cache_key(viewer, "periods", indicator.code, type_code)
    return cached(session, key, periods)


def _filter(indicator: Indicator, type_code: str, q: ObservationQuery) -> sql.ValueFilter:
    period_type = indicator.period_type

    def start(text: str | None, name: str) -> Any:
        if text is None:
            return None
        try:
            return parse_period(text, period_type).start
        except PeriodError as exc:
            raise InvalidParameterError(f"{name}: {exc}") from exc

    if q.period is not None and (q.from_period or q.to_period):
        raise InvalidParameterError("Give either period, or from and to, not both")
    exact = start(q.period, "period")
    return sql.ValueFilter(
        type_code=type_code,
        area_code=q.area,
        start_from=exact or start(q.from_period, "from"),
        start_to=exact or start(q.to_period, "to"),
    )


def suppression_note(session: Session, indicator: Indicator) -> str:
    threshold = disclosure.effective_threshold(session, indicator)
    small = f"Counts below {threshold}" if threshold else "Counts its inputs hide"
    return (
        f"{small} are suppressed in public outputs (value null, suppressed true), with "
        "as many others as it takes for none to be worked out from the totals; partners "
        "see them with a key."
    )


def _shape(row: Row[Any], suppressed: bool) -> dict[str, Any]:
    value, numerator, denominator = row.value, row.numerator, row.denominator
    if suppressed:
        value = numerator = denominator = None
    return {
        "area_code": row.area_code,
        "area_name": row.area_name,
        "area_type": row.area_type,
        "period": row.period,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "suppressed": suppressed,
        "derived_from": row.derived_from,
        "fit": None if row.fit is None else round(float(row.fit), 3),
        "low_fit": row.fit is not None and float(row.fit) < LOW_FIT,
    }
