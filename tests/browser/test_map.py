"""The officers' map end to end: paint, legend, tooltip, profile, alerts, URL state."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Page

from tests.browser.conftest import painted


def _map(site: str, **params: Any) -> dict[str, Any]:
    response = httpx.get(f"{site}/api/maps/{params.pop('indicator')}", params=params, timeout=60)
    response.raise_for_status()
    return dict(response.json())


def test_the_map_paints_every_area_in_its_class_colour(page: Page, site: str) -> None:
    page.goto(site)
    painted(page)
    state = page.evaluate("window.nis.state()")
    assert state["type"] == "lsoa"  # the finest geography by default
    assert page.evaluate("window.nis.areas()") == 345
    served = _map(site, indicator=state["indicator"], type="lsoa", geometry="false")
    for code in list(served["areas"])[:40]:
        assert page.evaluate("c => window.nis.fill(c)", code) == served["areas"][code]["colour"]
    assert page.locator("link[href^='http'], script[src^='http']").count() == 0


def test_the_legend_matches_the_classes(page: Page, site: str) -> None:
    page.goto(
        f"{site}/#indicator=burglary&type=lsoa&period=2023-06&scheme=equal_interval&classes=4"
    )
    painted(page)
    legend = _map(site, indicator="burglary", type="lsoa", period="2023-06",
                  scheme="equal_interval", classes=4, geometry="false")["legend"]  # fmt: skip
    items = page.locator(".legend li")
    extra = sum(1 for key in ("suppressed", "no_data") if legend[key]["count"])
    assert items.count() == len(legend["classes"]) + extra
    for i, cls in enumerate(legend["classes"]):
        swatch = items.nth(i).locator(".swatch")
        colour = swatch.evaluate("e => getComputedStyle(e).backgroundColor")
        r, g, b = (int(cls["colour"][k : k + 2], 16) for k in (1, 3, 5))
        assert colour == f"rgb({r}, {g}, {b})"
        assert f"({cls['count']})" in items.nth(i).inner_text()
    assert "Burglary, 2023-06" in page.locator(".legend h2").inner_text()


def test_hover_and_click_agree_on_the_area(page: Page, site: str) -> None:
    page.goto(f"{site}/#indicator=all_crime&type=lsoa")
    painted(page)
    point = page.evaluate("window.nis.pointOf('E01007909')")
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    text = tooltip.inner_text()
    assert "crimes" in text  # value with its unit
    assert "average area" in text  # compared with the city
    name = text.splitlines()[0].split(" (")[0]
    page.mouse.click(point["x"], point["y"])
    heading = page.locator("#profile h2")
    heading.wait_for()
    assert heading.inner_text().startswith(name)
    rows = page.locator("#profile table.profile tbody tr:not(.row-more)")
    assert rows.count() > 20
    assert (
        page.locator(
            "#profile .badge.worse, #profile .badge.similar, #profile .badge.better"
        ).count()
        > 0
    )
    assert page.locator("#profile td.spine svg.spine-chart").count() > 10  # spine charts
    assert re.search(r"area=E0\d+", page.url)


def test_the_profile_compares_each_value_with_the_city_and_with_similar_areas(
    page: Page, site: str
) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{site}/#indicator=all_crime&type=lsoa&area=E01007909")
    painted(page)
    page.locator("#profile h2").wait_for()
    rows = page.locator("#profile table.profile tbody tr:not(.row-more)")
    assert rows.count() > 20
    profile = httpx.get(f"{site}/api/areas/E01007909/profile", timeout=60).json()
    fifth = profile["similar"]["description"]  # "the 68 other LSOAs in the city's ..."
    for i in range(rows.count()):
        lines = rows.nth(i).locator("td.compared .comparison")
        assert lines.count() == 2
        assert lines.nth(0).locator(".against").inner_text() == "City"
        assert lines.nth(1).locator(".against").inner_text() == "Similar areas"
    coloured = ":has(.badge.worse, .badge.similar, .badge.better)"
    similar = page.locator(f"#profile td.compared .comparison.similar{coloured}")
    assert similar.count() > 0
    title = similar.first.get_attribute("title") or ""
    assert fifth in title
    assert "95% CI" in title
    panel = page.locator("#panel")
    widths = panel.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1], widths


def test_an_alert_leads_to_its_area_and_indicators(page: Page, site: str) -> None:
    page.goto(site)
    painted(page)
    first = page.locator("#alerts button.alert").first
    first.wait_for()
    assert "correlated" in (first.get_attribute("class") or "")  # correlated first
    area = first.get_attribute("data-area")
    first.click()
    page.locator("#alert-charts figure").first.wait_for()
    assert page.locator("#alert-charts figure").count() == 2
    assert f"area={area}" in page.url
    assert page.evaluate("window.nis.state().area") == area
    assert area in page.locator("#profile h2").inner_text()


def test_the_url_holds_the_view(page: Page, site: str) -> None:
    view = "indicator=vehicle_crime&type=msoa&period=2022-03&scheme=fisher_jenks&classes=6"
    page.goto(f"{site}/#{view}")
    painted(page)
    assert page.locator("#indicator").input_value() == "vehicle_crime"
    assert page.locator("#type").input_value() == "msoa"
    assert page.locator("#scheme").input_value() == "fisher_jenks"
    assert page.locator("#classes").input_value() == "6"
    assert page.locator("#period-label").inner_text() == "2022-03"
    assert page.evaluate("window.nis.areas()") == 70
    assert page.url.endswith(view)
    page.select_option("#classes", "3")
    painted(page)
    assert "classes=3" in page.url


def test_the_exported_page_draws_the_map_offline(page: Page, site: str) -> None:
    exported = httpx.get(f"{site}/api/maps/all_crime/export.html", params={"type": "lsoa"})
    assert exported.status_code == 200
    requested: list[str] = []
    page.route("**/*", lambda route: (requested.append(route.request.url), route.abort()))
    page.set_content(exported.text)
    page.wait_for_selector(".leaflet-container")
    assert page.evaluate("typeof L") == "object"
    assert page.locator(".nis-legend li").count() >= 3
    drawn = page.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").count()
    assert drawn > 0
    assert requested == []  # nothing fetched: it opens on a closed network


def test_controls_are_labelled_and_the_alerts_work_from_the_keyboard(page: Page, site: str) -> None:
    page.goto(site)
    painted(page)
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('#controls input, #controls select, button')]
             .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                          && !e.textContent.trim())
             .map(e => e.id)"""
    )
    assert unnamed == []
    first = page.locator("#alerts button.alert").first
    first.wait_for()
    first.focus()
    page.keyboard.press("Enter")
    page.locator("#profile h2").wait_for()
    assert page.evaluate("window.nis.state().area") == first.get_attribute("data-area")


