"""Recognising uploaded text files: content types, leading bytes, BOMs, headers, JSON errors.

Shared by the readers of observation uploads (:mod:`app.observations.parsing`) and of point
event uploads (:mod:`app.events.parsing`). Framework-free: it knows nothing of HTTP or the
database, and each reader keeps its own messages.
"""

from __future__ import annotations

import codecs
import json
import re

# Leading bytes of a gzip stream, and of a zip archive (which an .xlsx workbook is).
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"

UTF8_BOM = codecs.BOM_UTF8
# Little- and big-endian: Excel's "Unicode text" export starts with one of them.
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


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


def has_utf16_bom(head: bytes) -> bool:
    """Whether bytes start with a UTF-16 byte order mark (either byte order)."""
    return head.startswith(UTF16_BOMS)


def normalise_header(name: str) -> str:
    """A column header or key for matching: case-folded, only ASCII letters and digits kept.

    ``"LSOA code (2011)"`` gives ``"lsoacode2011"``; ``"Crime_Type"`` gives ``"crimetype"``.
    """
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def json_error_position(exc: json.JSONDecodeError) -> str:
    """What a JSON parser found wrong and where: ``"Expecting value at line 3, column 5"``."""
    return f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
