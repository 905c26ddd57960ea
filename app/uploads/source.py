"""Receiving an upload: streamed to a spooled temporary file, never read whole into
memory, hashed on the way, and cut off with a 413 past the size limit. A browser's
multipart/form-data form is taken too: the file in its field ``file``, options in the
others (:mod:`app.uploads.options`)."""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import BinaryIO

from starlette.datastructures import UploadFile as StarletteUploadFile
from starlette.requests import Request

from app.errors import InvalidParameterError, PayloadTooLargeError
from app.settings import Settings
from app.uploads.reading import Limits


@dataclass(frozen=True)
class UploadSource:
    """The bytes of an upload and what the client said about them."""

    data: BinaryIO
    content_type: str
    filename: str | None
    sha256: str
    size: int

    def batch_fields(self) -> dict[str, str | None]:
        """What the batch history records of the file."""
        return {"filename": self.filename, "content_type": self.content_type, "sha256": self.sha256}


_IN_MEMORY = 8 * 1024 * 1024  # larger bodies spill to disk


def upload_limits(settings: Settings) -> Limits:
    """How large an upload may be once decompressed, and how many rows it may hold."""
    return Limits(
        text_bytes=settings.max_upload_text_bytes,
        rows=settings.max_upload_rows,
        json_bytes=max(settings.max_upload_text_bytes // 8, 1024),
    )


async def receive_upload(request: Request, max_bytes: int) -> UploadSource:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLargeError(_too_large(int(declared), max_bytes))
    spool = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 (returned)
    digest = hashlib.sha256()
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            spool.close()
            raise PayloadTooLargeError(_too_large(size, max_bytes, at_least=True))
        digest.update(chunk)
        spool.write(chunk)
    spool.seek(0)
    return UploadSource(
        data=spool,  # type: ignore[arg-type]
        content_type=request.headers.get("content-type", ""),
        filename=_filename(request),
        sha256=digest.hexdigest(),
        size=size,
    )


def _too_large(size: int, limit: int, at_least: bool = False) -> str:
    more = "at least " if at_least else ""
    return (
        f"The upload is {more}{size:,} bytes; the limit is {limit:,} bytes. Split the file "
        "(for example one month or one indicator per upload) or ask an administrator to "
        "raise NIS_MAX_UPLOAD_BYTES."
    )


def _filename(request: Request) -> str | None:
    disposition = request.headers.get("content-disposition", "")
    match = re.search(r'filename="?([^";]+)"?', disposition)
    if match:
        return match.group(1)
    return request.query_params.get("filename")


MULTIPART = "multipart/form-data"
# A form holds the file and a few options (app.uploads.options.FIELDS).
_MAX_FIELDS = 20
_MAX_FIELD_BYTES = 1024 * 1024


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith(MULTIPART)


async def receive_form(request: Request, max_bytes: int) -> tuple[UploadSource, dict[str, str]]:
    """A multipart/form-data upload (as a browser's form sends it): the file in the field
    ``file`` and the form's other fields as text. The whole body is held to the size
    limit as a raw upload is; the batch records the file's own name, type and checksum.

    Raises
    ------
    InvalidParameterError
        When the form cannot be parsed, or holds no file (or more than one).
    """
    from starlette.formparsers import MultiPartException, MultiPartParser

    body = await receive_upload(request, max_bytes)

    async def chunks() -> AsyncIterator[bytes]:
        while chunk := body.data.read(64 * 1024):
            yield chunk

    parser = MultiPartParser(
        request.headers,
        chunks(),  # type: ignore[arg-type]
        max_files=1,
        max_fields=_MAX_FIELDS,
        max_part_size=_MAX_FIELD_BYTES,
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise InvalidParameterError(f"the form cannot be read: {exc.message}") from exc
    finally:
        body.data.close()
    files = [v for _, v in form.multi_items() if isinstance(v, StarletteUploadFile)]
    upload = form.get("file")
    if not isinstance(upload, StarletteUploadFile):
        for f in files:
            await f.close()
        raise InvalidParameterError(
            "the form holds no file: send it in the field named 'file' "
            '(multipart/form-data; name="file"; filename=...)'
        )
    digest = hashlib.sha256()
    size = 0
    upload.file.seek(0)
    while chunk := upload.file.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    upload.file.seek(0)
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    source = UploadSource(
        data=upload.file,
        content_type=upload.content_type or "",
        filename=upload.filename,
        sha256=digest.hexdigest(),
        size=size,
    )
    return source, fields


async def receive_any(request: Request, max_bytes: int) -> tuple[UploadSource, dict[str, str]]:
    """A raw body or a multipart form; the options are the query's parameters, a form's
    fields over them."""
    query = dict(request.query_params)
    if is_multipart(request):
        source, fields = await receive_form(request, max_bytes)
        return source, {**query, **fields}
    return await receive_upload(request, max_bytes), query
