"""Reading an upload of observations (CSV or JSON) into rows, row errors and notes.

An observation is a value of one indicator for one area and period. Partners send them as

- a **long** CSV: one row per observation, columns ``area_code, period, indicator, value``
  and optionally ``numerator, denominator``;
- a **wide** CSV: one row per area (and period), one column per indicator headed by its code;
- **JSON**: a list of objects with the long layout's fields, or ``{"observations": [...]}``.

Nothing here touches the database: the caller passes the indicator codes it knows and then
checks areas, periods (with :mod:`app.observations.periods`) and signs itself. Problems with
single values become :class:`RowError` objects, all of them collected so the partner can fix
the file in one go; problems with the file as a whole raise :class:`UploadFormatError`.

Decisions on what is accepted:

- Encoding: an explicit ``charset`` wins (and must fit); otherwise UTF-8 with or without a
  byte order mark, UTF-16 with one (Excel's "Unicode text"), and anything else is read as
  Windows-1252 (Latin-1 where even that fails) with a note saying so.
- Delimiter: comma, semicolon or tab, chosen from the first lines (see
  :func:`_detect_delimiter`). Cells are stripped. In a semicolon-separated file a comma in a
  number is refused, since such files come from locales that write decimal commas.
- Headers match ignoring case, spaces and punctuation. The area column may be any usual code
  column (``area_code``, ``LSOA11CD``, ``LSOA code (2011)``...); when there are several, the
  finest geography wins (an LSOA code over its local authority's code) and the others are
  listed as ignored. A file is long when it has an ``indicator`` column, wide otherwise.
- ``default_period`` applies to files (long or wide) and JSON records without a period; a
  blank cell in a period column is an error, not a use of the default.
- Every value needs a number; ``numerator`` and ``denominator`` are optional. A blank cell in a
  wide file means "no value" (no row, counted in a note). Suppression markers (``*``, ``c``,
  ``..``, ``x``, ``-``, ``[c]``...) are errors asking for the value to be left out.
- Duplicates are detected on the text as written (area code, period, indicator): the caller
  must check again after normalising periods (``2021-3`` and ``2021-03`` are the same month).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import json
import math
import re
import shutil
import tempfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import IO, BinaryIO, Literal

MAX_ERRORS = 1000

_CHUNK_BYTES = 64 * 1024
# Non-seekable streams are copied to a temporary file, in memory up to this size.
_SPOOL_BYTES = 8 * 1024 * 1024
# Lines read to choose the delimiter.
_SNIFF_LINES = 20

Layout = Literal["long", "wide", "json"]


class UploadFormatError(ValueError):
    """The upload as a whole cannot be read (empty, no header, missing column, bad JSON...)."""


class UnsupportedContentTypeError(UploadFormatError):
    """The upload's content type is not one this parser reads."""


@dataclass(frozen=True)
class ObservationRow:
    """One observation as uploaded, before the caller validates area and period.

    Attributes
    ----------
    row : int
        Where it came from: the spreadsheet row number (the header is row 1) for CSV, the
        1-based index of the record for JSON.
    area_code : str
        The area code as written, stripped.
    period : str
        The period as written, stripped (or the default period).
    indicator : str
        The indicator code, spelled as in the known codes.
    value : float or None
        The value (always set by :func:`parse_observations`).
    numerator, denominator : float or None
        The value's parts, when given.
    """

    row: int
    area_code: str
    period: str
    indicator: str
    value: float | None
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True)
class RowError:
    """A problem with one row or cell of an upload.

    Attributes
    ----------
    row : int or None
        Row number as in :class:`ObservationRow`; None for a summary such as "... and 12 more".
    column : str or None
        The column header (CSV) or key (JSON) concerned, as written in the upload.
    value : str or None
        The offending text, as written.
    reason : str
        What is wrong and how to fix it.
    """

    row: int | None
    column: str | None
    value: str | None
    reason: str


@dataclass
class ParsedUpload:
    """What an upload holds.

    Attributes
    ----------
    rows : list of ObservationRow
        The observations read without error.
    errors : list of RowError
        Every problem found, at most ``MAX_ERRORS`` then one "... and N more".
    layout : {"long", "wide", "json"}
        How the upload was laid out.
    encoding : str
        Python codec used to read it, e.g. ``"utf-8"``, ``"utf-8-sig"`` (with a byte order
        mark), ``"cp1252"``.
    notes : list of str
        What the user should know: guessed encoding, ignored columns, blank cells...
    """

    rows: list[ObservationRow]
    errors: list[RowError]
    layout: Layout
    encoding: str
    notes: list[str] = field(default_factory=list)


