"""Security headers on every response, and the Content-Security-Policies they carry.

Every response gets ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
``X-Frame-Options: DENY`` and a ``Content-Security-Policy``:

- the web page (any HTML document the app serves) runs scripts from this server only, and
  no inline script but its import map (allowed by its hash, read from ``index.html``);
  styles from this server only; images from this server, ``data:`` and the base-map tile
  server of ``NIS_TILE_URL``; requests to this server only; no frames of it anywhere;
- every other response (JSON, CSV, tiles, scripts) allows nothing (``default-src 'none'``):
  were one read as a document, it could run nothing;
- a response that states its own policy keeps it: the OpenAPI page (Swagger UI, vendored
  into ``frontend/vendor/swagger-ui`` and served from this server, started by its inline
  script, allowed by hash) and a map's ``export.html`` (whose folium scripts are inline:
  :mod:`app.maps.export` lists their hashes).

A policy allows inline scripts and styles by hash only (:func:`inline_hashes`), never
``'unsafe-inline'``: markup injected through text (an ``onerror=`` attribute, a
``<script>`` in a name) is refused by the browser even where escaping failed.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.frontend import FRONTEND_DIR
from app.settings import Settings

CSP = "Content-Security-Policy"
# What every response says, whatever it is.
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # frame-ancestors 'none' for browsers that predate CSP 2
}
# No frames, no <base>, no form posts, no plug-ins: what every document's policy ends with.
LOCKED = {
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'none'"],
}
NOTHING = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI as scripts/vendor-frontend.sh copies it, served with the page's files.
SWAGGER_UI = "/vendor/swagger-ui"


def policy(directives: Mapping[str, Sequence[str]], meta: bool = False) -> str:
    """A Content-Security-Policy value from its directives (``LOCKED`` added); ``meta``:
    for a ``<meta>`` element, where ``frame-ancestors`` is ignored (with a warning)."""
    merged = {**directives, **LOCKED}
    if meta:
        del merged["frame-ancestors"]
    return "; ".join(" ".join([name, *sources]) for name, sources in merged.items())


class _InlineCode(HTMLParser):
    """The text of each inline ``<script>`` (without ``src``) and ``<style>`` element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: dict[str, list[str]] = {"script": [], "style": []}
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.found and not (tag == "script" and any(a == "src" for a, _ in attrs)):
            self._open, self._text = tag, []

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self.found[tag].append("".join(self._text))
            self._open = None


def inline_hashes(document: str) -> dict[str, list[str]]:
    """The CSP sources (``'sha256-…'``) of a document's inline scripts and styles, by
    element (``{"script": [...], "style": [...]}``), in the order they come."""
    parser = _InlineCode()
    parser.feed(document)
    parser.close()
    return {tag: [_sha256_source(text) for text in texts] for tag, texts in parser.found.items()}


def _sha256_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def page_policy(settings: Settings) -> str:
    """The web page's policy: its own files, its import map by hash, the tile server."""
    index_html = FRONTEND_DIR / "index.html"
    images = ["'self'", "data:"]
    if settings.tile_url:
        images.append(tile_origin(settings.tile_url))
    return policy(
        {
            "default-src": ["'self'"],
            "script-src": ["'self'", *inline_hashes(index_html.read_text("utf-8"))["script"]],
            "style-src": ["'self'"],
            "img-src": images,
            "connect-src": ["'self'"],
        }
    )


def tile_origin(tile_url: str) -> str:
    """The origin of a Leaflet tile URL template (``{s}`` subdomains become ``*``)."""
    parts = urlsplit(tile_url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}"


class SecurityHeaders:
    """ASGI middleware adding the headers to every response (streamed ones too): a
    response's own ``Content-Security-Policy`` is kept; otherwise HTML gets the page's
    policy and anything else :data:`NOTHING`."""

    def __init__(self, app: ASGIApp, page: str) -> None:
        self.app = app
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON_HEADERS.items():
                    headers[name] = value
                # A 304's headers replace the cached response's (RFC 9111 4.3.4): a policy
                # on it would give a cached page the policy of "not HTML" (none), and
                # the browser would block the page's own scripts on a revisit.
                if CSP not in headers and message["status"] != 304:
                    html = headers.get("content-type", "").startswith("text/html")
                    headers[CSP] = self.page if html else NOTHING
            await send(message)

        await self.app(scope, receive, send_with_headers)


def docs_page(app: FastAPI) -> HTMLResponse:
    """FastAPI's Swagger UI page, loading the vendored Swagger UI from this server, with a
    policy that allows exactly what it loads (nothing from elsewhere: it works on a closed
    network). The online validator is turned off: its badge (which this layout does not
    show, but the standalone one would) fetches validator.swagger.io with our document's
    URL."""
    page = get_swagger_ui_html(
        openapi_url=str(app.openapi_url),
        title=f"{app.title} - API",
        swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None},
    )
    document = bytes(page.body).decode("utf-8")
    page.headers[CSP] = policy(
        {
            "default-src": ["'none'"],
            "script-src": ["'self'", *inline_hashes(document)["script"]],
            "style-src": ["'self'"],
            "img-src": ["'self'", "data:"],
            "connect-src": ["'self'"],
        }
    )
    return page


def install(app: FastAPI, settings: Settings) -> None:
    """The headers on every response of ``app``, and its OpenAPI page at ``/docs`` (built
    with ``docs_url=None`` and ``redoc_url=None``: ReDoc needs inline styles and workers
    from ``blob:``, so NIS serves Swagger UI alone)."""
    app.add_middleware(SecurityHeaders, page=page_policy(settings))

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        return docs_page(request.app)