def test_a_tablet_sees_the_map_and_the_panel(browser: Any, site: str) -> None:
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    tablet = context.new_page()
    tablet.goto(site)
    painted(tablet)
    # The header's controls may still be filling in: measure once the page is quiet, and
    # both boxes in the same frame.
    tablet.wait_for_load_state("networkidle")
    map_box, panel_box = tablet.evaluate(
        """() => ['#map', '#panel'].map(s => {
               const r = document.querySelector(s).getBoundingClientRect();
               return {x: r.x, y: r.y, width: r.width, height: r.height};
           })"""
    )
    assert map_box["width"] >= 700  # the panel goes below the map
    assert panel_box["y"] >= map_box["y"] + map_box["height"] - 1
    overflow = tablet.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow
    context.close()


def test_alerts_are_listed_by_area_type_and_one_of_another_type_switches_the_map(
    page: Page, site: str
) -> None:
    page.goto(f"{site}/#indicator=all_crime&type=lsoa")
    painted(page)
    groups = page.locator("#alerts section.alert-group")
    groups.first.wait_for()
    assert [g.get_attribute("data-type") for g in groups.all()] == ["lsoa", "msoa"]
    assert "Middle layer super output area" in groups.nth(1).locator("h3").inner_text()
    alert = groups.nth(1).locator("button.alert").first
    assert alert.locator(".area-type").inner_text() == "Middle layer super output area"
    area = alert.get_attribute("data-area")
    alert.click()
    page.locator("#profile h2").wait_for()
    painted(page)
    assert page.evaluate("window.nis.state().area") == area
    assert page.evaluate("window.nis.state().type") == "msoa"
    assert page.locator("#type").input_value() == "msoa"
    assert page.evaluate("window.nis.areas()") == 70
    assert "type=msoa" in page.url
