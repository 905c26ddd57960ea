"""police.uk street-level crime CSVs: their exact header, columns and months."""

from __future__ import annotations

import re
from typing import Final

from app.events.parsing.headers import Layout

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


_POLICE_UK_MONTH = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])")


POLICE_UK_LAYOUT = Layout(
    category=POLICE_UK_COLUMNS.index("Crime type"),
    date=POLICE_UK_COLUMNS.index("Month"),
    x=POLICE_UK_COLUMNS.index("Longitude"),
    y=POLICE_UK_COLUMNS.index("Latitude"),
    crs="wgs84",
    source_id=POLICE_UK_COLUMNS.index("Crime ID"),
    location=POLICE_UK_COLUMNS.index("Location"),
    reported_area=POLICE_UK_COLUMNS.index("LSOA code"),
)


def police_uk_month(value: str) -> str:
    # police.uk always writes YYYY-MM; anything else means the file was edited.
    if _POLICE_UK_MONTH.fullmatch(value):
        return value
    raise ValueError("not a month: police.uk writes months as YYYY-MM")
