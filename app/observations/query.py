"""Reading observations: which values a caller may see, at which area type, and how a
value was arrived at (stored, summed up the hierarchy, or computed as a rate)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.agencies.service import Principal
from app.areas import repository as area_repo
from app.errors import InvalidParameterError, UnknownAreaTypeError
from app.indicators import repository as indicator_repo
from app.indicators.periods import PeriodError, PeriodType, parse_period
from app.indicators.service import indicator_out, visible_indicator
from app.observations import values as sql
from app.snapshots import cached

CSV_COLUMNS = [
    "area_code", "area_name", "area_type", "indicator", "period", "value", "numerator",
    "denominator", "suppressed", "derived_from",
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

    def as_json(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "type": self.type_code,
            "notes": self.notes,
            "observations": self.observations,
        }

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        for row in self.observations:
            writer.writerow({**row, "indicator": self.indicator["code"]})
        return out.getvalue()


def query_observations(
    session: Session, principal: Principal | None, q: ObservationQuery
) -> ObservationResult:
    indicator = visible_indicator(session, q.indicator, principal)
    type_code = (q.type_code or indicator.area_types[0]).strip().lower()
    if not area_repo.area_type_exists(session, type_code):
        raise UnknownAreaTypeError(f"Unknown area type {type_code!r}")
    value_filter = _filter(indicator, type_code, q)
    notes: list[str] = []
    values = values_sql(session, indicator, value_filter, "v_", notes)
    rows = [] if values is None else sql.fetch(session, values)
    public = principal is None
    observations = [_shape(row, indicator, public) for row in rows]
    if public and any(o["suppressed"] for o in observations):
        notes.append(
            f"Counts below {indicator.disclosure_threshold} are suppressed in public outputs "
            "(value null, suppressed true); partners see them with a key."
        )
    return ObservationResult(indicator_out(indicator), type_code, notes, observations)


def available_periods(
    session: Session, principal: Principal | None, code: str, type_code: str
) -> list[str]:
    """The periods with values of ``code`` at ``type_code``, oldest first (reused while
    the database is unchanged: maps, their tiles and pages all ask)."""
    indicator = visible_indicator(session, code, principal)

    def periods() -> list[str]:
        values = values_sql(session, indicator, sql.ValueFilter(type_code=type_code), "l_", [])
        return [] if values is None else sql.periods(session, values)

    return cached(session, ("periods", code, type_code), periods)


def _filter(indicator: Row[Any], type_code: str, q: ObservationQuery) -> sql.ValueFilter:
    period_type = PeriodType(indicator.period_type)

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


def values_sql(
    session: Session, indicator: Row[Any], f: sql.ValueFilter, p: str, notes: list[str]
) -> tuple[str, dict[str, Any]] | None:
    """The SQL giving ``indicator`` at ``f.type_code``, or None when it cannot be had."""
    stored = sql.stored_types(session, indicator.code)
    if f.type_code in stored:
        return sql.stored_values_sql(indicator.code, f, p)
    below = [t for t in sql.descendant_types(session, f.type_code) if t in stored]
    if below:
        is_count = indicator.value_type == "count"
        if is_count or sql.has_numerators(session, indicator.code):
            notes.append(
                f"{indicator.code} at {f.type_code} is summed from {below[0]} "
                + ("counts" if is_count else "numerators and denominators")
            )
            return sql.aggregated_values_sql(
                indicator.code, below[0], indicator.multiplier, is_count, f, p
            )
        notes.append(
            f"{indicator.code} is stored for {below[0]} as a {indicator.value_type} without "
            f"counts, so it cannot be summed to {f.type_code}"
        )
        return None
    if indicator.numerator and indicator.denominator:
        parts = indicator_repo.indicators_by_code(
            session, [indicator.numerator, indicator.denominator]
        )
        num = values_sql(session, parts[indicator.numerator], f, p + "n_", notes)
        # The denominator may come from an earlier period (last year's population).
        den_filter = replace(f, start_from=None)
        den = values_sql(session, parts[indicator.denominator], den_filter, p + "d_", notes)
        if num is None or den is None:
            return None
        notes.append(
            f"{indicator.code} = {indicator.numerator} / {indicator.denominator} "
            f"x {indicator.multiplier}"
        )
        return sql.rate_values_sql(num, den, indicator.multiplier, p)
    notes.append(f"No values of {indicator.code} are stored for {f.type_code} or below it")
    return None


def is_suppressed(indicator: Row[Any], row: Row[Any], public: bool) -> bool:
    """Whether the public must not see this value: its count (the value of a count, the
    numerator of a rate) is below the indicator's disclosure threshold."""
    threshold = indicator.disclosure_threshold
    count = row.value if indicator.value_type == "count" else row.numerator
    return bool(public and threshold and count is not None and count < threshold)


def _shape(row: Row[Any], indicator: Row[Any], public: bool) -> dict[str, Any]:
    value, numerator, denominator = row.value, row.numerator, row.denominator
    suppressed = is_suppressed(indicator, row, public)
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
    }
