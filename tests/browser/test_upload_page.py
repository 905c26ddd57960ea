"""The upload page as an agency analyst uses it, in real Chromium: a file's preview with
its columns and the suggested indicator, the upload once mapped (its values checked
through the API), and a file with errors showing them as the API reports them."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app.access.users import create_local_user
from app.access.viewer import CLI
from app.db import unit_of_work
from tests.browser.conftest import ARTIFACTS, open_page, signed_in_context

ANALYST = "council.analyst"
PASSWORD = "heron basalt meadow 71 quill"
RANK = "Index of Multiple Deprivation (IMD) Rank"


@pytest.fixture(scope="module")
def lsoas(demo_db: str) -> list[str]:
    from sqlalchemy import text

    with unit_of_work(demo_db) as session:
        rows = session.execute(
            text("SELECT code FROM area WHERE type_code = 'lsoa' ORDER BY code LIMIT 3")
        ).all()
    return [str(r[0]) for r in rows]


@pytest.fixture(scope="module")
def analyst(browser: Browser, demo_db: str, site: str) -> Iterator[BrowserContext]:
    """A browser where a council analyst is signed in."""
    with unit_of_work(demo_db) as session:
        create_local_user(session, CLI, ANALYST, PASSWORD, "analyst", agency="council")
    context = signed_in_context(browser, site, ANALYST, PASSWORD)
    yield context
    context.close()


def _open(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    page, problems = open_page(context, url)
    page.wait_for_function("() => document.body.dataset.state === 'ready'")
    return page, problems


def _choose(page: Page, name: str, body: str) -> None:
    page.set_input_files("#file", files=[{"name": name, "mimeType": "text/csv",
                                          "buffer": body.encode()}])  # fmt: skip


def test_preview_shows_the_columns_and_confirm_stores_the_values(
    analyst: BrowserContext, site: str, lsoas: list[str]
) -> None:
    page, errors = _open(analyst, f"{site}/upload.html")
    body = (
        f"LSOA code (2011),LSOA name (2011),{RANK}\n"
        f"{lsoas[0]},Sheffield <b>001A</b>,101\n{lsoas[1]},Sheffield 001B,202\n"
    )
    _choose(page, "imd2019-ranks.csv", body)
    table = page.locator("#preview-table")
    expect(table.locator("thead th", has_text=RANK)).to_be_visible()
    expect(table.locator("tbody")).to_contain_text("Sheffield <b>001A</b>")  # text, not markup
    expect(page.locator("#preview-about")).to_contain_text("2 rows")
    expect(page.locator("#area-column")).to_have_value("LSOA code (2011)")
    expect(page.locator("#period")).to_have_value("2019")
    mapped = page.locator(f"select[data-column='{RANK}']")
    expect(mapped).to_have_value("imd_rank")  # the suggestion, preselected
    expect(page.locator("select[data-column='LSOA name (2011)']")).to_have_value("")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#outcome-text")).to_contain_text("Stored batch")
    got = httpx.get(f"{site}/api/observations?indicator=imd_rank&type=lsoa&period=2019").json()
    values = {o["area_code"]: o["value"] for o in got["observations"]}
    assert (values[lsoas[0]], values[lsoas[1]]) == (101, 202)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload-page-stored.png"), full_page=True)
    assert not errors, errors


def test_a_file_with_errors_shows_them_as_the_api_reports_them(
    analyst: BrowserContext, site: str, lsoas: list[str]
) -> None:
    page, errors = _open(analyst, f"{site}/upload.html")
    body = f"LSOA code (2011),{RANK}\n{lsoas[0]},12x\nE01XXXXXX,7\n{lsoas[2]},<img src=x>\n"
    _choose(page, "ranks.csv", body)
    expect(page.locator(f"select[data-column='{RANK}']")).to_have_value("imd_rank")
    page.fill("#period", "2019")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#outcome-text")).to_contain_text("3 problem(s) on 3 of the 3 row(s)")
    rows = page.locator("#errors tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("2")
    expect(rows.nth(0).locator("td").nth(1)).to_have_text(RANK)
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("LSOA code (2011)")
    expect(rows.nth(1).locator("td").nth(2)).to_have_text("E01XXXXXX")
    expect(rows.nth(2).locator("td").nth(2)).to_have_text("<img src=x>")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload-page-errors.png"), full_page=True)
    assert not errors, errors


def test_the_map_page_links_to_the_upload_page(page: Page, site: str) -> None:
    page.goto(site)
    expect(page.locator("#upload-link")).to_have_attribute("href", "upload.html")


def test_the_real_imd_2019_file_1_uploads_through_the_page_once_its_columns_are_mapped(
    analyst: BrowserContext, site: str, shared_data: Path, tmp_path: Path
) -> None:
    """The national file as MHCLG publishes it (32,844 LSOAs of England, a byte-order
    mark, thousands separators in quotes): its rank and decile columns suggested, the
    areas outside the city skipped and counted, the city's values stored as the file has
    them."""
    source = shared_data / "imd2019" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
    national = tmp_path / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
    national.write_bytes(gzip.decompress(source.read_bytes()))
    with national.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    page, errors = _open(analyst, f"{site}/upload.html")
    page.set_input_files("#file", str(national))
    expect(page.locator("#preview-about")).to_contain_text("32,844 rows")
    expect(page.locator(f"select[data-column='{RANK}']")).to_have_value("imd_rank")
    decile = "Index of Multiple Deprivation (IMD) Decile"
    expect(page.locator(f"select[data-column='{decile}']")).to_have_value("imd_decile")
    expect(page.locator("#area-column")).to_have_value("LSOA code (2011)")
    expect(page.locator("#period")).to_have_value("2019")
    page.locator("#skip-outside").check()
    page.get_by_role("button", name="Upload").click()
    outcome = page.locator("#outcome-text")
    expect(outcome).to_contain_text("Stored batch", timeout=120_000)
    city = [r for r in rows if r["Local Authority District name (2019)"] == "Sheffield"]
    expect(outcome).to_contain_text(f"{len(rows) - len(city):,} rows for areas outside")
    got = httpx.get(
        f"{site}/api/observations",
        params={"indicator": "imd_rank", "type": "lsoa", "period": "2019"},
        timeout=60,
    ).json()
    stored = {o["area_code"]: o["value"] for o in got["observations"]}
    for row in city[:25]:
        assert stored[row["LSOA code (2011)"]] == float(row[RANK].replace(",", ""))
    assert not errors, errors
