"""The page's downloads, saved by Chromium as an officer's click saves them."""

from __future__ import annotations

import json

from playwright.sync_api import Page

from tests.browser.conftest import painted


def test_the_geojson_download_is_saved_as_geojson(page: Page, site: str) -> None:
    page.goto(site)
    painted(page)
    with page.expect_download() as caught:
        page.click("#download-geojson")
    download = caught.value
    assert download.suggested_filename.endswith(".geojson"), download.suggested_filename
    path = download.path()
    assert path is not None
    body = json.loads(path.read_text())
    assert body["type"] == "FeatureCollection"
    assert body["features"]
