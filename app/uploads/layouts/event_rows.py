"""What the event layouts share: the batch they give, the fields they read, the names
of their columns (and GeoJSON properties), and the checks every event passes
(category, month, coordinates), ending in the batch of the rows without errors.

The result is columnar (:class:`EventBatch`) because a year of one force's crimes is
about 180,000 rows. A row without coordinates is not an error: it has ``lon``/``lat``
None, for the caller to count and report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pyproj import Transformer

from app.uploads.reading.errors import RowError, RowErrors
from app.uploads.reading.headings import Role
from app.uploads.reading.numbers import NumberError, read_number

FloatArray = npt.NDArray[np.float64]
Crs = Literal["wgs84", "bng", "guess"]


@dataclass
class EventBatch:
    """Point events read from one upload, as parallel columns (one entry per event).

    Attributes
    ----------
    format : str
        ``"police.uk"``, ``"csv"`` or ``"geojson"``.
    row : list of int
        Where each event is in the file: the 1-based row a spreadsheet shows (the header is
        row 1, blank rows count); for GeoJSON, the feature's index + 1.
    category : list of str
        The event's category as the partner names it, e.g. ``"Criminal damage and arson"``.
    month : list of str
        The month of the event, ``"YYYY-MM"``.
    lon, lat : list of float or None
        WGS84 longitude and latitude; None when the record has no location.
    source_id : list of str or None
        The partner's identifier, e.g. police.uk's Crime ID (None when blank).
    location : list of str or None
        The partner's description of the place, e.g. ``"On or near Park Lane"``.
    reported_area : list of str or None
        The area the partner assigned, e.g. police.uk's ``LSOA code`` column.
    notes : list of str
        What the reader decided (format, encoding, columns used, coordinate system...).
    date_column : str
        The column (or property) the dates were read from, as the file names it.
    """

    format: str
    row: list[int] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    month: list[str] = field(default_factory=list)
    lon: list[float | None] = field(default_factory=list)
    lat: list[float | None] = field(default_factory=list)
    source_id: list[str | None] = field(default_factory=list)
    location: list[str | None] = field(default_factory=list)
    reported_area: list[str | None] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    date_column: str = "date"

    def __len__(self) -> int:
        return len(self.row)


@dataclass
class ParsedEvents:
    """The events of every row without errors, and every row error (in ``row_errors``;
    ``errors`` lists them under the cap). Blank coordinates are not errors."""

    batch: EventBatch
    row_errors: RowErrors

    @property
    def errors(self) -> list[RowError]:
        return self.row_errors.listed()


@dataclass
class Fields:
    """One upload's events as read, before validation; one entry per data row."""

    rows: list[int]
    category: list[str]
    date: list[str]
    x: FloatArray  # NaN where blank, infinity where not a number (already an error)
    y: FloatArray
    crs: Crs
    source_id: list[str | None]
    location: list[str | None]
    reported_area: list[str | None]
    # Names of the category, date, x and y columns as the file spells them, for errors.
    names: dict[str, str]


_BNG_MAX_EASTING = 700_000.0
_BNG_MAX_NORTHING = 1_300_000.0


def guess_crs(x: FloatArray, y: FloatArray) -> tuple[Literal["wgs84", "bng"], str]:
    """Whether x/y columns hold longitude/latitude or British National Grid metres."""
    both = np.isfinite(x) & np.isfinite(y)
    if not both.any():
        return "wgs84", "hold no coordinates"
    lon_lat = (np.abs(x[both]) <= 180) & (np.abs(y[both]) <= 90)
    # The majority decides, so that a few stray values are reported as out of range rather
    # than making the whole file unreadable.
    if lon_lat.mean() >= 0.5:
        return "wgs84", "hold degrees: read as WGS84 longitude/latitude"
    return "bng", "hold metres: read as British National Grid easting/northing"


