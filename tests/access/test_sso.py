"""Single sign-on through NIS's own routes against the real OpenID provider: the browser
goes there and back, the directory's groups decide the role, and refusals are audited."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from tests.access.conftest import Site, SiteFactory
from tests.oidc import OidcProvider, login


def sso_site(make_site: SiteFactory, provider: OidcProvider) -> Site:
    return make_site(**provider.settings())


def sign_in(site: Site, provider: OidcProvider, who: str, next_path: str = "/") -> httpx.Response:
    """A browser's whole single sign-on; the response of NIS's callback."""
    browser = site.browser()
    start = browser.get("/api/auth/sso/start", params={"next": next_path})
    assert start.status_code == 303, start.text
    assert start.headers["location"].startswith(provider.issuer)
    callback = login(browser, start.headers["location"], who, provider.accounts[who].password)
    assert urlsplit(callback).path == "/api/auth/sso/callback"
    response = browser.get(callback)
    response.browser = browser  # type: ignore[attr-defined]
    return response


def test_an_officer_signs_in_through_the_directory(
    make_site: SiteFactory, oidc_provider: OidcProvider
) -> None:
    site = sso_site(make_site, oidc_provider)
    who = site.browser().get("/api/auth/session").json()
    assert (who["sso"], who["local"]) == (True, False)  # local accounts off with SSO
    done = sign_in(site, oidc_provider, "olive", "/?indicator=burglary")
    assert done.status_code == 303
    assert done.headers["location"] == "/?indicator=burglary"
    assert "HttpOnly" in done.headers["set-cookie"]
    browser: httpx.Client = done.browser  # type: ignore[attr-defined]
    who = browser.get("/api/auth/session").json()
    assert (who["signed_in"], who["username"], who["role"], who["agency"]) == (
        True, "olive", "officer", "police",
    )  # fmt: skip
    assert who["display_name"] == "Olive Officer"
    rows = site.sql(
        "SELECT oidc_issuer, oidc_subject, password_hash FROM app_user WHERE username = 'olive'"
    )
    assert rows == [(oidc_provider.issuer, "olive", None)]
    signed = [(r.actor, r.outcome, r.detail["method"]) for r in site.audit("sign-in")]
    assert signed == [("user olive", "ok", "oidc")]
    # Local sign-in is refused when single sign-on is the partnership's way in.
    local = site.browser().post(
        "/api/auth/sign-in", json={"username": "jo.officer", "password": "x" * 12}
    )
    assert local.status_code == 403


def test_the_directory_decides_the_role_at_every_sign_in(
    make_site: SiteFactory, oidc_provider: OidcProvider
) -> None:
    site = sso_site(make_site, oidc_provider)
    done = sign_in(site, oidc_provider, "ana")  # nis-officer:health and nis-analyst:health
    who = done.browser.get("/api/auth/session").json()  # type: ignore[attr-defined]
    assert (who["role"], who["agency"]) == ("analyst", "health")
    admin = sign_in(site, oidc_provider, "adam")
    assert admin.browser.get("/api/users").status_code == 200  # type: ignore[attr-defined]


def test_someone_the_directory_gives_no_role_is_refused_and_recorded(
    make_site: SiteFactory, oidc_provider: OidcProvider
) -> None:
    site = sso_site(make_site, oidc_provider)
    done = sign_in(site, oidc_provider, "pat")
    assert done.status_code == 303
    assert done.headers["location"] == "/?sign_in=no-role"
    assert "set-cookie" not in done.headers
    refused = site.audit("sign-in")
    assert [(r.outcome, r.detail["method"]) for r in refused] == [("refused", "oidc")]
    assert "no role" in refused[0].detail["why"]
    assert not site.sql("SELECT 1 FROM app_user WHERE username = 'pat'")


def test_a_forged_or_replayed_callback_signs_nobody_in(
    make_site: SiteFactory, oidc_provider: OidcProvider
) -> None:
    site = sso_site(make_site, oidc_provider)
    browser = site.browser()
    forged = browser.get("/api/auth/sso/callback", params={"state": "guess", "code": "guess"})
    assert forged.headers["location"] == "/?sign_in=refused"
    start = browser.get("/api/auth/sso/start")
    callback = login(browser, start.headers["location"], "olive", "olive-pw")
    assert browser.get(callback).headers["location"] == "/"
    browser.cookies.clear()
    replayed = browser.get(callback)  # the same answer a second time
    assert replayed.headers["location"] == "/?sign_in=refused"
    assert "set-cookie" not in replayed.headers


def test_the_next_page_is_always_on_this_site(
    make_site: SiteFactory, oidc_provider: OidcProvider
) -> None:
    site = sso_site(make_site, oidc_provider)
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        done = sign_in(site, oidc_provider, "olive", elsewhere)
        assert done.headers["location"] == "/"


def test_sso_start_without_a_provider_is_404(site: Site) -> None:
    assert site.browser().get("/api/auth/sso/start").status_code == 404