# --- entry point -----------------------------------------------------------------------------

_CSV_TYPES = frozenset({"text/csv", "application/csv", "text/plain"})
_JSON_TYPES = frozenset({"application/json"})


def parse_observations(
    data: BinaryIO,
    content_type: str,
    indicator_codes: Collection[str],
    *,
    default_period: str | None = None,
) -> ParsedUpload:
    """Read an upload of observations.

    Parameters
    ----------
    data : binary file
        The upload, read from its current position. Seekable streams (a spooled temporary
        file) are read in place; others are copied to a temporary file first. It is not
        closed.
    content_type : str
        The upload's media type: ``text/csv``, ``application/csv`` or ``text/plain`` for
        CSV, ``application/json`` (or any ``+json`` type) for JSON; a ``charset`` parameter
        is honoured.
    indicator_codes : collection of str
        The indicator codes the uploader may use. Codes in the upload match them ignoring
        case and come back spelled as here.
    default_period : str, optional
        The period of every observation when the upload has no period column or key.

    Returns
    -------
    ParsedUpload
        The rows read, every row error found and notes. The upload should be rejected as a
        whole when ``errors`` is not empty.

    Raises
    ------
    UploadFormatError
        When the upload cannot be read at all: unsupported content type, empty, not text,
        no header row, a required column missing, columns ambiguous, unreadable JSON.
    """
    media_type, params = _split_content_type(content_type)
    is_json = media_type in _JSON_TYPES or media_type.endswith("+json")
    if not is_json and media_type not in _CSV_TYPES:
        raise UnsupportedContentTypeError(_unsupported_type_message(media_type))
    codes = _Codes(indicator_codes)
    period = (default_period or "").strip() or None
    charset = params.get("charset")
    if data.seekable():
        return _parse_stream(data, is_json, charset, codes, period)
    # Encoding detection reads the stream once before parsing reads it again.
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as copy:
        shutil.copyfileobj(data, copy, _CHUNK_BYTES)
        copy.seek(0)
        return _parse_stream(copy, is_json, charset, codes, period)


def _parse_stream(
    stream: IO[bytes], is_json: bool, charset: str | None, codes: _Codes, period: str | None
) -> ParsedUpload:
    start = stream.tell()
    _check_looks_like_text(stream, start)
    encoding = _detect_encoding(stream, start, charset)
    stream.seek(start + encoding.skip)
    if is_json:
        upload = _parse_json(stream, encoding.codec, codes, period)
    else:
        upload = _parse_csv(stream, encoding.codec, codes, period)
    if encoding.note:
        upload.notes.insert(0, encoding.note)
    return upload


def _split_content_type(content_type: str) -> tuple[str, dict[str, str]]:
    media_type, *rest = content_type.split(";")
    params: dict[str, str] = {}
    for param in rest:
        key, sep, value = param.partition("=")
        if sep:
            params[key.strip().lower()] = value.strip().strip('"').strip()
    return media_type.strip().lower(), params


def _unsupported_type_message(media_type: str) -> str:
    supported = "text/csv (also application/csv, text/plain) or application/json"
    if not media_type:
        return f"the upload has no content type: send it as {supported}"
    if "excel" in media_type or "spreadsheet" in media_type:
        return (
            f"uploads of type {media_type} are not accepted: save the workbook as CSV "
            f"(CSV UTF-8) and send it as text/csv"
        )
    return f"uploads of type {media_type} are not accepted: send {supported}"


# Leading bytes of files partners send by mistake.
_MAGIC = [
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or a zip archive: save the sheet as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls): save the sheet as CSV"),
    (b"\x1f\x8b", "gzip-compressed: decompress it first"),
    (b"%PDF", "a PDF document: send the data as CSV"),
]


def _check_looks_like_text(stream: IO[bytes], start: int) -> None:
    head = stream.read(_CHUNK_BYTES)
    stream.seek(start)
    if not head:
        raise UploadFormatError("the upload is empty")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise UploadFormatError(f"the upload is not text but {what}")
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UploadFormatError(
            "the upload contains NUL bytes, so it is not a text file (UTF-16 needs a byte "
            "order mark): save it as CSV UTF-8"
        )


# --- encoding --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Encoding:
    codec: str
    skip: int = 0  # bytes to skip before decoding (a UTF-8 BOM in a file read as cp1252)
    note: str | None = None


