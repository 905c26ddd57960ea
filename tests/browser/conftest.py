"""The web page in real headless Chromium (Debian's package, driven by Playwright)
against a live server on a database where `nis demo` has run (Sheffield's LSOAs, every
agency's indicators, an analysis with alerts)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

ARTIFACTS = Path(os.environ.get("NIS_TEST_ARTIFACTS", "test-artifacts"))


@pytest.fixture(scope="session")
def demo_db(demo_template: str, databases: ThrowawayDatabases) -> str:
    return clone_database(demo_template, "nis_test_browser", databases)


@pytest.fixture(scope="session")
def site(demo_db: str) -> Iterator[str]:
    settings = Settings(database_url=demo_db, analysis_after_upload=False)
    with LiveServer(settings) as server:
        yield server.url


@pytest.fixture(scope="session")
def tile_site(demo_db: str) -> Iterator[str]:
    """The same city with the map's tile threshold at 0: every area type from vector tiles."""
    settings = Settings(database_url=demo_db, analysis_after_upload=False, map_tiles_above=0)
    with LiveServer(settings) as server:
        yield server.url


@pytest.fixture(scope="session")
def mixed_site(demo_db: str) -> Iterator[str]:
    """The tile threshold between the city's 70 MSOAs and its 345 LSOAs: one type in each
    mode."""
    settings = Settings(database_url=demo_db, analysis_after_upload=False, map_tiles_above=100)
    with LiveServer(settings) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Chromium is missing: `make setup` installs Debian's chromium package")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A 1280x800 page; its screenshot is kept in test-artifacts/ after the test, which
    fails on any script error or Content-Security-Policy violation."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    violations = csp_violations(opened)
    yield opened
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    opened.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    context.close()
    assert not errors, errors
    assert not violations, violations  # the page runs within its Content-Security-Policy


def csp_violations(page: Page) -> list[str]:
    """The Content-Security-Policy violations the page reports from now on (Chromium says
    each on the console)."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def signed_in_context(browser: Browser, site: str, username: str, password: str) -> BrowserContext:
    """A 1280x900 browser context where ``username`` is signed in, by the browser's own
    request (so that it keeps the session cookie)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    answer = context.request.post(
        f"{site}/api/auth/sign-in", data={"username": username, "password": password}
    )
    assert answer.status == 200, answer.text()
    return context


def open_page(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    """A new page of ``context`` at ``url``, and the script errors and policy violations it
    reports from then on."""
    page = context.new_page()
    problems = csp_violations(page)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(url)
    return page, problems


def painted(page: Page) -> None:
    page.wait_for_function("() => document.body.dataset.state === 'painted'", timeout=30_000)


def find_place(page: Page, text: str, code: str) -> None:
    """Type ``text`` into the place search and choose the area ``code`` it offers."""
    page.fill("#area-search", text)
    option = page.locator(f"#area-search-results li[data-code='{code}']")
    option.wait_for()
    option.click()
