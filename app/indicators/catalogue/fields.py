"""Parsers of single field values, from CSV text or JSON values."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import TypeVar

from app.indicators.catalogue.spec import LIST_SEPARATOR
from app.indicators.indicator import MAX_STORABLE_VALUE
from app.indicators.periods import MAX_YEAR, MIN_YEAR

_CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_CODE_MAX = 63  # codes become URL segments and column names; PostgreSQL cuts names at 63
_INTEGER = re.compile(
    r"^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)$", re.ASCII
)  # "1,000" as Excel may save it

_NUMBER = re.compile(
    r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?(?:e[+-]?\d+)?$", re.ASCII | re.IGNORECASE
)

_E = TypeVar("_E", bound=StrEnum)


class _FieldError(ValueError):
    """One field's value is wrong; the message is the reason shown to the user."""


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise _FieldError(f"expected text, not {_json_kind(raw)}")
    return raw.strip()


def _code(raw: object) -> str:
    code = _text(raw)
    if not _CODE.match(code):
        raise _FieldError(
            f"{code!r} is not a code: use lower-case letters, digits and single underscores, "
            "starting with a letter (e.g. criminal_damage_arson)"
        )
    if len(code) > _CODE_MAX:
        raise _FieldError(f"codes are at most {_CODE_MAX} characters long")
    return code


def _enum(raw: object, kind: type[_E]) -> _E:
    text = _text(raw).lower()
    try:
        return kind(text)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise _FieldError(f"{_text(raw)!r} is not allowed: use one of {allowed}") from None


def _integer(raw: object) -> int:
    if isinstance(raw, bool):  # JSON true is an int to Python, never a number to a person
        raise _FieldError("expected a whole number, not true or false")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _INTEGER.match(raw.strip()):
        return int(raw.strip().replace(",", ""))
    shown = repr(raw.strip()) if isinstance(raw, str) else str(raw)
    raise _FieldError(f"{shown} is not a whole number")


def _positive_int(raw: object) -> int:
    value = _integer(raw)
    if value <= 0:
        raise _FieldError(f"must be a positive whole number, not {value}")
    return value


def _non_negative_int(raw: object) -> int:
    value = _integer(raw)
    if value < 0:
        raise _FieldError(f"must be zero or more, not {value}")
    return value


def _year(raw: object) -> int:
    year = _integer(raw)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _FieldError(f"years lie in {MIN_YEAR}..{MAX_YEAR}, not {year}")
    return year


def _ceiling(raw: object) -> float:
    """A positive number no larger than :data:`MAX_STORABLE_VALUE`."""
    if isinstance(raw, bool):
        raise _FieldError("expected a number, not true or false")
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str) and _NUMBER.match(raw.strip()):
        value = float(raw.strip().replace(",", ""))
    else:
        shown = repr(raw.strip()) if isinstance(raw, str) else str(raw)
        raise _FieldError(f"{shown} is not a number")
    if not 0 < value <= MAX_STORABLE_VALUE:
        raise _FieldError(f"must be above 0 and at most {MAX_STORABLE_VALUE:g}, not {value:g}")
    return value


def _text_list(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        items = [item.strip() for item in raw.split(LIST_SEPARATOR)]
    elif isinstance(raw, list | tuple):
        if not all(isinstance(item, str) for item in raw):
            raise _FieldError("expected a list of texts")
        items = [str(item).strip() for item in raw]
        # A ";" inside an item could not be written back to CSV as the same list.
        if any(LIST_SEPARATOR in item for item in items):
            raise _FieldError(f"list items cannot contain {LIST_SEPARATOR!r}")
    else:
        raise _FieldError(f"expected a list, not {_json_kind(raw)}")
    items = [item for item in items if item]
    duplicates = sorted({item for item in items if items.count(item) > 1})
    if duplicates:
        raise _FieldError(f"listed more than once: {', '.join(duplicates)}")
    return tuple(items)


def _area_types(raw: object, known: Collection[str] | None) -> tuple[str, ...]:
    items = _text_list(raw)
    if not items:
        raise _FieldError("required")
    bad = [item for item in items if not _CODE.match(item)]
    if bad:
        raise _FieldError(f"not area type codes: {', '.join(bad)}")
    if known is not None:
        unknown = [item for item in items if item not in known]
        if unknown:
            raise _FieldError(
                f"unknown area types: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
    return items


def _json_kind(raw: object) -> str:
    if isinstance(raw, bool):
        return "true or false"
    if isinstance(raw, int | float):
        return "a number"
    if isinstance(raw, list | tuple):
        return "a list"
    if isinstance(raw, Mapping):
        return "an object"
    return type(raw).__name__
