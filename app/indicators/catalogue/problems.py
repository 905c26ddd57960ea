"""Problems found in a catalogue, and the error that reports them all at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Problem = tuple[int, str | None, str]
"""(row number, field or None for the whole row or file, reason)."""

_MAX_LISTED = 10


class CatalogueError(ValueError):
    """A catalogue that cannot be read; ``problems`` lists every problem found.

    Attributes
    ----------
    problems : list of (int, str or None, str)
        Row number (0 for the file as a whole), field (None for the whole row or file)
        and reason, in row order.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(problems, key=lambda p: p[0])
        super().__init__(_summary(self.problems))


def _summary(problems: Sequence[Problem]) -> str:
    shown = [_describe(problem) for problem in problems[:_MAX_LISTED]]
    more = len(problems) - len(shown)
    tail = f"; and {more} more" if more > 0 else ""
    noun = "problem" if len(problems) == 1 else "problems"
    return f"the catalogue has {len(problems)} {noun}: {'; '.join(shown)}{tail}"


def _describe(problem: Problem) -> str:
    row, name, reason = problem
    where = "file" if row == 0 else f"row {row}"
    return f"{where}, {name}: {reason}" if name else f"{where}: {reason}"
