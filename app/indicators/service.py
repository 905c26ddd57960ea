"""The catalogue: importing it, and who may see which indicator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.agencies import repository as agency_repo
from app.agencies.service import Principal, create_agency
from app.errors import NotFoundError, UploadRejectedError
from app.indicators import repository as repo
from app.indicators.catalogue import CatalogueError, IndicatorSpec, read_catalogue


@dataclass
class CatalogueImport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    new_agencies: list[str] = field(default_factory=list)


def parse_catalogue(
    session: Session, data: bytes | str, content_type: str | None
) -> list[IndicatorSpec]:
    """Read a catalogue file; references may point at indicators already stored."""
    try:
        return read_catalogue(data, content_type, known_codes=set(repo.all_codes(session)))
    except CatalogueError as exc:
        raise UploadRejectedError(
            str(exc),
            errors=[
                {"row": row, "column": column, "reason": reason}
                for row, column, reason in exc.problems
            ],
        ) from exc


def import_catalogue(
    session: Session, principal: Principal, specs: list[IndicatorSpec]
) -> CatalogueImport:
    """Create or update indicators (administrators only); unknown agencies are created."""
    principal.require_admin()
    result = CatalogueImport()
    agency_ids: dict[str, int] = {}
    for spec in specs:
        if spec.agency not in agency_ids:
            row = agency_repo.agency_by_name(session, spec.agency)
            if row is None:
                agency_ids[spec.agency] = create_agency(session, spec.agency)
                result.new_agencies.append(spec.agency)
            else:
                agency_ids[spec.agency] = int(row.id)
        created = repo.upsert_indicator(session, _fields(spec, agency_ids[spec.agency]))
        (result.created if created else result.updated).append(spec.code)
    return result


def _fields(spec: IndicatorSpec, agency_id: int) -> dict[str, Any]:
    return {
        "code": spec.code,
        "title": spec.title,
        "definition": spec.definition,
        "agency_id": agency_id,
        "topic": spec.topic,
        "value_type": str(spec.value_type),
        "multiplier": spec.multiplier,
        "unit": spec.unit,
        "polarity": str(spec.polarity),
        "period_type": str(spec.period_type),
        "source": spec.source,
        "licence": spec.licence,
        "area_types": list(spec.area_types),
        "disclosure_threshold": spec.disclosure_threshold,
        "visibility": str(spec.visibility),
        "numerator": spec.numerator,
        "denominator": spec.denominator,
        "event_categories": list(spec.event_categories),
    }


def can_see(indicator: Row[Any], principal: Principal | None) -> bool:
    """The public sees public indicators; any partner key sees them all."""
    return principal is not None or indicator.visibility == "public"


def visible_indicator(session: Session, code: str, principal: Principal | None) -> Row[Any]:
    """One indicator, as if partners-only ones did not exist for the public."""
    row = repo.indicators_by_code(session, [code]).get(code)
    if row is None or not can_see(row, principal):
        raise NotFoundError(f"There is no indicator {code!r}")
    return row


def list_indicators(session: Session, principal: Principal | None) -> list[dict[str, Any]]:
    return [indicator_out(r) for r in repo.list_indicators(session, principal is not None)]


def indicator_out(row: Row[Any]) -> dict[str, Any]:
    out = dict(row._mapping)
    out.pop("agency_id", None)
    out["area_types"] = list(out["area_types"])
    out["event_categories"] = list(out["event_categories"])
    return out
