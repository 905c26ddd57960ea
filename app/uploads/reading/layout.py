"""Layouts plug into the reader: each says which files it reads and how.

A partner format is one layout module. A :class:`Layouts` lists the layouts of one kind
of upload (observations, events) in the order they are tried: the first CSV layout
whose :meth:`CsvLayout.accepts` takes the header reads the file (the last should take
any header and say what it lacks), and likewise for JSON documents.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Generic, Protocol, TypeVar

from app.uploads.reading.errors import FormatError, TooLargeError
from app.uploads.reading.table import CsvText, csv_text
from app.uploads.reading.text import Limits, Text, open_text

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")


class CsvLayout(Protocol[T_co]):
    """A layout of CSV files (their header decides)."""

    def accepts(self, header: Sequence[str]) -> bool: ...

    def read(self, source: CsvText, text: Text) -> T_co: ...


class JsonLayout(Protocol[T_co]):
    """A layout of JSON documents (their shape decides)."""

    def accepts(self, document: Any) -> bool: ...

    def read(self, document: Any, text: Text) -> T_co: ...


@dataclass(frozen=True)
class Layouts(Generic[T]):
    csv: Sequence[CsvLayout[T]]
    json: Sequence[JsonLayout[T]]


def read_file(
    data: BinaryIO,
    content_type: str,
    layouts: Layouts[T],
    *,
    filename: str | None = None,
    limits: Limits | None = None,
    header_row: int | None = None,
) -> T:
    """Read a partner's file with the first of ``layouts`` that takes it.

    Raises
    ------
    UnsupportedTypeError, FormatError
        When the file as a whole cannot be read (see :func:`.text.open_text`), or no
        layout takes it.
    TooLargeError
        When it passes one of ``limits`` (see :class:`.text.Limits`).

    ``header_row`` is a CSV's header row when rows above it hold a title (see
    :func:`.table.csv_text`).
    """
    text = open_text(data, content_type, filename, limits=limits)
    try:
        if text.kind == "json":
            if text.size > text.limits.json_bytes:
                raise TooLargeError(
                    f"JSON uploads are read whole, so they may be at most "
                    f"{text.limits.json_bytes / 2**20:,.0f} MB once decompressed: send "
                    "larger files as CSV, or in parts"
                )
            document = parse_json(text.read())
            text.limits.check_rows(_records(document))
            for json_layout in layouts.json:
                if json_layout.accepts(document):
                    return json_layout.read(document, text)
            raise FormatError("this JSON is not a layout this upload takes")
        text.limits.check_lines(text.lines)
        source = csv_text(text, header_row)
        for csv_layout in layouts.csv:
            if csv_layout.accepts(source.header):
                return csv_layout.read(source, text)
        raise FormatError("this CSV is not a layout this upload takes")
    finally:
        text.close()


# Partner files nest four levels at most (a FeatureCollection's features' geometries'
# coordinates); anything deeper is not a layout, and Python's recursion would fail on it.
MAX_JSON_DEPTH = 32


def parse_json(text: str) -> Any:
    """The JSON document; a :class:`FormatError` for text that is not JSON or nests
    deeper than :data:`MAX_JSON_DEPTH`."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"the JSON cannot be read: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    except RecursionError:
        raise FormatError(_too_deep()) from None
    if _depth_exceeds(document, MAX_JSON_DEPTH):
        raise FormatError(_too_deep())
    return document


def _too_deep() -> str:
    return (
        f"the JSON nests lists or objects more than {MAX_JSON_DEPTH} levels deep, which no "
        "upload layout does"
    )


def _depth_exceeds(document: Any, limit: int) -> bool:
    """Whether lists and objects nest deeper than ``limit`` (walked without recursion)."""
    if not isinstance(document, dict | list):
        return False
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _records(document: Any) -> int:
    """How many records a document holds: its list, or the list of its ``features`` or
    ``observations`` member."""
    if isinstance(document, list):
        return len(document)
    if isinstance(document, dict):
        for key in ("features", "observations"):
            if isinstance(document.get(key), list):
                return len(document[key])
    return 0
