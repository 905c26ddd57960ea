"""Column matching: what each column of a CSV header (or each JSON key) is for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.observations.parsing.codes import Codes
from app.observations.parsing.errors import UploadFormatError
from app.textfiles import normalise_header

# Role -> normalised header -> rank (0 is the plainest name; ties at the best rank are errors).
_ROLE_NAMES: dict[str, dict[str, int]] = {
    "period": {
        "period": 0,
        "timeperiod": 0,
        "date": 1,
        "month": 1,
        "quarter": 1,
        "year": 1,
        "financialyear": 1,
        "academicyear": 1,
    },
    "indicator": {"indicator": 0, "indicatorcode": 0},
    "value": {"value": 0, "obsvalue": 0},
    "numerator": {"numerator": 0},
    "denominator": {"denominator": 0},
}
CANONICAL = {
    "area": "area_code",
    "period": "period",
    "indicator": "indicator",
    "value": "value",
    "numerator": "numerator",
    "denominator": "denominator",
}

# Area code columns rank by geography, finest first, after the generic names (rank 0): a
# file listing LSOAs with their local authority's code is about the LSOAs.
_AREA_GENERIC = frozenset({"areacode", "area", "code", "areacd", "geographycode", "gsscode"})
_AREA_GRAIN = {
    "area": 0,
    "geography": 0,
    "gss": 0,
    "oa": 1,
    "lsoa": 2,
    "dz": 2,
    "datazone": 2,
    "msoa": 3,
    "iz": 3,
    "ward": 4,
    "wd": 4,
    "ed": 4,
    "nhood": 5,
    "nbhd": 5,
    "neighbourhood": 5,
    "neighborhood": 5,
    "lad": 6,
    "la": 6,
    "ltla": 6,
    "utla": 6,
    "localauthority": 6,
    "localauthoritydistrict": 6,
}
_OTHER_ONS_GRAIN = 7
_ONS_CODE = re.compile(r"([a-z]+)\d{2}cd")  # LSOA11CD, WD20CD, LAD19CD...
_NAMED_CODE = re.compile(r"([a-z]+)code(?:\d{2}|\d{4})?")  # "LSOA code (2011)", "ward_code"


def _area_rank(normal: str) -> int | None:
    if normal in _AREA_GENERIC:
        return 0
    if m := _ONS_CODE.fullmatch(normal):
        return _AREA_GRAIN.get(m[1], _OTHER_ONS_GRAIN)
    if m := _NAMED_CODE.fullmatch(normal):
        return _AREA_GRAIN.get(m[1])
    return None


def role_of(header: str) -> tuple[str, int] | None:
    """The role a header names and its rank, or None for any other column."""
    normal = normalise_header(header)
    for role, names in _ROLE_NAMES.items():
        if normal in names:
            return role, names[normal]
    rank = _area_rank(normal)
    return ("area", rank) if rank is not None else None


@dataclass(frozen=True)
class Column:
    index: int
    header: str


@dataclass
class Columns:
    """What each column of a CSV header is for."""

    roles: dict[str, Column]
    indicators: dict[str, Column]  # known code -> its column, in a wide file
    others: list[Column]  # neither a role nor an indicator


def _pick_role_columns(header: list[str]) -> tuple[dict[str, Column], list[Column]]:
    candidates: dict[str, list[tuple[int, Column]]] = {}
    others: list[Column] = []
    for index, name in enumerate(header):
        column = Column(index, name)
        found = role_of(name) if name else None
        if found is None:
            others.append(column)
        else:
            candidates.setdefault(found[0], []).append((found[1], column))
    roles: dict[str, Column] = {}
    for role, ranked in candidates.items():
        best = min(rank for rank, _ in ranked)
        tied = [c for rank, c in ranked if rank == best]
        if len(tied) > 1:
            names = ", ".join(f"'{c.header}'" for c in tied)
            raise UploadFormatError(
                f"columns {names} could each be the {CANONICAL[role]} column: rename the one "
                f"to use to '{CANONICAL[role]}' or remove the others"
            )
        roles[role] = tied[0]
        others += [c for rank, c in ranked if rank != best]
    return roles, sorted(others, key=lambda c: c.index)


def classify_columns(header: list[str], codes: Codes) -> Columns:
    roles, others = _pick_role_columns(header)
    if "area" not in roles:
        found = ", ".join(f"'{h}'" for h in header if h)
        raise UploadFormatError(
            f"no area code column among {found}: name it area_code (ONS names such as "
            "LSOA11CD or 'LSOA code (2011)' are recognised too)"
        )
    indicators: dict[str, Column] = {}
    if "indicator" in roles and "value" not in roles:
        found = ", ".join(f"'{h}'" for h in header if h)
        raise UploadFormatError(
            f"no value column among {found}: a file with an indicator column needs a value "
            "column (area_code, period, indicator, value)"
        )
    if "indicator" not in roles:
        # Wide layout: value-like columns mean nothing here, so they are ignored like names.
        for role in ("value", "numerator", "denominator"):
            if role in roles:
                others.append(roles.pop(role))
        others.sort(key=lambda c: c.index)
        rest: list[Column] = []
        for column in others:
            code = codes.match_header(column.header) if column.header else None
            if code is None:
                rest.append(column)
            elif code in indicators:
                raise UploadFormatError(
                    f"columns '{indicators[code].header}' and '{column.header}' are both "
                    f"indicator {code}: keep one"
                )
            else:
                indicators[code] = column
        others = rest
    return Columns(roles, indicators, others)


def ignored_columns_note(others: list[Column], codes: Codes, wide: bool) -> str | None:
    named = [c for c in others if c.header]
    unnamed = len(others) - len(named)
    parts: list[str] = []
    for column in named:
        part = f"'{column.header}'"
        if wide and (close := codes.closest(column.header, n=1)):
            part += f" (did you mean '{close[0]}'?)"
        parts.append(part)
    if unnamed:
        parts.append(f"{unnamed} column(s) without a header")
    if not parts:
        return None
    why = " (not known indicator codes)" if wide else ""
    return f"Ignored columns{why}: {', '.join(parts)}."


def no_indicator_message(header: list[str], codes: Codes) -> str:
    close = list(dict.fromkeys(code for h in header if h for code in codes.closest(h)))
    if close:
        known = "the closest known codes are " + ", ".join(close)
    elif codes.canonical:
        shown = codes.canonical[:10]
        more = f" and {len(codes.canonical) - 10} more" if len(codes.canonical) > 10 else ""
        known = "known codes are " + ", ".join(shown) + more
    else:
        known = "no indicator codes are known for this upload"
    return (
        "no column is an indicator: a long upload needs columns area_code, period, indicator "
        "and value; a wide upload needs one column per indicator, headed by its code; "
        f"{known}"
    )
