"""Uploading observations: all or nothing, every error reported, history kept.

A file is read (:mod:`app.uploads.layouts.observation_layouts`), checked against the catalogue
and the geography, and applied as one batch of revisions. Nothing is stored unless every
row is good; the same values twice change nothing and say so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO, cast

from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.areas import repository as area_repo
from app.audit import service as audit
from app.errors import PermissionDeniedError
from app.indicators import repository as indicator_repo
from app.indicators.indicator import MAX_STORABLE_VALUE, Indicator
from app.indicators.periods import Period, PeriodError, parse_period
from app.indicators.service import visible_indicators
from app.uploads import repository as batch_repo
from app.uploads import revisions
from app.uploads.batches import open_batch
from app.uploads.layouts.observation_layouts import read_observations
from app.uploads.layouts.observation_rows import ObservationRow, ParsedObservations
from app.uploads.options import UploadOptions
from app.uploads.reading import Limits
from app.uploads.reading.workbook import is_workbook, read_sheet
from app.uploads.rejections import reading_errors, reject_if_errors
from app.uploads.source import UploadSource

# The smallest denominator other than zero: denominators are counts (of residents, of
# pupils), and dividing by a tiny one gives a rate no reader can hold.
MIN_DENOMINATOR = 1e-3

# (row, column, value, reason), as RowErrors.add takes them.
Problem = tuple[int, str | None, str | None, str]


@dataclass
class UploadResult:
    batch_id: int | None
    rows: int
    inserted: int
    revised: int
    unchanged: int
    notes: list[str] = field(default_factory=list)
    skipped_outside: int = 0  # rows for areas outside the city, skipped as asked

    @property
    def changed(self) -> bool:
        return self.inserted + self.revised > 0

    @property
    def message(self) -> str:
        skipped = (
            f" {_rows(self.skipped_outside)} for areas outside the city were skipped."
            if self.skipped_outside
            else ""
        )
        if not self.changed:
            return f"Nothing changed: all {self.unchanged} values are already stored.{skipped}"
        return (
            f"Stored batch {self.batch_id}: {self.inserted} new values, {self.revised} "
            f"revised (the earlier values are kept in the history), {self.unchanged} "
            f"unchanged.{skipped}"
        )


def _rows(n: int) -> str:
    return f"{n:,} row" if n == 1 else f"{n:,} rows"


def upload_observations(
    session: Session,
    viewer: Viewer,
    source: UploadSource,
    *,
    default_period: str | None = None,
    limits: Limits | None = None,
    options: UploadOptions | None = None,
) -> UploadResult:
    """Check and store an observation file as one batch (see the module docstring).

    ``options`` say which sheet and header row to read, which columns are which, and
    whether rows for areas outside the city are skipped (:mod:`app.uploads.options`).
    """
    options = options or UploadOptions(period=default_period)
    # Only codes the viewer may see are known: another agency's agency-only indicator is
    # an unknown code to them (never suggested, nor named as someone else's).
    known = [i.code for i in visible_indicators(session, viewer)]
    with reading_errors(), opened(source, options, limits) as (data, content_type, filename):
        parsed = read_observations(
            data,
            content_type,
            known,
            default_period=options.period,
            filename=filename,
            limits=limits,
            header_row=options.header_row,
            mapping=options.mapping or None,
            area_column=options.area_column,
            period_column=options.period_column,
        )
    if options.mapped:
        parsed.notes.insert(0, "Columns mapped by the uploader.")
    return store_observations(
        session, viewer, parsed, source.batch_fields(), skip_outside=options.skip_outside
    )


@contextmanager
def opened(
    source: UploadSource, options: UploadOptions, limits: Limits | None
) -> Iterator[tuple[BinaryIO, str, str | None]]:
    """The upload's bytes as the reader takes them: a workbook's sheet as CSV."""
    if not is_workbook(source.data, source.content_type, source.filename):
        yield source.data, source.content_type, source.filename
        return
    sheet = read_sheet(source.data, options.sheet, limits)
    try:
        yield cast(BinaryIO, sheet.csv), "text/csv; charset=utf-8", None
    finally:
        sheet.csv.close()


def store_observations(
    session: Session,
    viewer: Viewer,
    parsed: ParsedObservations,
    batch_fields: dict[str, Any],
    *,
    skip_outside: bool = False,
) -> UploadResult:
    """Check parsed rows against the catalogue and geography and store them as one batch.

    ``batch_fields`` describe the source (filename, content_type, sha256) for the history.
    With ``skip_outside``, rows whose area code is shaped as the codes of the indicator's
    area types (``E01`` and nine characters for LSOAs) but is no area's are skipped and
    counted, as a national file's rows for areas outside the city; a code of another
    shape stays a row error.
    """
    indicators = indicator_repo.indicators_by_code(session, {r.indicator for r in parsed.rows})
    _check_ownership(viewer, indicators)
    # Every problem at once, under one cap: the reader's, the catalogue's and the
    # geography's, by row.
    shapes = batch_repo.area_code_shapes(session) if skip_outside else None
    values, outside = _resolve(session, parsed, indicators, shapes)
    reject_if_errors(parsed.row_errors, "the upload", parsed.row_count)
    if outside:
        parsed.notes.append(
            f"{_rows(len(outside))} for areas outside the city were skipped, as asked "
            "(skip_outside): their codes are shaped as the city's but are no area's."
        )

    revisions.lock_indicator_periods(session, {(v[0], v[2]) for v in values})
    revisions.stage_values(session, values)
    notes = _notes(parsed)
    batch_id = open_batch(
        session,
        "observations",
        viewer,
        viewer.agency_id,
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
    inserted, revised, unchanged = revisions.write_staged(session, batch_id)
    result = UploadResult(
        batch_id, parsed.row_count, inserted, revised, unchanged, notes, len(outside)
    )
    if not result.changed:
        batch_repo.delete_empty_batch(session, batch_id)
        result.batch_id = None
    else:
        batch_repo.update_batch(
            session, batch_id, inserted=inserted, revised=revised, unchanged=unchanged
        )
    audit.record(
        session, viewer, "upload",
        detail={"kind": "observations", "batch": result.batch_id, "rows": result.rows,
                "inserted": inserted, "revised": revised, "unchanged": unchanged,
                "indicators": sorted(indicators), **_source(batch_fields)},
    )  # fmt: skip
    return result


def _source(batch_fields: dict[str, Any]) -> dict[str, Any]:
    """What the audit says of an upload's file: its name and checksum, not its content."""
    return {k: batch_fields.get(k) for k in ("filename", "sha256") if batch_fields.get(k)}


