"""Who may keep an answer: what a route reads as its viewer (``ViewerDep``) depends on the
credentials the request carried, so no cache may hand a partner's answer to anyone else.

Every answer under the viewer's routes (``/api``, ``/ogc``, ``/tiles``) says
``Vary: Cookie, Authorization``: a cache keeps one answer per session cookie and per
key, so a browser that has signed out asks again rather than showing what it was
shown signed in. An answer to a request that carried credentials (an ``Authorization``
header, or the session cookie) is ``Cache-Control: private`` as well: the browser's
own cache may keep it, a shared one (a proxy, a CDN) may not. An answer to the public
keeps the ``Cache-Control`` its route gave (vector tiles: ``public`` with a lifetime);
the public's answers hold only what anyone may see.

Decided from the request rather than the viewer, as a middleware, so that it holds for
every route and every answer (refusals and streamed layers too) without each route
remembering it; a cookie of a session that has ended still makes the answer private,
which costs nothing.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.access.sessions import COOKIE

# The routes that read as their viewer (the page's files and /docs depend on no one).
VIEWER_PATHS = ("/api/", "/ogc", "/tiles/")
VARY = ("Cookie", "Authorization")


def carries_credentials(headers: Headers) -> bool:
    """Whether a request names a viewer: a key, or a session cookie (live or not)."""
    if "authorization" in headers:
        return True
    return COOKIE in cookie_parser(headers.get("cookie", ""))


def vary(existing: str | None) -> str:
    """``existing`` Vary with Cookie and Authorization added (each once)."""
    names = [n.strip() for n in (existing or "").split(",") if n.strip()]
    known = {n.lower() for n in names}
    return ", ".join([*names, *(n for n in VARY if n.lower() not in known)])


def private(existing: str | None) -> str:
    """``existing`` Cache-Control made private (``public`` dropped, lifetimes kept)."""
    directives = [d.strip() for d in (existing or "").split(",") if d.strip()]
    kept = [d for d in directives if d.lower() not in ("public", "private")]
    return ", ".join(["private", *kept])


class PrivateForViewers:
    """ASGI middleware: the viewer's routes vary on credentials; answers to requests
    that carried some are private."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(VIEWER_PATHS):
            await self.app(scope, receive, send)
            return
        credentialed = carries_credentials(Headers(scope=scope))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Vary"] = vary(headers.get("vary"))
                if credentialed:
                    headers["Cache-Control"] = private(headers.get("cache-control"))
            await send(message)

        await self.app(scope, receive, send_with_headers)
