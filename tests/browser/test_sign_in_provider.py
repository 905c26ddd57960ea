"""The test OpenID provider's sign-in form works in a real browser (Chromium), as it must
for the officers' sign-in tests that drive NIS's page: the answer it redirects to is one
finish() accepts."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from playwright.sync_api import Page, Route

from app.access.oidc import OidcConfig, begin, finish
from app.settings import Settings
from tests.oidc import CALLBACK_PATH, OidcProvider

CALLBACK = f"http://127.0.0.1:8765{CALLBACK_PATH}"


def test_a_browser_signs_in_at_the_providers_form(page: Page, oidc_provider: OidcProvider) -> None:
    config = OidcConfig.from_settings(Settings(**oidc_provider.settings()))
    assert config is not None
    url, pending = begin(config, CALLBACK)
    answers: list[str] = []

    def callback(route: Route) -> None:  # stands in for NIS's callback
        answers.append(route.request.url)
        route.fulfill(status=200, content_type="text/plain", body="signed in")

    page.route(f"{CALLBACK}*", callback)
    page.goto(url)
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("ana-pw")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{CALLBACK}*")
    assert len(answers) == 1
    identity = finish(config, pending, dict(parse_qsl(urlsplit(answers[0]).query)))
    assert (identity.subject, identity.display_name) == ("ana", "Ana Analyst")


def test_a_wrong_password_stays_at_the_provider(page: Page, oidc_provider: OidcProvider) -> None:
    config = OidcConfig.from_settings(Settings(**oidc_provider.settings()))
    assert config is not None
    url, _ = begin(config, CALLBACK)
    page.goto(url)
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "Wrong username or password."
    assert urlsplit(page.url).netloc == urlsplit(oidc_provider.issuer).netloc
