"""Choosing a CSV's delimiter: comma, semicolon or tab."""

from __future__ import annotations

import csv

DELIMITERS = ",;\t"
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


def detect_delimiter(sample: list[str]) -> str:
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
        sniffed: str | None = csv.Sniffer().sniff("".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    scores = {d: _score(lines, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: scores[d])
    if sniffed in scores and scores[sniffed] == scores[best]:
        return sniffed
    return best


def _score(lines: list[str], delimiter: str) -> tuple[int, int]:
    """How well a delimiter splits the lines: rows as wide as the header, header width."""
    try:
        rows = list(csv.reader(lines, delimiter=delimiter))
    except csv.Error:
        return 0, 0
    width = len(rows[0]) if rows else 0
    if width < 2:
        return 0, width
    return sum(len(r) == width for r in rows[1:]), width
