"""The page's store and its errors: a slow older answer never overwrites a newer view, and a
refused request shows the server's problem detail (as text) instead of a bare failure."""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Request, Route

from tests.browser.conftest import find_place, painted

AREA = "E01007909"


def _map(site: str, indicator: str, **params: Any) -> httpx.Response:
    return httpx.get(
        f"{site}/api/maps/{quote(indicator, safe='')}",
        params={"geometry": "false", **params},
        timeout=60,
    )


def _values(site: str, indicator: str, **params: Any) -> dict[str, Any]:
    response = _map(site, indicator, **params)
    response.raise_for_status()
    return dict(response.json())


class Held:
    """Requests whose answers the test holds back, then lets through."""

    def __init__(self, page: Page, pattern: re.Pattern[str]) -> None:
        self.page = page
        self.routes: list[Route] = []
        self.settled: set[str] = set()  # URLs the page has the answer to, or gave up on

        def hold(route: Route) -> None:
            self.routes.append(route)

        page.route(pattern, hold)

        def settle(request: Request) -> None:
            self.settled.add(request.url)

        page.on("requestfinished", settle)
        page.on("requestfailed", settle)

    def wait_for_one(self) -> Route:
        for _ in range(200):
            if self.routes:
                return self.routes[0]
            self.page.wait_for_timeout(50)
        raise AssertionError("the page did not ask")

    def release(self) -> None:
        """Let every held request through (its real answer), and wait until the page has it
        or had already given up on it (the store aborts superseded requests)."""
        for route in self.routes:
            with contextlib.suppress(PlaywrightError):  # the page aborted it: no answer can come
                route.continue_()
        for route in self.routes:
            for _ in range(200):
                if route.request.url in self.settled:
                    break
                self.page.wait_for_timeout(50)
            else:
                raise AssertionError(f"{route.request.url} never finished")
        # Two frames: whatever the page does with the answer is done and drawn.
        self.page.evaluate(
            "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )


def _shows(page: Page, site: str, indicator: str, expected_state: str = "painted") -> None:
    """The page shows the newest view of `indicator` at LSOAs: state, period, legend, URL
    and fills."""
    served = _values(site, indicator, type="lsoa")
    legend = served["legend"]
    assert page.evaluate("document.body.dataset.state") == expected_state
    state = page.evaluate("window.nis.state()")
    assert (state["indicator"], state["period"]) == (indicator, legend["period"])
    assert page.locator("#period-label").inner_text() == legend["period"]
    heading = f"{legend['indicator']['title']}, {legend['period']}"
    assert page.locator(".legend h2").inner_text() == heading
    swatches = page.locator(".legend li .swatch").evaluate_all(
        "s => s.map(e => getComputedStyle(e).backgroundColor)"
    )
    for cls, swatch in zip(legend["classes"], swatches, strict=False):
        r, g, b = (int(cls["colour"][k : k + 2], 16) for k in (1, 3, 5))
        assert swatch == f"rgb({r}, {g}, {b})"
    assert f"indicator={indicator}&" in page.url
    for code in [AREA, *sorted(served["areas"])[::40]]:
        area = served["areas"].get(code)
        colour = area["colour"] if area else legend["no_data"]["colour"]
        assert page.evaluate("c => window.nis.fill(c)", code) == colour


@pytest.mark.parametrize("which", ["site", "tile_site"])
def test_a_slow_older_answer_never_overwrites_a_newer_view(
    page: Page, which: str, request: pytest.FixtureRequest
) -> None:
    site: str = request.getfixturevalue(which)
    page.goto(f"{site}/#indicator=burglary&type=lsoa")
    painted(page)
    periods = _values(site, "burglary", type="lsoa")["legend"]["periods"]
    older = periods[-13]
    held = Held(page, re.compile(rf"/api/maps/burglary\?.*period={older}"))
    # The older view: burglary a year earlier, its answer held back.
    page.evaluate(
        """i => { const s = document.getElementById('period');
                  s.value = String(i); s.dispatchEvent(new Event('input')); }""",
        len(periods) - 13,
    )
    held.wait_for_one()
    # The newer view: another indicator, answered at once and painted.
    page.select_option("#indicator", "vehicle_crime")
    painted(page)
    _shows(page, site, "vehicle_crime")
    held.release()
    _shows(page, site, "vehicle_crime")


def test_the_play_timer_cannot_overwrite_a_newer_indicator(page: Page, site: str) -> None:
    periods = _values(site, "burglary", type="lsoa")["legend"]["periods"]
    page.goto(f"{site}/#indicator=burglary&type=lsoa&period={periods[0]}")
    painted(page)
    held = Held(page, re.compile(rf"/api/maps/burglary\?.*period={periods[1]}"))
    page.click("#play")
    held.wait_for_one()  # the timer asked for the next period
    page.click("#play")  # paused, its request still on its way
    page.select_option("#indicator", "vehicle_crime")
    painted(page)
    held.release()
    _shows(page, site, "vehicle_crime")


def _problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    return str(response.json()["detail"])


def _notice(page: Page) -> str:
    notice = page.locator("#notice")
    notice.wait_for()
    assert notice.get_attribute("role") == "alert"
    return notice.inner_text()


def test_a_link_to_a_period_without_values_says_why_and_shows_the_newest(
    page: Page, site: str
) -> None:
    detail = _problem(_map(site, "burglary", type="lsoa", period="1999-01"), 400)
    page.goto(f"{site}/#indicator=burglary&type=lsoa&period=1999-01")
    painted(page)
    assert detail in _notice(page)
    _shows(page, site, "burglary")
    # The next choice is a new view: the notice goes.
    page.select_option("#classes", "4")
    painted(page)
    assert page.locator("#notice").is_hidden()


def test_a_link_to_an_unknown_indicator_shows_the_servers_detail_as_text(
    page: Page, site: str
) -> None:
    code = '<img src=x onerror="window.pwned = 1">'
    detail = _problem(_map(site, code, type="lsoa"), 404)
    assert code in detail  # the server names it: the page must show it as text
    page.goto(f"{site}/#indicator={quote(code, safe='')}&type=lsoa")
    painted(page)
    assert detail in _notice(page)
    assert page.locator("#notice *").count() == 0  # text only, no element made from it
    assert page.evaluate("window.pwned") is None
    _shows(page, site, "all_crime_rate")  # the default indicator instead


def test_a_link_to_an_unknown_area_shows_the_servers_detail_in_the_profile(
    page: Page, site: str
) -> None:
    missing = "E01999999"
    detail = _problem(httpx.get(f"{site}/api/areas/{missing}/profile"), 404)
    page.goto(f"{site}/#indicator=all_crime&type=lsoa&area={missing}")
    painted(page)
    failure = page.locator("#profile .failure")
    failure.wait_for()
    assert detail in failure.inner_text()


def test_an_answer_for_an_area_no_longer_chosen_is_dropped(page: Page, site: str) -> None:
    first = "E01007909"
    page.goto(f"{site}/#indicator=all_crime&type=lsoa")
    painted(page)
    held = Held(page, re.compile(rf"/api/areas/{first}/profile"))
    where = page.evaluate("c => window.nis.pointOf(c)", first)
    page.mouse.click(where["x"], where["y"])
    held.wait_for_one()  # the first area's profile is on its way
    second = next(
        code for code in sorted(_values(site, "all_crime", type="lsoa")["areas"]) if code != first
    )
    find_place(page, second, second)
    page.locator("#profile h2").filter(has_text=second).wait_for()
    held.release()
    assert second in page.locator("#profile h2").inner_text()
    assert page.evaluate("window.nis.state().area") == second