def locate(
    x: FloatArray,
    y: FloatArray,
    crs: Literal["wgs84", "bng"],
    rows: list[int],
    names: dict[str, str],
    errors: RowErrors,
) -> tuple[FloatArray, FloatArray]:
    """WGS84 longitude and latitude, NaN where there is no (valid) location."""
    has_x, has_y = ~np.isnan(x), ~np.isnan(y)
    for i in np.flatnonzero(has_x != has_y):
        blank, other = ("y", "x") if has_x[i] else ("x", "y")
        errors.add(
            int(rows[i]),
            names[blank],
            "",
            f"{names[blank]} is blank but {names[other]} is not",
        )
    both = has_x & has_y
    # Infinity marks values already reported as not numbers.
    numeric = both & np.isfinite(x) & np.isfinite(y)
    if crs == "bng":
        bad_x = numeric & ~((x >= 0) & (x <= _BNG_MAX_EASTING))
        bad_y = numeric & ~((y >= 0) & (y <= _BNG_MAX_NORTHING))
        x_reason = f"easting outside British National Grid (0 to {_BNG_MAX_EASTING:,.0f} m)"
        y_reason = f"northing outside British National Grid (0 to {_BNG_MAX_NORTHING:,.0f} m)"
    else:
        bad_x = numeric & ~(np.abs(x) <= 180)
        bad_y = numeric & ~(np.abs(y) <= 90)
        x_reason, y_reason = "longitude outside -180 to 180", "latitude outside -90 to 90"
        if (bad_x | bad_y).any() and (np.abs(x[bad_x | bad_y]) > 1000).all():
            hint = (
                "; these look like British National Grid metres: name the columns easting/northing"
            )
            x_reason, y_reason = x_reason + hint, y_reason + hint
    for bad, values, column, reason in ((bad_x, x, "x", x_reason), (bad_y, y, "y", y_reason)):
        for i in np.flatnonzero(bad):
            errors.add(rows[i], names[column], f"{values[i]:.10g}", reason)

    located = numeric & ~bad_x & ~bad_y
    lon = np.full(len(x), np.nan)
    lat = np.full(len(x), np.nan)
    if crs == "bng":
        lon[located], lat[located] = _bng_to_wgs84(x[located], y[located])
    else:
        lon[located], lat[located] = x[located], y[located]
    return lon, lat


def _bng_to_wgs84(easting: FloatArray, northing: FloatArray) -> tuple[FloatArray, FloatArray]:
    lon, lat = _bng_transformer().transform(easting, northing)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


@cache
def _bng_transformer() -> Transformer:
    # Built once: creating a Transformer costs milliseconds, transforming 100,000 points less.
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def validated(
    fmt: str,
    fields: Fields,
    month_of: Callable[[str], str],
    errors: RowErrors,
    notes: list[str],
) -> EventBatch:
    """Check categories, dates and coordinates; the batch of the rows without errors."""
    names = fields.names
    category = _categories(fields.category, fields.rows, names["category"], errors)
    month = _months(fields.date, fields.rows, names["date"], month_of, errors)
    if fields.crs == "guess":
        crs, note = guess_crs(fields.x, fields.y)
        notes.append(f"{names['x']!r}/{names['y']!r} {note}")
    else:
        crs = fields.crs
    lon, lat = locate(fields.x, fields.y, crs, fields.rows, names, errors)
    batch = EventBatch(
        format=fmt,
        row=fields.rows,
        category=category,
        month=month,
        lon=_optional_floats(lon),
        lat=_optional_floats(lat),
        source_id=fields.source_id,
        location=fields.location,
        reported_area=fields.reported_area,
        notes=notes,
        date_column=names["date"],
    )
    return _without_rows(batch, errors.bad_rows()) if errors else batch


def _categories(values: list[str], rows: list[int], column: str, errors: RowErrors) -> list[str]:
    # The layouts give cells stripped.
    for i, category in enumerate(values):
        if not category:
            errors.add(rows[i], column, category, "category is blank")
    return values


def _months(
    values: list[str],
    rows: list[int],
    column: str,
    month_of: Callable[[str], str],
    errors: RowErrors,
) -> list[str]:
    # Parse each distinct value once: a month of police.uk rows has one value, a year of
    # daily dates 365.
    months: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for value in set(values):
        try:
            months[value] = month_of(value)
        except ValueError as exc:
            reasons[value] = str(exc)
    if reasons:
        for i, value in enumerate(values):
            if value in reasons:
                errors.add(rows[i], column, value, reasons[value])
    return [months.get(value, "") for value in values]


