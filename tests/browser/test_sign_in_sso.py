"""Single sign-on on the page, in real Chromium: the header's button goes to the
partnership's identity provider (the real oidc-provider on loopback), whose form sends
the officer back signed in, with partners-only data; signing out gives the public view
again; someone the directory gives no role comes back told why."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from app.access.service import create_key
from app.db import unit_of_work
from app.settings import Settings
from tests.browser.conftest import painted
from tests.browser.test_sign_in import MARKING, PARTNERS_ONLY, SMALL_COUNTS, map_values, picker
from tests.conftest import LiveServer
from tests.oidc import OidcProvider


@pytest.fixture(scope="module")
def sso_site(demo_db: str, oidc_provider: OidcProvider) -> Iterator[str]:
    settings = Settings(
        database_url=demo_db,
        analysis_after_upload=False,
        partnership_name="Sheffield Partnership",
        **oidc_provider.settings(),
    )
    with LiveServer(settings) as server:
        yield server.url


def at_provider(page: Page, provider: OidcProvider, who: str) -> None:
    page.get_by_role("button", name="Sign in", exact=True).first.click()
    page.get_by_role("link", name="Sign in with Sheffield Partnership single sign-on").click()
    page.wait_for_url(f"{provider.issuer}/**")
    page.get_by_label("Username").fill(who)
    page.get_by_label("Password").fill(provider.accounts[who].password)
    page.get_by_role("button", name="Sign in").click()


def test_an_officer_signs_in_through_the_partnerships_provider(
    page: Page, sso_site: str, oidc_provider: OidcProvider, demo_db: str
) -> None:
    view = f"/#indicator={SMALL_COUNTS}&type=lsoa"
    page.goto(f"{sso_site}{view}")
    painted(page)
    assert not picker(page) & set(PARTNERS_ONLY)
    expect(page.locator("#sign-in-form")).to_be_hidden()  # no local form with SSO
    public = map_values(page.request, sso_site, SMALL_COUNTS)
    hidden = [c for c, a in public["areas"].items() if a["status"] == "suppressed"]
    assert hidden

    at_provider(page, oidc_provider, "olive")
    page.wait_for_url(lambda url: url.startswith(f"{sso_site}{view}"))  # the same view
    header = page.locator("#signed-in")
    expect(header).to_contain_text("Olive Officer")
    expect(header).to_contain_text("officer, police")
    painted(page)
    assert set(PARTNERS_ONLY) <= picker(page)
    seen = map_values(page.request, sso_site, SMALL_COUNTS)
    assert seen["areas"][hidden[0]]["status"] == "data"  # the small count, unsuppressed
    expect(page.locator(".legend")).to_contain_text(MARKING)

    with unit_of_work(demo_db) as session:
        admin = create_key(session, None, admin=True, label="sso browser test")
    trail = page.request.get(
        f"{sso_site}/api/audit",
        params={"actor": "user olive", "indicator": SMALL_COUNTS, "action": "read"},
        headers={"Authorization": f"Bearer {admin}"},
    ).json()
    assert trail["total"] >= 1
    assert {e["channel"] for e in trail["events"]} >= {"map"}

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.locator("#signed-in")).to_be_hidden()
    painted(page)
    assert not picker(page) & set(PARTNERS_ONLY)
    again = map_values(page.request, sso_site, SMALL_COUNTS)
    assert again["areas"][hidden[0]]["status"] == "suppressed"


def test_someone_without_a_role_comes_back_told_why(
    page: Page, sso_site: str, oidc_provider: OidcProvider
) -> None:
    page.goto(sso_site)
    painted(page)
    at_provider(page, oidc_provider, "pat")
    page.wait_for_url(f"{sso_site}/**")
    expect(page.locator("#sign-in-error")).to_contain_text("no role")
    assert "sign_in=" not in page.url  # the address is left clean
    expect(page.locator("#signed-in")).to_be_hidden()
