"""Receiving an upload: streamed to a spooled temporary file, never read whole into
memory, hashed on the way, and cut off with a 413 past the size limit."""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from starlette.requests import Request

from app.errors import PayloadTooLargeError
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
