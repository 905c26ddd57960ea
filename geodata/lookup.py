"""Reading child -> parent area lookups (e.g. LSOA -> ward) from CSV files.

Lookup files name their columns in many ways and often carry extra ones (names, Welsh names,
row indexes), so the columns are found by their values: the child column is the one whose
values best match the child areas' codes, the parent column the one that best matches the
parent areas' codes.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geodata.codes import clean_code
from geodata.errors import FieldDetectionError, LookupFileError

# Errors are listed up to this many codes, then counted.
_MAX_LISTED = 20


@dataclass
class LookupTable:
    """A child -> parent lookup.

    Attributes
    ----------
    mapping : dict of str to str
        Child code -> parent code, for rows whose child and parent codes are both known.
    child_field, parent_field : str
        The columns used.
    messages : list of str
        Which columns were used and why, and what was skipped.
    unknown_children : list of str
        Child codes in the file that are not among the known child codes (sorted).
    unknown_parents : list of str
        Parent codes in the file, for known children, that are not among the known parent
        codes (sorted).
    unmapped_children : list of str
        Known child codes that the file does not map (sorted).
    """

    mapping: dict[str, str]
    child_field: str
    parent_field: str
    messages: list[str] = field(default_factory=list)
    unknown_children: list[str] = field(default_factory=list)
    unknown_parents: list[str] = field(default_factory=list)
    unmapped_children: list[str] = field(default_factory=list)

    @property
    def child_to_parent(self) -> dict[str, str]:
        """Alias of :attr:`mapping`, named for its direction."""
        return self.mapping


def read_lookup(
    path: str | Path,
    child_codes: set[str],
    parent_codes: set[str],
    child_field: str | None = None,
    parent_field: str | None = None,
) -> LookupTable:
    """Read a CSV lookup of child areas to parent areas.

    Parameters
    ----------
    path : str or Path
        CSV file, UTF-8 (a byte-order mark is tolerated), comma, semicolon or tab separated.
    child_codes : set of str
        Codes of the child areas already loaded (e.g. LSOA codes).
    parent_codes : set of str
        Codes of the parent areas already loaded (e.g. ward codes).
    child_field, parent_field : str, optional
        Explicit columns (matched case-insensitively); detected from the values otherwise.

    Returns
    -------
    LookupTable
        The mapping, the columns used and what did not match.

    Raises
    ------
    LookupFileError
        The file cannot be read, or a child is mapped to two different parents.
    FieldDetectionError
        An explicit column does not exist, or no column matches the child or parent codes.
    """
    table = _read_csv(Path(path))
    columns = [str(c) for c in table.columns]
    values = {c: [clean_code(v) for v in table[c].tolist()] for c in columns}
    messages: list[str] = []

    child = _choose(columns, values, child_codes, child_field, "child", set(), messages)
    parent = _choose(columns, values, parent_codes, parent_field, "parent", {child}, messages)

    parents_of: defaultdict[str, set[str]] = defaultdict(set)
    blank_rows = 0
    for child_code, parent_code in zip(values[child], values[parent], strict=True):
        if child_code is None or parent_code is None:
            blank_rows += 1
            continue
        parents_of[child_code].add(parent_code)
    if blank_rows:
        messages.append(f"Skipped {blank_rows} row(s) with a blank child or parent code.")

    ambiguous = sorted(c for c, ps in parents_of.items() if len(ps) > 1)
    if ambiguous:
        listed = "; ".join(
            f"{c} -> {', '.join(sorted(parents_of[c]))}" for c in ambiguous[:_MAX_LISTED]
        )
        more = f" … and {len(ambiguous) - _MAX_LISTED} more" if len(ambiguous) > _MAX_LISTED else ""
        raise LookupFileError(
            f"{len(ambiguous)} child area(s) are mapped to more than one parent in "
            f"{Path(path).name} ({child} -> {parent}): {listed}{more}.",
            code="ambiguous_lookup",
            hint="each child area must belong to exactly one parent; use a best-fit lookup.",
        )

    mapping: dict[str, str] = {}
    unknown_parents: set[str] = set()
    for child_code, ps in parents_of.items():
        parent_code = next(iter(ps))
        if child_code not in child_codes:
            continue
        if parent_code in parent_codes:
            mapping[child_code] = parent_code
        else:
            unknown_parents.add(parent_code)
    unknown_children = sorted(set(parents_of) - child_codes)
    unmapped = sorted(child_codes - set(mapping))
    messages.append(f"Mapped {len(mapping)} of {len(child_codes)} child areas.")
    if unknown_children:
        messages.append(
            f"{len(unknown_children)} child code(s) in the file are not loaded "
            "areas and were ignored."
        )
    if unknown_parents:
        messages.append(
            f"{len(unknown_parents)} parent code(s) in the file are not loaded "
            "areas; their children were not mapped."
        )
    return LookupTable(
        mapping=mapping,
        child_field=child,
        parent_field=parent,
        messages=messages,
        unknown_children=unknown_children,
        unknown_parents=sorted(unknown_parents),
        unmapped_children=unmapped,
    )


# --- helpers -------------------------------------------------------------------------------


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            sample = handle.read(64_000)
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
        # everything as text: codes such as "00CG" or "01" must keep their leading zeros
        return pd.read_csv(
            path,
            sep=delimiter,
            dtype=str,
            encoding="utf-8-sig",
            keep_default_na=False,
            na_values=["", "NA", "N/A", "NULL"],
        )
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LookupFileError(
            f"Cannot read lookup file {path.name}: {exc}",
            code="unreadable_lookup",
            hint="the lookup must be a UTF-8 CSV file with a header row.",
        ) from exc


def _is_unnamed(column: str) -> bool:
    # pandas names a blank header "Unnamed: 0"; such columns are usually row numbers
    return column.strip() == "" or column.startswith("Unnamed:")


def _choose(
    columns: list[str],
    values: dict[str, list[str | None]],
    codes: set[str],
    explicit: str | None,
    role: str,
    exclude: set[str],
    messages: list[str],
) -> str:
    if explicit is not None:
        matches = [c for c in columns if c == explicit] or [
            c for c in columns if c.casefold() == explicit.strip().casefold()
        ]
        if len(matches) != 1:
            raise FieldDetectionError(
                f"The lookup has no column {explicit!r}. Its columns are: {', '.join(columns)}.",
                code=f"unknown_{role}_field",
                columns=columns,
            )
        messages.append(f"{role.capitalize()} field: {matches[0]} (as requested).")
        return matches[0]

    def score(column: str) -> tuple[int, float, bool]:
        present = {v for v in values[column] if v is not None}
        hits = len(present & codes)
        share = hits / len(present) if present else 0.0
        # most codes matched, then purest column, then a real header over a row index
        return hits, share, not _is_unnamed(column)

    candidates = [c for c in columns if c not in exclude]
    best = max(candidates, key=score, default=None)
    if best is None or score(best)[0] == 0:
        example = ", ".join(sorted(codes)[:3])
        raise FieldDetectionError(
            f"No column of the lookup holds the {role} area codes (e.g. {example}). "
            f"Its columns are: {', '.join(columns)}.",
            code=f"{role}_field_not_found",
            hint=f"check the lookup is for these areas, or name the {role} column "
            f"(--{role}-field).",
            columns=columns,
        )
    hits = score(best)[0]
    messages.append(
        f"{role.capitalize()} field: {best} ({hits} of {len(codes)} {role} codes found)."
    )
    return best