def _optional_floats(values: FloatArray) -> list[float | None]:
    missing = np.isnan(values)
    if not missing.any():
        return list(values.tolist())
    # Through an object array: twice as fast as testing each float in Python.
    optional = values.astype(object)
    optional[missing] = None
    return list(optional.tolist())


def _without_rows(batch: EventBatch, bad_rows: set[int]) -> EventBatch:
    keep = [i for i, row in enumerate(batch.row) if row not in bad_rows]

    def kept(values: list[Any]) -> list[Any]:
        return [values[i] for i in keep]

    return EventBatch(
        format=batch.format,
        row=kept(batch.row),
        category=kept(batch.category),
        month=kept(batch.month),
        lon=kept(batch.lon),
        lat=kept(batch.lat),
        source_id=kept(batch.source_id),
        location=kept(batch.location),
        reported_area=kept(batch.reported_area),
        notes=batch.notes,
        date_column=batch.date_column,
    )


# --- column (and GeoJSON property) names ------------------------------------------------

# Names per role, normalised; the first found wins, so specific names come before generic.
ROLES = (
    Role(
        "category",
        "category",
        (
            "category", "crimetype", "incidenttype", "eventtype", "offencetype",
            "crimecategory", "incidentcategory", "eventcategory", "offencecategory",
            "offence", "type",
        ),
    ),
    Role(
        "date",
        "date",
        (
            "date", "incidentdate", "eventdate", "crimedate", "offencedate", "dateofincident",
            "datetime", "timestamp", "month", "incidentmonth",
        ),
    ),
    Role("longitude", "longitude", ("longitude", "lon", "lng", "long")),
    Role("latitude", "latitude", ("latitude", "lat")),
    # STATS19 road casualty files name them Location_Easting_OSGR / Location_Northing_OSGR.
    Role("easting", "easting", ("easting", "eastings", "bngeasting", "locationeastingosgr")),
    Role("northing", "northing", ("northing", "northings", "bngnorthing", "locationnorthingosgr")),
    # x/y mean either pair: the values decide (see guess_crs).
    Role("x", "x", ("x", "xcoord", "xcoordinate", "pointx")),
    Role("y", "y", ("y", "ycoord", "ycoordinate", "pointy")),
    Role(
        "id",
        "id",
        (
            "id", "sourceid", "eventid", "incidentid", "crimeid", "incidentnumber",
            "reference", "ref", "accidentindex", "collisionindex",
        ),
    ),
    Role("location", "location", ("location", "locationdescription", "address", "street", "place")),
    Role(
        "reported_area",
        "reported area",
        ("lsoacode", "lsoa11cd", "lsoa21cd", "lsoa", "areacode", "reportedarea"),
    ),
)  # fmt: skip
ROLE = {role.name: role for role in ROLES}
# Coordinate column pairs, in order of preference.
COORDINATE_PAIRS: tuple[tuple[str, str, Crs], ...] = (
    ("longitude", "latitude", "wgs84"),
    ("easting", "northing", "bng"),
    ("x", "y", "guess"),
)


# --- cells --------------------------------------------------------------------------------


def coordinates(
    values: list[str], rows: list[int], column: str, errors: RowErrors, *, grouping: bool
) -> FloatArray:
    """Coordinates as floats, NaN where blank; values that are not numbers are errors.

    They are returned as infinity, which later checks take as present (so that the row is
    not also reported as having one coordinate blank) but never as in range.
    """
    try:
        # Fast path for clean files: every value a number or empty. float() also reads
        # digits other than 0-9 and underscores ("4_353"): such files take the slow path.
        joined = "".join(values)
        if not joined.isascii() or "_" in joined:
            raise ValueError("not plain ASCII numbers")
        parsed = [float(v) if v else None for v in values]
        numbers = np.array(parsed, dtype=np.float64)
        # A literal "nan" would pass as blank, "inf" as a number: the slow path refuses both.
        if np.isfinite(numbers).sum() + parsed.count(None) == len(values):
            return numbers
    except ValueError:
        pass
    numbers = np.full(len(values), np.nan)
    for i, text in enumerate(values):
        if not text:
            continue
        try:
            numbers[i] = read_number(text, grouping=grouping)
        except NumberError as exc:
            numbers[i] = np.inf
            errors.add(rows[i], column, text, exc.reason)
    return numbers


def optional_text(values: list[str]) -> list[str | None]:
    return [value or None for value in values]
