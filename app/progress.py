"""How long-running services report progress without knowing who is watching.

The CLI passes a tqdm-backed reporter; the API and tests pass :data:`SILENT`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

Advance = Callable[[int], None]


class Progress(Protocol):
    def __call__(self, description: str, total: int | None) -> AbstractContextManager[Advance]:
        """Open a progress stage of ``total`` steps; the context yields ``advance(n)``."""
        ...


@contextmanager
def _silent(description: str, total: int | None) -> Iterator[Advance]:
    yield lambda n: None


SILENT: Progress = _silent


def tqdm_progress(min_total: int = 0, unit: str = "area") -> Progress:
    """Progress bars on standard error, counting ``unit``; stages shorter than
    ``min_total`` stay quiet."""
    from tqdm import tqdm

    @contextmanager
    def bar(description: str, total: int | None) -> Iterator[Advance]:
        if total is not None and total < min_total:
            yield lambda n: None
            return
        # disable=None: bars on a terminal only, not in logs and CI output.
        with tqdm(total=total, desc=description, unit=unit, leave=False, disable=None) as t:

            def advance(n: int) -> None:
                t.update(n)

            yield advance

    return bar
