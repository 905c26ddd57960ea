"""A partner's bytes as text: decompressed, refused when not text, and decoded.

The bytes are never read whole into memory to decide: a stream that cannot seek is
spooled to a temporary file, gzip is decompressed into another (up to a size limit, so
that a small gzip bomb cannot fill the disk), and the encoding is chosen by decoding
the file chunk by chunk:

- an explicit ``charset`` wins, and must fit the bytes;
- else UTF-8, with or without a byte order mark; UTF-16 when it starts with one
  (Excel's "Unicode text");
- else Windows-1252 (Excel's plain "CSV" on a UK machine), or Latin-1 where even that
  fails, with a note saying so.
"""

from __future__ import annotations

import codecs
import gzip
import io
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, BinaryIO, Final, TextIO

from app.uploads.reading.content import (
    Kind,
    declared_kind,
    declares_gzip,
    sniffed_kind,
    split_content_type,
)
from app.uploads.reading.errors import FormatError, TooLargeError

# The largest text accepted, after decompression (NIS_MAX_UPLOAD_TEXT_BYTES): about
# three years of a large police force's crimes.
MAX_TEXT_BYTES: Final = 256 * 1024 * 1024
# The most rows (CSV records, JSON records or features) one upload may hold
# (NIS_MAX_UPLOAD_ROWS): 17 months of South Yorkshire's crimes. Reading costs about 500
# bytes a police.uk row, so this bounds an upload's working set to about 125 MB.
MAX_ROWS: Final = 250_000
# JSON is parsed whole, at about ten times its size in memory: a smaller limit.
MAX_JSON_BYTES: Final = 32 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How large an upload may be once decompressed, and how many rows it may hold;
    crossing either is a :class:`~app.uploads.reading.errors.TooLargeError` as soon as
    the reader sees it (during decompression, or while counting lines or rows)."""

    text_bytes: int = MAX_TEXT_BYTES
    rows: int = MAX_ROWS
    json_bytes: int = MAX_JSON_BYTES

    def check_rows(self, rows: int) -> None:
        """Refuse ``rows`` rows read so far when they are more than an upload may hold."""
        if rows > self.rows:
            raise TooLargeError(
                f"the upload holds more than {self.rows:,} rows, the most one upload may "
                f"hold: {_SPLIT}"
            )

    def check_lines(self, lines: int) -> None:
        """Refuse a CSV of ``lines`` line breaks before it is parsed, when they are far
        more than its rows may be (records never outnumber lines; a tenth more leaves
        room for quoted line breaks and blank lines)."""
        if lines > self.rows + self.rows // 10 + 10:
            raise TooLargeError(
                f"the upload has {lines:,} lines, far more than the {self.rows:,} rows one "
                f"upload may hold: {_SPLIT}"
            )


_SPLIT = (
    "split it (for example one month per upload) or ask an administrator to raise "
    "NIS_MAX_UPLOAD_ROWS"
)


CHUNK_BYTES: Final = 64 * 1024
_SPOOL_BYTES = 8 * 1024 * 1024  # larger files spill to disk

GZIP_MAGIC: Final = b"\x1f\x8b"
UTF8_BOM: Final = codecs.BOM_UTF8
UTF16_BOMS: Final = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# Leading bytes of files partners send by mistake.
_NOT_TEXT = [
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or a zip archive: save the sheet as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls): save the sheet as CSV"),
    (b"%PDF", "a PDF document: send the data as CSV"),
]


@dataclass
class Text:
    """An upload ready to be read as text.

    Attributes
    ----------
    kind : {"csv", "json"}
        What the content type, the file name or else the first characters say it is.
    codec : str
        The Python codec it is read with, e.g. ``"utf-8"``, ``"utf-8-sig"`` (with a byte
        order mark), ``"cp1252"``.
    notes : list of str
        What was done or assumed: decompression, an encoding guessed.
    """

    kind: Kind
    codec: str
    notes: list[str] = field(default_factory=list)
    _raw: IO[bytes] = field(default_factory=io.BytesIO, repr=False)
    _start: int = 0
    _owned: list[IO[bytes]] = field(default_factory=list, repr=False)
    limits: Limits = field(default_factory=Limits)
    lines: int = 0  # line breaks in the text (counted while looking for NUL bytes)
    size: int = 0  # bytes of text

    def close(self) -> None:
        """Remove the temporary copies made while reading (never the caller's stream)."""
        for spool in self._owned:
            spool.close()

    def read(self) -> str:
        """The whole text (line endings as written)."""
        with self.stream() as stream:
            return stream.read()

    @contextmanager
    def stream(self) -> Iterator[TextIO]:
        """The text from its start, as a stream (line endings as written), for as long
        as the block runs; the bytes stay open for another read."""
        self._raw.seek(self._start)
        wrapper = io.TextIOWrapper(self._raw, encoding=self.codec, newline="")
        try:
            yield wrapper
        finally:
            wrapper.detach()

    def head(self, chars: int = 4096) -> str:
        self._raw.seek(self._start)
        decoder = codecs.getincrementaldecoder(self.codec)(errors="replace")
        return decoder.decode(self._raw.read(chars * 4))[:chars]


def open_text(
    data: BinaryIO,
    content_type: str,
    filename: str | None = None,
    *,
    max_bytes: int | None = None,
    limits: Limits | None = None,
) -> Text:
    """Check, decompress and decode an upload.

    Parameters
    ----------
    data : binary file
        The upload, from its current position. It is not closed.
    content_type : str
        Its ``Content-Type``; a ``charset`` parameter is honoured.
    filename : str, optional
        Its name (``.gz``, ``.csv``, ``.json``, ``.geojson`` are recognised).
    max_bytes : int, optional
        The largest text accepted, before or after decompression; by default the
        limits' ``text_bytes``.
    limits : Limits, optional
        The upload's limits (:class:`Limits` by default), kept on the text for the
        layouts to check rows against.

    Raises
    ------
    UnsupportedTypeError
        For a content type no partner file has.
    FormatError
        For an empty, binary or damaged file, or one that does not fit its charset.
    TooLargeError
        As soon as the text passes ``max_bytes``.
    """
    limits = limits or Limits()
    if max_bytes is None:
        max_bytes = limits.text_bytes
    media_type, params = split_content_type(content_type)
    declared = declared_kind(media_type, filename)
    notes: list[str] = []
    owned: list[IO[bytes]] = []
    try:
        raw: IO[bytes] = data
        if not data.seekable():
            raw = _spool(owned)
            _copy_limited(data.read, raw, "the file", max_bytes)
            raw.seek(0)
        start = raw.tell()
        head = raw.read(len(GZIP_MAGIC))
        raw.seek(start)
        if head.startswith(GZIP_MAGIC):
            compressed = _size(raw, start)
            raw = _gunzip(raw, _spool(owned), max_bytes)
            start = 0
            notes.append(f"decompressed gzip: {compressed:,} bytes to {_size(raw, 0):,}")
        else:
            if _size(raw, start) > max_bytes:
                raise TooLargeError(_too_large("the file", max_bytes))
            if declares_gzip(media_type, filename):
                # A proxy or browser may already have decompressed it; the contents count.
                notes.append("declared as gzip but not compressed: read as it is")
        lines = _check_looks_like_text(raw, start)
        codec, skip, note = _encoding(raw, start, params.get("charset"))
        if note:
            notes.append(note)
        text = Text(declared or "csv", codec, notes, raw, start + skip, owned, limits, lines)
        text.size = _size(raw, start)
        if declared is None:
            text.kind = sniffed_kind(text.head(64))
        return text
    except BaseException:
        for spool in owned:
            spool.close()
        raise


def _spool(owned: list[IO[bytes]]) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (closed by Text)
    owned.append(spool)
    return spool


def _size(stream: IO[bytes], start: int) -> int:
    end = stream.seek(0, io.SEEK_END)
    stream.seek(start)
    return end - start


def _copy_limited(read: Callable[[int], bytes], out: IO[bytes], what: str, max_bytes: int) -> None:
    total = 0
    while chunk := read(CHUNK_BYTES):
        total += len(chunk)
        if total > max_bytes:
            raise TooLargeError(_too_large(what, max_bytes))
        out.write(chunk)


def _gunzip(compressed: IO[bytes], out: IO[bytes], max_bytes: int) -> IO[bytes]:
    try:
        with gzip.GzipFile(fileobj=compressed, mode="rb") as file:
            _copy_limited(file.read, out, "the decompressed file", max_bytes)
    except (OSError, EOFError, zlib.error) as exc:
        raise FormatError(f"the gzip data is damaged or cut short ({exc})") from exc
    out.seek(0)
    return out


def _too_large(what: str, max_bytes: int) -> str:
    return (
        f"{what} is larger than {max_bytes / 2**20:,.0f} MB: upload it in parts (for example "
        "one month per upload) or ask an administrator to raise NIS_MAX_UPLOAD_TEXT_BYTES"
    )


def _check_looks_like_text(stream: IO[bytes], start: int) -> int:
    """Refuse an empty upload, or one whose leading bytes show it is not text; the
    number of line breaks it holds."""
    head = stream.read(CHUNK_BYTES)
    stream.seek(start)
    if not head:
        raise FormatError("the upload is empty")
    for magic, what in _NOT_TEXT:
        if head.startswith(magic):
            raise FormatError(f"the upload is not text but {what}")
    utf16 = head.startswith(UTF16_BOMS)
    lines = _scan(stream, start, nul_is_binary=not utf16)
    if lines is None:
        raise FormatError(
            "the upload holds binary data (NUL bytes), not text: save it as CSV UTF-8 "
            "(UTF-16 needs a byte order mark)"
        )
    return lines


def _scan(stream: IO[bytes], start: int, *, nul_is_binary: bool) -> int | None:
    """The line breaks in the stream; None when a NUL byte stands anywhere in it (text
    never holds one, and PostgreSQL refuses one in text)."""
    lines = 0
    try:
        while chunk := stream.read(CHUNK_BYTES):
            if nul_is_binary and b"\x00" in chunk:
                return None
            lines += _line_breaks(chunk)
        return lines
    finally:
        stream.seek(start)


def _encoding(stream: IO[bytes], start: int, charset: str | None) -> tuple[str, int, str | None]:
    """(codec, bytes to skip, note): the declared charset, else UTF-8/UTF-16 by BOM,
    else Windows-1252."""
    head = stream.read(4)
    stream.seek(start)
    has_utf8_bom = head.startswith(UTF8_BOM)
    if charset:
        codec = _declared_codec(charset)
        if codec == "utf-8" and has_utf8_bom:
            codec = "utf-8-sig"  # the BOM is not data even when the charset is declared
        try:
            bad = _first_bad_byte(stream, start, codec)
        except (UnicodeError, ValueError) as exc:
            # A codec that refuses the text as a whole (UTF-16 without a byte order mark).
            raise FormatError(
                f"the upload is declared as charset={charset} but cannot be read in it "
                f"({exc}): send the right charset, or none to let it be detected"
            ) from None
        if bad:
            byte, line = bad
            raise FormatError(
                f"the upload is declared as charset={charset} but byte {byte:#04x} on line "
                f"{line} is not valid in it: send the right charset, or none to let it "
                "be detected"
            )
        return codec, 0, None
    if head.startswith(UTF16_BOMS):
        bad = _first_bad_byte(stream, start, "utf-16")
        if bad:
            raise FormatError(f"the upload starts as UTF-16 but is not (line {bad[1]})")
        return "utf-16", 0, None
    bad = _first_bad_byte(stream, start, "utf-8")
    if bad is None:
        return ("utf-8-sig" if has_utf8_bom else "utf-8"), 0, None
    # Windows-1252 leaves five bytes undefined; Latin-1 reads every byte.
    codec = "cp1252" if _first_bad_byte(stream, start, "cp1252") is None else "latin-1"
    name = "Windows-1252" if codec == "cp1252" else "Latin-1"
    byte, line = bad
    note = (
        f"The file is not valid UTF-8 (byte {byte:#04x} on line {line} is not), so it "
        f"was read as {name}: check that accented letters and symbols such as £ came "
        'through; saving it as "CSV UTF-8" avoids the guess.'
    )
    return codec, len(UTF8_BOM) if has_utf8_bom else 0, note


# Codecs Python knows that are not charsets a file is written in: they transform text
# to text (rot13), decode an escape syntax (unicode_escape) or a domain name (idna).
_NOT_CHARSETS = frozenset(
    {"undefined", "idna", "punycode", "unicode_escape", "raw_unicode_escape", "mbcs", "oem"}
)


def _declared_codec(charset: str) -> str:
    """The Python codec of a declared charset; only text encodings (bz2, base64, hex,
    rot13 and the like are codecs too, of bytes or of text, and no file's charset)."""
    try:
        info = codecs.lookup(charset)
    except LookupError:
        raise FormatError(f"unknown charset {charset!r} in the content type") from None
    if not getattr(info, "_is_text_encoding", True) or info.name.replace("-", "_") in _NOT_CHARSETS:
        raise FormatError(
            f"charset={charset} is not a character encoding: declare the file's encoding "
            "(such as utf-8 or windows-1252), or none to let it be detected"
        )
    return info.name


def _line_breaks(chunk: bytes) -> int:
    # CRLF, LF and old Mac CR files all count one break per line.
    return chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")


def _first_bad_byte(stream: IO[bytes], start: int, codec: str) -> tuple[int, int] | None:
    """Decode the whole stream in chunks: (byte, line) of the first the codec rejects."""
    stream.seek(start)
    decoder = codecs.getincrementaldecoder(codec)()
    offset = 0  # of the chunk, from start
    try:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # The decoder prepends bytes it held back from the previous chunk.
                held = len(exc.object) - len(chunk)
                return exc.object[exc.start], _line_at(stream, start, offset + exc.start - held)
            if not chunk:
                return None
            offset += len(chunk)
    finally:
        stream.seek(start)


def _line_at(stream: IO[bytes], start: int, position: int) -> int:
    """The line holding the byte ``position`` bytes after ``start`` (counted only when a
    bad byte is found: most files have none)."""
    stream.seek(start)
    return 1 + _line_breaks(stream.read(max(position, 0)))
