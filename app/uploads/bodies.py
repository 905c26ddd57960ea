"""The request bodies of the upload routes, for the OpenAPI document (``openapi_extra``):
the routes stream their body themselves (:func:`app.uploads.source.receive_upload`), so
FastAPI sees none. Each lists the media types its reader takes, with an example that the
route stores (``tests/contracts/test_upload_bodies.py`` sends each one to a live server),
so that an analyst can try an upload from ``/docs``.

Observations and events go through :mod:`app.uploads.reading` (CSV, JSON, gzip of
either; :mod:`.reading.content` is the table of types); a catalogue through
:mod:`app.indicators.catalogue.sources`, which reads no gzip. Each also takes the aliases
those tables list (``application/csv``, ``text/plain``, any ``+json``...), named in the
description rather than each offered in Swagger UI's list. Observations (and their
preview) are also read from a multipart/form-data form (the upload page's): the file in
the field ``file``, the options as the form's other fields; and from an Excel workbook
(.xlsx), sent raw or in the form.
"""

from __future__ import annotations

from app.access.policy import Visibility
from app.indicators.catalogue.writing import catalogue_to_csv, catalogue_to_json
from app.indicators.indicator import Indicator, Polarity
from app.indicators.periods import PeriodType
from app.indicators.value_types import ValueType
from app.responses import CSV, FILE, GEOJSON, GZIP, JSON, OCTET_STREAM, raw_body, text
from app.uploads.reading.workbook import XLSX

AREA = "E01007909"  # an LSOA of Sheffield, the demo city
MULTIPART = "multipart/form-data"
_TEXT = {"type": "string"}
# The upload page's form: the file, and the options as fields (app.uploads.options).
_FORM = {
    "schema": {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "sheet": _TEXT,
            "header_row": {"type": "integer", "minimum": 1, "maximum": 1000},
            "period": _TEXT,
            "area_column": _TEXT,
            "period_column": _TEXT,
            "mapping": {**_TEXT, "description": "JSON object of column to indicator code"},
            "skip_outside": {"type": "boolean"},
        },
    }
}
_OBJECTS = {"type": "array", "items": {"type": "object"}}
_AS_FILE = (
    f"Sent as {OCTET_STREAM} (a file from disk), the file name (Content-Disposition) and "
    "then the contents decide what it is."
)

OBSERVATIONS = raw_body(
    "Values, stored all or nothing as one batch: CSV in the long layout "
    "(`area_code,period,indicator,value[,numerator,denominator]`) or the wide layout (an "
    "area column, a period column or `?period=`, one column per indicator code), or JSON "
    '(a list of objects with the long layout\'s fields, or `{"observations": [...]}`). '
    f"Either may be gzipped ({GZIP}, or any of these types: gzip is recognised by its "
    f"bytes). {_AS_FILE} CSV is also read as application/csv, text/plain or "
    "application/vnd.ms-excel, JSON as any +json type. An Excel workbook (.xlsx, "
    f"{XLSX}) is read too: its first sheet, or `?sheet=`, with its header on `?header_row=` "
    "when rows above it hold a title. A multipart/form-data form (as the upload page "
    "sends) carries the file in the field `file` and these options as fields. A file "
    "whose columns are not named as the layouts expect is read with `mapping` (a JSON "
    "object of column to indicator code), `area_column`, and `period_column` or `period` "
    "(see POST /api/observations/preview for suggestions); `skip_outside=true` skips "
    "(and counts) rows for areas outside the city, such as a national file's.",
    {
        CSV: text(
            "area_code,period,indicator,value,numerator,denominator\n"
            f"{AREA},2024/25,persistent_absence,25,2,8\n"
        ),
        JSON: {
            "schema": {
                "anyOf": [
                    _OBJECTS,
                    {
                        "type": "object",
                        "required": ["observations"],
                        "properties": {"observations": _OBJECTS},
                    },
                ]
            },
            "example": [
                {
                    "area_code": AREA,
                    "period": "2024/25",
                    "indicator": "persistent_absence",
                    "value": 25,
                    "numerator": 2,
                    "denominator": 8,
                }
            ],
        },
        GZIP: FILE,
        OCTET_STREAM: FILE,
        XLSX: FILE,
        MULTIPART: _FORM,
    },
)

EVENTS = raw_body(
    "Point events, counted per area and month into the indicators whose event categories "
    "match: a police.uk street-level crime CSV as downloaded, a CSV with a category, a "
    "date and longitude/latitude, easting/northing (British National Grid) or x/y, or a "
    "GeoJSON FeatureCollection of points whose properties are named as those columns "
    "(WGS84; an older export naming EPSG:27700 as its crs is read as British National "
    f"Grid). Either may be gzipped ({GZIP}, or any of these types). {_AS_FILE} GeoJSON is "
    "also read as application/json, CSV as application/csv or text/plain.",
    {
        CSV: text(
            "id,category,date,longitude,latitude\n"
            "example-1,Criminal damage and arson,2023-12-05,-1.4701,53.3811\n"
        ),
        GEOJSON: {
            "schema": {
                "type": "object",
                "required": ["type", "features"],
                "properties": {"type": {"const": "FeatureCollection"}, "features": _OBJECTS},
            },
            "example": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [-1.4701, 53.3811]},
                        "properties": {
                            "id": "example-1",
                            "category": "Criminal damage and arson",
                            "date": "2023-12-05",
                        },
                    }
                ],
            },
        },
        GZIP: FILE,
        OCTET_STREAM: FILE,
    },
)

PREVIEW = raw_body(
    "A file to preview before its upload (nothing is stored): CSV, gzipped or not, or an "
    f"Excel workbook (.xlsx, {XLSX}; `?sheet=` chooses its sheet), raw or as the field "
    "`file` of a multipart/form-data form; `header_row` when rows above the header hold "
    f"a title. {_AS_FILE}",
    {
        CSV: text(
            "LSOA code (2011),LSOA name (2011),Index of Multiple Deprivation (IMD) Rank\n"
            f"{AREA},Sheffield 028D,1187\n"
        ),
        GZIP: FILE,
        OCTET_STREAM: FILE,
        XLSX: FILE,
        MULTIPART: _FORM,
    },
)

# A new indicator (trying the example creates it; it updates none that exists).
_INDICATOR = Indicator(
    code="fly_tipping",
    title="Fly-tipping reports",
    definition="Reports of fly-tipping on public land, by the month reported.",
    agency="council",
    topic="environment",
    value_type=ValueType.COUNT,
    multiplier=1,
    unit="reports",
    polarity=Polarity.HIGHER_IS_WORSE,
    period_type=PeriodType.MONTH,
    source="Council fly-tipping reports",
    licence="Open Government Licence v3.0",
    area_types=("lsoa", "ward"),
    disclosure_threshold=None,
    visibility=Visibility.PUBLIC,
    numerator=None,
    denominator=None,
    event_categories=(),
)

CATALOGUE = raw_body(
    "Indicators to create or update: CSV with the catalogue's columns (lists such as "
    "area_types separated by `;`) or JSON (a list of objects with those fields). Not "
    f"gzipped. Sent as {OCTET_STREAM} (a file from disk) or text/plain, the contents "
    "decide; CSV is also read as application/csv or application/vnd.ms-excel.",
    {
        CSV: text(catalogue_to_csv([_INDICATOR])),
        JSON: {"schema": _OBJECTS, "example": catalogue_to_json([_INDICATOR])},
        OCTET_STREAM: FILE,
    },
)
