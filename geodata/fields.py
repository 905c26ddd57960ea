"""Finding the area code and name columns of a boundary layer.

Boundary files name their columns in many ways: ONS uses ``LSOA11CD``/``LSOA11NM``, councils
use ``nhood_code``/``nhood_name`` or ``ca_number``/``ca_name``. Detection ranks the columns by
how code-like (or name-like) their names are, prefers those whose prefix matches the area
type, and, when values are available, only picks a code column whose values are unique and
never blank. Every choice is explained in ``messages``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from geodata.codes import clean_code
from geodata.errors import FieldDetectionError

# Area types and the column prefixes that denote them (compared case-insensitively).
AREA_TYPE_ALIASES: dict[str, frozenset[str]] = {
    "lsoa": frozenset({"lsoa"}),
    "msoa": frozenset({"msoa"}),
    "oa": frozenset({"oa"}),
    "ward": frozenset({"wd", "ward"}),
    "neighbourhood": frozenset({"nhood", "nbhd", "neighbourhood", "neighborhood"}),
    "lac": frozenset({"ca", "lac"}),
    "lad": frozenset({"lad"}),
}
# Other spellings of the area types above.
_AREA_TYPE_SYNONYMS: dict[str, str] = {
    "neighborhood": "neighbourhood",
    "nhood": "neighbourhood",
    "nbhd": "neighbourhood",
    "committee": "lac",
    "localareacommittee": "lac",
    "la": "lad",
    "localauthority": "lad",
    "wd": "ward",
}

_ONS_CODE = re.compile(r"^(?P<prefix>[A-Za-z]+)(?P<year>\d{2})CD$", re.IGNORECASE)
_ONS_NAME = re.compile(r"^(?P<prefix>[A-Za-z]+)(?P<year>\d{2})NM$", re.IGNORECASE)

# Code column patterns, best first; the rank is the index. Ids come last: an object id is
# unique but means nothing outside the file.
_CODE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (_ONS_CODE, "ONS code column"),
    (re.compile(r"^(?P<prefix>)(area_?code|gss_?code)$", re.IGNORECASE), "area code column"),
    (re.compile(r"^(?P<prefix>)code$", re.IGNORECASE), "code column"),
    (re.compile(r"^(?P<prefix>.+?)_?code$", re.IGNORECASE), "code column"),
    (re.compile(r"^(?P<prefix>.+?)_(number|num|no)$", re.IGNORECASE), "number column"),
    (
        re.compile(r"^(?:(?P<prefix>.+?)_)?(object_?id|fid|id)$", re.IGNORECASE),
        "identifier column",
    ),
]
_ID_RANK = len(_CODE_PATTERNS) - 1

_NAME_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (_ONS_NAME, "ONS name column"),
    (re.compile(r"^(?P<prefix>)area_?name$", re.IGNORECASE), "area name column"),
    (re.compile(r"^(?P<prefix>)name$", re.IGNORECASE), "name column"),
    (re.compile(r"^(?P<prefix>.+?)_?name$", re.IGNORECASE), "name column"),
]


@dataclass
class FieldChoice:
    """The columns holding the area code and name.

    Attributes
    ----------
    code_field : str
        Column with the unique area code.
    name_field : str or None
        Column with the area name; None when there is none (the code is used as name).
    messages : list of str
        Which columns were used and why.
    """

    code_field: str
    name_field: str | None
    messages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Candidate:
    column: str
    rank: int
    prefix: str
    description: str
    position: int


def normalise_area_type(area_type: str) -> str:
    """Return the canonical spelling of an area type ("Neighborhood" -> "neighbourhood")."""
    key = re.sub(r"[^a-z0-9]", "", area_type.lower())
    return _AREA_TYPE_SYNONYMS.get(key, key)


def area_type_prefixes(area_type: str) -> frozenset[str]:
    """Column prefixes that denote ``area_type``; the type itself for unknown types."""
    key = normalise_area_type(area_type)
    return AREA_TYPE_ALIASES.get(key, frozenset({key}))


def detect_fields(
    data: pd.DataFrame | Iterable[str],
    area_type: str,
    code_field: str | None = None,
    name_field: str | None = None,
) -> FieldChoice:
    """Choose the code and name columns of a boundary layer.

    Parameters
    ----------
    data : pandas.DataFrame, geopandas.GeoDataFrame or iterable of str
        The layer, or just its column names. With values, a code column is only chosen
        automatically if its values are unique and never blank.
    area_type : str
        E.g. ``"lsoa"``, ``"ward"``, ``"neighbourhood"``, ``"lac"``; columns whose prefix
        matches it (``WD20CD`` for wards, ``nhood_code`` for neighbourhoods) are preferred.
    code_field, name_field : str, optional
        Explicit choices, matched case-insensitively; they bypass detection.

    Returns
    -------
    FieldChoice
        The columns used, with messages saying why.

    Raises
    ------
    FieldDetectionError
        An explicit column does not exist, or no usable code column was found. The error
        lists the available columns.
    """
    frame = data if isinstance(data, pd.DataFrame) else None
    columns = [str(c) for c in (data.columns if isinstance(data, pd.DataFrame) else data)]
    geometry = getattr(frame, "_geometry_column_name", None)
    columns = [c for c in columns if c != geometry]
    prefixes = area_type_prefixes(area_type)
    messages: list[str] = []

    if code_field is not None:
        code = resolve_field(code_field, columns, "code")
        messages.append(f"Code field: {code} (as requested).")
    else:
        code = _detect_code(columns, frame, prefixes, area_type, messages)

    if name_field is not None:
        name: str | None = resolve_field(name_field, columns, "name")
        messages.append(f"Name field: {name} (as requested).")
    else:
        name = _detect_name(columns, code, prefixes, messages)
    return FieldChoice(code_field=code, name_field=name, messages=messages)


# --- helpers -------------------------------------------------------------------------------


def resolve_field(requested: str, columns: list[str], what: str) -> str:
    """The column a user named, matched exactly or else ignoring case.

    Raises
    ------
    FieldDetectionError
        No column (or several, differing only in case) matches; lists the columns.
    """
    if requested in columns:
        return requested
    folded = [c for c in columns if c.casefold() == requested.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise FieldDetectionError(
        f"There is no {what} field {requested!r}. The columns are: {', '.join(columns)}.",
        code=f"unknown_{what}_field",
        hint=f"choose one of the columns listed as the {what} field.",
        columns=columns,
    )


def _candidates(
    columns: list[str], patterns: list[tuple[re.Pattern[str], str]]
) -> list[_Candidate]:
    found = []
    for position, column in enumerate(columns):
        for rank, (pattern, description) in enumerate(patterns):
            match = pattern.match(column)
            if match:
                prefix = match.group("prefix") or ""
                found.append(_Candidate(column, rank, prefix, description, position))
                break
    return found


def _prefix_matches(candidate: _Candidate, prefixes: frozenset[str]) -> bool:
    return candidate.prefix.lower().rstrip("_") in prefixes


def _unusable_reason(frame: pd.DataFrame, column: str) -> str | None:
    """Why a column cannot serve as code column (blank or repeated values), or None."""
    values = [clean_code(v) for v in frame[column].tolist()]
    blanks = sum(v is None for v in values)
    if blanks:
        return f"{blanks} of {len(values)} values are blank"
    distinct = len(set(values))
    if distinct < len(values):
        plural = "s" if distinct != 1 else ""
        return f"only {distinct} distinct value{plural} over {len(values)} rows"
    return None


def _detect_code(
    columns: list[str],
    frame: pd.DataFrame | None,
    prefixes: frozenset[str],
    area_type: str,
    messages: list[str],
) -> str:
    candidates = sorted(
        _candidates(columns, _CODE_PATTERNS),
        # ids last whatever their prefix, then prefix matching the area type, then by how
        # code-like the name is, then file order.
        key=lambda c: (c.rank == _ID_RANK, not _prefix_matches(c, prefixes), c.rank, c.position),
    )
    rejected: list[str] = []
    for candidate in candidates:
        reason = _unusable_reason(frame, candidate.column) if frame is not None else None
        if reason is not None:
            rejected.append(f"{candidate.column} ({reason})")
            continue
        why = candidate.description
        if _prefix_matches(candidate, prefixes):
            why += f" matching area type {area_type!r}"
        if frame is not None:
            why += f", {len(frame)} unique values"
        else:
            why += "; values not checked"
        messages.append(f"Code field: {candidate.column} ({why}).")
        if rejected:
            messages.append("Not used as code field: " + "; ".join(rejected) + ".")
        return candidate.column
    fallback = _fallback_code(candidates, frame)
    if fallback is not None:
        # A code column with a few repeats or blanks is still the code column: choosing
        # it lets validation name every bad feature instead of a vague "no code field".
        messages.append(
            f"Code field: {fallback} (the most code-like column, although "
            f"{_unusable_reason(frame, fallback) if frame is not None else 'unchecked'})."
        )
        return fallback
    detail = f" Rejected: {'; '.join(rejected)}." if rejected else ""
    raise FieldDetectionError(
        f"No column looks like a unique area code.{detail} The columns are: {', '.join(columns)}.",
        code="code_field_not_found",
        hint="say which column holds the area code (--code-field).",
        columns=columns,
    )


def _fallback_code(candidates: list[_Candidate], frame: pd.DataFrame | None) -> str | None:
    """The best non-id candidate whose values mostly differ (not a constant column)."""
    if frame is None:
        return None
    for candidate in candidates:
        if candidate.rank == _ID_RANK:
            continue
        values = [clean_code(v) for v in frame[candidate.column].tolist()]
        if len({v for v in values if v is not None}) > len(values) // 2:
            return candidate.column
    return None


def _code_stem(code_field: str) -> str:
    """The part of a code column's name that its name column shares.

    ``LSOA11CD`` -> ``lsoa11``, ``nhood_code`` -> ``nhood``, ``ca_number`` -> ``ca``.
    """
    match = _ONS_CODE.match(code_field)
    if match:
        return (match.group("prefix") + match.group("year")).lower()
    for pattern, _ in _CODE_PATTERNS[1:]:
        match = pattern.match(code_field)
        if match:
            return (match.group("prefix") or "").lower().rstrip("_")
    return code_field.lower()


def _name_stem(candidate: _Candidate) -> str:
    match = _ONS_NAME.match(candidate.column)
    if match:
        return (match.group("prefix") + match.group("year")).lower()
    return candidate.prefix.lower().rstrip("_")


def _detect_name(
    columns: list[str], code_field: str, prefixes: frozenset[str], messages: list[str]
) -> str | None:
    stem = _code_stem(code_field)
    candidates = [c for c in _candidates(columns, _NAME_PATTERNS) if c.column != code_field]
    if not candidates:
        messages.append(
            f"Name field: none found; the code ({code_field}) will be used as the name."
        )
        return None
    best = min(
        candidates,
        key=lambda c: (_name_stem(c) != stem, not _prefix_matches(c, prefixes), c.rank, c.position),
    )
    why = f"pairs with {code_field}" if _name_stem(best) == stem else best.description
    messages.append(f"Name field: {best.column} ({why}).")
    return best.column
