"""police.uk street-level crime CSVs, as downloaded: recognised by their exact header."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from app.uploads.layouts.event_csv import EventColumns, read_event_csv
from app.uploads.layouts.event_rows import ParsedEvents
from app.uploads.reading.table import CsvText
from app.uploads.reading.text import Text

POLICE_UK_COLUMNS: Final = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)

_COLUMNS = EventColumns(
    category=POLICE_UK_COLUMNS.index("Crime type"),
    date=POLICE_UK_COLUMNS.index("Month"),
    x=POLICE_UK_COLUMNS.index("Longitude"),
    y=POLICE_UK_COLUMNS.index("Latitude"),
    crs="wgs84",
    source_id=POLICE_UK_COLUMNS.index("Crime ID"),
    location=POLICE_UK_COLUMNS.index("Location"),
    reported_area=POLICE_UK_COLUMNS.index("LSOA code"),
)
_MONTH = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])", re.ASCII)


class PoliceUkEvents:
    def accepts(self, header: Sequence[str]) -> bool:
        return tuple(header) == POLICE_UK_COLUMNS

    def read(self, source: CsvText, text: Text) -> ParsedEvents:
        notes = ["police.uk street-level crime file"]
        return read_event_csv(source, text, "police.uk", _COLUMNS, police_uk_month, notes)


def police_uk_month(value: str) -> str:
    # police.uk always writes YYYY-MM; anything else means the file was edited.
    if _MONTH.fullmatch(value):
        return value
    raise ValueError("not a month: police.uk writes months as YYYY-MM")