@dataclass(frozen=True)
class _BadByte:
    byte: int
    line: int


def _detect_encoding(stream: IO[bytes], start: int, charset: str | None) -> _Encoding:
    """Choose the codec: the declared charset, else UTF-8/UTF-16 by BOM, else Windows-1252."""
    head = stream.read(4)
    stream.seek(start)
    has_utf8_bom = head.startswith(codecs.BOM_UTF8)
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
        return _Encoding(codec)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        bad = _first_bad_byte(stream, start, "utf-16")
        if bad:
            raise UploadFormatError(f"the upload is not valid UTF-16 (line {bad.line})")
        return _Encoding("utf-16")
    bad = _first_bad_byte(stream, start, "utf-8")
    if bad is None:
        return _Encoding("utf-8-sig" if has_utf8_bom else "utf-8")
    # Windows-1252 leaves five bytes undefined; Latin-1 reads every byte.
    codec = "cp1252" if _first_bad_byte(stream, start, "cp1252") is None else "latin-1"
    name = "Windows-1252" if codec == "cp1252" else "Latin-1"
    note = (
        f"The file is not valid UTF-8 (byte {bad.byte:#04x} on line {bad.line} is not), so it "
        f"was read as {name}: check that accented letters and symbols such as £ came through; "
        'saving it as "CSV UTF-8" avoids the guess.'
    )
    return _Encoding(codec, skip=len(codecs.BOM_UTF8) if has_utf8_bom else 0, note=note)


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
            chunk = stream.read(_CHUNK_BYTES)
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


# --- indicator codes -------------------------------------------------------------------------


def _normalise_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


