"""Text from data is shown as text: a city whose area names, indicator titles, units,
topics, sources and alert sentences are script. The page (in both render modes) and the
exported map are driven through everything that shows such text; no dialog may open and
no Content-Security-Policy violation may happen, and the text is shown literally."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Dialog, Page
from sqlalchemy import text

from app.db import make_engine
from app.settings import Settings
from tests.browser.conftest import csp_violations, painted
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

AREA = "E01007909"  # an LSOA of the demo city, hovered over and clicked
REPORT_AREA = "E01007982"  # one with alerts, for the neighbourhood report
NAME = "<img src=x onerror=alert('name')>"
TITLE = "\"><script>alert('title')</script>"
UNIT = "<img src=x onerror=alert('unit')>"
TOPIC = "<svg onload=alert('topic')>"
SENTENCE = "<img src=x onerror=alert('sentence')>"
TYPE_NAME = "' onmouseover=alert('type') x='"
# Every text column the page or an export shows, and what is appended to it.
HOSTILE = {
    "area": {"name": NAME},
    "area_type": {"name": TYPE_NAME},
    "indicator": {"title": TITLE, "unit": UNIT, "topic": TOPIC, "source": NAME},
    "agency": {"title": TITLE},
    "alert": {"sentence": SENTENCE},
}


@pytest.fixture(scope="module")
def hostile_db(demo_template: str, databases: ThrowawayDatabases) -> str:
    """The demo city with script appended to every name, title, unit and sentence."""
    url = clone_database(demo_template, "nis_test_hostile", databases)
    engine = make_engine(url)
    with engine.begin() as conn:
        for table, columns in HOSTILE.items():
            sets = ", ".join(
                f"{column} = coalesce({column}, '') || ' ' || :{column}" for column in columns
            )
            conn.execute(text(f"UPDATE {table} SET {sets}"), columns)
    engine.dispose()
    return url


@pytest.fixture(scope="module", params=["geojson", "tiles"])
def hostile_site(request: pytest.FixtureRequest, hostile_db: str) -> Iterator[str]:
    tiles_above = 5000 if request.param == "geojson" else 0
    settings = Settings(
        database_url=hostile_db, analysis_after_upload=False, map_tiles_above=tiles_above
    )
    with LiveServer(settings) as server:
        yield server.url


class Watch:
    """The dialogs a page opens (dismissed) and the CSP violations it reports."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        self.violations = csp_violations(page)
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def watch(page: Page) -> Watch:
    return Watch(page)


def test_the_page_shows_hostile_text_as_text(page: Page, watch: Watch, hostile_site: str) -> None:
    page.goto(f"{hostile_site}/#indicator=all_crime&type=lsoa")
    painted(page)
    assert TITLE in page.locator("#indicator option:checked").inner_text()
    assert TOPIC in page.locator("#indicator optgroup").first.get_attribute("label")  # type: ignore[operator]
    assert TYPE_NAME in page.locator("#type option:checked").inner_text()
    legend = page.locator(".legend").inner_text()
    assert TITLE in legend
    assert UNIT in legend

    point = page.evaluate(f"window.nis.pointOf('{AREA}')")
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert NAME in tooltip.inner_text()
    assert UNIT in tooltip.inner_text()

    page.mouse.click(point["x"], point["y"])
    heading = page.locator("#profile h2")
    heading.wait_for()
    assert NAME in heading.inner_text()
    profile = page.locator("#profile").inner_text()
    assert TITLE in profile
    assert UNIT in profile
    # Street-level zoom: the areas' names are drawn on the map.
    page.wait_for_function("() => window.nis.zoom() >= 14")
    page.locator(".area-label").first.wait_for()
    assert NAME in page.locator(".area-label").first.inner_text()

    page.click("#tab-alerts")
    first = page.locator("#alerts button.alert").first
    first.wait_for()
    assert SENTENCE in first.inner_text()
    first.click()
    page.locator("#alert-charts figure").first.wait_for()
    assert TITLE in page.locator("#alert-charts figcaption").first.inner_text()
    page.wait_for_timeout(500)  # an image's onerror fires once its load fails

    assert watch.dialogs == []
    assert watch.violations == []


def test_the_exported_map_shows_hostile_text_as_text(
    page: Page, watch: Watch, hostile_site: str, tmp_path: Path
) -> None:
    exported = httpx.get(
        f"{hostile_site}/api/maps/all_crime/export.html", params={"type": "lsoa"}, timeout=60
    )
    assert exported.status_code == 200
    served = exported.headers["content-security-policy"]
    assert "sandbox allow-scripts" in served
    assert "unsafe-inline" not in served
    saved = tmp_path / "export.html"
    saved.write_text(exported.text, encoding="utf-8")
    page.goto(saved.as_uri())  # as it is used: downloaded, then opened from the disk
    page.wait_for_selector(".leaflet-container")
    assert TITLE in page.title()
    legend = page.locator(".nis-legend").inner_text()
    assert TITLE in legend
    assert UNIT in legend
    # Every area's tooltip (folium binds one to the whole layer), as hovering would open it.
    opened = page.evaluate(
        """() => {
             let n = 0;
             const layers = Object.values(window).filter((v) => v instanceof L.GeoJSON);
             for (const geojson of layers)
               geojson.eachLayer((layer) => {
                 layer.fire('mouseover', { latlng: layer.getCenter() }, true);
                 n += 1;
               });
             return n;
           }"""
    )
    assert opened == 345
    page.wait_for_timeout(500)
    assert watch.dialogs == []
    assert watch.violations == []
    assert NAME in page.locator(".leaflet-tooltip").last.inner_text()


def test_the_neighbourhood_report_shows_hostile_text_as_text(
    page: Page, watch: Watch, hostile_site: str
) -> None:
    page.goto(f"{hostile_site}/api/areas/{REPORT_AREA}/report.html")
    assert NAME in page.title()
    assert NAME in page.locator("h1").inner_text()
    profile = page.locator("table.profile").inner_text()
    assert TITLE in profile
    assert UNIT in profile
    assert NAME in page.locator("tfoot footer").inner_text()  # the sources, as text
    assert SENTENCE in page.locator(".alert").first.inner_text()
    assert page.locator("h1 img, table.profile script, .alert img, footer img").count() == 0
    page.wait_for_timeout(300)
    assert watch.dialogs == []
    assert watch.violations == []
