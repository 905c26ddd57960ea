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

from app.uploads.reading.errors import FormatError
from app.uploads.reading.table import CsvText, csv_text
from app.uploads.reading.text import Text, open_text

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
    max_bytes: int | None = None,
) -> T:
    """Read a partner's file with the first of ``layouts`` that takes it.

    Raises
    ------
    UnsupportedTypeError, FormatError
        When the file as a whole cannot be read (see :func:`.text.open_text`), or no
        layout takes it.
    """
    text = open_text(data, content_type, filename, max_bytes=max_bytes)
    try:
        if text.kind == "json":
            document = parse_json(text.read())
            for json_layout in layouts.json:
                if json_layout.accepts(document):
                    return json_layout.read(document, text)
            raise FormatError("this JSON is not a layout this upload takes")
        source = csv_text(text)
        for csv_layout in layouts.csv:
            if csv_layout.accepts(source.header):
                return csv_layout.read(source, text)
        raise FormatError("this CSV is not a layout this upload takes")
    finally:
        text.close()


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"the JSON cannot be read: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
