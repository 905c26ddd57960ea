"""Column matching: finding a generic CSV's (or GeoJSON's) columns by their names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.events.parsing.batch import Crs
from app.events.parsing.errors import EventFormatError
from app.textfiles import normalise_header

# Column (or GeoJSON property) names per role, compared after normalise_header(); the first
# alias found wins, so more specific names come before generic ones.
_ALIASES: dict[str, tuple[str, ...]] = {
    "category": (
        "category",
        "crimetype",
        "incidenttype",
        "eventtype",
        "offencetype",
        "crimecategory",
        "incidentcategory",
        "eventcategory",
        "offencecategory",
        "offence",
        "type",
    ),
    "date": (
        "date",
        "incidentdate",
        "eventdate",
        "crimedate",
        "offencedate",
        "dateofincident",
        "datetime",
        "timestamp",
        "month",
        "incidentmonth",
    ),
    "longitude": ("longitude", "lon", "lng", "long"),
    "latitude": ("latitude", "lat"),
    # STATS19 road casualty files name them Location_Easting_OSGR / Location_Northing_OSGR.
    "easting": ("easting", "eastings", "bngeasting", "locationeastingosgr"),
    "northing": ("northing", "northings", "bngnorthing", "locationnorthingosgr"),
    # x/y mean either pair: the values decide (see guess_crs).
    "x": ("x", "xcoord", "xcoordinate", "pointx"),
    "y": ("y", "ycoord", "ycoordinate", "pointy"),
    "id": (
        "id",
        "sourceid",
        "eventid",
        "incidentid",
        "crimeid",
        "incidentnumber",
        "reference",
        "ref",
        "accidentindex",
        "collisionindex",
    ),
    "location": ("location", "locationdescription", "address", "street", "place"),
    "reported_area": ("lsoacode", "lsoa11cd", "lsoa21cd", "lsoa", "areacode", "reportedarea"),
}
# Coordinate column pairs, in order of preference.
_COORDINATE_PAIRS: tuple[tuple[str, str, Crs], ...] = (
    ("longitude", "latitude", "wgs84"),
    ("easting", "northing", "bng"),
    ("x", "y", "guess"),
)


@dataclass(frozen=True)
class Layout:
    """Positions of the columns a CSV's events are read from."""

    category: int
    date: int
    x: int
    y: int
    crs: Crs
    source_id: int | None = None
    location: int | None = None
    reported_area: int | None = None

    def positions(self) -> list[int]:
        optional = (self.source_id, self.location, self.reported_area)
        return [self.category, self.date, self.x, self.y, *(p for p in optional if p is not None)]


def generic_layout(header: list[str], notes: list[str]) -> Layout:
    """Find the columns of a generic CSV by their names."""
    category = find_column(header, "category")
    date = find_column(header, "date")
    for role, position in (("category", category), ("date", date)):
        if position is None:
            raise EventFormatError(
                f"no {role} column: name one {alias_list(role)}; "
                f"the columns are {quoted_list(header)}"
            )
    # For mypy: both were checked just above.
    assert category is not None
    assert date is not None
    x, y, crs = _coordinate_columns(header, notes)
    layout = Layout(
        category=category,
        date=date,
        x=x,
        y=y,
        crs=crs,
        source_id=find_column(header, "id"),
        location=find_column(header, "location"),
        reported_area=find_column(header, "reported_area"),
    )
    used = [
        f"{role} {header[position]!r}"
        for role, position in (
            ("category", layout.category),
            ("date", layout.date),
            ("x" if crs == "guess" else "longitude" if crs == "wgs84" else "easting", layout.x),
            ("y" if crs == "guess" else "latitude" if crs == "wgs84" else "northing", layout.y),
            ("id", layout.source_id),
            ("location", layout.location),
            ("reported area", layout.reported_area),
        )
        if position is not None
    ]
    notes.append("columns used: " + ", ".join(used))
    return layout


def _coordinate_columns(names: Sequence[str], notes: list[str]) -> tuple[int, int, Crs]:
    found: list[tuple[int, int, Crs]] = []
    for first, second, crs in _COORDINATE_PAIRS:
        i, j = find_column(names, first), find_column(names, second)
        if i is not None and j is not None:
            found.append((i, j, crs))
        elif i is not None:
            raise _half_pair(names[i], first, second)
        elif j is not None:
            raise _half_pair(names[j], second, first)
    if not found:
        raise EventFormatError(
            "no coordinate columns: name them longitude/latitude (WGS84) or "
            f"easting/northing (British National Grid); the columns are {quoted_list(names)}"
        )
    for i, j, _ in found[1:]:
        notes.append(
            f"columns {names[i]!r} and {names[j]!r} ignored: {names[found[0][0]]!r} "
            f"and {names[found[0][1]]!r} give the location"
        )
    return found[0]


def _half_pair(column: str, present: str, missing: str) -> EventFormatError:
    return EventFormatError(
        f"a {present} column ({column!r}) but no {missing} column: name one {alias_list(missing)}"
    )


def find_column(names: Sequence[str], role: str) -> int | None:
    """Position of the column named for ``role``, matched ignoring case, spaces, ``_``, ``-``."""
    keys = [normalise_header(name) for name in names]
    for alias in _ALIASES[role]:
        hits = [i for i, key in enumerate(keys) if key == alias]
        if len(hits) > 1:
            raise EventFormatError(
                f"columns {quoted_list([names[i] for i in hits])} could each be the {role}: "
                "rename all but one"
            )
        if hits:
            return hits[0]
    return None


def alias_list(role: str) -> str:
    aliases = _ALIASES[role]
    listed = ", ".join(repr(a) for a in aliases[:5]) + (", ..." if len(aliases) > 5 else "")
    return f"{listed} (case, spaces and underscores do not matter)"


def quoted_list(names: Sequence[str]) -> str:
    return ", ".join(repr(name) for name in names) if names else "none"
