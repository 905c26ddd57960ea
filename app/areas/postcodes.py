"""Importing a postcode directory (the ONS Postcode Directory layout, read by
:mod:`geodata.postcodes`), all or nothing.

Rows are read and checked as a stream and COPYed into a temporary stage as they go, so
that the whole UK directory (2.7 million rows) never sits in memory; duplicates are
found in the stage. Any problem refuses the file with every problem listed (row, column,
value, reason) and nothing is written; otherwise the stage is merged into ``postcode``
(postcodes held before and not in the file are kept).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.areas import search_repository as repo
from app.errors import ImportRejectedError
from app.progress import SILENT, Advance, Progress
from geodata.errors import GeodataError
from geodata.postcodes import (
    MAX_PROBLEMS,
    DirectoryReader,
    PostcodeRow,
    Problems,
    open_directory,
)

# How often the progress bar moves (rows).
_STEP = 10_000


@dataclass(frozen=True)
class PostcodeImportReport:
    source: str
    columns: dict[str, str]  # role -> the column read for it
    inserted: int
    updated: int
    without_point: int
    in_known_areas: int
    blank_rows: int
    held: int  # postcodes held after the import

    @property
    def count(self) -> int:
        return self.inserted + self.updated

    def messages(self) -> list[str]:
        used = ", ".join(f"{role} from {heading!r}" for role, heading in self.columns.items())
        lines = [f"columns: {used}"]
        if self.blank_rows:
            lines.append(f"{self.blank_rows:,} blank row(s) skipped")
        if self.without_point:
            lines.append(
                f"{self.without_point:,} postcode(s) have no point in the directory (found "
                "by their LSOA only)"
            )
        lines.append(
            f"{self.in_known_areas:,} of the {self.count:,} postcodes lie in LSOAs held here"
        )
        lines.append(
            f"imported {self.count:,} postcodes from {self.source}: {self.inserted:,} new, "
            f"{self.updated:,} updated; {self.held:,} held in all"
        )
        return lines


def import_postcodes(
    session: Session, path: Path, progress: Progress = SILENT, source: str | None = None
) -> PostcodeImportReport:
    """Import the postcode directory at ``path`` (a CSV, or the ONS's zip of it)."""
    try:
        with open_directory(path) as opened:
            reader = DirectoryReader(opened.lines, opened.name)
            counted = _Counted()
            with progress("postcodes", max(opened.data_lines - 1, 0)) as advance:
                repo.stage_postcodes(session, counted.rows(reader.rows(), advance))
            problems = reader.problems
            _add_duplicates(session, problems, reader.heading("postcode") or "postcode")
            if problems:
                _refuse(problems, opened.name)
            name = source or opened.name
            in_known = repo.staged_in_known_areas(session)
            inserted, updated = repo.merge_staged_postcodes(session, name)
    except GeodataError as exc:
        raise ImportRejectedError(str(exc)) from exc
    return PostcodeImportReport(
        source=name,
        columns={role: heading for role, (_, heading) in reader.columns.items()},
        inserted=inserted,
        updated=updated,
        without_point=counted.without_point,
        in_known_areas=in_known,
        blank_rows=reader.blank_rows,
        held=repo.postcode_count(session),
    )


class _Counted:
    """Rows on their way to the stage, counted for the progress bar and the report."""

    def __init__(self) -> None:
        self.without_point = 0

    def rows(
        self, rows: Iterator[PostcodeRow], advance: Advance
    ) -> Iterator[tuple[int, str, str | None, str | None, float | None, float | None]]:
        n = 0
        for n, row in enumerate(rows, start=1):
            if row.longitude is None:
                self.without_point += 1
            if n % _STEP == 0:
                advance(_STEP)
            yield (row.row, row.postcode, row.lsoa11, row.lsoa21, row.longitude, row.latitude)
        advance(n % _STEP)


def _add_duplicates(session: Session, problems: Problems, column: str) -> None:
    for duplicate in repo.staged_duplicates(session, MAX_PROBLEMS):
        first, *later = duplicate.rows
        for row in later:
            problems.add(
                row,
                column,
                duplicate.postcode,
                f"postcode {duplicate.postcode} is also in row {first:,}: each postcode once",
            )


def _refuse(problems: Problems, name: str) -> None:
    listed = sorted(problems.listed, key=lambda p: p.row or 0)
    more = problems.count - len(listed)
    errors = [
        {"row": p.row, "column": p.column, "value": p.value, "reason": p.reason} for p in listed
    ]
    if more:
        errors.append(
            {"row": None, "column": None, "value": None, "reason": f"{more:,} more not listed"}
        )
    raise ImportRejectedError(
        f"{problems.count:,} problem(s) in {name}; nothing was imported. Each gives the row "
        "(as a spreadsheet numbers it), column, value and reason.",
        errors=errors,
    )