class _Codes:
    """The known indicator codes, matched ignoring case (and, for headers, punctuation)."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.canonical = sorted(set(codes))
        self._exact = frozenset(self.canonical)
        self._by_fold: dict[str, str] = {}
        for code in self.canonical:
            self._by_fold.setdefault(code.casefold(), code)
        normals: dict[str, list[str]] = {}
        for code in self.canonical:
            normals.setdefault(_normalise_header(code), []).append(code)
        # A header that normalises like two codes matches neither.
        self._by_normal = {k: v[0] for k, v in normals.items() if len(v) == 1}

    def match(self, text: str) -> str | None:
        """The known code written ``text``, ignoring case (an exact spelling wins)."""
        if text in self._exact:
            return text
        return self._by_fold.get(text.casefold())

    def match_header(self, header: str) -> str | None:
        """The known code a column header names, ignoring case, spaces and punctuation."""
        return self.match(header) or self._by_normal.get(_normalise_header(header))

    def closest(self, text: str, n: int = 3) -> list[str]:
        folded = difflib.get_close_matches(text.casefold(), list(self._by_fold), n=n)
        return [self._by_fold[f] for f in folded]

    def unknown_reason(self, text: str) -> str:
        reason = f"'{text}' is not a known indicator code"
        if close := self.closest(text, n=1):
            return f"{reason}: did you mean '{close[0]}'?"
        return reason


# --- columns ---------------------------------------------------------------------------------

# Role -> normalised header -> rank (0 is the plainest name; ties at the best rank are errors).
_ROLE_NAMES: dict[str, dict[str, int]] = {
    "period": {
        "period": 0,
        "timeperiod": 0,
        "date": 1,
        "month": 1,
        "quarter": 1,
        "year": 1,
        "financialyear": 1,
        "academicyear": 1,
    },
    "indicator": {"indicator": 0, "indicatorcode": 0},
    "value": {"value": 0, "obsvalue": 0},
    "numerator": {"numerator": 0},
    "denominator": {"denominator": 0},
}
_CANONICAL = {
    "area": "area_code",
    "period": "period",
    "indicator": "indicator",
    "value": "value",
    "numerator": "numerator",
    "denominator": "denominator",
}

# Area code columns rank by geography, finest first, after the generic names (rank 0): a
# file listing LSOAs with their local authority's code is about the LSOAs.
_AREA_GENERIC = frozenset({"areacode", "area", "code", "areacd", "geographycode", "gsscode"})
_AREA_GRAIN = {
    "area": 0,
    "geography": 0,
    "gss": 0,
    "oa": 1,
    "lsoa": 2,
    "dz": 2,
    "datazone": 2,
    "msoa": 3,
    "iz": 3,
    "ward": 4,
    "wd": 4,
    "ed": 4,
    "nhood": 5,
    "nbhd": 5,
    "neighbourhood": 5,
    "neighborhood": 5,
    "lad": 6,
    "la": 6,
    "ltla": 6,
    "utla": 6,
    "localauthority": 6,
    "localauthoritydistrict": 6,
}
_OTHER_ONS_GRAIN = 7
_ONS_CODE = re.compile(r"([a-z]+)\d{2}cd")  # LSOA11CD, WD20CD, LAD19CD...
_NAMED_CODE = re.compile(r"([a-z]+)code(?:\d{2}|\d{4})?")  # "LSOA code (2011)", "ward_code"


def _area_rank(normal: str) -> int | None:
    if normal in _AREA_GENERIC:
        return 0
    if m := _ONS_CODE.fullmatch(normal):
        return _AREA_GRAIN.get(m[1], _OTHER_ONS_GRAIN)
    if m := _NAMED_CODE.fullmatch(normal):
        return _AREA_GRAIN.get(m[1])
    return None


def _role_of(header: str) -> tuple[str, int] | None:
    """The role a header names and its rank, or None for any other column."""
    normal = _normalise_header(header)
    for role, names in _ROLE_NAMES.items():
        if normal in names:
            return role, names[normal]
    rank = _area_rank(normal)
    return ("area", rank) if rank is not None else None


@dataclass(frozen=True)
class _Column:
    index: int
    header: str


@dataclass
class _Columns:
    """What each column of a CSV header is for."""

    roles: dict[str, _Column]
    indicators: dict[str, _Column]  # known code -> its column, in a wide file
    others: list[_Column]  # neither a role nor an indicator


def _pick_role_columns(header: list[str]) -> tuple[dict[str, _Column], list[_Column]]:
    candidates: dict[str, list[tuple[int, _Column]]] = {}
    others: list[_Column] = []
    for index, name in enumerate(header):
        column = _Column(index, name)
        found = _role_of(name) if name else None
        if found is None:
            others.append(column)
        else:
            candidates.setdefault(found[0], []).append((found[1], column))
    roles: dict[str, _Column] = {}
    for role, ranked in candidates.items():
        best = min(rank for rank, _ in ranked)
        tied = [c for rank, c in ranked if rank == best]
        if len(tied) > 1:
            names = ", ".join(f"'{c.header}'" for c in tied)
            raise UploadFormatError(
                f"columns {names} could each be the {_CANONICAL[role]} column: rename the one "
                f"to use to '{_CANONICAL[role]}' or remove the others"
            )
        roles[role] = tied[0]
        others += [c for rank, c in ranked if rank != best]
    return roles, sorted(others, key=lambda c: c.index)


def _classify_columns(header: list[str], codes: _Codes) -> _Columns:
    roles, others = _pick_role_columns(header)
    if "area" not in roles:
        found = ", ".join(f"'{h}'" for h in header if h)
        raise UploadFormatError(
            f"no area code column among {found}: name it area_code (ONS names such as "
            "LSOA11CD or 'LSOA code (2011)' are recognised too)"
        )
    indicators: dict[str, _Column] = {}
    if "indicator" in roles and "value" not in roles:
        found = ", ".join(f"'{h}'" for h in header if h)
        raise UploadFormatError(
            f"no value column among {found}: a file with an indicator column needs a value "
            "column (area_code, period, indicator, value)"
        )
    if "indicator" not in roles:
        # Wide layout: value-like columns mean nothing here, so they are ignored like names.
        for role in ("value", "numerator", "denominator"):
            if role in roles:
                others.append(roles.pop(role))
        others.sort(key=lambda c: c.index)
        rest: list[_Column] = []
        for column in others:
            code = codes.match_header(column.header) if column.header else None
            if code is None:
                rest.append(column)
            elif code in indicators:
                raise UploadFormatError(
                    f"columns '{indicators[code].header}' and '{column.header}' are both "
                    f"indicator {code}: keep one"
                )
            else:
                indicators[code] = column
        others = rest
    return _Columns(roles, indicators, others)


def _ignored_columns_note(others: list[_Column], codes: _Codes, wide: bool) -> str | None:
    named = [c for c in others if c.header]
    unnamed = len(others) - len(named)
    parts: list[str] = []
    for column in named:
        part = f"'{column.header}'"
        if wide and (close := codes.closest(column.header, n=1)):
            part += f" (did you mean '{close[0]}'?)"
        parts.append(part)
    if unnamed:
        parts.append(f"{unnamed} column(s) without a header")
    if not parts:
        return None
    why = " (not known indicator codes)" if wide else ""
    return f"Ignored columns{why}: {', '.join(parts)}."


def _no_indicator_message(header: list[str], codes: _Codes) -> str:
    close = list(dict.fromkeys(code for h in header if h for code in codes.closest(h)))
    if close:
        known = "the closest known codes are " + ", ".join(close)
    elif codes.canonical:
        shown = codes.canonical[:10]
        more = f" and {len(codes.canonical) - 10} more" if len(codes.canonical) > 10 else ""
        known = "known codes are " + ", ".join(shown) + more
    else:
        known = "no indicator codes are known for this upload"
    return (
        "no column is an indicator: a long upload needs columns area_code, period, indicator "
        "and value; a wide upload needs one column per indicator, headed by its code; "
        f"{known}"
    )


# --- numbers ---------------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?", re.IGNORECASE)
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_COMMA_NUMBER = re.compile(r"[+-]?[\d,]*,[\d,]*(?:\.\d*)?")
_NOT_FINITE = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})
# Markers statistical tables put where a value is suppressed, unavailable or not applicable.
_SUPPRESSION_MARKERS = frozenset(
    {"*", "c", "..", "...", "x", "-", "\u2013", "\u2014", ":", "z", "u"}
    | {"[c]", "[x]", "[z]", "[u]", "[low]", "n/a", "na", "#n/a"}
)


class _NumberError(ValueError):
    def __init__(self, reason: str, *, suppressed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.suppressed = suppressed


def _read_number(text: str, *, grouping: bool = True) -> float:
    """Read a number written in a cell; ``grouping`` allows 1,234 thousands separators.

    Raises ``_NumberError`` with a reason in words when the text is not a finite number.
    """
    if text.casefold() in _SUPPRESSION_MARKERS:
        raise _NumberError(
            f"'{text}' marks a suppressed or unavailable value, not a number", suppressed=True
        )
    if _PLAIN_NUMBER.fullmatch(text):
        number = float(text)
    elif _COMMA_NUMBER.fullmatch(text) and not grouping:
        raise _NumberError(
            f"'{text}' has a comma, which in a semicolon-separated file may be a decimal "
            "comma: write numbers with a decimal point and no thousands separators"
        )
    elif _GROUPED_NUMBER.fullmatch(text):
        number = float(text.replace(",", ""))
    elif _COMMA_NUMBER.fullmatch(text):
        raise _NumberError(
            f"'{text}' has a misplaced thousands separator: commas must separate groups of "
            "three digits (29,199), and decimal commas are not accepted (write 29.19)"
        )
    elif text.casefold() in _NOT_FINITE:
        raise _NumberError(f"'{text}' is not a finite number")
    elif text.endswith("%") and _PLAIN_NUMBER.fullmatch(text[:-1].strip()):
        raise _NumberError(f"'{text}' has a % sign: write the number alone")
    else:
        raise _NumberError(f"'{text}' is not a number")
    if not math.isfinite(number):
        raise _NumberError(f"'{text}' is too large")
    return number


def _suppressed_hint(layout: Layout) -> str:
    if layout == "wide":
        return "leave the cell empty"
    return "leave this observation out of the upload"


# --- collecting rows and errors --------------------------------------------------------------


class _Collector:
    """Rows and errors of an upload, with duplicate detection and the error cap."""

    def __init__(self, layout: Layout) -> None:
        self.layout: Layout = layout
        self.rows: list[ObservationRow] = []
        self.errors: list[RowError] = []
        self.more_errors = 0
        self.first_row: dict[tuple[str, str, str], int] = {}

    def error(self, row: int | None, column: str | None, value: str | None, reason: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, value, reason))
        else:
            self.more_errors += 1

    def number(self, row: int, column: str, text: str, *, grouping: bool = True) -> float | None:
        """Read a number, recording an error and returning None when it is not one."""
        try:
            return _read_number(text, grouping=grouping)
        except _NumberError as exc:
            reason = exc.reason
            if exc.suppressed:
                reason += f": {_suppressed_hint(self.layout)}"
            self.error(row, column, text, reason)
            return None

    def is_duplicate(self, row: int, key: tuple[str, str, str], column: str | None) -> bool:
        """Record where a key first appears; report it when it appears again."""
        earlier = self.first_row.setdefault(key, row)
        if earlier == row:
            return False
        area, period, indicator = key
        self.error(
            row,
            column,
            None,
            f"duplicate: area {area}, period {period}, indicator {indicator} is already on "
            f"row {earlier}",
        )
        return True

    def result(self, encoding: str, notes: list[str]) -> ParsedUpload:
        errors = list(self.errors)
        if self.more_errors:
            errors.append(RowError(None, None, None, f"... and {self.more_errors} more errors"))
        return ParsedUpload(self.rows, errors, self.layout, encoding, notes)


# --- CSV -------------------------------------------------------------------------------------

_DELIMITERS = ",;\t"
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


def _delimiter_score(lines: list[str], delimiter: str) -> tuple[int, int]:
    """How well a delimiter splits the lines: rows as wide as the header, header width."""
    rows = list(csv.reader(lines, delimiter=delimiter))
    width = len(rows[0]) if rows else 0
    if width < 2:
        return 0, width
    return sum(len(r) == width for r in rows[1:]), width


def _detect_delimiter(sample: list[str]) -> str:
    """Choose comma, semicolon or tab from the header and the first lines.

    csv.Sniffer reads the header line well when fields are quoted, but on a lone header it
    falls back on a fixed preference and it can pick a character that splits the header yet
    not the data ("Rate (per 1,000)" in a semicolon file). So its choice is kept only when it
    splits the data rows into as many cells as the header as well as any other does; else the
    best of the three wins, comma first on a tie.
    """
    lines = [line for line in sample if line.strip()]
    if not lines:
        return ","
    try:
        sniffed: str | None = csv.Sniffer().sniff("".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    scores = {d: _delimiter_score(lines, d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: scores[d])
    if sniffed in scores and scores[sniffed] == scores[best]:
        return sniffed
    return best


def _records(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (spreadsheet row number, stripped cells); blank lines count as rows."""
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        for number, record in enumerate(reader, start=1):
            yield number, [cell.strip() for cell in record]
    except csv.Error as exc:
        raise UploadFormatError(
            f"the CSV cannot be read near line {reader.line_num}: {exc} (is a quote left open?)"
        ) from None


