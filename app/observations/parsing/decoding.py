"""Bytes to text: refusing binary files and choosing the codec of an upload."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import IO

from app.observations.parsing.errors import UploadFormatError
from app.textfiles import GZIP_MAGIC, UTF8_BOM, ZIP_MAGIC, has_utf16_bom

CHUNK_BYTES = 64 * 1024

# Leading bytes of files partners send by mistake.
_MAGIC = [
    (ZIP_MAGIC, "an Excel workbook (.xlsx) or a zip archive: save the sheet as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls): save the sheet as CSV"),
    (GZIP_MAGIC, "gzip-compressed: decompress it first"),
    (b"%PDF", "a PDF document: send the data as CSV"),
]


def check_looks_like_text(stream: IO[bytes], start: int) -> None:
    """Refuse an empty upload, or one whose leading bytes show it is not text."""
    head = stream.read(CHUNK_BYTES)
    stream.seek(start)
    if not head:
        raise UploadFormatError("the upload is empty")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise UploadFormatError(f"the upload is not text but {what}")
    if b"\x00" in head and not has_utf16_bom(head):
        raise UploadFormatError(
            "the upload contains NUL bytes, so it is not a text file (UTF-16 needs a byte "
            "order mark): save it as CSV UTF-8"
        )


@dataclass(frozen=True)
class Encoding:
    codec: str
    skip: int = 0  # bytes to skip before decoding (a UTF-8 BOM in a file read as cp1252)
    note: str | None = None


@dataclass(frozen=True)
class _BadByte:
    byte: int
    line: int


def detect_encoding(stream: IO[bytes], start: int, charset: str | None) -> Encoding:
    """Choose the codec: the declared charset, else UTF-8/UTF-16 by BOM, else Windows-1252."""
    head = stream.read(4)
    stream.seek(start)
    has_utf8_bom = head.startswith(UTF8_BOM)
    if charset:
        try:
            codec = codecs.lookup(charset).name
        except LookupError:
            raise UploadFormatError(f"unknown charset {charset!r} in the content type") from None
        if codec == "utf-8" and has_utf8_bom:
            codec = "utf-8-sig"  # the BOM is not data even when the charset is declared
        bad = _first_bad_byte(stream, start, codec)
        if bad:
            raise UploadFormatError(
                f"the upload is declared as charset={charset} but byte {bad.byte:#04x} on line "
                f"{bad.line} is not valid in it: send the right charset, or none to let it "
                "be detected"
            )
        return Encoding(codec)
    if has_utf16_bom(head):
        bad = _first_bad_byte(stream, start, "utf-16")
        if bad:
            raise UploadFormatError(f"the upload is not valid UTF-16 (line {bad.line})")
        return Encoding("utf-16")
    bad = _first_bad_byte(stream, start, "utf-8")
    if bad is None:
        return Encoding("utf-8-sig" if has_utf8_bom else "utf-8")
    # Windows-1252 leaves five bytes undefined; Latin-1 reads every byte.
    codec = "cp1252" if _first_bad_byte(stream, start, "cp1252") is None else "latin-1"
    name = "Windows-1252" if codec == "cp1252" else "Latin-1"
    note = (
        f"The file is not valid UTF-8 (byte {bad.byte:#04x} on line {bad.line} is not), so it "
        f"was read as {name}: check that accented letters and symbols such as £ came through; "
        'saving it as "CSV UTF-8" avoids the guess.'
    )
    return Encoding(codec, skip=len(UTF8_BOM) if has_utf8_bom else 0, note=note)


def _line_breaks(chunk: bytes) -> int:
    # CRLF, LF and old Mac CR files all count one break per line.
    return chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")


def _first_bad_byte(stream: IO[bytes], start: int, codec: str) -> _BadByte | None:
    """Decode the whole stream in chunks; return the first byte the codec rejects, if any."""
    stream.seek(start)
    decoder = codecs.getincrementaldecoder(codec)()
    lines, previous = 1, b""
    try:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # The decoder prepends bytes it held back from the previous chunk.
                held = len(exc.object) - len(chunk)
                before = chunk[: max(exc.start - held, 0)]
                return _BadByte(exc.object[exc.start], lines + _line_breaks(before))
            if not chunk:
                return None
            lines += _line_breaks(chunk)
            if previous.endswith(b"\r") and chunk.startswith(b"\n"):
                lines -= 1  # a CRLF split between two chunks
            previous = chunk
    finally:
        stream.seek(start)
