"""What a file is, from what the client says about it: its content type and its name.

One table of media types for every partner file. CSV types, JSON types (GeoJSON
included) and gzip are recognised; types that say nothing (none at all, or
``application/octet-stream``) leave the decision to the file name and then to the
contents. Gzip is recognised by its leading bytes whatever the declared type.
"""

from __future__ import annotations

from typing import Literal

from app.uploads.reading.errors import UnsupportedTypeError

Kind = Literal["csv", "json"]

CSV_TYPES = frozenset(
    {
        "text/csv",
        "application/csv",
        "text/comma-separated-values",
        "text/tab-separated-values",
        "text/plain",
        # Browsers on Windows send .csv files with Excel's registered type; a real
        # workbook sent with it is recognised by its leading bytes and refused.
        "application/vnd.ms-excel",
    }
)
JSON_TYPES = frozenset({"application/json", "application/geo+json", "application/vnd.geo+json"})
GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip"})
# Types that say nothing about the contents: the file name, then the bytes, decide.
OPAQUE_TYPES = GZIP_TYPES | {"", "application/octet-stream", "binary/octet-stream"}

_CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_JSON_SUFFIXES = (".json", ".geojson")


def split_content_type(content_type: str) -> tuple[str, dict[str, str]]:
    """The media type, lower-cased, and the parameters of a ``Content-Type`` value.

    ``"Text/CSV; charset=\\"utf-8\\""`` gives ``("text/csv", {"charset": "utf-8"})``;
    parameter names are lower-cased, values stripped of spaces and quotes.
    """
    media_type, *rest = content_type.split(";")
    params: dict[str, str] = {}
    for param in rest:
        key, sep, value = param.partition("=")
        if sep:
            params[key.strip().lower()] = value.strip().strip('"').strip()
    return media_type.strip().lower(), params


def declared_kind(media_type: str, filename: str | None) -> Kind | None:
    """CSV or JSON as the type (or, for an opaque type, the file name) says; None when
    neither says, so that the contents decide.

    Raises
    ------
    UnsupportedTypeError
        For a type no partner file can have (an image, a workbook type, XML...).
    """
    if media_type in JSON_TYPES or media_type.endswith("+json"):
        return "json"
    if media_type in CSV_TYPES:
        return "csv"
    if media_type not in OPAQUE_TYPES:
        raise UnsupportedTypeError(_unsupported(media_type))
    name = (filename or "").lower().removesuffix(".gz")
    if name.endswith(_JSON_SUFFIXES):
        return "json"
    if name.endswith(_CSV_SUFFIXES):
        return "csv"
    return None


def sniffed_kind(head: str) -> Kind:
    """JSON when the text starts as a JSON object, or a list of objects, does; no CSV
    header does (one whose first heading is ``[category]`` is still a CSV)."""
    start = head.lstrip()
    if start[:1] == "{":
        return "json"
    return "json" if start[:1] == "[" and start[1:].lstrip()[:1] in ("{", "]", "") else "csv"


def declares_gzip(media_type: str, filename: str | None) -> bool:
    return media_type in GZIP_TYPES or (filename or "").lower().endswith(".gz")


def _unsupported(media_type: str) -> str:
    supported = "send CSV (text/csv) or JSON (application/json; GeoJSON as application/geo+json)"
    if "excel" in media_type or "spreadsheet" in media_type:
        return (
            f"uploads of content type {media_type} are not accepted: save the workbook as "
            f"CSV (CSV UTF-8) and send it as text/csv"
        )
    return f"uploads of content type {media_type} are not accepted: {supported}"
