"""The gap view end to end: the selected indicator in the city's most deprived fifth
against the rest, with its verdict in words; and the outline's legend entry."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page

from tests.browser.conftest import painted


def test_the_gap_view_shows_the_verdict_in_words_and_a_chart(page: Page, site: str) -> None:
    page.goto(f"{site}/#indicator=all_crime&type=lsoa")
    painted(page)
    served = httpx.get(f"{site}/api/gaps/all_crime", timeout=60).json()
    page.click("#tab-gap")
    verdict = page.locator("#gap-verdict")
    verdict.wait_for()
    assert verdict.inner_text() == served["sentence"]
    assert verdict.inner_text().startswith(
        "The gap in all recorded crime between the most deprived fifth (city's own IMD "
        "ranking, 69 of 345 LSOAs) and the rest "
    )
    assert any(words in served["sentence"] for words in ("narrowing", "widening", "no significant"))
    # Both groups drawn, each with its band.
    assert page.locator("#gap svg polyline").count() == 2
    assert page.locator("#gap svg polygon").count() == 2
    latest = page.locator(".gap-latest").inner_text()
    assert "Slope index of inequality" in latest
    assert "Absolute gap" in latest
    # Another indicator: the view follows it.
    page.select_option("#indicator", "burglary")
    page.wait_for_function(
        "() => document.querySelector('#gap-verdict')?.textContent.includes('burglary')"
    )


def test_the_deprived_outline_says_what_it_is_in_the_legend(page: Page, site: str) -> None:
    page.goto(f"{site}/#indicator=all_crime&type=lsoa")
    painted(page)
    page.check("#deprived")
    entry = page.locator("#legend-outline")
    entry.wait_for()
    assert entry.inner_text() == (
        "Most deprived fifth of the city's LSOAs, city's own IMD ranking (69 of 345)"
    )
    assert len(page.evaluate("window.nis.outlined()")) == 69
    page.uncheck("#deprived")
    entry.wait_for(state="detached")
