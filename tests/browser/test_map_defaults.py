"""The map's defaults in Chromium: it opens on a rate with every class full, deciles get a
categorical legend, the city is no map type, the indicator search knows the words
officers use, and a tooltip never tells an old indicator's value."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Page

from tests.browser.conftest import painted

DECILES = ["1 (most deprived)", *map(str, range(2, 10)), "10 (least deprived)"]


def _legend(site: str, indicator: str, **params: Any) -> dict[str, Any]:
    response = httpx.get(
        f"{site}/api/maps/{indicator}", params={"geometry": "false", **params}, timeout=60
    )
    response.raise_for_status()
    return dict(response.json()["legend"])


def test_the_page_opens_on_a_rate_with_no_empty_class(page: Page, site: str) -> None:
    page.goto(site)
    painted(page)
    state = page.evaluate("window.nis.state()")
    assert state["indicator"] == "all_crime_rate"
    legend = _legend(site, state["indicator"], type=state["type"])
    assert legend["indicator"]["value_type"] == "rate"
    rows = page.locator(".legend li").all_inner_texts()
    counts = [int(m.group(1)) for r in rows if (m := re.search(r"\((\d+)\)$", r))]
    assert len(counts) >= len(legend["classes"])
    assert all(n > 0 for n in counts[: len(legend["classes"])])  # no empty class
    assert "per 1,000 residents" in rows[0]
    assert not any(re.match(r"^([\d.,]+) – \1 ", r) for r in rows)  # no "x to x" class
    assert "Recorded crime per 1,000 residents" in page.locator(".legend h2").inner_text()


def test_small_counts_get_natural_breaks_said_in_the_legend(page: Page, site: str) -> None:
    page.goto(f"{site}/#indicator=burglary_rate&type=lsoa")
    painted(page)
    legend = page.locator(".legend")
    assert "natural breaks (Fisher-Jenks), not quantiles" in legend.inner_text()
    first = legend.locator("li").first.inner_text()
    assert re.match(r"^0 per 1,000 residents \(\d+\)$", first), first


def test_the_imd_decile_legend_is_categorical(page: Page, site: str) -> None:
    page.goto(f"{site}/#indicator=imd_decile&type=lsoa")
    painted(page)
    rows = page.locator(".legend li").all_inner_texts()
    names = [re.sub(r" \(\d+\)$", "", r) for r in rows[:10]]
    assert names == DECILES
    assert not any("–" in r for r in rows)  # no ranges, none overlapping
    assert "one class per value" in page.locator(".legend").inner_text()


def test_the_city_is_not_offered_as_a_map_type(page: Page, site: str) -> None:
    page.goto(f"{site}/#indicator=all_crime&type=city")
    painted(page)
    offered = page.locator("#type option").all_inner_texts()
    assert offered
    assert "City" not in offered
    assert page.evaluate("window.nis.state()")["type"] != "city"
    assert page.evaluate("window.nis.areas()") > 1


def test_searching_for_truancy_finds_persistent_absence(page: Page, site: str) -> None:
    page.goto(site)
    painted(page)
    page.fill("#indicator-search", "truancy")
    options = page.locator("#indicator option")
    assert options.all_inner_texts() == ["Persistent absence"]


def test_the_tooltip_never_tells_the_old_indicators_value(page: Page, site: str) -> None:
    page.goto(f"{site}/#indicator=all_crime&type=lsoa")
    painted(page)
    point = page.evaluate("window.nis.pointOf('E01007909')")
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert "crimes" in tooltip.inner_text()
    # Switched from the keyboard, the mouse still over the area: the old value goes.
    page.locator("#indicator").select_option("persistent_absence")
    page.wait_for_function(
        "() => document.querySelector('.legend h2')?.textContent.startsWith('Persistent absence')"
    )
    painted(page)
    # Closed when the new values are shown (it fades out over Leaflet's 200 ms).
    tooltip.wait_for(state="detached", timeout=2_000)
    page.mouse.move(point["x"] + 1, point["y"] + 1)
    tooltip.wait_for()
    text = tooltip.inner_text()
    assert "crimes" not in text
    assert "%" in text
