"""The indicator catalogue format: what each indicator measures, who supplies it, how to show it.

A catalogue is a CSV file (one indicator a row, lists separated by ``;``) or JSON (a list of
objects, lists as arrays) whose fields are those of :class:`IndicatorSpec`. Reading one
checks every row and reports every problem at once, each with its row and field, so that an
analyst can fix a spreadsheet in one go rather than one error per upload.

Row numbers are what the person fixing the file sees: in a CSV the spreadsheet row (the
header is row 1, so the first indicator is row 2); in JSON the object's position counting
from 1. Row 0 means the file as a whole.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from app.observations.periods import PeriodType


class ValueType(StrEnum):
    COUNT = "count"
    RATE = "rate"
    PERCENTAGE = "percentage"
    MEAN = "mean"
    SCORE = "score"


class Polarity(StrEnum):
    HIGHER_IS_WORSE = "higher_is_worse"
    HIGHER_IS_BETTER = "higher_is_better"
    NO_JUDGEMENT = "no_judgement"


class Visibility(StrEnum):
    PUBLIC = "public"
    PARTNERS = "partners"


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of the catalogue.

    Attributes
    ----------
    code : str
        Stable identifier, lower_snake_case, e.g. ``"criminal_damage_arson"``.
    title, definition : str
        What a reader sees: a short title and the precise definition.
    agency : str
        Code of the agency that supplies it: police, fire, transport, health, schools, council.
    topic : str
        Theme it is filed under, e.g. "crime and safety", "health", "deprivation".
    value_type : ValueType
        Count, rate, percentage, mean or score.
    multiplier : int
        1 for counts, 1000 for "rate per 1,000", 100 for percentages.
    unit : str
        For legends: "crimes", "per 1,000 residents", "%", "score".
    polarity : Polarity
        Whether a higher value is worse, better, or neither.
    period_type : PeriodType
        Month, quarter, calendar year, financial year or academic year.
    source, licence : str
        Where the figures come from and the terms they may be used under.
    area_types : tuple of str
        Area types the indicator is published for, e.g. ``("lsoa", "ward")``.
    disclosure_threshold : int or None
        Counts below it are suppressed in public outputs (for a rate or a percentage, the
        counts behind it); None when no threshold applies.
    visibility : Visibility
        Public, or partners only.
    numerator, denominator : str or None
        For a value computed from counts: the codes of the count indicators it divides,
        e.g. ``"burglary"`` and ``"population"``.
    event_categories : tuple of str
        Point-event categories counted into this (count) indicator, e.g.
        ``("Criminal damage and arson",)``.
    """

    code: str
    title: str
    definition: str
    agency: str
    topic: str
    value_type: ValueType
    multiplier: int
    unit: str
    polarity: Polarity
    period_type: PeriodType
    source: str
    licence: str
    area_types: tuple[str, ...]
    disclosure_threshold: int | None
    visibility: Visibility
    numerator: str | None
    denominator: str | None
    event_categories: tuple[str, ...]


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(IndicatorSpec))
OPTIONAL_FIELDS = frozenset(
    {"disclosure_threshold", "numerator", "denominator", "event_categories"}
)
REQUIRED_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f not in OPTIONAL_FIELDS)
LIST_SEPARATOR = ";"
DEFAULT_CATALOGUE = "default_catalogue.csv"

Problem = tuple[int, str | None, str]
"""(row number, field or None for the whole row or file, reason)."""

_CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_CODE_MAX = 63  # codes become URL segments and column names; PostgreSQL cuts names at 63
_INTEGER = re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)$")  # "1,000" as Excel may save it
# Browsers on Windows send .csv uploads as Excel files; curl and friends as octet-stream.
_CSV_TYPES = frozenset({"text/csv", "application/csv", "application/vnd.ms-excel"})
_SNIFF_TYPES = frozenset({"", "text/plain", "application/octet-stream"})
_MAX_LISTED = 10

_E = TypeVar("_E", bound=StrEnum)


