"""``/docs`` on a closed network: Swagger UI, vendored and served by NIS, renders in real
Chromium with every request to another host refused, within its Content-Security-Policy;
and an analyst can try an upload from it (the request body the document declares)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Locator, Page, Route, expect

from app.access.service import create_key
from app.db import unit_of_work
from tests.browser.conftest import csp_violations


@pytest.fixture
def offline(page: Page) -> Iterator[list[str]]:
    """The page with every request to a host other than 127.0.0.1 aborted; the aborted
    requests' URLs."""
    aborted: list[str] = []

    def only_this_server(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            aborted.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    yield aborted
    page.unroute("**/*")


def _operation(page: Page, tag: str, path: str) -> Locator:
    section = page.locator(".opblock-tag-section", has=page.locator(f"#operations-tag-{tag}"))
    return section.locator(".opblock", has=page.locator(f"[data-path='{path}']"))


def test_swagger_ui_renders_from_this_server_alone(
    page: Page, site: str, offline: list[str]
) -> None:
    violations = csp_violations(page)
    loaded: list[str] = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    page.goto(f"{site}/docs")
    expect(page.locator("#operations-tag-uploads")).to_be_visible(timeout=30_000)
    expect(_operation(page, "uploads", "/api/events")).to_be_visible()
    assert offline == []
    assert f"{site}/vendor/swagger-ui/swagger-ui-bundle.js" in loaded
    assert f"{site}/openapi.json" in loaded
    assert violations == []


def test_an_upload_can_be_tried_from_the_page(
    page: Page, site: str, demo_db: str, offline: list[str]
) -> None:
    with unit_of_work(demo_db) as session:
        key = create_key(session, "schools", label="tried from /docs")
    page.goto(f"{site}/docs")
    operation = _operation(page, "uploads", "/api/observations")
    upload_url = f"{site}/api/observations"  # with the options' defaults in its query
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    media = operation.get_by_label("Request content type")
    assert media.locator("option").all_inner_texts() == [
        "text/csv", "application/json", "application/gzip", "application/octet-stream",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "multipart/form-data",
    ]  # fmt: skip
    media.select_option("application/gzip")
    expect(operation.locator("input[type=file]")).to_be_visible()  # a file from disk
    media.select_option("text/csv")
    example = operation.locator("textarea.body-param__text").input_value()
    assert example.startswith("area_code,period,indicator,value")
    with page.expect_request(lambda r: r.url.split("?")[0] == upload_url) as sent:
        operation.get_by_role("button", name="Execute").click()
    assert sent.value.headers["content-type"] == "text/csv"
    assert sent.value.post_data == example
    # No key yet: refused.
    answer = operation.locator(".live-responses-table tr.response .response-col_status")
    expect(answer).to_have_text("401")
    # The document declares the bearer scheme: Authorize with the key, and it is sent.
    page.locator(".auth-wrapper .authorize").click()
    page.locator("#auth-bearer-value").fill(key)
    bearer = page.locator(".auth-container", has=page.locator("#auth-bearer-value"))
    bearer.locator("button.authorize").click()
    page.locator(".modal-ux .close-modal").click()
    with page.expect_request(lambda r: r.url.split("?")[0] == upload_url) as sent:
        operation.get_by_role("button", name="Execute").click()
    assert sent.value.headers["authorization"] == f"Bearer {key}"
    expect(answer).to_have_text("200")
    assert offline == []
    # Leave the shared demo as it was for the other page tests.
    batch = httpx.get(
        f"{site}/api/batches", headers={"Authorization": f"Bearer {key}"}, timeout=60
    ).json()
    for made in batch:
        if made["kind"] == "observations" and made["actor"] == f"key {key.split('_')[1]}":
            reverted = httpx.post(
                f"{site}/api/batches/{made['id']}/revert",
                headers={"Authorization": f"Bearer {key}"},
                timeout=60,
            )
            assert reverted.status_code == 200, reverted.text
