"""Raw records of a catalogue file, CSV or JSON, with their row numbers."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.indicators.catalogue.problems import Problem
from app.indicators.catalogue.spec import REQUIRED_FIELDS
from app.indicators.indicator import FIELDS

# Browsers on Windows send .csv uploads as Excel files; curl and friends as octet-stream.
_CSV_TYPES = frozenset({"text/csv", "application/csv", "application/vnd.ms-excel"})
_SNIFF_TYPES = frozenset({"", "text/plain", "application/octet-stream"})

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
    try:
        # newline="": the csv module reads \r, \n and \r\n line ends, and those in quotes.
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:  # a cell beyond the csv module's size limit, for one
        return _Source(problems=[(0, None, f"the CSV cannot be read: {exc}")])
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