class CatalogueError(ValueError):
    """A catalogue that cannot be read; ``problems`` lists every problem found.

    Attributes
    ----------
    problems : list of (int, str or None, str)
        Row number (0 for the file as a whole), field (None for the whole row or file)
        and reason, in row order.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(problems, key=lambda p: p[0])
        super().__init__(_summary(self.problems))


class _FieldError(ValueError):
    """One field's value is wrong; the message is the reason shown to the user."""


def read_catalogue(
    data: bytes | str | Path | Sequence[Mapping[str, object]],
    content_type: str | None = None,
    *,
    known_codes: Collection[str] = (),
    known_area_types: Collection[str] | None = None,
) -> list[IndicatorSpec]:
    """Read and validate a catalogue, reporting every problem at once.

    Parameters
    ----------
    data : bytes, str, Path or sequence of mappings
        The file's bytes or text, its path, or JSON already parsed into a list of objects.
        Bytes are read as UTF-8 (a byte order mark is fine), else as Windows-1252.
    content_type : str, optional
        ``text/csv`` or ``application/json`` (parameters such as ``charset`` are ignored).
        When absent, unhelpful (``text/plain``) or ``application/octet-stream``, a path's
        suffix decides, else the text itself: JSON starts with ``[`` or ``{``.
    known_codes : collection of str, optional
        Indicators that exist already, which numerators and denominators may refer to
        besides the codes of this catalogue.
    known_area_types : collection of str, optional
        When given, every area type must be one of these.

    Returns
    -------
    list of IndicatorSpec
        The indicators in file order.

    Raises
    ------
    CatalogueError
        With every problem found: missing or unknown fields, bad values (enumerations
        list their allowed values), duplicate codes, dangling references, and rules that
        tie fields together (a rate needs a denominator; event categories belong to
        counts; a percentage's multiplier is 100).
    """
    source = _records(data, content_type)
    problems = list(source.problems)
    parsed: list[tuple[int, IndicatorSpec]] = []
    for row, record in source.records:
        spec = _parse_record(row, record, problems, source.reported_missing, known_area_types)
        if spec is not None:
            parsed.append((row, spec))
    if not source.records and not problems:
        problems.append((0, None, "the catalogue has no indicators"))
    named = {str(r.get("code", "")).strip() for _, r in source.records}
    problems.extend(_cross_check(parsed, named, known_codes))
    if problems:
        raise CatalogueError(problems)
    return [spec for _, spec in parsed]


def default_catalogue() -> list[IndicatorSpec]:
    """The catalogue that ships with NIS (``default_catalogue.csv`` beside this module).

    Returns
    -------
    list of IndicatorSpec
        Indicators of the police, fire service, transport executive, health and schools,
        and the council's deprivation and population figures.
    """
    return list(_default_catalogue())


@cache
def _default_catalogue() -> tuple[IndicatorSpec, ...]:
    text = resources.files(__package__).joinpath(DEFAULT_CATALOGUE).read_text(encoding="utf-8")
    return tuple(read_catalogue(text, "text/csv"))


