"""Turning what the reader found wrong into the upload's refusal: a file that cannot be
read is 422 (415 for its content type, 413 past a size or row limit), and a file with
bad rows is refused whole with every row error listed (under the reader's one cap)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.errors import PayloadTooLargeError, UnsupportedMediaTypeError, UploadRejectedError
from app.uploads.reading import FormatError, RowErrors, TooLargeError, UnsupportedTypeError


@contextmanager
def reading_errors() -> Iterator[None]:
    """Reading a file inside this block: its errors become the upload's."""
    try:
        yield
    except UnsupportedTypeError as exc:
        raise UnsupportedMediaTypeError(str(exc)) from exc
    except TooLargeError as exc:
        raise PayloadTooLargeError(str(exc)) from exc
    except FormatError as exc:
        raise UploadRejectedError(str(exc)) from exc


def reject_if_errors(errors: RowErrors, what: str, rows: int | None = None) -> None:
    """Refuse the upload (``what``) when any row has an error; nothing is stored. Given
    the file's data ``rows``, the message counts the rows the problems are on, of those."""
    if not errors:
        return
    where = f"in {what}"
    if rows is not None:
        bad = len(errors.bad_rows())
        where = f"on {bad:,} of the {rows:,} row(s) of {what}"
    raise UploadRejectedError(
        f"{len(errors):,} problem(s) {where}; nothing was stored. Each error gives the "
        "row (as a spreadsheet numbers it), the column (as the file names it), the value "
        "and the reason.",
        errors=[
            {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason}
            for e in errors.listed()
        ],
    )
