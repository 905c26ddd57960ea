"""Signing in on the page, as an officer would: the header's form, who the header then
says is signed in, the partners-only indicators and small numbers that appear (and go
again on signing out), the marking on what a signed-in officer exports, and the audit of
what the page read. Real Chromium against a live server on the demo city."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import APIRequestContext, Browser, Dialog, Page, expect

from app.access.service import create_key
from app.access.users import create_local_user
from app.access.viewer import CLI
from app.db import unit_of_work
from app.settings import Settings
from tests.browser.conftest import ARTIFACTS, painted
from tests.conftest import LiveServer

USERNAME = "olive.officer"
PASSWORD = "correct horse battery staple 42"
# Names are partners' text too: the header shows this one as written.
DISPLAY_NAME = "Olive <img src=x onerror=alert('name')> Officer"
AGENCY = "police"
# Public, with small counts suppressed (threshold 3), so the public sees some areas grey.
SMALL_COUNTS = "accidental_dwelling_fires"
PARTNERS_ONLY = ("fsm_eligible", "gp_registered_depression", "fire_safe_and_well_visits")
MARKING = "Partners only — not for publication"
GENERIC = "The name or password is not right, or the account is disabled"
BANNER = (165, 0, 38)  # the PNG banner's colour (#a50026), in no map palette


@pytest.fixture(scope="module")
def officer(demo_db: str) -> str:
    """A local officer's account of the police, made as `nis user create` makes one."""
    with unit_of_work(demo_db) as session:
        create_local_user(
            session, CLI, USERNAME, PASSWORD, "officer", agency=AGENCY, display_name=DISPLAY_NAME
        )
    return USERNAME


@pytest.fixture(scope="module")
def admin_key(demo_db: str) -> str:
    with unit_of_work(demo_db) as session:
        return create_key(session, None, admin=True, label="browser tests: the audit")


@pytest.fixture(scope="module")
def throttled_site(demo_db: str) -> Iterator[str]:
    """The demo city where one failed sign-in of an account is the limit."""
    settings = Settings(
        database_url=demo_db, analysis_after_upload=False, throttle_account_failures=1
    )
    with LiveServer(settings) as server:
        yield server.url