def catalogue_to_csv(specs: Iterable[IndicatorSpec]) -> str:
    """Write a catalogue as CSV text that :func:`read_catalogue` reads back unchanged.

    Parameters
    ----------
    specs : iterable of IndicatorSpec

    Returns
    -------
    str
        A header of the field names, then one row per indicator; lists joined by ``;``,
        None as an empty cell.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for spec in specs:
        writer.writerow(_csv_cell(value) for value in _values(spec))
    return out.getvalue()


def catalogue_to_json(specs: Iterable[IndicatorSpec]) -> list[dict[str, object]]:
    """A catalogue as JSON-ready objects that :func:`read_catalogue` reads back unchanged.

    Parameters
    ----------
    specs : iterable of IndicatorSpec

    Returns
    -------
    list of dict
        One object per indicator; enumerations as their text, lists as lists, None as null.
    """
    return [
        {name: _json_value(value) for name, value in zip(FIELDS, _values(spec), strict=True)}
        for spec in specs
    ]


# --- reading records -------------------------------------------------------------------

_Record = dict[str, object]


@dataclass
class _Source:
    """Raw records with their row numbers, and the problems of the file as a whole."""

    records: list[tuple[int, _Record]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Required CSV columns missing from the header: reported once there, not on every row.
    reported_missing: frozenset[str] = frozenset()


def _records(
    data: bytes | str | Path | Sequence[Mapping[str, object]], content_type: str | None
) -> _Source:
    if not isinstance(data, bytes | str | Path):
        return _json_records(data)
    suffix = data.suffix.lower() if isinstance(data, Path) else ""
    if isinstance(data, Path):
        data = data.read_bytes()
    text = _decode(data) if isinstance(data, bytes) else data
    media = (content_type or "").split(";")[0].strip().lower()
    if media in _CSV_TYPES:
        return _csv_records(text)
    if media == "application/json" or media.endswith("+json"):
        return _parse_json(text)
    if media not in _SNIFF_TYPES:
        reason = f"unsupported content type {content_type!r}: use text/csv or application/json"
        return _Source(problems=[(0, None, reason)])
    if suffix == ".json" or (suffix != ".csv" and text.lstrip()[:1] in ("[", "{")):
        return _parse_json(text)
    return _csv_records(text)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" on a UK Windows machine is Windows-1252 (a £ or an en dash).
        return data.decode("cp1252", errors="replace")


def _header_name(raw: str) -> str:
    """Header cells as people type them ("Disclosure threshold") name the same field."""
    return re.sub(r"[\s-]+", "_", raw.strip().lower())


def _csv_records(text: str) -> _Source:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        return _Source(problems=[(0, None, "the CSV has no header row")])
    header = [_header_name(cell) for cell in rows[0]]
    source = _Source(
        problems=_header_problems(header, row=1),
        reported_missing=frozenset(REQUIRED_FIELDS) - set(header),
    )
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines and Excel's trailing ",,,," rows
        if any(cell.strip() for cell in cells[len(header) :]):
            reason = f"{len(cells)} cells but {len(header)} columns"
            source.problems.append((number, None, reason))
        record: _Record = {name: cell for name, cell in zip(header, cells, strict=False) if name}
        source.records.append((number, record))
    return source


def _header_problems(names: Sequence[str], *, row: int) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            problems.append((row, name, "this column appears more than once"))
        elif name and name not in FIELDS:
            problems.append((row, name, f"unknown column; the columns are: {', '.join(FIELDS)}"))
        seen.add(name)
    problems.extend((row, name, "missing column") for name in REQUIRED_FIELDS if name not in seen)
    return problems


def _parse_json(text: str) -> _Source:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        return _Source(problems=[(0, None, reason)])
    if not isinstance(document, list):
        return _Source(problems=[(0, None, "a JSON catalogue is a list of indicator objects")])
    return _json_records(document)


def _json_records(items: Sequence[object]) -> _Source:
    source = _Source()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            reason = "expected an object with the indicator's fields"
            source.problems.append((number, None, reason))
            continue
        record: _Record = {str(key): value for key, value in item.items()}
        source.problems.extend(
            (number, key, f"unknown field; the fields are: {', '.join(FIELDS)}")
            for key in record
            if key not in FIELDS
        )
        source.records.append((number, record))
    return source


# --- one record ------------------------------------------------------------------------


def _parse_record(
    row: int,
    record: _Record,
    problems: list[Problem],
    reported_missing: frozenset[str],
    known_area_types: Collection[str] | None,
) -> IndicatorSpec | None:
    """The record as a spec (None when a field cannot be read); problems go to ``problems``."""
    parsers: dict[str, Callable[[object], object]] = {
        "code": _code,
        "agency": _code,
        "value_type": lambda raw: _enum(raw, ValueType),
        "multiplier": _positive_int,
        "polarity": lambda raw: _enum(raw, Polarity),
        "period_type": lambda raw: _enum(raw, PeriodType),
        "area_types": lambda raw: _area_types(raw, known_area_types),
        "disclosure_threshold": _non_negative_int,
        "visibility": lambda raw: _enum(raw, Visibility),
        "numerator": _code,
        "denominator": _code,
        "event_categories": _text_list,
    }
    values: dict[str, object] = {}
    found: list[Problem] = []
    for name in FIELDS:
        raw = record.get(name)
        if not _is_blank(raw):
            try:
                values[name] = parsers.get(name, _text)(raw)
            except _FieldError as exc:
                found.append((row, name, str(exc)))
        elif name in OPTIONAL_FIELDS:
            values[name] = () if name == "event_categories" else None
        elif name not in reported_missing:
            found.append((row, name, "required"))
    if found or reported_missing:
        problems.extend(found)
        return None
    spec = IndicatorSpec(**values)  # type: ignore[arg-type]  # each field parsed to its type
    # Returned even when it breaks a rule, so that its references are checked too.
    problems.extend((row, name, reason) for name, reason in _rule_problems(spec))
    return spec


def _rule_problems(spec: IndicatorSpec) -> list[tuple[str, str]]:
    """Rules that tie one indicator's fields together."""
    problems: list[tuple[str, str]] = []
    if spec.value_type is ValueType.COUNT and spec.multiplier != 1:
        problems.append(("multiplier", "a count's multiplier is 1"))
    if spec.value_type is ValueType.PERCENTAGE and spec.multiplier != 100:
        problems.append(("multiplier", "a percentage's multiplier is 100"))
    if spec.value_type is ValueType.RATE and spec.denominator is None:
        problems.append(("denominator", "a rate needs a denominator, e.g. population"))
    if spec.numerator is not None and spec.denominator is None:
        problems.append(("denominator", "a numerator needs a denominator"))
    for name in ("numerator", "denominator"):
        if getattr(spec, name) == spec.code:
            problems.append((name, "an indicator cannot refer to itself"))
    if spec.numerator is not None and spec.numerator == spec.denominator:
        problems.append(("denominator", "the numerator and the denominator are the same"))
    if spec.event_categories and spec.value_type is not ValueType.COUNT:
        problems.append(
            (
                "event_categories",
                f"only count indicators count events into them; this is a {spec.value_type}",
            )
        )
    return problems


