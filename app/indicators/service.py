"""The catalogue: importing it, and the indicators a viewer may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.access import policy
from app.access import repository as agency_repo
from app.access.service import create_agency
from app.access.viewer import Viewer
from app.errors import NotFoundError, UploadRejectedError
from app.indicators import repository as repo
from app.indicators.catalogue import CatalogueError, read_catalogue
from app.indicators.indicator import Indicator


@dataclass
class CatalogueImport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    new_agencies: list[str] = field(default_factory=list)


def parse_catalogue(
    session: Session, data: bytes | str, content_type: str | None
) -> list[Indicator]:
    """Read a catalogue file; references may point at indicators already stored."""
    try:
        return read_catalogue(data, content_type, known_indicators=repo.list_indicators(session))
    except CatalogueError as exc:
        raise UploadRejectedError(
            str(exc),
            errors=[
                {"row": row, "column": column, "reason": reason}
                for row, column, reason in exc.problems
            ],
        ) from exc


def import_catalogue(
    session: Session, viewer: Viewer, indicators: list[Indicator]
) -> CatalogueImport:
    """Create or update indicators (administrators only); unknown agencies are created."""
    policy.require_admin(viewer)
    result = CatalogueImport()
    agency_ids: dict[str, int] = {}
    for indicator in indicators:
        if indicator.agency not in agency_ids:
            row = agency_repo.agency_by_name(session, indicator.agency)
            if row is None:
                agency_ids[indicator.agency] = create_agency(session, indicator.agency)
                result.new_agencies.append(indicator.agency)
            else:
                agency_ids[indicator.agency] = int(row.id)
        created = repo.upsert_indicator(session, indicator, agency_ids[indicator.agency])
        (result.created if created else result.updated).append(indicator.code)
    return result


def visible_indicator(session: Session, viewer: Viewer, code: str) -> Indicator:
    """One indicator, as if those the viewer may not see did not exist."""
    found = repo.indicator(session, code)
    if found is None or not _may_see(session, viewer, found):
        raise NotFoundError(f"There is no indicator {code!r}")
    return found


def visible_indicators(session: Session, viewer: Viewer) -> list[Indicator]:
    """The catalogue as the viewer may see it."""
    every = repo.list_indicators(session)
    by_code = {i.code: i for i in every}
    return [i for i in every if _may_see(session, viewer, i, by_code)]


def _may_see(
    session: Session,
    viewer: Viewer,
    indicator: Indicator,
    known: dict[str, Indicator] | None = None,
) -> bool:
    """The policy's answer for the indicator and the counts it is computed from (a
    catalogue stored before imports refused such a definition must not leak either)."""
    codes = [c for c in (indicator.numerator, indicator.denominator) if c is not None]
    if codes and known is None:
        known = repo.indicators_by_code(session, codes)
    inputs = [known[c] for c in codes if known is not None and c in known]
    return policy.may_see_indicator(viewer, indicator, inputs)