def _notes(parsed: ParsedObservations) -> list[str]:
    return [f"{parsed.layout} layout, {parsed.encoding}", *parsed.notes]


def _check_ownership(viewer: Viewer, indicators: dict[str, Indicator]) -> None:
    foreign = sorted(
        f"{code} ({indicator.agency})"
        for code, indicator in indicators.items()
        if not policy.may_write(viewer, indicator.agency)
    )
    if foreign:
        mine = viewer.agency or "no agency"
        raise PermissionDeniedError(
            f"Agency {mine!r} may not write indicators of other agencies: {', '.join(foreign)}"
        )


def _resolve(
    session: Session,
    parsed: ParsedObservations,
    indicators: dict[str, Indicator],
    shapes: dict[str, set[tuple[str, int]]] | None = None,
) -> tuple[list[revisions.StagedValue], set[int]]:
    """Turn parsed rows into staged values: areas, periods and value rules checked;
    problems are added to the upload's row errors. With ``shapes`` (of each area type's
    codes), rows for areas outside the city are skipped: their rows come back."""
    areas: dict[str, dict[str, int]] = {}
    codes = sorted({r.area_code for r in parsed.rows})
    for row in area_repo.current_areas_by_code(session, codes):
        areas.setdefault(str(row.code), {})[str(row.type_code)] = int(row.id)
    values: list[revisions.StagedValue] = []
    errors = parsed.row_errors
    periods: dict[tuple[str, str], Period | str] = {}
    seen: dict[tuple[str, int, str], int] = {}
    outside: set[int] = set()
    today = date.today()
    for r in parsed.rows:
        indicator = indicators[r.indicator]
        if shapes is not None and r.area_code not in areas:
            shape = (r.area_code[:3].upper(), len(r.area_code))
            if any(shape in shapes.get(t, ()) for t in indicator.area_types):
                outside.add(r.row)
                continue
        problems: list[Problem] = [
            (row, parsed.column(role or "value", r.indicator), value, reason)
            for row, role, value, reason in _value_problems(r, indicator)
        ]
        area_id = _area_id(r, indicator, areas.get(r.area_code), problems, parsed.column("area"))
        key = (r.period, indicator.period_type)
        if key not in periods:
            try:
                periods[key] = parse_period(r.period, indicator.period_type)
            except PeriodError as exc:
                periods[key] = str(exc)
        period = periods[key]
        if isinstance(period, str):
            problems.append((r.row, parsed.column("period"), r.period, period))
        elif reason := indicator.period_problem(period, today):
            problems.append((r.row, parsed.column("period"), r.period, reason))
        if problems:
            for problem in problems:
                errors.add(*problem)
            continue
        assert isinstance(period, Period)
        assert area_id is not None
        # The parser catches repeats as written; "2021-3" and "2021-03" meet only here.
        first = seen.setdefault((r.indicator, area_id, period.text), r.row)
        if first != r.row:
            reason = f"duplicate of row {first} ({r.indicator}, {r.area_code}, {period.text})"
            errors.add(r.row, parsed.column("period"), r.period, reason)
            continue
        values.append(_staged(r, area_id, period))
    return values, outside


