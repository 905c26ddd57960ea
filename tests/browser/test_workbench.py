"""The officer's workbench in real Chromium: an alert opened takes the map to its
indicator, period and areas; the profile grouped by partner and topic with spine charts,
intervals and trend words, as the API says; trend charts with axes, dates, the city line
and the alert's change marker; the compare view; acknowledging and assigning an alert;
printing; the demo marked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app.access.users import reset_password
from app.access.viewer import CLI
from app.db import unit_of_work
from tests.browser.conftest import open_page, painted, signed_in_context

OFFICER = "demo.officer"
PASSWORD = "heron lantern meadow 58 ash"
JARGON = ("q =", "q <", "city-adjusted", "Getis-Ord", "Gi*", "Mann-Kendall", "baseline")


def _alerts(site: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{site}/api/alerts", params={"limit": 500}, timeout=60)
    answer.raise_for_status()
    return list(answer.json()["alerts"])


def _first(alerts: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [a for a in alerts if a["kind"] == kind and a["area_code"]]
    assert found, f"the demo raises no {kind} alert"
    return found[0]


def _open_alert(page: Page, alert: dict[str, Any]) -> None:
    item = page.locator(f'#alerts article.alert-item[data-id="{alert["id"]}"]')
    item.locator("button.alert").click()
    page.locator("#profile h2").wait_for()
    painted(page)


def test_the_correlated_alert_takes_the_map_to_its_indicator_period_and_area(
    page: Page, site: str
) -> None:
    alert = _first(_alerts(site), "correlated")
    page.goto(f"{site}/#indicator=population&type=msoa")
    painted(page)
    item = page.locator(f'#alerts article.alert-item[data-id="{alert["id"]}"]')
    sentence = item.locator(".sentence").inner_text()
    assert sentence == alert["sentence"]
    assert not [word for word in JARGON if word in sentence], sentence
    assert item.locator(".raised").inner_text().startswith("Raised ")
    details = item.locator("details.alert-details")
    details.locator("summary").click()
    assert details.locator("li").count() >= 1
    _open_alert(page, alert)
    target = alert.get("map") or {}
    state = page.evaluate("window.nis.state()")
    assert state["indicator"] == target.get("indicator", alert["indicators"][0])
    assert state["type"] == alert["area_type"]
    assert state["period"] == target.get("period", alert["period_to"])
    assert state["area"] == alert["area_code"]
    assert page.locator("#indicator").input_value() == state["indicator"]
    assert sorted(page.evaluate("window.nis.outlined()")) == sorted(
        target.get("areas", [alert["area_code"]])
    )
    assert page.locator("#legend-outline").inner_text().startswith("The alert's area")


def test_a_hotspot_alert_outlines_its_whole_cluster(page: Page, site: str) -> None:
    alert = _first(_alerts(site), "hotspot")
    cluster = alert["map"]["areas"]
    assert len(cluster) >= 3
    page.goto(site)
    painted(page)
    _open_alert(page, alert)
    assert page.evaluate("window.nis.state().type") == alert["area_type"]
    assert sorted(page.evaluate("window.nis.outlined()")) == sorted(cluster)
    legend = page.locator("#legend-outline").inner_text()
    assert legend == f"The alert's hotspot cluster ({len(cluster)} areas)"


def test_the_alerts_charts_have_axes_dates_the_city_line_and_the_change_marker(
    page: Page, site: str
) -> None:
    alert = _first(_alerts(site), "correlated")
    page.goto(site)
    painted(page)
    _open_alert(page, alert)
    figures = page.locator("#alert-charts figure.trend")
    expect(figures).to_have_count(len(alert["indicators"]))
    for i in range(figures.count()):
        chart = figures.nth(i).locator("svg.trend-chart")
        assert chart.locator(".x-axis").count() == 1
        assert chart.locator(".y-axis").count() == 1
        dates = chart.locator("text.x-tick").all_text_contents()
        assert len(dates) >= 2, dates
        assert all(any(c.isdigit() for c in d) for d in dates), dates
        assert chart.locator("text.y-tick").count() >= 2
        assert chart.locator("text.x-label").count() == 1
        assert chart.locator("text.y-label").count() == 1
        assert chart.locator(".city-line").count() >= 1
    # The lead indicator's chart marks the alert's window and where the change began.
    lead = figures.first.locator("svg.trend-chart")
    assert lead.locator(".change-marker").count() == 1
    assert lead.locator(".window").count() == 1
    # The rows of the alert's indicators say the alert's window beside their own.
    for code in alert["indicators"]:
        row = page.locator(f'#profile tr[data-indicator="{code}"]')
        assert "Alert:" in row.locator(".alert-window").inner_text()


def test_the_profile_is_grouped_with_values_intervals_spines_and_trend_words_as_the_api_says(
    page: Page, site: str
) -> None:
    code = "E01007909"
    profile = httpx.get(f"{site}/api/areas/{code}/profile", timeout=60).json()
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{site}/#indicator=all_crime&type=lsoa&area={code}")
    painted(page)
    page.locator("#profile h2").wait_for()
    groups = page.locator("#profile section.profile-group")
    assert groups.count() >= 4
    headings = groups.locator("h3").all_inner_texts()
    # In the server's order, partners' topics first, deprivation last.
    assert len(headings) == len(profile["groups"])
    for heading, group in zip(headings, profile["groups"], strict=True):
        assert heading.lower().startswith(group["agency_name"].lower()), (heading, group)
    assert profile["groups"][-1]["topic"] == "deprivation"
    assert "deprivation" in headings[-1].lower()
    rows = page.locator("#profile table.profile tbody tr:not(.row-more)")
    assert rows.count() == len(profile["indicators"])
    by_code = {e["indicator"]["code"]: e for e in profile["indicators"]}
    for i in range(rows.count()):
        row = rows.nth(i)
        entry = by_code[row.get_attribute("data-indicator") or ""]
        here = row.locator("td.here strong").inner_text()
        if entry["suppressed"]:
            assert here == "suppressed"
        else:
            assert here.split(" ")[0].replace(",", "") != ""
        if entry.get("trend_word"):
            assert row.locator(".trend-word").inner_text() == entry["trend_word"]
        if entry.get("spine") and not entry["suppressed"]:
            assert row.locator("td.spine svg.spine-chart").count() == 1
    assert page.locator("#profile .interval").count() > 5  # confidence intervals shown
    # A row opens to its definition, source and licence, and its trend chart.
    page.locator('#profile tr[data-indicator="all_crime"] button.row-open').click()
    more = page.locator("#profile tr.row-more:not([hidden])").first
    assert more.locator("dt").all_inner_texts()[:3] == ["Definition", "Source", "Licence"]
    assert more.locator("svg.trend-chart text.x-tick").count() >= 1
    # It fits its panel: no sideways scrolling at 1440 px, nor at a tablet's width.
    for width in (1440, 1024, 768):
        page.set_viewport_size({"width": width, "height": 900})
        sizes = page.locator("#panel").evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert sizes[0] <= sizes[1], (width, sizes)


def test_the_compare_view_bars_every_area_and_sorts(page: Page, site: str) -> None:
    page.goto(f"{site}/#indicator=all_crime_rate&type=msoa")
    painted(page)
    page.locator("#tab-compare").click()
    bars = page.locator("#compare svg.bars g.row")
    bars.first.wait_for()
    served = httpx.get(f"{site}/api/indicators/all_crime_rate/compare?type=msoa", timeout=60)
    assert bars.count() == len(served.json()["areas"]) == 70  # every MSOA
    names = lambda: page.locator("#compare svg.bars g.row text.name").all_text_contents()  # noqa: E731
    page.locator("#compare-sort").select_option("name")
    page.locator("#compare svg.bars g.row").first.wait_for()
    assert names() == sorted(names(), key=str.lower)
    page.locator("#compare svg.bars g.row").nth(3).click()
    page.locator("#profile h2").wait_for()


@pytest.fixture(scope="module")
def officer(browser: Browser, demo_db: str, site: str) -> Iterator[BrowserContext]:
    with unit_of_work(demo_db) as session:
        reset_password(session, CLI, OFFICER, PASSWORD)
    context = signed_in_context(browser, site, OFFICER, PASSWORD)
    yield context
    context.close()


def test_a_signed_in_officer_acknowledges_and_assigns_an_alert(
    officer: BrowserContext, site: str
) -> None:
    page, problems = open_page(officer, site)
    painted(page)
    alerts = officer.request.get(f"{site}/api/alerts?limit=500").json()["alerts"]
    alert = next(a for a in alerts if a["kind"] == "deterioration" and not a.get("acknowledged"))
    item = page.locator(f'#alerts article.alert-item[data-id="{alert["id"]}"]')
    item.locator("input[name=note]").fill("<b>Looking into it</b>")
    item.locator("button.acknowledge").click()
    expect(item.locator(".handle-status")).to_have_text("Acknowledged")
    expect(item.locator(".handling")).to_contain_text("<b>Looking into it</b>")  # as text
    item.locator("input[name=assignee]").fill(OFFICER)
    item.locator("button.assign").click()
    expect(item.locator(".handle-status")).to_have_text("Assigned")
    expect(item.locator(".handling")).to_contain_text("Assigned to")
    history = officer.request.get(f"{site}/api/alerts/{alert['id']}/history").json()
    assert [e["action"] for e in history["events"]] == ["acknowledged", "assigned"]
    assert history["events"][0]["note"] == "<b>Looking into it</b>"
    # Nobody signed in sees no controls, and no officer's name.
    public = httpx.get(f"{site}/api/alerts", params={"limit": 500}, timeout=60).json()["alerts"]
    mine = next(a for a in public if a["id"] == alert["id"])
    assert OFFICER not in str(mine)
    page.close()
    assert not problems, problems


def test_the_printed_page_is_the_map_and_the_panel_with_a_footer_and_the_demo_mark(
    page: Page, site: str
) -> None:
    page.goto(f"{site}/#indicator=all_crime&type=lsoa&area=E01007909")
    painted(page)
    page.locator("#profile h2").wait_for()
    expect(page.locator("#demo-banner")).to_contain_text("DEMO")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    assert page.locator("#controls").is_hidden()
    footer = page.locator("#print-footer")
    assert footer.is_visible()
    text = footer.inner_text()
    for words in ("Public", "DEMO", "Source:", "Printed", "Crown copyright"):
        assert words in text, text
    sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], sizes
    pdf = page.pdf(format="A4", print_background=True)
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages >= 2  # the map and the profile, not one cut-off page
    page.emulate_media(media="screen")


def test_the_whole_city_button_shows_every_area(page: Page, site: str) -> None:
    page.goto(f"{site}/#indicator=all_crime&type=lsoa&area=E01007909")
    painted(page)
    page.locator("#profile h2").wait_for()
    zoomed = page.evaluate("window.nis.zoom()")
    page.locator("#whole-city").click()
    page.wait_for_function(f"() => window.nis.zoom() < {zoomed}")
