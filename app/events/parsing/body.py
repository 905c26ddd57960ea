"""The upload's bytes: size limit, gzip, and whether they are CSV or GeoJSON."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable
from typing import BinaryIO, Literal

from app.events.parsing.errors import EventFormatError, UnsupportedContentTypeError
from app.textfiles import GZIP_MAGIC, UTF8_BOM

_JSON_TYPES = frozenset({"application/geo+json", "application/json", "application/vnd.geo+json"})
_CSV_TYPES = frozenset(
    {
        "text/csv",
        "application/csv",
        "text/comma-separated-values",
        "text/plain",
        # Browsers on Windows send .csv files with Excel's registered type.
        "application/vnd.ms-excel",
    }
)
_GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip"})
# Types that say nothing about the contents: the file name, then the bytes, decide.
_OPAQUE_TYPES = _GZIP_TYPES | {"", "application/octet-stream", "binary/octet-stream"}


def read_body(
    data: BinaryIO, media_type: str, filename: str | None, max_bytes: int
) -> tuple[bytes, list[str]]:
    """The upload's bytes, decompressed when gzip, and what was done to them.

    More than ``max_bytes``, before or after decompression, is an error.
    """
    body = _read_limited(data.read, "the file", max_bytes)
    declared_gzip = media_type in _GZIP_TYPES or (filename or "").lower().endswith(".gz")
    if body.startswith(GZIP_MAGIC):
        text = _gunzip(body, max_bytes)
        return text, [f"decompressed gzip: {len(body):,} bytes to {len(text):,}"]
    if declared_gzip:
        # A proxy or browser may already have decompressed it; the contents are what count.
        return body, ["declared as gzip but not compressed: read as it is"]
    return body, []


def _gunzip(body: bytes, max_bytes: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as file:
            return _read_limited(file.read, "the decompressed file", max_bytes)
    except (OSError, EOFError, zlib.error) as exc:
        raise EventFormatError(f"the gzip data is damaged or cut short ({exc})") from exc


def _read_limited(read: Callable[[int], bytes], what: str, max_bytes: int) -> bytes:
    body = read(max_bytes + 1)
    if len(body) > max_bytes:
        raise EventFormatError(
            f"{what} is larger than {max_bytes // 2**20:,} MB: upload it in parts"
        )
    return body


def detect_format(media_type: str, filename: str | None, body: bytes) -> Literal["csv", "geojson"]:
    if media_type in _JSON_TYPES:
        return "geojson"
    if media_type in _CSV_TYPES:
        return "csv"
    if media_type not in _OPAQUE_TYPES:
        raise UnsupportedContentTypeError(
            f"unsupported content type {media_type!r}: upload CSV or GeoJSON"
        )
    name = (filename or "").lower().removesuffix(".gz")
    if name.endswith((".geojson", ".json")):
        return "geojson"
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    # GeoJSON is a JSON object, so it starts with a brace; no CSV header does.
    return "geojson" if body.lstrip(UTF8_BOM + b" \t\r\n")[:1] == b"{" else "csv"