def _parse_csv(
    stream: IO[bytes], codec: str, codes: _Codes, default_period: str | None
) -> ParsedUpload:
    # newline="" hands line endings to the csv module, which reads CRLF, LF and CR alike and
    # keeps line breaks inside quoted cells.
    text = io.TextIOWrapper(stream, encoding=codec, newline="")
    try:
        lines = iter(text)
        sample = list(islice(lines, _SNIFF_LINES))
        delimiter = _detect_delimiter(sample)
        return _parse_records(
            _records(chain(sample, lines), delimiter), delimiter, codec, codes, default_period
        )
    finally:
        text.detach()  # leave the caller's stream open


def _parse_records(
    records: Iterator[tuple[int, list[str]]],
    delimiter: str,
    codec: str,
    codes: _Codes,
    default_period: str | None,
) -> ParsedUpload:
    header: list[str] | None = None
    for _, cells in records:
        if any(cells):
            header = cells
            break
    if header is None:
        raise UploadFormatError("the file has no header row: it holds only blank lines")
    columns = _classify_columns(header, codes)
    long = "indicator" in columns.roles
    if not long and not columns.indicators:
        raise UploadFormatError(_no_indicator_message(header, codes))
    if "period" not in columns.roles and default_period is None:
        raise UploadFormatError(
            "there is no period column: add one (named period) or give the period of "
            "every value with the upload (?period=2021-03)"
        )
    notes = _csv_notes(columns, codes, delimiter, default_period)
    reader = _RowReader(
        columns, codes, default_period, len(header), grouping=delimiter != ";", long=long
    )
    data_rows = 0
    for number, cells in records:
        if not any(cells):
            continue
        data_rows += 1
        reader.read(number, cells)
    if data_rows == 0:
        raise UploadFormatError("the file has a header row but no data rows")
    collector = reader.collector
    if reader.blank_cells:
        notes.append(f"{reader.blank_cells} blank cell(s) left no value.")
    if not collector.rows and not collector.errors:
        raise UploadFormatError("the file holds no values: every indicator cell is blank")
    return collector.result(codec, notes)


