"""Reading a postcode directory in the ONS Postcode Directory (ONSPD) layout: each
postcode, the LSOAs it lies in and its point (longitude/latitude, EPSG:4326).

The ONSPD is a CSV of one row per postcode with some fifty columns, of which four kinds
are read, matched ignoring case, spaces and punctuation:

- the postcode: ``pcds`` (written with one space), ``pcd``/``pcd7`` (seven characters),
  ``pcd8`` or ``pcd2`` (eight), ``postcode``;
- the 2011 LSOA: ``lsoa11`` (newer directories: ``lsoa11cd``);
- the 2021 LSOA: ``lsoa21`` (``lsoa21cd``);
- the point: ``lat`` and ``long`` (``latitude``, ``longitude``).

A zip holding the directory (as the ONS publishes it) is read in place: its largest CSV
whose name starts with ``ONSPD`` (else its largest CSV). Framework-free: nothing here
knows the database or HTTP.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Final, TextIO

from geodata.errors import GeodataError

# Row problems listed one by one; past this only their number is kept.
MAX_PROBLEMS: Final = 1000
# The longest value quoted back in a problem.
_MAX_VALUE_CHARS: Final = 100

# ONSPD's marker of a postcode without a grid reference (Channel Islands, Isle of Man,
# some new and terminated postcodes): no point, not an error.
NO_POINT_LATITUDE: Final = 99.999999

# Where a UK point may be (Channel Islands to Shetland, Northern Ireland to Kent): a
# point outside is a mistake, most often latitude and longitude swapped.
UK_LATITUDE: Final = (49.0, 61.0)
UK_LONGITUDE: Final = (-9.0, 2.1)

_OUTWARD = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?|GIR")
_INWARD = re.compile(r"[0-9][A-Z]{2}")
_GSS_CODE = re.compile(r"[A-Z][0-9]{8}")

# Roles and the headings that name them (normalised), best first.
ROLES: Final[dict[str, tuple[str, ...]]] = {
    "postcode": ("pcds", "pcd", "pcd7", "pcd8", "pcd2", "postcode"),
    "lsoa11": ("lsoa11", "lsoa11cd", "lsoa2011", "lsoa2011cd"),
    "lsoa21": ("lsoa21", "lsoa21cd", "lsoa2021", "lsoa2021cd"),
    "lat": ("lat", "latitude"),
    "long": ("long", "lon", "lng", "longitude"),
}


class PostcodeDirectoryError(GeodataError):
    """The file cannot be read as a postcode directory at all (no postcode column, not
    a CSV, not UTF-8, a zip without a CSV)."""

    code = "postcode_directory_error"


def normalise_postcode(text: str) -> str | None:
    """A UK postcode as the ONSPD's ``pcds`` writes it (upper case, one space before
    the inward code), or None when ``text`` is not a full postcode.

    Examples
    --------
    >>> normalise_postcode(" s47aa ")
    'S4 7AA'
    >>> normalise_postcode("S4  7AA")
    'S4 7AA'
    >>> normalise_postcode("S4") is None
    True
    """
    compact = re.sub(r"\s+", "", text).upper()
    if not 5 <= len(compact) <= 7:
        return None
    outward, inward = compact[:-3], compact[-3:]
    if not (_OUTWARD.fullmatch(outward) and _INWARD.fullmatch(inward)):
        return None
    return f"{outward} {inward}"


def _heading(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


@dataclass(frozen=True)
class Problem:
    """One problem with one row: the row as a spreadsheet numbers it (the header is row
    1), the column as the file names it, the value as written, and what is wrong."""

    row: int | None
    column: str | None
    value: str | None
    reason: str


@dataclass(frozen=True)
class PostcodeRow:
    """One postcode of the directory; the point is None where the directory has none."""

    row: int
    postcode: str
    lsoa11: str | None
    lsoa21: str | None
    longitude: float | None
    latitude: float | None


@dataclass
class Problems:
    """Problems found so far: the first :data:`MAX_PROBLEMS` kept, the rest counted."""

    listed: list[Problem] = field(default_factory=list)
    count: int = 0

    def add(self, row: int | None, column: str | None, value: str | None, reason: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_PROBLEMS:
            if value is not None and len(value) > _MAX_VALUE_CHARS:
                value = value[: _MAX_VALUE_CHARS - 1] + "…"
            self.listed.append(Problem(row, column, value, reason))

    def __bool__(self) -> bool:
        return self.count > 0


class DirectoryReader:
    """The rows of a postcode directory, read once, in file order.

    The header is read when the reader is made (:class:`PostcodeDirectoryError` when it
    lacks a postcode column, or has neither an LSOA column nor a point); :meth:`rows`
    then yields each good row and records the problems of the others in
    :attr:`problems`.
    """

    def __init__(self, lines: TextIO, name: str = "the file") -> None:
        self._reader = csv.reader(lines)
        self.name = name
        self.problems = Problems()
        self.columns: dict[str, tuple[int, str]] = {}  # role -> (index, heading as written)
        self.blank_rows = 0
        self._header_row = 0
        header = self._read_header()
        self._width = len(header)
        normal = [_heading(h) for h in header]
        for role, names in ROLES.items():
            for wanted in names:
                if wanted in normal:
                    index = normal.index(wanted)
                    self.columns[role] = (index, header[index])
                    break
        self._check_columns(header)

    def _read_header(self) -> list[str]:
        try:
            for number, record in enumerate(self._reader, start=1):
                cells = [cell.strip() for cell in record]
                if any(cells):
                    self._header_row = number
                    if cells[0].startswith("\ufeff"):
                        cells[0] = cells[0][1:]
                    return cells
        except (csv.Error, UnicodeDecodeError) as exc:
            raise PostcodeDirectoryError(f"{self.name} cannot be read as a CSV: {exc}") from exc
        raise PostcodeDirectoryError(f"{self.name} is empty: it has no header row")

    def _check_columns(self, header: list[str]) -> None:
        shown = ", ".join(header[:12]) + (", ..." if len(header) > 12 else "")
        if "postcode" not in self.columns:
            raise PostcodeDirectoryError(
                f"{self.name} has no postcode column (one of {', '.join(ROLES['postcode'])}, "
                f"in any case); its columns are: {shown}"
            )
        if ("lat" in self.columns) != ("long" in self.columns):
            have, lacks = ("lat", "long") if "lat" in self.columns else ("long", "lat")
            raise PostcodeDirectoryError(
                f"{self.name} has a {have} column but no {lacks} column: a point needs both"
            )
        if not {"lsoa11", "lsoa21", "lat"} & set(self.columns):
            raise PostcodeDirectoryError(
                f"{self.name} has neither an LSOA column (lsoa11, lsoa21, lsoa21cd) nor "
                f"lat and long: there is nothing to look a postcode up by; its columns "
                f"are: {shown}"
            )

    def heading(self, role: str) -> str | None:
        """The column the file names for ``role``, if it has one."""
        found = self.columns.get(role)
        return found[1] if found else None

    def rows(self) -> Iterator[PostcodeRow]:
        """The good rows; problems of the others go to :attr:`problems`."""
        number = self._header_row
        try:
            for record in self._reader:
                # Physical lines so far: the row a spreadsheet shows, as the ONSPD
                # holds no quoted line breaks (blank lines count, as in a spreadsheet).
                number = self._reader.line_num
                if not any(cell.strip() for cell in record):
                    self.blank_rows += 1
                    continue
                row = self._row(number, record)
                if row is not None:
                    yield row
        except csv.Error as exc:
            self.problems.add(number + 1, None, None, f"the row cannot be read as CSV: {exc}")
        except UnicodeDecodeError as exc:
            raise PostcodeDirectoryError(
                f"{self.name} is not UTF-8 text after row {number:,} ({exc.reason}); the "
                "ONSPD is published as UTF-8: use the file as downloaded"
            ) from exc

    def _row(self, number: int, record: list[str]) -> PostcodeRow | None:
        if len(record) > self._width and any(cell.strip() for cell in record[self._width :]):
            self.problems.add(
                number,
                None,
                None,
                f"the row has {len(record)} cells but the header {self._width}: is a value "
                "holding a comma without quotes?",
            )
            return None

        def cell(role: str) -> tuple[str, str]:
            index, heading = self.columns[role]
            return (record[index].strip() if index < len(record) else ""), heading

        bad = False
        written, heading = cell("postcode")
        postcode = normalise_postcode(written)
        if postcode is None:
            self.problems.add(
                number,
                heading,
                written,
                "blank: every row needs its postcode"
                if not written
                else "not a UK postcode (such as S1 2HH: an outward code, then a digit and "
                "two letters)",
            )
            bad = True
        lsoas: dict[str, str | None] = {}
        for role in ("lsoa11", "lsoa21"):
            lsoas[role] = None
            if role not in self.columns:
                continue
            code, heading = cell(role)
            if code and not _GSS_CODE.fullmatch(code.upper()):
                self.problems.add(
                    number, heading, code, "not an ONS area code (a letter and 8 digits)"
                )
                bad = True
            lsoas[role] = code.upper() or None
        point = self._point(number, cell) if "lat" in self.columns else (None, None)
        if point is None or bad:
            return None
        assert postcode is not None
        return PostcodeRow(number, postcode, lsoas["lsoa11"], lsoas["lsoa21"], *point)

    def _point(
        self, number: int, cell: Callable[[str], tuple[str, str]]
    ) -> tuple[float | None, float | None] | None:
        """(longitude, latitude), (None, None) where the directory gives none, or None
        after recording a problem."""
        (lat_text, lat_heading), (lon_text, lon_heading) = cell("lat"), cell("long")
        if not lat_text and not lon_text:
            return None, None
        values: list[float] = []
        for text, heading in ((lat_text, lat_heading), (lon_text, lon_heading)):
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                reason = (
                    "blank, though the other coordinate is given"
                    if not text
                    else ("not a number (degrees, such as 53.38 or -1.47)")
                )
                self.problems.add(number, heading, text, reason)
                return None
            values.append(value)
        latitude, longitude = values
        if latitude == NO_POINT_LATITUDE:
            return None, None
        for value, heading, text, (low, high), what in (
            (latitude, lat_heading, lat_text, UK_LATITUDE, "latitude"),
            (longitude, lon_heading, lon_text, UK_LONGITUDE, "longitude"),
        ):
            if not low <= value <= high:
                self.problems.add(
                    number,
                    heading,
                    text,
                    f"a {what} outside the United Kingdom ({low:g} to {high:g}); are "
                    "latitude and longitude swapped, or the point in grid metres?",
                )
                return None
        return longitude, latitude


@dataclass(frozen=True)
class OpenedDirectory:
    """A directory's text, ready to read, and what it is called in messages."""

    name: str
    lines: TextIO
    data_lines: int  # line breaks in the text: about the number of rows, for progress


@contextmanager
def open_directory(path: Path) -> Iterator[OpenedDirectory]:
    """The directory's CSV, from a CSV file or from the zip the ONS publishes."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            member = _directory_member(archive, path)
            lines = _count_lines(lambda: archive.open(member))
            with archive.open(member) as raw:
                decoded = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                yield OpenedDirectory(f"{path.name}:{member}", decoded, lines)
        return
    lines = _count_lines(lambda: path.open("rb"))
    with path.open(encoding="utf-8-sig", newline="") as stream:
        yield OpenedDirectory(path.name, stream, lines)


def _directory_member(archive: zipfile.ZipFile, path: Path) -> str:
    csvs = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
    if not csvs:
        raise PostcodeDirectoryError(
            f"{path.name} is a zip without a CSV: give the ONSPD zip as downloaded, or its CSV"
        )
    named = [i for i in csvs if PurePosixPath(i.filename).name.upper().startswith("ONSPD")]
    return max(named or csvs, key=lambda i: i.file_size).filename


def _count_lines(opener: Callable[[], IO[bytes]]) -> int:
    count = 0
    with opener() as raw:
        while chunk := raw.read(1 << 20):
            count += chunk.count(b"\n")
    return int(count)
