"""Every response carries the security headers: the page's documents a policy with no
inline script (but its import map, by hash), everything else a policy that allows
nothing; the OpenAPI page a policy of its own that allows exactly its scripts, which
this server serves (Swagger UI vendored: no CDN)."""

from __future__ import annotations

import re

import httpx
import pytest

from app.security_headers import inline_hashes, page_policy, tile_origin
from app.settings import Settings

PATHS = [
    "/", "/index.html", "/app.js", "/style.css", "/vendor/leaflet/leaflet.js", "/no-such-file",
    "/api/config", "/api/area-types", "/api/areas?type=lsoa&simplify=3", "/api/areas/NOPE",
    "/api/areas?type=lsoa&bbox=x", "/api/indicators", "/api/alerts", "/openapi.json", "/docs",
    "/ogc", "/ogc/collections", "/ogc/collections/lsoa/items?limit=2", "/tiles/lsoa/0/0/0.mvt",
    "/tiles/lsoa.json", "/api/downloads/lsoa.csv",
]  # fmt: skip


def directives(header: str) -> dict[str, list[str]]:
    parsed = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parsed}


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_headers(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    policy = directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    if not response.headers["content-type"].startswith("text/html"):
        assert policy["default-src"] == ["'none'"]  # nothing runs in what is not a page


def test_an_upload_refused_carries_them_too(http: httpx.Client) -> None:
    response = http.post("/api/observations", content=b"x", headers={"Authorization": "Bearer no"})
    assert response.status_code == 401
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_page_runs_its_own_scripts_only(http: httpx.Client) -> None:
    response = http.get("/")
    policy = directives(response.headers["content-security-policy"])
    imports = inline_hashes(response.text)["script"]
    assert len(imports) == 1  # the import map
    assert policy["script-src"] == ["'self'", *imports]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]


def test_the_openapi_page_allows_exactly_its_inline_script(http: httpx.Client) -> None:
    response = http.get("/docs")
    assert response.status_code == 200
    header = response.headers["content-security-policy"]
    policy = directives(header)
    started = inline_hashes(response.text)["script"]
    assert started
    assert policy["script-src"] == ["'self'", *started]
    assert policy["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in header
    assert "http" not in header  # no other origin: Swagger UI is served from here
    assert http.get("/redoc").status_code == 404  # needs inline styles: not served


def test_the_openapi_page_loads_the_vendored_swagger_ui(http: httpx.Client) -> None:
    page = http.get("/docs").text
    loads = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sorted(loads) == [
        "/vendor/swagger-ui/favicon-32x32.png", "/vendor/swagger-ui/swagger-ui-bundle.js",
        "/vendor/swagger-ui/swagger-ui.css",
    ]  # fmt: skip
    for url, media in zip(sorted(loads), ["image/png", "text/javascript", "text/css"], strict=True):
        response = http.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith(media), url


def test_a_tile_server_is_allowed_for_images() -> None:
    settings = Settings(tile_url="https://{s}.tiles.example:8443/{z}/{x}/{y}.png")
    assert tile_origin(str(settings.tile_url)) == "https://*.tiles.example:8443"
    policy = directives(page_policy(settings))
    assert "https://*.tiles.example:8443" in policy["img-src"]


def test_a_revalidated_page_keeps_its_policy(http: httpx.Client) -> None:
    """A 304 carries no policy of its own: its headers replace the cached page's, and
    "nothing" would block the page's scripts when a browser comes back to it."""
    first = http.get("/")
    assert first.status_code == 200
    again = http.get("/", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert "content-security-policy" not in again.headers
    assert again.headers["x-content-type-options"] == "nosniff"