def _csv_notes(
    columns: _Columns, codes: _Codes, delimiter: str, default_period: str | None
) -> list[str]:
    """Say how the file was read: delimiter, columns used and ignored, default period."""
    notes: list[str] = []
    if delimiter != ",":
        notes.append(f"Columns are separated by {_DELIMITER_NAMES[delimiter]}.")
    if delimiter == ";":
        notes.append(
            "Numbers are read with a decimal point; commas in numbers are refused because "
            "semicolon-separated files often use decimal commas."
        )
    if "period" not in columns.roles:
        notes.append(f"There is no period column: every value is for period {default_period}.")
    elif default_period is not None:
        notes.append(
            f"The periods come from column '{columns.roles['period'].header}'; the default "
            f"period {default_period} is not used."
        )
    for role in ("area", "period"):
        column = columns.roles.get(role)
        if column and _normalise_header(column.header) != _normalise_header(_CANONICAL[role]):
            notes.append(f"Column '{column.header}' is read as {_CANONICAL[role]}.")
    if note := _ignored_columns_note(columns.others, codes, wide="indicator" not in columns.roles):
        notes.append(note)
    return notes


class _RowReader:
    """Turns the cells of CSV data rows into observations and errors."""

    def __init__(
        self,
        columns: _Columns,
        codes: _Codes,
        default_period: str | None,
        width: int,
        *,
        grouping: bool,
        long: bool,
    ) -> None:
        self.roles = columns.roles
        self.indicators = columns.indicators
        self.codes = codes
        self.default_period = default_period
        self.width = width
        self.grouping = grouping
        self.long = long
        self.collector = _Collector("long" if long else "wide")
        self.blank_cells = 0

    def read(self, row: int, cells: list[str]) -> None:
        if len(cells) > self.width and any(cells[self.width :]):
            self.collector.error(
                row,
                None,
                None,
                f"the row has {len(cells)} cells but the header has {self.width}: check for "
                "unquoted commas in a name or number",
            )
            return
        area = self._required(row, cells, "area", "the area code is missing")
        period = self._period(row, cells)
        if self.long:
            self._read_long(row, cells, area, period)
        else:
            self._read_wide(row, cells, area, period)

    def _cell(self, cells: list[str], column: _Column) -> str:
        return cells[column.index] if column.index < len(cells) else ""

    def _required(self, row: int, cells: list[str], role: str, reason: str) -> str | None:
        column = self.roles[role]
        text = self._cell(cells, column)
        if not text:
            self.collector.error(row, column.header, "", reason)
            return None
        return text

    def _period(self, row: int, cells: list[str]) -> str | None:
        if "period" not in self.roles:
            return self.default_period
        return self._required(row, cells, "period", "the period is missing")

    def _optional_number(self, row: int, cells: list[str], role: str) -> float | None:
        column = self.roles.get(role)
        text = self._cell(cells, column) if column else ""
        if column is None or not text:
            return None
        return self.collector.number(row, column.header, text, grouping=self.grouping)

    def _read_long(self, row: int, cells: list[str], area: str | None, period: str | None) -> None:
        errors_before = len(self.collector.errors) + self.collector.more_errors
        indicator = None
        written = self._required(row, cells, "indicator", "the indicator code is missing")
        if written is not None:
            indicator = self.codes.match(written)
            if indicator is None:
                column = self.roles["indicator"].header
                self.collector.error(row, column, written, self.codes.unknown_reason(written))
        value_text = self._required(
            row, cells, "value", "the value is missing: leave rows without a value out"
        )
        value = None
        if value_text is not None:
            value = self.collector.number(
                row, self.roles["value"].header, value_text, grouping=self.grouping
            )
        numerator = self._optional_number(row, cells, "numerator")
        denominator = self._optional_number(row, cells, "denominator")
        if area is None or period is None or indicator is None:
            return
        if self.collector.is_duplicate(row, (area, period, indicator), None):
            return
        if len(self.collector.errors) + self.collector.more_errors == errors_before:
            self.collector.rows.append(
                ObservationRow(row, area, period, indicator, value, numerator, denominator)
            )

    def _read_wide(self, row: int, cells: list[str], area: str | None, period: str | None) -> None:
        for indicator, column in self.indicators.items():
            text = self._cell(cells, column)
            if not text:
                self.blank_cells += 1
                continue
            value = self.collector.number(row, column.header, text, grouping=self.grouping)
            if area is None or period is None:
                continue
            duplicate = self.collector.is_duplicate(row, (area, period, indicator), column.header)
            if value is not None and not duplicate:
                self.collector.rows.append(
                    ObservationRow(row, area, period, indicator, value, None, None)
                )


