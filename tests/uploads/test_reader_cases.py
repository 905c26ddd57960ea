"""One table of reader cases, run against both kinds of upload: observations (long CSV)
and events (CSV with coordinates) must give the same verdict for every input, because
they read files through the one reader (app.uploads.reading).

Each layout supplies a sample: its header and a data row built around one number cell
and one text cell. A case turns a sample into bytes (an encoding, a delimiter, a blank
line, gzip, a content type...) and states the verdict expected of every layout.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from pyproj import Transformer

from app.uploads.layouts.event_layouts import read_events
from app.uploads.layouts.observation_layouts import read_observations
from app.uploads.reading import FormatError, UnsupportedTypeError


@dataclass(frozen=True)
class Sample:
    """A layout's file: a header, and rows with a number cell and a text cell."""

    name: str
    header: list[str]
    cells: Callable[[int, str, str], list[str]]  # (row index, number, text) -> cells
    number_column: str
    read: Callable[[bytes, str, str | None], Verdict]


@dataclass(frozen=True)
class Verdict:
    outcome: str  # read | refused | unsupported
    rows: tuple[int, ...] = ()
    numbers: tuple[float, ...] = ()
    texts: tuple[str | None, ...] = ()
    errors: tuple[tuple[int | None, str | None], ...] = ()  # (row, "number" or a column)
    notes: tuple[str, ...] = field(default=(), compare=False)
    reasons: tuple[str, ...] = field(default=(), compare=False)  # of the errors, in order


def _refused(call: Callable[[], Verdict]) -> Verdict:
    try:
        return call()
    except UnsupportedTypeError:
        return Verdict("unsupported")
    except FormatError:
        return Verdict("refused")


def _column(column: str | None, number_column: str) -> str | None:
    return "number" if column == number_column else column


def _read_observations(body: bytes, content_type: str, filename: str | None) -> Verdict:
    def call() -> Verdict:
        upload = read_observations(
            io.BytesIO(body), content_type, {"crime_rate"}, filename=filename
        )
        return Verdict(
            "read",
            tuple(r.row for r in upload.rows),
            tuple(r.value or 0.0 for r in upload.rows),
            tuple(r.area_code for r in upload.rows),
            tuple((e.row, _column(e.column, "value")) for e in upload.errors),
            tuple(upload.notes),
            tuple(e.reason for e in upload.errors),
        )

    return _refused(call)


_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def _read_events(body: bytes, content_type: str, filename: str | None) -> Verdict:
    def call() -> Verdict:
        parsed = read_events(io.BytesIO(body), content_type, filename=filename)
        batch = parsed.batch
        eastings = tuple(
            round(_TO_BNG.transform(lon, lat)[0])
            for lon, lat in zip(batch.lon, batch.lat, strict=True)
            if lon is not None and lat is not None
        )
        return Verdict(
            "read",
            tuple(batch.row),
            tuple(float(e) for e in eastings),
            tuple(batch.location),
            tuple((e.row, _column(e.column, "easting")) for e in parsed.errors),
            tuple(batch.notes),
            tuple(e.reason for e in parsed.errors),
        )

    return _refused(call)


SAMPLES = [
    Sample(
        "observations",
        ["area_code", "period", "indicator", "value"],
        lambda i, number, text: [text, f"2021-0{i + 1}", "crime_rate", number],
        "value",
        _read_observations,
    ),
    Sample(
        "events",
        ["category", "date", "easting", "location", "northing"],
        lambda i, number, text: ["Fire", f"2019-0{i + 1}-05", number, text, "387100"],
        "easting",
        _read_events,
    ),
]


@dataclass(frozen=True)
class File:
    """How a case writes a sample."""

    numbers: tuple[str, ...] = ("435300", "435400")
    texts: tuple[str, ...] = ("Park", "Town Hall")
    delimiter: str = ","
    newline: str = "\n"
    encoding: str = "utf-8"
    before: str = ""  # text before the header (blank lines)
    between: str = ""  # lines between the two data rows
    header: Callable[[list[str]], list[str]] = lambda h: h
    quote_all: bool = False
    content_type: str = "text/csv"
    filename: str | None = None
    then: Callable[[bytes], bytes] = lambda b: b  # what happens to the bytes (gzip...)


