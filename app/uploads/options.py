"""What an analyst says about an observation file besides its bytes: which sheet and
header row to read, which column holds the area code and which the period (or one
period for the whole file), which columns are which indicators, and whether rows for
areas outside the city are skipped. Given as query parameters with a raw body, or as
fields of a multipart form beside the file (a field wins over a parameter)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.errors import InvalidParameterError

# The names of the form fields (and query parameters).
FIELDS = (
    "sheet", "header_row", "period", "area_column", "period_column", "mapping", "skip_outside",
)  # fmt: skip
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}
MAX_HEADER_ROW = 1000


@dataclass(frozen=True)
class UploadOptions:
    sheet: str | None = None
    header_row: int | None = None
    period: str | None = None
    area_column: str | None = None
    period_column: str | None = None
    # column heading (as the file names it) -> indicator code
    mapping: dict[str, str] = field(default_factory=dict)
    skip_outside: bool = False

    @property
    def mapped(self) -> bool:
        """Whether the analyst said which columns are which (the mapped layout)."""
        return bool(self.mapping)


def _text(fields: Mapping[str, str], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if "\x00" in value:
        raise InvalidParameterError(f"{name} must not hold a NUL character")
    return value.strip() or None


def parse_options(fields: Mapping[str, str]) -> UploadOptions:
    """The options in ``fields`` (form fields over query parameters).

    Raises
    ------
    InvalidParameterError
        For a header row that is not a whole number from 1, a mapping that is not a JSON
        object of column to indicator code, or a skip_outside that is not true or false.
    """
    header_row = None
    if (raw := _text(fields, "header_row")) is not None:
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_HEADER_ROW:
            raise InvalidParameterError(
                f"header_row must be a row number from 1 to {MAX_HEADER_ROW}, not {raw[:40]!r}"
            )
        header_row = int(raw)
    mapping: dict[str, str] = {}
    if (raw := _text(fields, "mapping")) is not None:
        try:
            document = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidParameterError(
                f"mapping must be a JSON object of column to indicator code: {exc.msg}"
            ) from exc
        if not isinstance(document, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in document.items()
        ):
            raise InvalidParameterError(
                "mapping must be a JSON object of column to indicator code, e.g. "
                '{"Index of Multiple Deprivation (IMD) Rank": "imd_rank"}'
            )
        mapping = {k.strip(): v.strip() for k, v in document.items() if v.strip()}
    skip = (fields.get("skip_outside") or "").strip().lower()
    if skip not in _TRUE | _FALSE:
        raise InvalidParameterError(f"skip_outside must be true or false, not {skip[:40]!r}")
    return UploadOptions(
        sheet=_text(fields, "sheet"),
        header_row=header_row,
        period=_text(fields, "period"),
        area_column=_text(fields, "area_column"),
        period_column=_text(fields, "period_column"),
        mapping=mapping,
        skip_outside=skip in _TRUE,
    )