# --- JSON ------------------------------------------------------------------------------------


def _parse_json(
    stream: IO[bytes], codec: str, codes: _Codes, default_period: str | None
) -> ParsedUpload:
    text = io.TextIOWrapper(stream, encoding=codec)
    try:
        document = json.load(text)
    except json.JSONDecodeError as exc:
        raise UploadFormatError(
            f"the JSON cannot be read: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    finally:
        text.detach()
    if isinstance(document, dict):
        if not isinstance(document.get("observations"), list):
            raise UploadFormatError(
                'a JSON object upload needs an "observations" key holding a list of observations'
            )
        records = document["observations"]
    elif isinstance(document, list):
        records = document
    else:
        raise UploadFormatError(
            'the JSON must be a list of observations or {"observations": [...]}'
        )
    if not records:
        raise UploadFormatError("the upload holds no observations")
    reader = _JsonReader(codes, default_period)
    for index, record in enumerate(records, start=1):
        reader.read(index, record)
    notes: list[str] = []
    if reader.ignored_keys:
        notes.append(f"Ignored keys: {', '.join(sorted(reader.ignored_keys))}.")
    if reader.defaulted:
        notes.append(
            f"{reader.defaulted} observation(s) without a period are for period {default_period}."
        )
    return reader.collector.result(codec, notes)


def _shown(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class _JsonReader:
    """Turns JSON records into observations and errors."""

    def __init__(self, codes: _Codes, default_period: str | None) -> None:
        self.codes = codes
        self.default_period = default_period
        self.collector = _Collector("json")
        self.ignored_keys: set[str] = set()
        self.defaulted = 0
        self._roles: dict[str, str | None] = {}

    def _role(self, key: str) -> str | None:
        if key not in self._roles:
            role = _role_of(key)
            self._roles[key] = role[0] if role else None
        return self._roles[key]

    def read(self, row: int, record: object) -> None:
        if not isinstance(record, dict):
            self.collector.error(
                row,
                None,
                _shown(record)[:100],
                "an observation must be an object with area_code, period, indicator and value",
            )
            return
        fields: dict[str, tuple[str, object]] = {}
        for key, value in record.items():
            role = self._role(key)
            if role is None:
                self.ignored_keys.add(key)
            elif role in fields:
                self.collector.error(
                    row, key, None, f"keys '{fields[role][0]}' and '{key}' say the same thing"
                )
                return
            else:
                fields[role] = (key, value)
        errors_before = len(self.collector.errors) + self.collector.more_errors
        area = self._text(row, fields, "area", "the area code is missing")
        period = self._period(row, fields)
        indicator = self._indicator(row, fields)
        value = self._number(row, fields, "value", required=True)
        numerator = self._number(row, fields, "numerator", required=False)
        denominator = self._number(row, fields, "denominator", required=False)
        if area is None or period is None or indicator is None:
            return
        if self.collector.is_duplicate(row, (area, period, indicator), None):
            return
        if len(self.collector.errors) + self.collector.more_errors == errors_before:
            self.collector.rows.append(
                ObservationRow(row, area, period, indicator, value, numerator, denominator)
            )

    def _text(
        self, row: int, fields: dict[str, tuple[str, object]], role: str, missing: str
    ) -> str | None:
        key, value = fields.get(role, (_CANONICAL[role], None))
        # Codes and periods may come as JSON integers (a ward number, a year).
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.collector.error(row, key, None if value is None else value, missing)
            return None
        if not isinstance(value, str):
            self.collector.error(row, key, _shown(value), f"{key} must be a string")
            return None
        return value.strip()

    def _period(self, row: int, fields: dict[str, tuple[str, object]]) -> str | None:
        if fields.get("period", ("", None))[1] is None and self.default_period is not None:
            self.defaulted += 1
            return self.default_period
        return self._text(row, fields, "period", "the period is missing")

    def _indicator(self, row: int, fields: dict[str, tuple[str, object]]) -> str | None:
        written = self._text(row, fields, "indicator", "the indicator code is missing")
        if written is None:
            return None
        code = self.codes.match(written)
        if code is None:
            key = fields["indicator"][0]
            self.collector.error(row, key, written, self.codes.unknown_reason(written))
        return code

    def _number(
        self, row: int, fields: dict[str, tuple[str, object]], role: str, *, required: bool
    ) -> float | None:
        key, value = fields.get(role, (_CANONICAL[role], None))
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                shown = None if value is None else value
                self.collector.error(row, key, shown, "the value is missing")
            return None
        if isinstance(value, str):
            return self.collector.number(row, key, value.strip())
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.collector.error(row, key, _shown(value), f"{_shown(value)} is not a number")
            return None
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            self.collector.error(row, key, _shown(value), f"{_shown(value)} is not a finite number")
            return None
        return number
