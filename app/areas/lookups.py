"""Importing a boundary-change lookup between two vintages of one area type
(``nis import-lookup``), all or nothing.

The file is read and checked by :mod:`geodata.vintage_lookup`; here its codes are matched
to the loaded areas. A national lookup may be loaded where only one city's areas are:
rows with both ends loaded are kept, rows with neither are skipped, and rows with one
end only are kept out and listed (the loaded vintages do not cover the same ground
there). Re-importing replaces the lookup of that pair of vintages. Values are converted
with it when read (:mod:`app.observations.conversion`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from app.areas import lookup_repository as repo
from app.areas import repository as area_repo
from app.errors import ImportRejectedError
from app.progress import SILENT, Progress
from geodata.vintage_lookup import CHANGE_CLASSES, LinkRow, Problem, read_vintage_lookup

_LISTED = 10


@dataclass(frozen=True)
class LookupRequest:
    path: Path
    type_code: str | None = None
    from_vintage: int | None = None
    to_vintage: int | None = None


@dataclass
class LookupReport:
    type_code: str
    from_vintage: int
    to_vintage: int
    kept: int
    by_change: dict[str, int]
    skipped: int  # neither end loaded
    half: list[str]  # one end loaded: "FROM → TO (which end is missing)"
    replaced: int
    messages: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What the command prints."""
        classes = ", ".join(
            f"{n} {CHANGE_CLASSES[c]}" for c, n in sorted(self.by_change.items()) if n
        )
        out = [
            *self.messages,
            f"kept {self.kept} links from {self.type_code} {self.from_vintage} to "
            f"{self.to_vintage} ({classes or 'none'})",
            f"skipped {self.skipped} rows whose areas are not loaded (neither end)",
        ]
        if self.half:
            shown = "; ".join(self.half[:_LISTED])
            more = f" and {len(self.half) - _LISTED} more" if len(self.half) > _LISTED else ""
            out.append(
                f"skipped {len(self.half)} rows with one end loaded only (the loaded vintages "
                f"do not cover the same ground there): {shown}{more}"
            )
        if self.replaced:
            out.append(f"replaced the {self.replaced} links imported before")
        return out


def import_lookup(
    session: Session, request: LookupRequest, progress: Progress = SILENT
) -> LookupReport:
    """Check a lookup against the loaded areas and store it (see the module docstring)."""
    lookup = read_vintage_lookup(request.path, request.from_vintage, request.to_vintage)
    what = f"the lookup {request.path.name}"
    _reject_if(lookup.problems, what)
    type_code = (request.type_code or lookup.type_code or "").strip().lower()
    from_v = request.from_vintage or lookup.from_vintage
    to_v = request.to_vintage or lookup.to_vintage
    if not type_code:
        raise ImportRejectedError(f"Cannot tell the area type of {what}: give --type")
    if from_v is None or to_v is None:
        raise ImportRejectedError(
            f"Cannot tell the vintages of {what}: give --from-vintage and --to-vintage"
        )
    if not area_repo.area_type_exists(session, type_code):
        raise ImportRejectedError(f"Unknown area type {type_code!r}: import its areas first")
    from_ids = area_repo.area_codes(session, type_code, from_v)
    to_ids = area_repo.area_codes(session, type_code, to_v)
    for vintage, ids in ((from_v, from_ids), (to_v, to_ids)):
        if not ids:
            raise ImportRejectedError(
                f"No {type_code} areas of vintage {vintage} are loaded: import them first "
                f"(nis import-areas FILE --type {type_code} --vintage {vintage})"
            )
    messages = [
        f"{type_code} {from_v} → {to_v}; columns "
        + ", ".join(f"{role} = {name}" for role, name in lookup.columns.items())
    ]

    kept: list[LinkRow] = []
    half: list[str] = []
    skipped = 0
    with progress("matching the lookup's codes", len(lookup.rows)) as advance:
        for r in lookup.rows:
            known = (r.from_code in from_ids, r.to_code in to_ids)
            if all(known):
                kept.append(r)
            elif any(known):
                gone = f"{to_v} {r.to_code}" if known[0] else f"{from_v} {r.from_code}"
                half.append(f"row {r.row} {r.from_code} → {r.to_code} (no {gone})")
            else:
                skipped += 1
            advance(1)
    if not kept:
        raise ImportRejectedError(
            f"No row of {what} links two loaded areas: its codes are not {type_code} "
            f"{from_v} and {to_v} codes, or the wrong areas are loaded",
        )
    to_shares = _to_shares(session, kept, from_ids, what)
    links = [
        (from_ids[r.from_code], to_ids[r.to_code], r.change, r.share, to_shares[r.row])
        for r in kept
    ]
    missing = sorted(set(from_ids) - {r.from_code for r in kept})
    if missing:
        shown = ", ".join(missing[:_LISTED])
        messages.append(
            f"{len(missing)} loaded {type_code} {from_v} areas are in no kept row, so their "
            f"values are not converted: {shown}{' …' if len(missing) > _LISTED else ''}"
        )
    replaced = repo.delete_links(session, type_code, from_v, to_v)
    with progress("writing the lookup", len(links)) as advance:
        repo.insert_links(session, links)
        advance(len(links))
    return LookupReport(
        type_code,
        from_v,
        to_v,
        len(kept),
        dict(Counter(r.change for r in kept)),
        skipped,
        half,
        replaced,
        messages,
    )


def _to_shares(
    session: Session, kept: list[LinkRow], from_ids: dict[str, int], what: str
) -> dict[int, float]:
    """Each kept row's ``to_share``: as given, or else the TO area's share of the people
    sent to it, from the FROM areas' populations."""
    if all(r.to_share is not None for r in kept):
        return {r.row: float(r.to_share or 0.0) for r in kept}
    pops = repo.populations(session, [from_ids[r.from_code] for r in kept])
    unknown = sorted({r.from_code for r in kept if pops.get(from_ids[r.from_code]) is None})
    if unknown:
        raise ImportRejectedError(
            f"{what} has no to_share column, and working it out needs the FROM areas' "
            f"populations, unknown for {len(unknown)}: {', '.join(unknown[:_LISTED])} "
            "(import them with --population-field, or give to_share)"
        )
    people = {r.row: r.share * float(pops[from_ids[r.from_code]] or 0) for r in kept}
    totals: dict[str, float] = defaultdict(float)
    for r in kept:
        totals[r.to_code] += people[r.row]
    return {r.row: people[r.row] / totals[r.to_code] if totals[r.to_code] else 0.0 for r in kept}


def _reject_if(problems: list[Problem], what: str) -> None:
    if not problems:
        return
    raise ImportRejectedError(
        f"{what} has {len(problems)} problem(s); nothing was written",
        errors=[
            {"row": row, "column": column, "value": value, "reason": reason}
            for row, column, value, reason in sorted(problems, key=lambda p: p[0] or 0)
        ],
    )