# --- the catalogue as a whole ----------------------------------------------------------


def _cross_check(
    parsed: Sequence[tuple[int, IndicatorSpec]], named: Collection[str], known: Collection[str]
) -> list[Problem]:
    """Unique codes, and numerators and denominators that refer to counts that exist.

    ``named`` holds every code written in the file, valid rows or not: a reference to a
    row that has problems of its own is not reported again as dangling.
    """
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    by_code: dict[str, IndicatorSpec] = {}
    for row, spec in parsed:
        if spec.code in first_row:
            problems.append(
                (
                    row,
                    "code",
                    f"duplicate code {spec.code!r}: row {first_row[spec.code]} has it too",
                )
            )
        else:
            first_row[spec.code] = row
            by_code[spec.code] = spec
    for row, spec in parsed:
        for name in ("numerator", "denominator"):
            target = getattr(spec, name)
            if target is None:
                continue
            if target in by_code:
                if by_code[target].value_type is not ValueType.COUNT:
                    reason = f"{target!r} is a {by_code[target].value_type}; it must be a count"
                    problems.append((row, name, reason))
            elif target not in known and target not in named:
                reason = f"no indicator {target!r} in this catalogue or already known"
                problems.append((row, name, reason))
    return problems


# --- field parsers ---------------------------------------------------------------------


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


# --- writing ---------------------------------------------------------------------------


def _values(spec: IndicatorSpec) -> list[object]:
    return [getattr(spec, name) for name in FIELDS]


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(value)
    return str(value)


def _json_value(value: object) -> object:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def _summary(problems: Sequence[Problem]) -> str:
    shown = [_describe(problem) for problem in problems[:_MAX_LISTED]]
    more = len(problems) - len(shown)
    tail = f"; and {more} more" if more > 0 else ""
    noun = "problem" if len(problems) == 1 else "problems"
    return f"the catalogue has {len(problems)} {noun}: {'; '.join(shown)}{tail}"


def _describe(problem: Problem) -> str:
    row, name, reason = problem
    where = "file" if row == 0 else f"row {row}"
    return f"{where}, {name}: {reason}" if name else f"{where}: {reason}"
