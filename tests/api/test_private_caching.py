"""No shared cache may keep a partner's answer: the viewer's routes vary on Cookie and
Authorization, and an answer to a request carrying credentials (a key, or the session
cookie, whether or not its session is live) is private; the public's keep what their
route says (tiles: public, with a lifetime), and the page's own files vary on nothing."""

from __future__ import annotations

import httpx
import pytest

from app.access.caching import private, vary

VIEWER_PATHS = ["/api/indicators", "/api/areas/NOPE", "/ogc/collections", "/tiles/lsoa/0/0/0.mvt"]


def tokens(header: str) -> list[str]:
    return [t.strip() for t in header.split(",")]


@pytest.mark.parametrize("path", VIEWER_PATHS)
def test_the_viewers_routes_vary_on_credentials(http: httpx.Client, path: str) -> None:
    assert tokens(http.get(path).headers["vary"]) == ["Cookie", "Authorization"]


@pytest.mark.parametrize("path", VIEWER_PATHS)
def test_an_answer_to_a_session_cookie_is_private(http: httpx.Client, path: str) -> None:
    http.cookies.clear()
    response = http.get(path, headers={"Cookie": "nis_session=ended-or-never-was"})
    assert "private" in tokens(response.headers["cache-control"])
    assert "public" not in tokens(response.headers["cache-control"])


def test_a_refused_key_is_private_too(http: httpx.Client) -> None:
    response = http.get("/api/indicators", headers={"Authorization": "Bearer nis_0_wrong"})
    assert response.status_code == 401
    assert response.headers["cache-control"] == "private"
    assert "Authorization" in tokens(response.headers["vary"])


def test_the_publics_tiles_stay_publicly_cacheable(http: httpx.Client) -> None:
    response = http.get("/tiles/lsoa/0/0/0.mvt")
    assert tokens(response.headers["cache-control"])[0] == "public"
    with_cookie = http.get("/tiles/lsoa/0/0/0.mvt", headers={"Cookie": "nis_session=x"})
    cache = tokens(with_cookie.headers["cache-control"])
    assert cache[0] == "private"
    assert any(t.startswith("max-age=") for t in cache)  # its lifetime kept


def test_the_pages_files_vary_on_nothing(http: httpx.Client) -> None:
    for path in ("/", "/app.js"):
        response = http.get(path, headers={"Cookie": "nis_session=x"})
        assert "cookie" not in response.headers.get("vary", "").lower()
        assert "private" not in response.headers.get("cache-control", "")


def test_vary_and_private_merge_with_what_a_route_said() -> None:
    assert vary(None) == "Cookie, Authorization"
    assert vary("Accept, authorization") == "Accept, authorization, Cookie"
    assert private(None) == "private"
    assert private("public, max-age=3600") == "private, max-age=3600"
    assert private("no-store") == "private, no-store"