def _cell(text: str, delimiter: str, quote: bool) -> str:
    if quote or any(c in text for c in (delimiter, '"', "\n")):
        return '"' + text.replace('"', '""') + '"'
    return text


def write(sample: Sample, f: File) -> bytes:
    lines = [sample.header and f.header(sample.header)]
    rows = [sample.cells(i, n, t) for i, (n, t) in enumerate(zip(f.numbers, f.texts, strict=True))]
    text_lines = [
        f.delimiter.join(_cell(c, f.delimiter, f.quote_all) for c in cells)
        for cells in [lines[0], *rows]
    ]
    body = f.before + text_lines[0] + f.newline + text_lines[1] + f.newline + f.between
    body += f.newline.join(text_lines[2:]) + f.newline
    return f.then(body.encode(f.encoding))


READ = Verdict("read", (2, 3), (435300.0, 435400.0), ("Park", "Town Hall"))


@dataclass(frozen=True)
class Case:
    name: str
    file: File
    expected: Verdict
    note: str | None = None  # a word both layouts' notes must contain


def _damage(body: bytes) -> bytes:
    return body[: len(body) // 2]


CASES = [
    Case("utf-8, commas, LF", File(), READ),
    Case("utf-8 with a byte order mark", File(then=lambda b: b"\xef\xbb\xbf" + b), READ),
    Case("CRLF line endings", File(newline="\r\n"), READ),
    Case("old Mac CR line endings", File(newline="\r"), READ),
    Case("semicolons", File(delimiter=";"), READ, "semicolons"),
    Case("tabs", File(delimiter="\t"), READ, "tabs"),
    Case(
        "UTF-16 with a BOM, tabs (Excel's Unicode text)",
        File(delimiter="\t", encoding="utf-16"),
        READ,
    ),
    Case(
        "Windows-1252 (Excel's CSV on a UK machine)",
        File(texts=("Café £", "Town Hall"), encoding="cp1252"),
        Verdict("read", (2, 3), (435300.0, 435400.0), ("Café £", "Town Hall")),
        "Windows-1252",
    ),
    Case(
        "a declared charset is honoured (not guessed)",
        File(texts=("Café", "Town Hall"), content_type="text/csv; charset=latin-1"),
        Verdict("read", (2, 3), (435300.0, 435400.0), ("CafÃ©", "Town Hall")),
    ),
    Case(
        "a declared charset that does not fit is refused",
        File(
            texts=("Café", "Town Hall"), encoding="cp1252", content_type="text/csv; charset=utf-8"
        ),
        Verdict("refused"),
    ),
    Case("gzip, whatever the type", File(then=gzip.compress), READ, "gzip"),
    Case(
        "gzip as application/gzip", File(content_type="application/gzip", then=gzip.compress), READ
    ),
    Case(
        "damaged gzip is refused",
        File(then=lambda b: _damage(gzip.compress(b * 20))),
        Verdict("refused"),
    ),
    Case(
        "declared gzip but plain",
        File(content_type="application/gzip", filename="a.csv.gz"),
        READ,
        "not compressed",
    ),
    Case("text/plain", File(content_type="text/plain"), READ),
    Case("application/csv", File(content_type="application/csv"), READ),
    Case("upper-case content type", File(content_type="Text/CSV"), READ),
    Case(
        "Excel's registered type (browsers on Windows)",
        File(content_type="application/vnd.ms-excel"),
        READ,
    ),
    Case(
        "octet-stream named .csv",
        File(content_type="application/octet-stream", filename="a.csv"),
        READ,
    ),
    Case("no content type", File(content_type=""), READ),
    Case("an image type is refused", File(content_type="image/png"), Verdict("unsupported")),
    Case(
        "a workbook type is refused",
        File(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        Verdict("unsupported"),
    ),
    Case(
        "a workbook's bytes are refused", File(then=lambda b: b"PK\x03\x04" + b), Verdict("refused")
    ),
    Case("a PDF is refused", File(then=lambda b: b"%PDF-1.4" + b), Verdict("refused")),
    Case(
        "NUL bytes are refused",
        File(then=lambda b: b.replace(b"Park", b"P\x00rk")),
        Verdict("refused"),
    ),
    Case("an empty file is refused", File(then=lambda b: b""), Verdict("refused")),
    Case("blank lines only: no header", File(then=lambda b: b"\n , \n\n"), Verdict("refused")),
    Case(
        "blank lines before the header are skipped, rows keep their numbers",
        File(before="\n,\n"),
        Verdict("read", (4, 5), (435300.0, 435400.0), ("Park", "Town Hall")),
    ),
    Case(
        "blank rows are skipped, later rows keep their numbers",
        File(between="\n,,,,\n"),
        Verdict("read", (2, 5), (435300.0, 435400.0), ("Park", "Town Hall")),
        "blank rows",
    ),
    Case(
        "headings match ignoring case, spaces and underscores",
        File(header=lambda h: [f" {name.upper().replace('_', ' ')} " for name in h]),
        READ,
    ),
    Case(
        "two headings for one role are refused",
        File(header=lambda h: [*h[:-1], h[0].upper(), h[-1]]),
        Verdict("refused"),
    ),
    Case("every cell quoted", File(quote_all=True), READ),
    Case(
        "a quoted line break stays in its cell",
        File(texts=("Flat 1\nPark", "Town Hall")),
        Verdict("read", (2, 3), (435300.0, 435400.0), ("Flat 1\nPark", "Town Hall")),
    ),
    Case(
        "an open quote is refused",
        File(then=lambda b: b + b'Fire,"2019-12,1\n'),
        Verdict("refused"),
    ),
    Case(
        "a row longer than the header is a row error",
        File(
            texts=("Park", "Town Hall"), then=lambda b: b.replace(b"Town Hall", b"Town Hall,extra")
        ),
        Verdict("read", (2,), (435300.0,), ("Park",), ((3, None),)),
    ),
    Case(
        "rows of spaces alone are blank",
        File(between="  ,  ,  \n"),
        Verdict("read", (2, 4), (435300.0, 435400.0), ("Park", "Town Hall")),
        "blank row",
    ),
    Case(
        "a row with one cell more than the header, even blank, is a row error (shifted)",
        File(then=lambda b: b.replace(b"Town Hall", b"Town Hall,")),
        Verdict("read", (2,), (435300.0,), ("Park",), ((3, None),)),
    ),
    Case(
        "NUL bytes far into the file are refused",
        File(then=lambda b: b + b" " * 70_000 + b"\x00\n"),
        Verdict("refused"),
    ),
    Case(
        'a stray quote inside a cell ("Pa"rk) is read as the cell',
        File(then=lambda b: b.replace(b"Park", b'"Pa"rk')),
        READ,
    ),
    Case(
        "a stray quote is read the same way when a long row makes the csv module read",
        File(then=lambda b: b.replace(b"Park", b'"Pa"rk').replace(b"Town Hall", b"Town Hall,x")),
        Verdict("read", (2,), (435300.0,), ("Park",), ((3, None),)),
    ),
    Case(
        "a CSV whose first heading is in brackets is still a CSV",
        File(content_type="", header=lambda h: [f"[{h[0]}]", *h[1:]]),
        READ,  # and its heading matches, punctuation ignored
    ),
    Case(
        '"29,199": a quoted number with thousands separators',
        File(numbers=("435,300", "435,400")),
        READ,
    ),
    Case(
        "a misplaced thousands separator is a row error",
        File(numbers=("4353,00", "435400")),
        Verdict("read", (3,), (435400.0,), ("Town Hall",), ((2, "number"),)),
    ),
    Case(
        "a comma in a number of a semicolon file is a row error (a decimal comma?)",
        File(delimiter=";", numbers=("435,300", "435400")),
        Verdict("read", (3,), (435400.0,), ("Town Hall",), ((2, "number"),)),
    ),
    Case(
        "text in a number cell is a row error",
        File(numbers=("north", "435400")),
        Verdict("read", (3,), (435400.0,), ("Town Hall",), ((2, "number"),)),
    ),
    Case(
        "nan in a number cell is a row error",
        File(numbers=("nan", "435400")),
        Verdict("read", (3,), (435400.0,), ("Town Hall",), ((2, "number"),)),
    ),
    Case(
        "digits other than 0 to 9 (Arabic-Indic) are a row error",
        File(numbers=("\u0664\u0663\u0665\u0663\u0660\u0660", "435400")),
        Verdict("read", (3,), (435400.0,), ("Town Hall",), ((2, "number"),)),
    ),
    Case(
        "an underscore in a number is a row error",
        File(numbers=("435_300", "435400")),
        Verdict("read", (3,), (435400.0,), ("Town Hall",), ((2, "number"),)),
    ),
    # Hostile inputs (issue 12, item 7): each is refused with a reason, never a crash.
    Case(
        "a 10 MB cell in a row longer than the header is refused",
        File(then=lambda b: b.replace(b"Town Hall", b"Town Hall," + b"x" * 10_000_000)),
        Verdict("refused"),
    ),
    *(
        Case(
            f"charset={name} (not a text encoding) is refused",
            File(content_type=f"text/csv; charset={name}"),
            Verdict("refused"),
        )
        for name in ("bz2", "base64", "rot13", "undefined", "hex", "unicode_escape", "utf-16")
    ),
    *(
        Case(
            f"JSON nested {depth:,} deep is refused",
            File(content_type="application/json", then=lambda b, d=depth: b"[" * d + b"]" * d),
            Verdict("refused"),
        )
        for depth in (1_000, 100_000)
    ),
    Case(
        "JSON objects nested 100,000 deep are refused",
        File(
            content_type="application/json",
            then=lambda b: b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        ),
        Verdict("refused"),
    ),
    Case(
        "200,000 columns are refused",
        File(then=lambda b: b",".join(b"c%d" % i for i in range(200_000)) + b"\n" + b),
        Verdict("refused"),
    ),
    Case(
        "50,000 duplicate columns are refused",
        File(header=lambda h: [*h, *["extra"] * 50_000]),
        Verdict("refused"),
    ),
    Case(
        "JSON that does not parse is refused",
        File(content_type="application/json", then=lambda b: b"[{"),
        Verdict("refused"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_layout_gives_the_cases_verdict(case: Case) -> None:
    verdicts: dict[str, Any] = {}
    for sample in SAMPLES:
        body = write(sample, case.file)
        verdicts[sample.name] = sample.read(body, case.file.content_type, case.file.filename)
    assert verdicts == {sample.name: case.expected for sample in SAMPLES}
    # One wording: the reader's errors read the same whatever the layout (but for the
    # numbers in them, such as a header's width).
    worded = {tuple(re.sub(r"\d+", "#", r) for r in v.reasons) for v in verdicts.values()}
    assert len(worded) == 1
    if case.note is not None:
        for name, verdict in verdicts.items():
            assert any(case.note in note for note in verdict.notes), (name, verdict.notes)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_rows_keep_their_numbers_across_the_parsers_chunks(
    sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.uploads.reading.table.CHUNK_ROWS", 2)
    lines = [",".join(sample.header)]
    for i in range(7):
        lines.append(",".join(sample.cells(i, f"4353{i:02d}", f"Place {i}")))
        if i == 2:
            lines.append("")  # a blank row in the second chunk
    body = ("\n".join(lines) + "\n").encode()
    verdict = sample.read(body, "text/csv", None)
    assert verdict.rows == (2, 3, 4, 6, 7, 8, 9)
    assert verdict.texts == tuple(f"Place {i}" for i in range(7))
    long_row = body.replace(b"Place 5", b"Place 5,x")
    assert sample.read(long_row, "text/csv", None).errors == ((8, None),)