def _staged(r: ObservationRow, area_id: int, period: Period) -> revisions.StagedValue:
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
    indicator: Indicator,
    by_type: dict[str, int] | None,
    problems: list[Problem],
    column: str,
) -> int | None:
    published = list(indicator.area_types)
    if not by_type:
        problems.append(
            (
                r.row,
                column,
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
        (
            r.row,
            column,
            r.area_code,
            f"{r.area_code} is a {'/'.join(sorted(by_type))} area, but {r.indicator} is published "
            f"for {', '.join(published)}",
        )
    )
    return None


def _value_problems(r: ObservationRow, indicator: Indicator) -> Iterator[Problem]:
    kind, name = indicator.kind, indicator.value_type
    for column, number in (
        ("value", r.value),
        ("numerator", r.numerator),
        ("denominator", r.denominator),
    ):
        if number is None:
            continue
        # Some values may be negative (an index, a change); their parts never.
        if number < 0 and (column != "value" or not kind.negative):
            yield (
                r.row,
                column,
                _text(number),
                f"{column} cannot be negative for {r.indicator} ({name})",
            )
        if kind.whole and column == "value" and number != int(number):
            yield (
                r.row,
                column,
                _text(number),
                f"{r.indicator} is a {name}: a whole number is expected",
            )
    if kind.maximum is not None and r.value is not None and r.value > kind.maximum:
        yield (
            r.row,
            "value",
            _text(r.value),
            f"{r.indicator} is a {name}: 0 to {kind.maximum:g} expected",
        )
    elif r.value is not None and abs(r.value) > indicator.value_ceiling:
        yield (
            r.row,
            "value",
            _text(r.value),
            f"{_text(r.value)} is above {r.indicator}'s ceiling of {indicator.value_ceiling:g}"
            " (the catalogue's max_value): check the value",
        )
    for column, part in (("numerator", r.numerator), ("denominator", r.denominator)):
        if part is not None and abs(part) > MAX_STORABLE_VALUE:
            yield (
                r.row,
                column,
                _text(part),
                f"{column} {_text(part)} is above {MAX_STORABLE_VALUE:g}: check the value",
            )
    if r.numerator is not None and r.denominator is not None and r.denominator == 0:
        yield (r.row, "denominator", "0", "the denominator cannot be zero")
    elif r.denominator is not None and 0 < abs(r.denominator) < MIN_DENOMINATOR:
        # A sum of numerators divided by a sum of such denominators overflows.
        yield (
            r.row,
            "denominator",
            _text(r.denominator),
            f"a denominator is a count: {_text(r.denominator)} is too small to divide by",
        )
    if r.value is None:
        yield (r.row, "value", None, "a value is required")


def _text(number: float) -> str:
    return f"{number:g}"
