"""The JSON layout of observations: a list of objects with the long layout's fields
(``area_code``, ``period``, ``indicator``, ``value``, optionally ``numerator`` and
``denominator``; keys match as CSV headings do), or ``{"observations": [...]}``.
Codes and periods may be JSON numbers; values may be numbers or numbers as text."""

from __future__ import annotations

import json
import math
from typing import Any

from app.uploads.layouts.observation_rows import (
    ROLES,
    SHOWN,
    IndicatorCodes,
    ParsedObservations,
    RowKeeper,
)
from app.uploads.reading.errors import FormatError
from app.uploads.reading.headings import role_of
from app.uploads.reading.text import Text


class JsonObservations:
    def __init__(self, codes: IndicatorCodes, default_period: str | None) -> None:
        self.codes = codes
        self.default_period = default_period

    def accepts(self, document: Any) -> bool:
        return True

    def read(self, document: Any, text: Text) -> ParsedObservations:
        if isinstance(document, dict):
            if not isinstance(document.get("observations"), list):
                raise FormatError(
                    'a JSON object upload needs an "observations" key holding a list of '
                    "observations"
                )
            records = document["observations"]
        elif isinstance(document, list):
            records = document
        else:
            raise FormatError('the JSON must be a list of observations or {"observations": [...]}')
        if not records:
            raise FormatError("the upload holds no observations")
        reader = _Records(self.codes, self.default_period)
        for index, record in enumerate(records, start=1):
            reader.read(index, record)
        notes = list(text.notes)
        if reader.ignored_keys:
            notes.append(f"Ignored keys: {', '.join(sorted(reader.ignored_keys))}.")
        if reader.defaulted:
            notes.append(
                f"{reader.defaulted} observation(s) without a period are for period "
                f"{self.default_period}."
            )
        return reader.keeper.result(text.codec, notes, data_rows=len(records), headings=reader.keys)


def _shown(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class _Records:
    """Turns JSON records into observations and errors."""

    def __init__(self, codes: IndicatorCodes, default_period: str | None) -> None:
        self.codes = codes
        self.default_period = default_period
        self.keeper = RowKeeper("json")
        self.ignored_keys: set[str] = set()
        self.defaulted = 0
        self._roles: dict[str, str | None] = {}
        self.keys: dict[str, str] = {}  # each role's key as the file first names it

    def _role(self, key: str) -> str | None:
        if key not in self._roles:
            found = role_of(key, ROLES)
            self._roles[key] = found[0].name if found else None
        return self._roles[key]

    def read(self, row: int, record: object) -> None:
        if not isinstance(record, dict):
            self.keeper.error(
                row,
                None,
                _shown(record)[:100],
                "an observation must be an object with area_code, period, indicator and value",
            )
            return
        fields: dict[str, tuple[str, object]] = {}
        for key, value in record.items():
            role = self._role(key)
            if role is None:
                self.ignored_keys.add(key)
            elif role in fields:
                self.keeper.error(
                    row, key, None, f"keys '{fields[role][0]}' and '{key}' say the same thing"
                )
                return
            else:
                fields[role] = (key, value)
                self.keys.setdefault(role, key)
        errors_before = len(self.keeper.errors)
        area = self._text(row, fields, "area", "the area code is missing")
        period = self._period(row, fields)
        indicator = self._indicator(row, fields)
        value = self._number(row, fields, "value", required=True)
        numerator = self._number(row, fields, "numerator", required=False)
        denominator = self._number(row, fields, "denominator", required=False)
        self.keeper.keep(
            errors_before, row, (area, period, indicator), value, numerator, denominator
        )

    def _text(
        self, row: int, fields: dict[str, tuple[str, object]], role: str, missing: str
    ) -> str | None:
        key, value = fields.get(role, (SHOWN[role], None))
        # Codes and periods may come as JSON integers (a ward number, a year).
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.keeper.error(row, key, None if value is None else value, missing)
            return None
        if not isinstance(value, str):
            self.keeper.error(row, key, _shown(value), f"{key} must be a string")
            return None
        return value.strip()

    def _period(self, row: int, fields: dict[str, tuple[str, object]]) -> str | None:
        if fields.get("period", ("", None))[1] is None and self.default_period is not None:
            self.defaulted += 1
            return self.default_period
        return self._text(row, fields, "period", "the period is missing")

    def _indicator(self, row: int, fields: dict[str, tuple[str, object]]) -> str | None:
        written = self._text(row, fields, "indicator", "the indicator code is missing")
        if written is None:
            return None
        code = self.codes.match(written)
        if code is None:
            key = fields["indicator"][0]
            self.keeper.error(row, key, written, self.codes.unknown_reason(written))
        return code

    def _number(
        self, row: int, fields: dict[str, tuple[str, object]], role: str, *, required: bool
    ) -> float | None:
        key, value = fields.get(role, (SHOWN[role], None))
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                shown = None if value is None else value
                self.keeper.error(row, key, shown, "the value is missing")
            return None
        if isinstance(value, str):
            return self.keeper.number(row, key, value.strip())
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.keeper.error(row, key, _shown(value), f"{_shown(value)} is not a number")
            return None
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            self.keeper.error(row, key, _shown(value), f"{_shown(value)} is not a finite number")
            return None
        return number
