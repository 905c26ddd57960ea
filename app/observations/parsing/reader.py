"""The entry point: an upload's content type and stream to a :class:`ParsedUpload`."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Collection
from typing import IO, BinaryIO

from app.observations.parsing.codes import Codes
from app.observations.parsing.csv_layouts import parse_csv
from app.observations.parsing.decoding import CHUNK_BYTES, check_looks_like_text, detect_encoding
from app.observations.parsing.errors import UnsupportedContentTypeError
from app.observations.parsing.json_layout import parse_json
from app.observations.parsing.results import ParsedUpload
from app.textfiles import split_content_type

# Non-seekable streams are copied to a temporary file, in memory up to this size.
_SPOOL_BYTES = 8 * 1024 * 1024

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
    media_type, params = split_content_type(content_type)
    is_json = media_type in _JSON_TYPES or media_type.endswith("+json")
    if not is_json and media_type not in _CSV_TYPES:
        raise UnsupportedContentTypeError(_unsupported_type_message(media_type))
    codes = Codes(indicator_codes)
    period = (default_period or "").strip() or None
    charset = params.get("charset")
    if data.seekable():
        return _parse_stream(data, is_json, charset, codes, period)
    # Encoding detection reads the stream once before parsing reads it again.
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as copy:
        shutil.copyfileobj(data, copy, CHUNK_BYTES)
        copy.seek(0)
        return _parse_stream(copy, is_json, charset, codes, period)


def _parse_stream(
    stream: IO[bytes], is_json: bool, charset: str | None, codes: Codes, period: str | None
) -> ParsedUpload:
    start = stream.tell()
    check_looks_like_text(stream, start)
    encoding = detect_encoding(stream, start, charset)
    stream.seek(start + encoding.skip)
    if is_json:
        upload = parse_json(stream, encoding.codec, codes, period)
    else:
        upload = parse_csv(stream, encoding.codec, codes, period)
    if encoding.note:
        upload.notes.insert(0, encoding.note)
    return upload


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
