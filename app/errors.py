"""Domain errors. They carry a stable ``code`` and a message for people, and know
nothing of HTTP: :mod:`app.problem_details` maps them to statuses in one table."""

from __future__ import annotations

from typing import Any


class NisError(Exception):
    """Base of every error NIS reports to a user."""

    code = "nis_error"

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class InvalidParameterError(NisError):
    code = "invalid_parameter"


class UnknownAreaTypeError(NisError):
    code = "unknown_area_type"


class AreaNotFoundError(NisError):
    code = "area_not_found"


class ImportRejectedError(NisError):
    """A boundary file that cannot be imported as it is; nothing was written."""

    code = "import_rejected"


class DatabaseUnavailableError(NisError):
    code = "database_unavailable"


class IdentityProviderUnavailableError(NisError):
    """The identity provider officers sign in with cannot be reached, or answers nonsense."""

    code = "identity_provider_unavailable"


class AuthenticationError(NisError):
    """No key, or a key that is unknown or revoked; a sign-in that failed."""

    code = "unauthenticated"


class TooManyAttemptsError(NisError):
    """Too many failed sign-ins or bad keys from one address (or for one account)."""

    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermissionDeniedError(NisError):
    """A valid key that may not do this (another agency's indicator, an admin task)."""

    code = "forbidden"


class NotFoundError(NisError):
    code = "not_found"


class ConflictError(NisError):
    code = "conflict"


class PayloadTooLargeError(NisError):
    code = "payload_too_large"


class UnsupportedMediaTypeError(NisError):
    code = "unsupported_media_type"


class UploadRejectedError(NisError):
    """An upload with errors: ``errors`` lists row, column, value and reason; nothing stored."""

    code = "upload_rejected"


class CustomAreaRejectedError(NisError):
    """A custom area that cannot be made (the message says why); nothing is stored."""

    code = "custom_area_rejected"


class FrameworkRejectedError(NisError):
    """A change to the performance framework that cannot be made (the message says why,
    ``errors`` lists each row of an import); nothing is stored."""

    code = "framework_rejected"


class PdfUnavailableError(NisError):
    """No Chromium to print a PDF with, or it failed; the message says which."""

    code = "pdf_unavailable"
