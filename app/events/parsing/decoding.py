"""Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""

from __future__ import annotations

from app.events.parsing.errors import EventFormatError
from app.textfiles import UTF8_BOM, has_utf16_bom


def decode(body: bytes) -> tuple[str, list[str]]:
    """The body as text and a note when it was not UTF-8."""
    if has_utf16_bom(body):
        # Excel's "Unicode text" export.
        try:
            return body.decode("utf-16"), ["read as UTF-16"]
        except UnicodeDecodeError as exc:
            raise EventFormatError(f"the file starts as UTF-16 but is not ({exc.reason})") from exc
    body = body.removeprefix(UTF8_BOM)
    try:
        return body.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        bad = exc.start
    # Excel's plain "CSV" export on Windows writes the ANSI code page: Windows-1252 in the UK.
    # Latin-1 reads the five bytes Windows-1252 leaves undefined.
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
    line = body.count(b"\n", 0, bad) + 1
    return text, [f"not UTF-8 (byte 0x{body[bad]:02X} on line {line:,}): read as Windows-1252"]
