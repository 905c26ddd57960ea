"""An officer makes a patch on the page: signs in, picks LSOAs by clicking them on the map
(a second click takes one out again), names the patch and saves it; the page then shows the
new patch's map and profile, with the officer's text as text. Real Chromium against a live
server on the demo city."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.access.users import create_local_user
from app.access.viewer import CLI
from app.db import unit_of_work
from tests.browser.conftest import painted
from tests.browser.test_sign_in import sign_in

USERNAME = "pat.patcher"
PASSWORD = "a patch of one's own, 2026"
NAME = "Our <b>patch</b> & co"  # officers' text: shown as written
PICKED = ["E01007909", "E01007910", "E01007911"]


@pytest.fixture(scope="module")
def patcher(demo_db: str) -> str:
    with unit_of_work(demo_db) as session:
        create_local_user(session, CLI, USERNAME, PASSWORD, "officer", agency="council")
    return USERNAME


def _click(page: Page, code: str) -> None:
    point = page.evaluate("c => window.nis.pointOf(c)", code)
    assert point is not None, code
    page.mouse.click(point["x"], point["y"])


def test_an_officer_picks_lsoas_on_the_map_and_gets_the_patchs_profile(
    page: Page, site: str, patcher: str
) -> None:
    page.goto(f"{site}/#indicator=criminal_damage_arson&type=msoa")
    painted(page)
    expect(page.locator("#patch-maker")).to_be_hidden()  # the public makes no patches
    sign_in(page, patcher, PASSWORD)
    start = page.get_by_role("button", name="Make a patch")
    expect(start).to_be_visible()
    painted(page)

    start.click()
    page.wait_for_function("() => window.nis.state().type === 'lsoa'")
    painted(page)
    for code in PICKED:
        _click(page, code)
    assert sorted(page.evaluate("window.nis.outlined()")) == PICKED
    _click(page, PICKED[0])  # out again ...
    assert sorted(page.evaluate("window.nis.outlined()")) == PICKED[1:]
    expect(page.locator("#patch-status")).to_contain_text("2 areas picked")
    _click(page, PICKED[0])  # ... and back in
    assert page.evaluate("window.nis.state()")["area"] is None  # picking opens no profile

    page.get_by_label("Patch name").fill(NAME)
    page.get_by_label("Seen by").select_option("private")
    page.get_by_role("button", name="Save patch").click()
    expect(page.locator("#patch-status")).to_contain_text(f"Made {NAME} (3 small areas)")
    page.wait_for_function("() => window.nis.state().type.startsWith('custom-')")
    painted(page)
    expect(page.locator("#profile")).to_be_visible()
    # A new patch is a data change: its first profile works out its type's grids (README,
    # *The neighbourhood profile*), seconds on a busy machine.
    expect(page.locator("#profile")).to_contain_text(NAME, timeout=30_000)
    assert page.locator("#profile b").count() == 0  # the name is text, not markup

    made = page.request.get(f"{site}/api/custom-areas").json()
    mine = [p for p in made if p["name"] == NAME]
    assert len(mine) == 1
    assert mine[0]["small_areas"] == 3
    assert mine[0]["sharing"] == "private"
    assert page.evaluate("window.nis.state()")["area"] == mine[0]["code"]
    assert mine[0]["type"] in page.eval_on_selector_all(
        "#type option", "os => os.map(o => o.value)"
    )


def test_a_polygon_file_stands_in_for_picking(
    page: Page, site: str, patcher: str, tmp_path: Path
) -> None:
    page.goto(site)
    painted(page)
    sign_in(page, patcher, PASSWORD)
    page.get_by_role("button", name="Make a patch").click()
    painted(page)
    # A small square around the middle of Sheffield, as QGIS would save it.
    lon, lat = -1.47, 53.38
    ring = [[lon - 0.01, lat - 0.006], [lon + 0.01, lat - 0.006], [lon + 0.01, lat + 0.006],
            [lon - 0.01, lat + 0.006], [lon - 0.01, lat - 0.006]]  # fmt: skip
    path = tmp_path / "square.geojson"
    path.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    page.get_by_label("Patch name").fill("Drawn square")
    page.get_by_label("or a polygon file").set_input_files(str(path))
    page.get_by_role("button", name="Save patch").click()
    expect(page.locator("#patch-status")).to_contain_text("Made Drawn square")
    page.wait_for_function("() => window.nis.state().type.startsWith('custom-')")
    expect(page.locator("#profile")).to_contain_text("Drawn square", timeout=30_000)

    bad = tmp_path / "bad.geojson"
    bad.write_text("this is not GeoJSON")
    page.get_by_role("button", name="Make a patch").click()
    page.get_by_label("Patch name").fill("Broken")
    page.get_by_label("or a polygon file").set_input_files(str(bad))
    page.get_by_role("button", name="Save patch").click()
    expect(page.locator("#patch-status")).to_contain_text("bad.geojson is not a GeoJSON file")
