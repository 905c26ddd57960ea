"""The exceptions raised when an upload of observations cannot be read as a whole."""

from __future__ import annotations


class UploadFormatError(ValueError):
    """The upload as a whole cannot be read (empty, no header, missing column, bad JSON...)."""


class UnsupportedContentTypeError(UploadFormatError):
    """The upload's content type is not one this parser reads."""
