"""Uploading point events: read (:mod:`app.uploads.layouts.event_layouts`), kept raw, assigned
to areas in PostGIS, counted per month into the matching indicators as one batch of
observation revisions.

An upload is the agency's complete set of events for the months it covers (as a
police.uk monthly download is): it replaces the agency's earlier events for those
months, which are kept, marked as superseded.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.access import policy
from app.access.service import agency_id as agency_id_of
from app.access.viewer import Viewer
from app.areas import repository as area_repo
from app.audit import service as audit
from app.errors import InvalidParameterError, PermissionDeniedError, UploadRejectedError
from app.events import repository as repo
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator
from app.uploads import repository as batch_repo
from app.uploads import revisions
from app.uploads.batches import open_batch
from app.uploads.layouts.event_layouts import read_events
from app.uploads.layouts.event_rows import EventBatch
from app.uploads.reading import Limits, RowErrors
from app.uploads.rejections import reading_errors, reject_if_errors
from app.uploads.source import UploadSource


@dataclass
class EventUploadResult:
    batch_id: int | None
    format: str
    rows: int
    no_location: int = 0
    outside: int = 0
    unknown_categories: dict[str, int] = field(default_factory=dict)
    months: list[str] = field(default_factory=list)
    inserted: int = 0
    revised: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.batch_id is None:
            return "Nothing changed: " + (self.notes[-1] if self.notes else "")
        parts = [
            f"Stored batch {self.batch_id}: {self.rows} events over {len(self.months)} "
            f"month(s); counts {self.inserted} new, {self.revised} revised, "
            f"{self.unchanged} unchanged."
        ]
        if self.no_location:
            parts.append(f"{self.no_location} events have no location and are not counted.")
        if self.outside:
            parts.append(f"{self.outside} events lie outside every area and are not counted.")
        if self.unknown_categories:
            listed = ", ".join(f"{c} ({n})" for c, n in sorted(self.unknown_categories.items()))
            parts.append(f"Categories with no indicator, kept but not counted: {listed}.")
        return " ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {
            "batch": self.batch_id,
            "format": self.format,
            "rows": self.rows,
            "no_location": self.no_location,
            "outside_every_area": self.outside,
            "unknown_categories": self.unknown_categories,
            "months": self.months,
            "inserted": self.inserted,
            "revised": self.revised,
            "unchanged": self.unchanged,
            "notes": self.notes,
            "message": self.message,
        }


def upload_events(
    session: Session, viewer: Viewer, source: UploadSource, limits: Limits | None = None
) -> EventUploadResult:
    with reading_errors():
        parsed = read_events(
            source.data, source.content_type, filename=source.filename, limits=limits
        )
    reject_if_errors(parsed.row_errors, "the upload of events")
    events = parsed.batch
    agency = None if policy.acts_for_every_agency(viewer) else viewer.agency
    indicators = indicator_repo.event_indicators(session, agency)
    by_category = _indicators_by_category(indicators)
    found: dict[str, int] = defaultdict(int)
    for category in events.category:
        found[category] += 1
    matched = {c for c in found if c in by_category}
    if not matched:
        _refuse_other_agencys_events(session, viewer, set(found))
        raise UploadRejectedError(
            f"None of the categories in this file ({', '.join(sorted(found)) or 'none'}) is "
            f"counted by an indicator of {viewer.agency or 'any agency'}; check the "
            "indicators' event categories in the catalogue"
        )
    owners = {i.agency for i in indicators if set(i.event_categories) & matched}
    if len(owners) != 1:
        raise InvalidParameterError(
            "These events feed indicators of several agencies; upload them with the key of "
            "the agency that owns them"
        )
    agency_id = agency_id_of(session, owners.pop())
    result = EventUploadResult(None, events.format, len(events), notes=list(events.notes))
    result.unknown_categories = {c: n for c, n in found.items() if c not in by_category}

    counted = [i for i in indicators if set(i.event_categories) & matched]
    _check_months(events, counted, parsed.row_errors, date.today())
    reject_if_errors(parsed.row_errors, "the upload of events")

    earlier = batch_repo.batch_with_same_content(session, agency_id, "events", source.sha256)
    if earlier is not None:
        result.notes.append(f"this file was already uploaded as batch {earlier}")
        return result

    months = sorted({date(int(m[:4]), int(m[5:7]), 1) for m in set(events.month)})
    _lock(session, agency_id, counted, months)
    batch_id = open_batch(
        session, "events", viewer, agency_id, rows=len(events), **source.batch_fields()
    )
    repo.insert_events(session, batch_id, agency_id, months, _rows(events))
    _count(session, batch_id, counted, months, result)
    audit.record(
        session, viewer, "upload",
        detail={"kind": "events", "batch": batch_id, "rows": len(events),
                "filename": source.filename, "sha256": source.sha256},
    )  # fmt: skip
    return result


def _refuse_other_agencys_events(session: Session, viewer: Viewer, categories: set[str]) -> None:
    """403 when another agency's indicators count these categories: the file is theirs
    (a police.uk download sent with the fire service's key), not an unknown one."""
    if policy.acts_for_every_agency(viewer):
        return
    owners: dict[str, set[str]] = defaultdict(set)
    # The owning agency is named; of its indicators, only those the viewer may see
    # (another agency's agency-only ones are not theirs to know of).
    for indicator in indicator_repo.event_indicators(session, None):
        if set(indicator.event_categories) & categories:
            shown = policy.may_see_indicator(viewer, indicator)
            owners[indicator.agency].update([indicator.code] if shown else [])
    if not owners:
        return
    named = "; ".join(
        f"{agency} ({', '.join(sorted(codes))})" if codes else agency
        for agency, codes in sorted(owners.items())
    )
    raise PermissionDeniedError(
        f"Agency {viewer.agency!r} may not upload these events: their categories are "
        f"counted by indicators of {named}. Upload them with the key of "
        f"{' or '.join(sorted(owners))}."
    )


def _check_months(
    events: EventBatch, counted: list[Indicator], errors: RowErrors, today: date
) -> None:
    """Every month of an upload is counted (zeros included) into every indicator the
    upload counts, so each month must lie within each one's years."""
    reasons: dict[str, str] = {}
    for month in set(events.month):
        for indicator in counted:
            if reason := indicator.year_problem(int(month[:4]), month, today):
                reasons[month] = reason
                break
    if reasons:
        for row, month in zip(events.row, events.month, strict=True):
            if month in reasons:
                errors.add(row, events.date_column, month, reasons[month])


def recount_events(session: Session, viewer: Viewer, agency: str) -> EventUploadResult:
    """Count an agency's current events again into the newest boundaries, as one batch.

    The raw events are kept so that a new boundary vintage (or a new indicator with event
    categories) gets its counts without anyone uploading the files again.
    """
    owner = agency_id_of(session, agency)
    policy.require_owner(viewer, agency, "Recounting these events")
    indicators = indicator_repo.event_indicators(session, agency)
    result = EventUploadResult(None, "recount", 0)
    months = repo.current_event_months(session, owner)
    if not indicators or not months:
        result.notes.append(f"agency {agency!r} has no events, or no indicator counts them")
        return result
    _lock(session, owner, indicators, months)
    batch_id = open_batch(session, "recount", viewer, owner)
    result.rows = repo.load_current_points(session, owner)
    _count(session, batch_id, indicators, months, result)
    audit.record(
        session,
        viewer,
        "recount",
        detail={"batch": batch_id, "agency": agency, "rows": result.rows},
    )
    return result


def _lock(session: Session, agency_id: int, counted: list[Indicator], months: list[date]) -> None:
    """The agency's months of events, then the counts they write (see lock order)."""
    repo.lock_agency_months(session, agency_id, months)
    revisions.lock_indicator_periods(
        session, {(i.code, m.strftime("%Y-%m")) for i in counted for m in months}
    )


def _count(
    session: Session,
    batch_id: int,
    counted: list[Indicator],
    months: list[date],
    result: EventUploadResult,
) -> None:
    """Count the events in ``event_points`` into ``counted`` for ``months``, as revisions
    of batch ``batch_id``, and fill in ``result``."""
    with_areas = area_repo.types_with_areas(session)
    types = sorted({t for i in counted for t in i.area_types if t in with_areas})
    repo.assign_areas(session, types)
    summary = repo.location_summary(session)
    repo.stage_indicator_maps(
        session,
        [(i.code, c) for i in counted for c in i.event_categories],
        [(i.code, t) for i in counted for t in i.area_types if t in with_areas],
    )
    recounting = repo.counted_before(session, [i.code for i in counted], months)
    revisions.stage_values_from_query(session, repo.counts_sql(recounting), {"months": months})
    inserted, revised, unchanged = revisions.write_staged(session, batch_id)
    repo.record_coverage(session, batch_id, months)

    result.batch_id = batch_id
    result.no_location = int(summary.no_location)
    result.outside = int(summary.outside)
    result.months = [m.strftime("%Y-%m") for m in months]
    result.inserted, result.revised, result.unchanged = inserted, revised, unchanged
    batch_repo.update_batch(
        session,
        batch_id,
        rows=result.rows,
        inserted=result.inserted,
        revised=result.revised,
        unchanged=result.unchanged,
        report=json.dumps(_report(result, types)),
    )


def _indicators_by_category(indicators: list[Indicator]) -> dict[str, list[Indicator]]:
    out: dict[str, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        for category in indicator.event_categories:
            out[str(category)].append(indicator)
    return out


def _rows(events: EventBatch) -> Iterator[repo.EventRow]:
    return zip(
        events.row,
        events.category,
        [f"{m}-01" for m in events.month],
        events.lon,
        events.lat,
        events.source_id,
        events.location,
        events.reported_area,
        strict=True,
    )


def _report(result: EventUploadResult, types: list[str]) -> dict[str, Any]:
    return {**result.as_json(), "area_types": types}
