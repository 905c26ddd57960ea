"""Finding a place from the map's search box, in real Chromium: part of a name in lower
case finds it, the keyboard chooses it, a hit of another area type switches the map to
that type, and text that matches nothing says so."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, painted

AREA, NAME = "E01007909", "Sheffield 032C"


def test_part_of_a_name_in_lower_case_is_found_and_chosen_by_keyboard(
    page: Page, site: str
) -> None:
    page.goto(f"{site}/#indicator=all_crime&type=lsoa")
    painted(page)
    page.locator("#area-search").press_sequentially("ffield 032c", delay=20)
    option = page.locator("#area-search-results li[role=option]")
    expect(option).to_have_count(1)
    expect(option).to_contain_text(f"{NAME} — ")
    expect(option).to_contain_text(f"({AREA})")
    expect(page.locator("#area-search")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "place-search-open.png"))  # for people to look at
    page.keyboard.press("Enter")
    page.locator("#profile h2").filter(has_text=NAME).wait_for()
    assert page.evaluate("window.nis.state().area") == AREA
    expect(page.locator("#area-search-panel")).to_be_hidden()


def test_a_hit_of_another_type_switches_the_map_to_it(page: Page, site: str) -> None:
    page.goto(f"{site}/#indicator=all_crime&type=lsoa")
    painted(page)
    page.fill("#area-search", "sheffield 032")
    msoa = page.locator("#area-search-results li[data-type=msoa]").first
    msoa.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "place-search-types.png"))
    lsoas = page.locator("#area-search-results li[data-type=lsoa]")
    expect(lsoas.first).to_be_visible()  # both types are offered
    code = msoa.get_attribute("data-code")
    msoa.click()
    page.wait_for_function(
        "c => window.nis.state().type === 'msoa' && window.nis.state().area === c", arg=code
    )
    painted(page)
    assert page.locator("#type").input_value() == "msoa"
    page.locator("#profile h2").filter(has_text="Sheffield 032").wait_for()
    assert f"area={code}" in page.url


def test_text_that_matches_nothing_says_no_match(page: Page, site: str) -> None:
    page.goto(f"{site}/#indicator=all_crime&type=lsoa")
    painted(page)
    page.fill("#area-search", "zzqx nowhere")
    status = page.locator("#area-search-status")
    expect(status).to_have_text("No match for “zzqx nowhere”")
    expect(page.locator("#area-search-results li")).to_have_count(0)
    expect(page.locator("#area-search")).to_have_attribute("aria-expanded", "false")
    page.screenshot(path=str(ARTIFACTS / "place-search-no-match.png"))
    page.keyboard.press("Escape")
    expect(page.locator("#area-search-panel")).to_be_hidden()
