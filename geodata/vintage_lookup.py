"""Reading boundary-change lookups between two vintages of one area type (e.g. the 2011
LSOAs to the 2021 LSOAs), with the ONS change classes and population shares.

A lookup has one row per pair of a FROM area and a TO area sharing people:

- the two codes (``LSOA11CD``, ``LSOA21CD``, … or ``from_code``, ``to_code``);
- ``share``: the fraction of the FROM area's people living in the TO area (``Prop21of11``
  in the ONS-derived population-weighted lookups);
- optionally ``to_share``: the fraction of the TO area's people who lived in the FROM
  area (``Prop11of21``);
- the change class (``Category``, ``CHGIND`` or ``change``): U unchanged, S split,
  M merged, X redrawn.

This module reads and checks the file on its own (numbers, classes, shares summing to 1);
whether the codes are loaded areas is for the caller. It knows nothing of databases.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

CHANGE_CLASSES = {"U": "unchanged", "S": "split", "M": "merged", "X": "redrawn"}
# How far a FROM area's shares (or a TO area's) may sum from 1: published shares are
# rounded, and postcode head counts leave a few people unplaced.
SHARE_TOLERANCE = 0.01
_CODE_FIELD = re.compile(r"([A-Za-z]+)(\d{2})CD", re.IGNORECASE)
_CHANGE_FIELDS = ("category", "chgind", "change", "change_class")

# (row, column, value, reason): the row is the file's line (the header is line 1).
Problem = tuple[int | None, str | None, str | None, str]


@dataclass(frozen=True)
class LinkRow:
    """One row of a lookup: ``share`` of the FROM area's people live in the TO area."""

    row: int
    from_code: str
    to_code: str
    change: str
    share: float
    to_share: float | None


