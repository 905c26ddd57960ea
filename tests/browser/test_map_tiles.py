"""The officers' map in tile mode (a server whose NIS_MAP_TILES_ABOVE is 0, so Sheffield's
345 LSOAs come from /tiles as they do nationally): what a person sees and does is what the
GeoJSON mode gives them, and a new indicator or period recolours without fetching tiles."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Request

from tests.browser.conftest import find_place, painted

AREA = "E01007909"  # a Sheffield LSOA the GeoJSON-mode tests hover over too
MAP_BACKGROUND = (0xF4, 0xF4, 0xF2)  # #map in style.css, under the fills
FILL_OPACITY = 0.85


def _values(site: str, indicator: str, **params: Any) -> dict[str, Any]:
    response = httpx.get(
        f"{site}/api/maps/{indicator}", params={"geometry": "false", **params}, timeout=60
    )
    response.raise_for_status()
    return dict(response.json())


def _colour(served: dict[str, Any], code: str) -> str:
    area = served["areas"].get(code)
    return str(area["colour"] if area else served["legend"]["no_data"]["colour"])


def _settled(page: Page) -> None:
    """Painted, and Leaflet's fade-in of new tiles over (it only changes their opacity)."""
    painted(page)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.leaflet-tile')]
                 .every(t => t.classList.contains('leaflet-tile-loaded')
                             && getComputedStyle(t).opacity === '1')"""
    )


def _seen(page: Page, code: str) -> tuple[int, int, int]:
    """The colour on screen inside an area: the commonest pixel around a point well inside
    it (so an outline nearby does not count)."""
    point = page.evaluate("c => window.nis.pointOf(c)", code)
    assert point is not None, f"{code} is not in a loaded tile"
    page.mouse.move(0, 0)  # no tooltip over the map
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    x, y = round(point["x"]), round(point["y"])
    pixels = [image.getpixel((x + dx, y + dy)) for dx in range(-2, 3) for dy in range(-2, 3)]
    return tuple(Counter(pixels).most_common(1)[0][0])  # type: ignore[return-value]


def _blended(colour: str) -> tuple[int, int, int]:
    """A fill colour as it shows at the map's fill opacity over the map's background."""
    rgb = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return tuple(  # type: ignore[return-value]
        round(FILL_OPACITY * c + (1 - FILL_OPACITY) * b)
        for c, b in zip(rgb, MAP_BACKGROUND, strict=True)
    )


def _close(seen: tuple[int, int, int], colour: str) -> bool:
    return all(abs(a - b) <= 3 for a, b in zip(seen, _blended(colour), strict=True))


@pytest.fixture
def requests(page: Page) -> list[str]:
    """The URLs the page requests, from now on."""
    urls: list[str] = []

    def record(request: Request) -> None:
        urls.append(request.url)

    page.on("request", record)
    return urls


def test_the_page_is_told_the_tile_threshold(tile_site: str, site: str) -> None:
    assert httpx.get(f"{tile_site}/api/config").json()["map_tiles_above"] == 0
    assert httpx.get(f"{site}/api/config").json()["map_tiles_above"] == 5000


def test_tile_mode_paints_each_area_in_its_class_colour_from_vector_tiles(
    page: Page, tile_site: str, requests: list[str]
) -> None:
    page.goto(f"{tile_site}/#indicator=all_crime&type=lsoa")
    _settled(page)
    assert page.evaluate("window.nis.mode()") == "tiles"
    assert any("/tiles/lsoa/" in url and url.endswith(".mvt") for url in requests)
    assert not any("/api/areas?" in url for url in requests)  # no GeoJSON geometries
    assert page.evaluate("window.nis.areas()") == 345  # the whole city is in view
    served = _values(tile_site, "all_crime", type="lsoa")
    codes = [AREA, *sorted(served["areas"])[::40]]
    for code in codes:
        assert page.evaluate("c => window.nis.fill(c)", code) == _colour(served, code)
    for code in codes:
        seen = _seen(page, code)
        assert _close(seen, _colour(served, code)), (code, seen, _colour(served, code))
    assert page.locator("script[src^='http'], link[href^='http']").count() == 0


def test_a_new_indicator_or_period_recolours_the_tiles_without_fetching_them(
    page: Page, tile_site: str, requests: list[str]
) -> None:
    page.goto(f"{tile_site}/#indicator=all_crime&type=lsoa")
    _settled(page)
    requests.clear()
    page.evaluate("document.body.dataset.state = 'waiting'")
    page.select_option("#indicator", "burglary")
    _settled(page)
    burglary = _values(tile_site, "burglary", type="lsoa")
    assert page.evaluate("c => window.nis.fill(c)", AREA) == _colour(burglary, AREA)
    assert _close(_seen(page, AREA), _colour(burglary, AREA))
    period = page.evaluate("window.nis.state().period")
    page.evaluate("document.body.dataset.state = 'waiting'")
    page.evaluate(
        """() => { const s = document.getElementById('period');
                   s.value = String(Number(s.value) - 12);
                   s.dispatchEvent(new Event('input')); }"""
    )
    _settled(page)
    earlier = page.evaluate("window.nis.state().period")
    assert earlier != period
    served = _values(tile_site, "burglary", type="lsoa", period=earlier)
    for code in (AREA, *sorted(served["areas"])[::40]):
        assert page.evaluate("c => window.nis.fill(c)", code) == _colour(served, code)
    assert _close(_seen(page, AREA), _colour(served, AREA))
    assert [u for u in requests if "/api/maps/burglary?" in u and "geometry=false" in u]
    assert [u for u in requests if u.endswith(".mvt")] == []


def _hover(page: Page, code: str) -> str:
    point = page.evaluate("c => window.nis.pointOf(c)", code)
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    return tooltip.inner_text()


def test_hover_and_click_in_tile_mode_give_what_the_geojson_mode_gives(
    page: Page, browser: Browser, tile_site: str, site: str
) -> None:
    view = "#indicator=all_crime&type=lsoa&period=2023-06"
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    geojson = context.new_page()
    geojson.goto(f"{site}/{view}")
    painted(geojson)
    assert geojson.evaluate("window.nis.mode()") == "geojson"
    expected = _hover(geojson, AREA)
    context.close()

    page.goto(f"{tile_site}/{view}")
    _settled(page)
    text = _hover(page, AREA)
    assert text == expected
    assert f"({AREA})" in text.splitlines()[0]
    name = text.splitlines()[0].split(" (")[0]
    point = page.evaluate("c => window.nis.pointOf(c)", AREA)
    page.mouse.click(point["x"], point["y"])
    heading = page.locator("#profile h2")
    heading.wait_for()
    assert heading.inner_text() == f"{name} ({AREA})"
    assert page.evaluate("window.nis.state().area") == AREA
    assert f"area={AREA}" in page.url


def _in_view(page: Page, code: str) -> bool:
    point = page.evaluate("c => window.nis.pointOf(c)", code)
    box = page.locator("#map").bounding_box()
    assert box is not None
    return point is not None and (
        box["x"] < point["x"] < box["x"] + box["width"]
        and box["y"] < point["y"] < box["y"] + box["height"]
    )


def test_an_alert_zooms_to_its_area_in_tile_mode(page: Page, tile_site: str) -> None:
    page.goto(tile_site)
    _settled(page)
    zoom = page.evaluate("window.nis.zoom()")
    first = page.locator("#alerts button.alert").first
    first.wait_for()
    area = first.get_attribute("data-area")
    first.click()
    page.locator("#alert-charts figure").first.wait_for()
    _settled(page)
    assert page.evaluate("window.nis.zoom()") > zoom
    assert _in_view(page, str(area))
    assert page.evaluate("window.nis.state().area") == area
    assert f"area={area}" in page.url


def test_the_area_search_finds_an_area_in_tile_mode(page: Page, tile_site: str) -> None:
    page.goto(f"{tile_site}/#indicator=all_crime&type=lsoa")
    _settled(page)
    find_place(page, AREA.lower(), AREA)
    page.locator("#profile h2").filter(has_text=AREA).wait_for()
    _settled(page)
    assert page.evaluate("window.nis.state().area") == AREA
    assert _in_view(page, AREA)


def test_a_link_to_an_area_opens_on_it_in_tile_mode(page: Page, tile_site: str) -> None:
    page.goto(f"{tile_site}/#indicator=vehicle_crime&type=lsoa&period=2022-03&area={AREA}")
    _settled(page)
    page.locator("#profile h2").filter(has_text=AREA).wait_for()
    assert page.evaluate("window.nis.mode()") == "tiles"
    assert page.locator("#period-label").inner_text() == "2022-03"
    assert _in_view(page, AREA)
    assert page.evaluate("window.nis.zoom()") >= 13  # the area, not the city


def test_changing_area_type_crosses_between_tiles_and_geojson(page: Page, mixed_site: str) -> None:
    page.goto(f"{mixed_site}/#indicator=burglary&type=lsoa&period=2023-06")
    _settled(page)
    assert page.evaluate("window.nis.mode()") == "tiles"
    page.select_option("#type", "msoa")
    _settled(page)
    assert page.evaluate("window.nis.mode()") == "geojson"
    assert page.evaluate("window.nis.areas()") == 70
    msoa = _values(mixed_site, "burglary", type="msoa", period="2023-06")
    for code in sorted(msoa["areas"])[::10]:
        assert page.evaluate("c => window.nis.fill(c)", code) == _colour(msoa, code)
    page.select_option("#type", "lsoa")
    _settled(page)
    assert page.evaluate("window.nis.mode()") == "tiles"
    assert page.evaluate("window.nis.areas()") == 345
    lsoa = _values(mixed_site, "burglary", type="lsoa", period="2023-06")
    assert _close(_seen(page, AREA), _colour(lsoa, AREA))


def test_the_most_deprived_areas_are_outlined_in_tile_mode(page: Page, tile_site: str) -> None:
    page.goto(f"{tile_site}/#indicator=all_crime&type=lsoa")
    _settled(page)
    groups = httpx.get(f"{tile_site}/api/gaps", params={"area_type": "lsoa"}, timeout=60).json()
    first = groups["codes"][0]
    assert _purple_pixels(page) == 0
    page.check("#deprived")
    page.wait_for_function("c => window.nis.outlined().includes(c)", arg=first)
    assert sorted(page.evaluate("window.nis.outlined()")) == sorted(groups["codes"])
    assert len(groups["codes"]) == 69  # the city's own most deprived fifth of 345
    assert _purple_pixels(page) > 200  # drawn on the tiles, not just listed


def _purple_pixels(page: Page) -> int:
    """Pixels of the map in the deprived outline's colour (#6a3d9a)."""
    page.mouse.move(0, 0)
    box = page.locator("#map").bounding_box()
    assert box is not None
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    region = image.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]),
                         int(box["y"] + box["height"])))  # fmt: skip
    return sum(
        count
        for count, (r, g, b) in region.getcolors(maxcolors=1 << 20) or []
        if abs(r - 0x6A) <= 8 and abs(g - 0x3D) <= 8 and abs(b - 0x9A) <= 8
    )
