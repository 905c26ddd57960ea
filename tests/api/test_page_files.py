"""The server gives out the web page's files and none of its development's."""

from __future__ import annotations

import httpx
import pytest

from app.frontend import is_served


@pytest.mark.parametrize(
    "path", ["/", "/index.html", "/app.js", "/lib/store.js", "/vendor/leaflet/leaflet.js",
             "/style.css", "/vendor/leaflet/images/layers.png"],
)  # fmt: skip
def test_the_page_is_served(http: httpx.Client, path: str) -> None:
    assert http.get(path).status_code == 200


@pytest.mark.parametrize(
    "path", ["/package.json", "/package-lock.json", "/tsconfig.json", "/lib/platform.d.ts",
             "/tests/store.test.js", "/node_modules/typescript/package.json"],
)  # fmt: skip
def test_development_files_are_not(http: httpx.Client, path: str) -> None:
    assert http.get(path).status_code == 404


def test_the_rule_reads_paths_as_the_static_files_give_them() -> None:
    assert is_served("")
    assert is_served("lib")
    assert not is_served("node_modules/pbf/index.js")