def sign_in(page: Page, username: str = USERNAME, password: str = PASSWORD) -> None:
    """Open the header's sign-in and send the form."""
    page.get_by_role("button", name="Sign in", exact=True).first.click()
    page.get_by_label("Name", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.locator("#sign-in-form").get_by_role("button", name="Sign in").click()


def signed_in_header(page: Page) -> None:
    header = page.locator("#signed-in")
    expect(header).to_be_visible()
    expect(header).to_contain_text(DISPLAY_NAME)
    expect(header).to_contain_text(f"officer, {AGENCY}")


def picker(page: Page) -> set[str]:
    return set(page.eval_on_selector_all("#indicator option", "os => os.map(o => o.value)"))


def map_values(request: APIRequestContext, site: str, indicator: str) -> dict[str, Any]:
    """The map's values as whoever `request` carries the cookies of sees them."""
    response = request.get(f"{site}/api/maps/{indicator}?type=lsoa&geometry=false")
    assert response.ok, response.text()
    body: dict[str, Any] = response.json()
    return body


def hover_text(page: Page, code: str) -> str:
    page.mouse.move(0, 0)
    point = page.evaluate("c => window.nis.pointOf(c)", code)
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text(code)
    return tooltip.inner_text()


def banner_pixels(png: bytes) -> int:
    """Pixels of the marking's banner colour in the image's top fifth."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    top = image.crop((0, 0, image.width, image.height // 5))
    return sum(n for n, colour in top.getcolors(maxcolors=1 << 20) or [] if colour == BANNER)


def test_an_officer_signs_in_sees_partners_data_and_signs_out(
    page: Page, site: str, officer: str, admin_key: str, tmp_path: Path
) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(f"{site}/#indicator={SMALL_COUNTS}&type=lsoa")
    painted(page)

    # The public: no partners-only indicator, grey areas, and the legend offers to sign in.
    assert not picker(page) & set(PARTNERS_ONLY)
    public = map_values(page.request, site, SMALL_COUNTS)
    hidden = sorted(c for c, a in public["areas"].items() if a["status"] == "suppressed")
    assert hidden, "the demo has small counts the public sees suppressed"
    area = hidden[0]
    assert "suppressed" in hover_text(page, area)
    legend = page.locator(".legend")
    expect(legend).to_contain_text("sign in as a partner to see them")
    expect(legend.get_by_role("button", name="Sign in")).to_be_visible()
    expect(legend).not_to_contain_text(MARKING)

    sign_in(page)
    signed_in_header(page)
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out everywhere")).to_be_visible()
    painted(page)

    # Partners-only indicators are offered; the suppressed area shows its value.
    assert set(PARTNERS_ONLY) <= picker(page)
    seen = map_values(page.request, site, SMALL_COUNTS)["areas"][area]
    assert seen["status"] == "data"
    assert seen["value"] is not None
    text = hover_text(page, area)
    assert "suppressed" not in text
    assert re.search(rf"\b{seen['value']:,.0f}\b", text), text
    expect(legend).not_to_contain_text("Suppressed")
    expect(legend).not_to_contain_text("sign in as a partner")
    expect(legend).to_contain_text(MARKING)

    # What the signed-in page exports is marked, and no shared cache may keep it.
    png_href = page.locator("#export-png").get_attribute("href")
    html_href = page.locator("#export-html").get_attribute("href")
    png = page.request.get(f"{site}/{png_href}")
    html = page.request.get(f"{site}/{html_href}")
    for response in (png, html):
        assert response.ok
        assert "private" in response.headers["cache-control"]
        assert {"cookie", "authorization"} <= {
            v.strip().lower() for v in response.headers["vary"].split(",")
        }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "signed-in-export.png").write_bytes(png.body())
    assert Image.open(io.BytesIO(png.body())).text.get("Warning") == MARKING  # type: ignore[attr-defined]
    assert banner_pixels(png.body()) > 1000  # the banner is drawn on the image
    saved = tmp_path / "export.html"
    saved.write_text(html.text(), encoding="utf-8")
    exported = page.context.new_page()
    exported.goto(saved.as_uri())  # as it is used: downloaded, then opened from the disk
    marking = exported.get_by_role("note").filter(has_text=MARKING)
    expect(marking).to_have_text(MARKING)
    expect(marking).to_be_visible()
    exported.close()

    # A partners-only indicator paints, marked.
    page.select_option("#indicator", "fsm_eligible")
    painted(page)
    expect(legend).to_contain_text(MARKING)
    page.select_option("#indicator", SMALL_COUNTS)
    painted(page)

    # The audit has the officer's restricted reads, by the channel they came through.
    audit = httpx.get(
        f"{site}/api/audit",
        params={"action": "read", "actor": f"user {USERNAME}"},
        headers={"Authorization": f"Bearer {admin_key}"},
        timeout=60,
    )
    assert audit.status_code == 200, audit.text
    reads = {(e["indicator"], e["channel"]) for e in audit.json()["events"]}
    assert {(SMALL_COUNTS, "map"), (SMALL_COUNTS, "export"), ("fsm_eligible", "map")} <= reads

    # Signed out: the partners-only indicators go, the area is suppressed again.
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("button", name="Sign in", exact=True).first).to_be_visible()
    expect(page.locator("#signed-in")).to_be_hidden()
    painted(page)
    assert not picker(page) & set(PARTNERS_ONLY)
    assert "suppressed" in hover_text(page, area)
    expect(legend).to_contain_text("Suppressed")
    expect(legend).not_to_contain_text(MARKING)
    # And the same export links give the public's map, unmarked.
    public_png = page.request.get(f"{site}/{page.locator('#export-png').get_attribute('href')}")
    assert "private" not in public_png.headers.get("cache-control", "")
    assert banner_pixels(public_png.body()) == 0
    assert MARKING not in page.request.get(f"{site}/{html_href}").text()
    assert dialogs == []  # the display name was shown as text


def test_a_wrong_password_shows_the_one_generic_message(
    page: Page, site: str, officer: str
) -> None:
    page.goto(f"{site}/#indicator={SMALL_COUNTS}&type=lsoa")
    painted(page)
    sign_in(page, password="not the password at all")
    error = page.locator("#sign-in-error")
    expect(error).to_have_text(GENERIC)
    expect(error).to_have_attribute("role", "alert")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()  # to try again
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.locator("#signed-in")).to_be_hidden()
    assert not picker(page) & set(PARTNERS_ONLY)


def test_too_many_tries_say_when_to_try_again(page: Page, throttled_site: str) -> None:
    page.goto(throttled_site)
    painted(page)
    sign_in(page, username="nobody.here", password="guess number one")
    expect(page.locator("#sign-in-error")).to_have_text(GENERIC)
    page.get_by_label("Password", exact=True).fill("guess number two")
    page.locator("#sign-in-form").get_by_role("button", name="Sign in").click()
    expect(page.locator("#sign-in-error")).to_have_text(
        re.compile(r"^Too many failed attempts; try again later \(in [1-5] minutes?\)\.$")
    )


def test_the_legend_offers_the_sign_in_and_the_keyboard_does_the_rest(
    page: Page, site: str, officer: str
) -> None:
    page.goto(f"{site}/#indicator={SMALL_COUNTS}&type=lsoa")
    painted(page)
    page.locator(".legend").get_by_role("button", name="Sign in").click()
    name = page.get_by_label("Name", exact=True)
    expect(name).to_be_focused()
    expect(name).to_have_attribute("autocomplete", "username")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute(
        "autocomplete", "current-password"
    )
    page.keyboard.press("Escape")  # closes, back to the header's button
    expect(name).to_be_hidden()
    expect(page.locator("#sign-in-toggle")).to_be_focused()
    expect(page.locator("#sign-in-toggle")).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(page.locator("#sign-in-toggle")).to_have_attribute("aria-expanded", "true")
    page.keyboard.type(USERNAME)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    signed_in_header(page)
    expect(page.locator("#signed-in")).to_be_focused()  # where the form was: who is signed in
    painted(page)
    expect(page.locator(".legend")).not_to_contain_text("sign in")
    expect(page.locator(".legend")).to_contain_text(MARKING)


def test_signing_out_everywhere_ends_the_other_browsers_session(
    page: Page, browser: Browser, site: str, officer: str
) -> None:
    other = browser.new_context()
    try:
        other.request.post(
            f"{site}/api/auth/sign-in",
            data={"username": USERNAME, "password": PASSWORD},
        ).dispose()
        assert other.request.get(f"{site}/api/auth/session").json()["signed_in"]
        page.goto(site)
        painted(page)
        sign_in(page)
        signed_in_header(page)
        page.get_by_role("button", name="Sign out everywhere").click()
        expect(page.get_by_role("button", name="Sign in", exact=True).first).to_be_visible()
        assert not other.request.get(f"{site}/api/auth/session").json()["signed_in"]
    finally:
        other.close()
