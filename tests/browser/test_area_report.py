"""The neighbourhood report as Chromium prints it: the page's print layout fits two A4
pages (nothing runs past a page's edge), with the marking, DEMO and footer on each, and
the PDF the server prints has the same two pages."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page

from app.reports.marks import DEMO

AREA = "E01007982"  # Sheffield 054A, the demo's surest correlated alert


def pages_of(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def test_the_report_prints_on_two_a4_pages_that_it_fits(page: Page, site: str) -> None:
    # The printed page's content box: A4 less 10 mm each side (190 mm at 96 px an inch).
    page.set_viewport_size({"width": 718, "height": 1016})
    page.goto(f"{site}/api/areas/{AREA}/report.html")
    page.emulate_media(media="print")
    overflow = page.evaluate(
        """() => {
             const limit = document.documentElement.clientWidth;
             return [...document.querySelectorAll('body *')]
               .filter((e) => e.getBoundingClientRect().right > limit + 1)
               .map((e) => e.tagName + '.' + e.className).slice(0, 5);
           }"""
    )
    assert overflow == []  # nothing runs past the page's edge
    assert page.evaluate("document.documentElement.scrollWidth") <= 718
    pdf = page.pdf(prefer_css_page_size=True)
    assert pages_of(pdf) == 2


def test_the_marking_demo_and_footer_are_in_the_head_and_foot_each_page_repeats(
    page: Page, site: str
) -> None:
    page.goto(f"{site}/api/areas/{AREA}/report.html")
    assert page.locator("thead .marking").inner_text().lower() == "public"
    assert page.locator("thead .demo").inner_text() == DEMO
    footer = page.locator("tfoot footer").inner_text()
    assert "Source:" in footer
    assert "Crown copyright" in footer


def test_the_served_pdf_has_two_pages(site: str) -> None:
    response = httpx.get(f"{site}/api/areas/{AREA}/report.pdf", timeout=120)
    assert response.status_code == 200
    assert pages_of(response.content) == 2