@dataclass
class VintageLookup:
    """A lookup as read, with every problem found in it.

    ``type_code`` and the vintages are what the header says (``LSOA11CD`` → ``lsoa``,
    2011), or None where it says nothing.
    """

    type_code: str | None
    from_vintage: int | None
    to_vintage: int | None
    columns: dict[str, str]
    rows: list[LinkRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_vintage_lookup(
    path: Path, from_vintage: int | None = None, to_vintage: int | None = None
) -> VintageLookup:
    """Read a lookup CSV (gzipped when its name ends ``.gz``; UTF-8, a BOM tolerated).

    ``from_vintage`` and ``to_vintage`` pick the code columns when a header holds codes
    of more than two years, or turn a lookup round (``--from-vintage 2021``).

    Examples
    --------
    >>> lookup = read_vintage_lookup(Path("lsoa11_lsoa21_lookup.csv.gz"))  # doctest: +SKIP
    >>> lookup.type_code, lookup.from_vintage, lookup.to_vintage  # doctest: +SKIP
    ('lsoa', 2011, 2021)
    """
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        return VintageLookup(None, None, None, {}, problems=[(1, None, None, "the file is empty")])
    header = [h.strip() for h in header]
    lookup = _columns(header, from_vintage, to_vintage)
    if lookup.problems:
        return lookup
    index = {name: header.index(name) for name in lookup.columns.values()}
    for line, record in enumerate(reader, start=2):
        if not any(v.strip() for v in record):
            continue
        _read_row(lookup, line, record, index)
    lookup.problems += check_shares(lookup.rows)
    return lookup


def _columns(header: list[str], from_vintage: int | None, to_vintage: int | None) -> VintageLookup:
    """Which columns hold what, from the header's names."""
    lower = {h.lower(): h for h in header}
    problems: list[Problem] = []
    coded: dict[int, tuple[str, str]] = {}  # year -> (prefix, column)
    for h in header:
        if match := _CODE_FIELD.fullmatch(h):
            coded[2000 + int(match.group(2))] = (match.group(1).lower(), h)
    columns: dict[str, str] = {}
    type_code: str | None = None
    if "from_code" in lower and "to_code" in lower:
        columns["from_code"], columns["to_code"] = lower["from_code"], lower["to_code"]
    elif len(coded) >= 2:
        years = sorted(coded)
        fy = from_vintage if from_vintage is not None else years[0]
        ty = to_vintage if to_vintage is not None else years[-1]
        if fy not in coded or ty not in coded or fy == ty:
            problems.append(
                (1, None, ", ".join(header), f"no code columns for vintages {fy} and {ty}")
            )
        else:
            from_vintage, to_vintage = fy, ty
            type_code = coded[fy][0]
            columns["from_code"], columns["to_code"] = coded[fy][1], coded[ty][1]
    else:
        problems.append(
            (1, None, ", ".join(header),
             "cannot tell the code columns: name them like LSOA11CD and LSOA21CD, "
             "or from_code and to_code")
        )  # fmt: skip
    yy = (
        (f"{from_vintage % 100:02d}", f"{to_vintage % 100:02d}")
        if from_vintage is not None and to_vintage is not None
        else None
    )
    share_names = ["share"] + ([f"prop{yy[1]}of{yy[0]}"] if yy else [])
    to_share_names = ["to_share"] + ([f"prop{yy[0]}of{yy[1]}"] if yy else [])
    for role, names in (("share", share_names), ("to_share", to_share_names)):
        found = next((lower[n] for n in names if n in lower), None)
        if found is not None:
            columns[role] = found
    change = next((lower[n] for n in _CHANGE_FIELDS if n in lower), None)
    if change is not None:
        columns["change"] = change
    for role, hint in (("share", share_names), ("change", _CHANGE_FIELDS)):
        if role not in columns and not problems:
            problems.append(
                (1, None, ", ".join(header), f"no {role} column (one of: {', '.join(hint)})")
            )
    return VintageLookup(type_code, from_vintage, to_vintage, columns, problems=problems)


def _read_row(lookup: VintageLookup, line: int, record: list[str], index: dict[str, int]) -> None:
    def cell(role: str) -> str:
        i = index[lookup.columns[role]]
        return record[i].strip() if i < len(record) else ""

    problems: list[Problem] = []
    codes = {}
    for role in ("from_code", "to_code"):
        codes[role] = cell(role).upper()
        if not codes[role]:
            problems.append((line, lookup.columns[role], "", "missing code"))
    change = cell("change").upper()
    if change not in CHANGE_CLASSES:
        problems.append(
            (line, lookup.columns["change"], change, "change class must be one of U, S, M, X")
        )
    shares: dict[str, float | None] = {"to_share": None}
    for role in ("share", "to_share"):
        if role not in lookup.columns:
            continue
        text = cell(role)
        try:
            number = float(text)
        except ValueError:
            problems.append((line, lookup.columns[role], text, "not a number"))
            continue
        if not 0.0 <= number <= 1.0:  # NaN fails too
            problems.append((line, lookup.columns[role], text, "a share must be from 0 to 1"))
            continue
        shares[role] = number
    if not problems and change == "U" and (shares["share"] or 0) < 1 - SHARE_TOLERANCE:
        problems.append(
            (line, lookup.columns["share"], cell("share"),
             "an unchanged (U) area keeps all its people: its share must be 1")
        )  # fmt: skip
    if problems:
        lookup.problems += problems
        return
    share = shares["share"]
    assert share is not None
    lookup.rows.append(
        LinkRow(line, codes["from_code"], codes["to_code"], change, share, shares["to_share"])
    )


def check_shares(rows: list[LinkRow]) -> list[Problem]:
    """A FROM area's shares (and a TO area's ``to_share``, where given) must sum to 1,
    and no pair may come twice."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    by_from: dict[str, list[LinkRow]] = defaultdict(list)
    by_to: dict[str, list[LinkRow]] = defaultdict(list)
    for r in rows:
        first = seen.setdefault((r.from_code, r.to_code), r.row)
        if first != r.row:
            problems.append(
                (r.row, None, f"{r.from_code} → {r.to_code}", f"duplicate of row {first}")
            )
        by_from[r.from_code].append(r)
        by_to[r.to_code].append(r)
    for role, groups in (("share", by_from), ("to_share", by_to)):
        for code, group in groups.items():
            values = [getattr(r, role) for r in group]
            if any(v is None for v in values):
                continue
            total = sum(values)
            if abs(total - 1.0) > SHARE_TOLERANCE:
                where = "FROM" if role == "share" else "TO"
                listed = ", ".join(str(r.row) for r in group[:10])
                problems.append(
                    (group[0].row, role, f"{total:.4g}",
                     f"the {role}s of {where} area {code} (rows {listed}) sum to {total:.4g}, "
                     "not 1")
                )  # fmt: skip
    return problems
