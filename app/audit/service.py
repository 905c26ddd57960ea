"""Recording what happened (what is recorded when is for :mod:`app.access.audited` and
the services to say).

A request's session carries the request's context (:func:`bind_request`: its channel,
method, path and address), so services that only hold the session record through it.
What a request reads is recorded in the request's own transaction, so it is there when
the response is; a refusal (a failed sign-in, a bad key) is recorded in a transaction
of its own, since the request's is rolled back.

Nothing here records a secret: no password, token, cookie or key; a key is named by
its prefix only when it is a real one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.requests import Request

from app.audit import repository as repo


class Actor(Protocol):
    """Who did something, as the trail names them (:class:`app.access.viewer.Viewer` is
    one; this package knows nothing of roles or policy, which build on it)."""

    @property
    def role(self) -> str: ...

    @property
    def actor(self) -> str: ...

    @property
    def agency(self) -> str | None: ...

    @property
    def user_id(self) -> int | None: ...

    @property
    def key_id(self) -> int | None: ...


# The routes a read comes through, by path (first match wins).
_CHANNELS = (
    ("/api/maps/", "/export.", "export"),
    ("/api/maps/", "", "map"),
    ("/api/downloads/", "", "download"),
    ("/ogc", "", "ogc"),
    ("/tiles/", "", "tile"),
    ("/api/", "", "api"),
)


def channel_of(path: str) -> str:
    for start, within, name in _CHANNELS:
        if path.startswith(start) and within in path:
            return name
    return "page"


@dataclass
class RequestContext:
    """Where a request came from; and what restricted data it has read so far."""

    channel: str
    method: str | None = None
    path: str | None = None
    address: str | None = None
    noted: set[tuple[str, str | None, str | None]] = field(default_factory=set)

    def fields(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "method": self.method,
            "path": self.path,
            "address": self.address,
        }


def address_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def request_context(request: Request) -> RequestContext:
    return RequestContext(
        channel_of(request.url.path),
        request.method,
        request.url.path,
        address_of(request),
    )


def bind_request(session: Session, request: Request) -> RequestContext:
    """Make ``session`` the request's: what is recorded through it names the request."""
    context: RequestContext | None = session.info.get("audit")
    if context is None:
        context = session.info["audit"] = request_context(request)
    return context


def context_of(session: Session) -> RequestContext:
    """The session's context: its request's, or (a command's session) the command line's."""
    context: RequestContext | None = session.info.get("audit")
    if context is None:
        context = session.info["audit"] = RequestContext("cli")
    return context


def _row(
    viewer: Actor | None,
    action: str,
    outcome: str,
    context: RequestContext,
    *,
    indicator: str | None = None,
    area_type: str | None = None,
    period: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "action": action,
        "outcome": outcome,
        "actor": viewer.actor if viewer else "public",
        "role": str(viewer.role) if viewer else "public",
        "agency": viewer.agency if viewer else None,
        "user_id": viewer.user_id if viewer else None,
        "key_id": viewer.key_id if viewer else None,
        **context.fields(),
        "indicator": indicator,
        "area_type": area_type,
        "period": period,
        "detail": dict(detail or {}),
    }


def record(
    session: Session,
    viewer: Actor | None,
    action: str,
    outcome: str = "ok",
    **fields: Any,
) -> None:
    """Record ``action`` in the session's transaction (it stands or falls with it)."""
    repo.insert(session, [_row(viewer, action, outcome, context_of(session), **fields)])


def record_apart(
    engine: Engine,
    context: RequestContext,
    viewer: Actor | None,
    action: str,
    outcome: str,
    **fields: Any,
) -> None:
    """Record ``action`` in a transaction of its own: for refusals, whose request's
    transaction is rolled back."""
    with engine.begin() as conn:
        repo.insert(conn, [_row(viewer, action, outcome, context, **fields)])


def as_csv(events: list[dict[str, Any]]) -> str:
    import csv
    import io
    import json

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=repo.COLUMNS, lineterminator="\n")
    writer.writeheader()
    for event in events:
        writer.writerow(
            {
                **event,
                "at": event["at"].isoformat(),
                "detail": json.dumps(event["detail"], sort_keys=True),
            }
        )
    return out.getvalue()
