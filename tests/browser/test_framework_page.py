"""The performance framework page as an officer uses it, in real Chromium: a board's
measures with their three risks and trajectory charts, the owner's update form, and the
one update showing in both interested boards."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from app.access.users import reset_password
from app.access.viewer import CLI
from app.db import unit_of_work
from tests.browser.conftest import open_page, signed_in_context

OFFICER = "demo.officer"
PASSWORD = "kestrel ledger window 36 pine"


@pytest.fixture(scope="module")
def signed_in(browser: Browser, demo_db: str, site: str) -> Iterator[BrowserContext]:
    """A browser where the demo's officer (owner of the childhood-obesity action) is
    signed in."""
    with unit_of_work(demo_db) as session:
        reset_password(session, CLI, OFFICER, PASSWORD)
    context = signed_in_context(browser, site, OFFICER, PASSWORD)
    yield context
    context.close()


def test_a_board_shows_its_measures_risks_and_charts(signed_in: BrowserContext, site: str) -> None:
    page, errors = open_page(signed_in, f"{site}/framework.html?board=successful-neighbourhoods")
    expect(page.locator("#board-name")).to_have_text("Successful Neighbourhoods Partnership")
    card = page.locator("#measures article", has_text="Reduce burglary")
    expect(card.locator("th", has_text="Speed")).to_be_visible()
    expect(card.locator("td.level").first).to_have_text(
        re.compile("Low risk|Medium risk|High risk")
    )
    expect(card.locator("svg.trajectory > title")).to_have_text(
        "Reduce burglary: observed, planned trajectory and target"
    )
    expect(page.locator("#flag-list")).to_contain_text("Reduce burglary")
    expect(page.locator("#report-pdf")).to_have_attribute(
        "href", "api/framework/boards/successful-neighbourhoods/report.pdf"
    )
    assert not errors, errors


def test_the_owner_gives_one_update_that_both_boards_show(
    signed_in: BrowserContext, site: str
) -> None:
    page, errors = open_page(signed_in, f"{site}/framework.html?board=health-wellbeing")
    card = page.locator("#actions article", has_text="Active schools and healthy lunches")
    expect(card).to_contain_text("Twelve of the fifteen schools")
    form = card.locator("form.update-form")
    form.get_by_label("Cycle").fill("2032-01")
    form.get_by_label("Narrative").fill("Written in the browser: <b>not bold</b>")
    form.get_by_role("button", name="Give this cycle's update").click()
    card = page.locator("#actions article", has_text="Active schools and healthy lunches")
    expect(card.locator(".update")).to_contain_text("Update for 2032-01 by demo.officer")
    expect(card.locator(".update")).to_contain_text("<b>not bold</b>")  # text, not markup
    # The same update in the other board that follows the action.
    page.locator("#board-list button", has_text="Children and Young People").click()
    expect(page.locator("#board-name")).to_have_text("Children and Young People Partnership")
    other = page.locator("#actions article", has_text="Active schools and healthy lunches")
    expect(other.locator(".update")).to_contain_text("Update for 2032-01 by demo.officer")
    # Given once: a second update for the cycle is refused, with the server's reason.
    form = other.locator("form.update-form")
    form.get_by_label("Cycle").fill("2032-01")
    form.get_by_label("Narrative").fill("Again")
    form.get_by_role("button", name="Give this cycle's update").click()
    expect(other.locator(".form-error")).to_contain_text("an update is never changed")
    assert not errors, errors


def test_the_public_is_asked_to_sign_in(browser: Browser, site: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site}/framework.html")
    expect(page.locator("#signed-out")).to_be_visible()
    expect(page.locator("#framework")).to_be_hidden()
    context.close()
