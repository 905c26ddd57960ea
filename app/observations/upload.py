"""Uploading observations: all or nothing, every error reported, history kept.

A file is parsed (:mod:`app.observations.parsing`), checked against the catalogue and
the geography, and applied as one batch of revisions. Nothing is stored unless every
row is good; the same values twice change nothing and say so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.agencies.service import Principal
from app.areas import repository as area_repo
from app.errors import PermissionDeniedError, UnsupportedMediaTypeError, UploadRejectedError
from app.indicators import repository as indicator_repo
from app.observations import repository as repo
from app.observations.parsing import (
    ObservationRow,
    ParsedUpload,
    RowError,
    UnsupportedContentTypeError,
    UploadFormatError,
    parse_observations,
)
from app.observations.periods import Period, PeriodError, PeriodType, parse_period

MAX_LISTED_ERRORS = 1000


@dataclass(frozen=True)
class UploadSource:
    """The bytes of an upload and what the client said about them."""

    data: BinaryIO
    content_type: str
    filename: str | None
    sha256: str
    size: int


@dataclass
class UploadResult:
    batch_id: int | None
    rows: int
    inserted: int
    revised: int
    unchanged: int
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.inserted + self.revised > 0

    @property
    def message(self) -> str:
        if not self.changed:
            return f"Nothing changed: all {self.unchanged} values are already stored."
        return (
            f"Stored batch {self.batch_id}: {self.inserted} new values, {self.revised} "
            f"revised (the earlier values are kept in the history), {self.unchanged} unchanged."
        )


def upload_observations(
    session: Session,
    principal: Principal,
    source: UploadSource,
    *,
    default_period: str | None = None,
) -> UploadResult:
    """Check and store an observation file as one batch (see the module docstring)."""
    known = indicator_repo.all_codes(session)
    try:
        parsed = parse_observations(
            source.data, source.content_type, known, default_period=default_period
        )
    except UnsupportedContentTypeError as exc:
        raise UnsupportedMediaTypeError(str(exc)) from exc
    except UploadFormatError as exc:
        raise UploadRejectedError(str(exc)) from exc
    return store_observations(
        session,
        principal,
        parsed,
        {"filename": source.filename, "content_type": source.content_type, "sha256": source.sha256},
    )


def store_observations(
    session: Session, principal: Principal, parsed: ParsedUpload, batch_fields: dict[str, Any]
) -> UploadResult:
    """Check parsed rows against the catalogue and geography and store them as one batch.

    ``batch_fields`` describe the source (filename, content_type, sha256) for the history.
    """
    indicators = indicator_repo.indicators_by_code(session, {r.indicator for r in parsed.rows})
    _check_ownership(principal, indicators)
    values, errors = _resolve(session, parsed, indicators)
    # Every problem at once: the parser's and the catalogue's and geography's, by row.
    _reject_if(sorted(parsed.errors + errors, key=lambda e: e.row or 0), len(parsed.rows))

    repo.lock_indicator_periods(session, {(v[0], v[2]) for v in values})
    repo.stage_values(session, values)
    notes = _notes(parsed)
    batch_id = repo.insert_batch(
        session,
        kind="observations",
        agency_id=principal.agency_id,
        key_id=principal.key_id,
        actor=principal.actor,
        rows=len(parsed.rows),
        report=json.dumps(
            {
                "layout": parsed.layout,
                "encoding": parsed.encoding,
                "notes": notes,
                "indicators": sorted(indicators),
            }
        ),
        **batch_fields,
    )
    inserted, revised, unchanged = repo.write_staged(session, batch_id)
    result = UploadResult(batch_id, len(parsed.rows), inserted, revised, unchanged, notes)
    if not result.changed:
        repo.delete_empty_batch(session, batch_id)
        result.batch_id = None
        return result
    repo.update_batch(session, batch_id, inserted=inserted, revised=revised, unchanged=unchanged)
    return result


def _notes(parsed: ParsedUpload) -> list[str]:
    return [f"{parsed.layout} layout, {parsed.encoding}", *parsed.notes]


def _reject_if(errors: list[RowError], rows: int) -> None:
    if not errors:
        return
    listed = errors[:MAX_LISTED_ERRORS]
    raise UploadRejectedError(
        f"{len(errors)} problem(s) in the upload of {rows} row(s); nothing was stored. "
        "Each error gives the row (as a spreadsheet numbers it), column, value and reason.",
        errors=[
            {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason} for e in listed
        ],
    )


def _check_ownership(principal: Principal, indicators: dict[str, Row[Any]]) -> None:
    foreign = sorted(
        f"{code} ({row.agency})"
        for code, row in indicators.items()
        if not principal.is_admin and row.agency_id != principal.agency_id
    )
    if foreign:
        mine = principal.agency or "no agency"
        raise PermissionDeniedError(
            f"Agency {mine!r} may not write indicators of other agencies: {', '.join(foreign)}"
        )


def _resolve(
    session: Session, parsed: ParsedUpload, indicators: dict[str, Row[Any]]
) -> tuple[list[repo.StagedValue], list[RowError]]:
    """Turn parsed rows into staged values: areas, periods and value rules checked."""
    areas: dict[str, dict[str, int]] = {}
    codes = sorted({r.area_code for r in parsed.rows})
    for row in area_repo.current_areas_by_code(session, codes):
        areas.setdefault(str(row.code), {})[str(row.type_code)] = int(row.id)
    values: list[repo.StagedValue] = []
    errors: list[RowError] = []
    periods: dict[tuple[str, str], Period | str] = {}
    seen: dict[tuple[str, int, str], int] = {}
    for r in parsed.rows:
        indicator = indicators[r.indicator]
        problems = list(_value_problems(r, indicator))
        area_id = _area_id(r, indicator, areas.get(r.area_code), problems)
        key = (r.period, str(indicator.period_type))
        if key not in periods:
            try:
                periods[key] = parse_period(r.period, PeriodType(indicator.period_type))
            except PeriodError as exc:
                periods[key] = str(exc)
        period = periods[key]
        if isinstance(period, str):
            problems.append(RowError(r.row, "period", r.period, period))
        if problems:
            errors += problems
            continue
        assert isinstance(period, Period)
        assert area_id is not None
        # The parser catches repeats as written; "2021-3" and "2021-03" meet only here.
        first = seen.setdefault((r.indicator, area_id, period.text), r.row)
        if first != r.row:
            errors.append(
                RowError(
                    r.row,
                    "period",
                    r.period,
                    f"duplicate of row {first} ({r.indicator}, {r.area_code}, {period.text})",
                )
            )
            continue
        values.append(_staged(r, area_id, period))
    return values, errors


def _staged(r: ObservationRow, area_id: int, period: Period) -> repo.StagedValue:
    start: date = period.start
    return (
        r.indicator,
        area_id,
        period.text,
        start,
        period.end,
        r.value,
        r.numerator,
        r.denominator,
    )


def _area_id(
    r: ObservationRow,
    indicator: Row[Any],
    by_type: dict[str, int] | None,
    problems: list[RowError],
) -> int | None:
    published = list(indicator.area_types)
    if not by_type:
        problems.append(
            RowError(
                r.row,
                "area_code",
                r.area_code,
                "unknown area code: no area has it (a retired or mistyped "
                "code?); load its boundaries first or correct the code",
            )
        )
        return None
    for type_code in published:
        if type_code in by_type:
            return by_type[type_code]
    problems.append(
        RowError(
            r.row,
            "area_code",
            r.area_code,
            f"{r.area_code} is a {'/'.join(sorted(by_type))} area, but {r.indicator} is published "
            f"for {', '.join(published)}",
        )
    )
    return None


def _value_problems(r: ObservationRow, indicator: Row[Any]) -> Iterator[RowError]:
    kind = str(indicator.value_type)
    for column, number in (
        ("value", r.value),
        ("numerator", r.numerator),
        ("denominator", r.denominator),
    ):
        if number is None:
            continue
        # Scores and means may be negative (an index, a change); nothing else can be.
        if number < 0 and (column != "value" or kind not in ("score", "mean")):
            yield RowError(
                r.row,
                column,
                _text(number),
                f"{column} cannot be negative for {r.indicator} ({kind})",
            )
        if kind == "count" and column == "value" and number != int(number):
            yield RowError(
                r.row,
                column,
                _text(number),
                f"{r.indicator} is a count: a whole number is expected",
            )
    if kind == "percentage" and r.value is not None and r.value > 100:
        yield RowError(
            r.row, "value", _text(r.value), f"{r.indicator} is a percentage: 0 to 100 expected"
        )
    if r.numerator is not None and r.denominator is not None and r.denominator == 0:
        yield RowError(r.row, "denominator", "0", "the denominator cannot be zero")
    if r.value is None:
        yield RowError(r.row, "value", None, "a value is required")


def _text(number: float) -> str:
    return f"{number:g}"
