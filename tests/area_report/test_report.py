"""The neighbourhood report (GET /api/areas/{code}/report.html and .pdf) over real HTTP
on the demo city: its sections, the footer on every page (source, data date, licences,
the viewer's marking, DEMO on the demo), nothing the public may not see, and a PDF of
two A4 pages printed by Chromium. The map exports carry the same footer."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from PIL import Image
from sqlalchemy import text

from app.access.policy import MARKING
from app.access.service import create_key
from app.access.viewer import PUBLIC as PUBLIC_VIEWER
from app.db import unit_of_work
from app.reports import marks
from app.reports.marks import DEMO, OGL_LINE
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

AREA = "E01007982"  # Sheffield 054A: the demo's surest correlated alert (absence, criminal damage)
SMALL_COUNTS = "accidental_dwelling_fires"  # public, small counts suppressed (threshold 3)
PARTNERS_ONLY = "fsm_eligible"
SECTIONS = ("Map", "Alerts", "Trends", "Profile")


@dataclass(frozen=True)
class Site:
    url: str
    key: str

    def get(self, path: str, partner: bool = False, **params: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.key}"} if partner else {}
        response = httpx.get(f"{self.url}{path}", headers=headers, params=params, timeout=120)
        assert response.status_code == 200, response.text[:300]
        return response


@pytest.fixture(scope="module")
def site(demo_template: str, databases: ThrowawayDatabases) -> Iterator[Site]:
    url = clone_database(demo_template, "nis_test_area_report", databases)
    with unit_of_work(url) as session:
        key = create_key(session, "police", scope="read", label="an officer's reads")
    with LiveServer(Settings(database_url=url, analysis_after_upload=False)) as server:
        yield Site(server.url, key)


@pytest.fixture(scope="module")
def public_page(site: Site) -> httpx.Response:
    return site.get(f"/api/areas/{AREA}/report.html")


@pytest.fixture(scope="module")
def partner_page(site: Site) -> httpx.Response:
    return site.get(f"/api/areas/{AREA}/report.html", partner=True)


def page_count(pdf: bytes) -> int:
    """The pages of a PDF as Chromium writes it (each page object's /Type /Page)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def test_the_report_is_a_page_with_every_section(public_page: httpx.Response) -> None:
    assert public_page.headers["content-type"].startswith("text/html")
    body = public_page.text
    assert "<h1>Sheffield 054A</h1>" in body
    for section in SECTIONS:
        assert f"<h2>{section}</h2>" in body
    assert body.count("<svg") >= 3  # the map and trend charts, drawn on the server
    assert 'class="map"' in body
    assert 'stroke-width="3.5"' in body  # the area, outlined
    assert "Criminal damage and arson" in body  # the alert's indicator colours the map
    assert "council · deprivation" in body  # rows grouped by partner and topic
    assert "<script" not in body


def test_the_page_allows_its_one_style_and_nothing_else(public_page: httpx.Response) -> None:
    policy = public_page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert "'sha256-" in policy


def test_the_footer_names_sources_date_licences_and_boundaries(
    public_page: httpx.Response,
) -> None:
    footer = public_page.text.split("<tfoot>")[1].split("</tfoot>")[0]
    assert "Source: " in footer
    assert "data.police.uk street-level crime" in footer
    assert re.search(r"data last changed \d{4}-\d{2}-\d{2}", footer)
    assert OGL_LINE in html.unescape(footer)
    assert "Contains OS data © Crown copyright and database right 2011".lower() in (
        html.unescape(footer).lower()
    )


def test_the_public_report_is_marked_public(public_page: httpx.Response) -> None:
    body = html.unescape(public_page.text)
    assert "Public" in body.split("<tfoot>")[1]
    assert MARKING not in body


def test_a_partners_report_is_marked_not_for_publication(partner_page: httpx.Response) -> None:
    body = html.unescape(partner_page.text)
    head, foot = body.split("<thead>")[1], body.split("<tfoot>")[1]
    assert MARKING in head.split("</thead>")[0]
    assert MARKING in foot.split("</tfoot>")[0]


def test_the_demo_is_marked_demo_at_the_head_and_foot(public_page: httpx.Response) -> None:
    body = public_page.text
    assert DEMO in body.split("</thead>")[0]
    assert DEMO in body.split("<tfoot>")[1].split("</tfoot>")[0]


def test_partners_only_indicators_stay_out_of_the_public_report(
    site: Site, public_page: httpx.Response, partner_page: httpx.Response
) -> None:
    title = site.get(f"/api/indicators/{PARTNERS_ONLY}", partner=True).json()["title"]
    assert html.escape(title) in partner_page.text
    assert html.escape(title) not in public_page.text


def _row(page: str, title: str) -> str:
    cell = re.compile(f"<td>{re.escape(html.escape(title))}( <span|</td>)")
    rows = [r for r in page.split("<tr>") if cell.search(r)]
    assert len(rows) == 1, title
    return rows[0].split("</tr>")[0]


def test_no_suppressed_value_is_in_the_public_report(
    site: Site, public_page: httpx.Response, partner_page: httpx.Response
) -> None:
    public = site.get(f"/api/areas/{AREA}/profile").json()["indicators"]
    seen = site.get(f"/api/areas/{AREA}/profile", partner=True).json()["indicators"]
    partner = {e["indicator"]["code"]: e for e in seen}
    hidden = [e for e in public if e["suppressed"]]
    assert hidden, "the demo area has suppressed values for the public"
    for entry in hidden:
        title = entry["indicator"]["title"]
        row = _row(public_page.text, title)
        assert ">suppressed<" in row
        assert partner[entry["indicator"]["code"]]["value"] is not None
        assert ">suppressed<" not in _row(partner_page.text, title)
        # The public row's cells hold no number but the period's (and the city's).
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        assert cells[0] == "suppressed"


def test_an_unknown_area_is_not_found(site: Site) -> None:
    response = httpx.get(f"{site.url}/api/areas/E00000000/report.html", timeout=60)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_an_indicator_the_viewer_may_not_see_is_not_found(site: Site) -> None:
    response = httpx.get(
        f"{site.url}/api/areas/{AREA}/report.html", params={"indicator": PARTNERS_ONLY}, timeout=60
    )
    assert response.status_code == 404


def test_the_map_can_be_coloured_by_another_indicator(site: Site) -> None:
    body = site.get(f"/api/areas/{AREA}/report.html", indicator="burglary").text
    assert "Burglary (crimes)" in body.split("<h2>Alerts</h2>")[0]


@pytest.mark.parametrize("partner", [False, True], ids=["public", "partner"])
def test_the_pdf_is_two_a4_pages(site: Site, partner: bool) -> None:
    response = site.get(f"/api/areas/{AREA}/report.pdf", partner=partner)
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{AREA}-report.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert page_count(response.content) == 2
    assert b"/MediaBox [0 0 594.95996 841.91998]" in response.content  # A4, in points


# --- the map exports' footer -----------------------------------------------------------


def test_the_png_export_carries_the_footer_and_demo(site: Site) -> None:
    png = site.get("/api/maps/burglary/export.png", type="lsoa")
    comment = Image.open(io.BytesIO(png.content)).text["Comment"]  # type: ignore[attr-defined]
    assert comment.startswith(f"Public · {DEMO}")
    assert "data.police.uk street-level crime" in comment
    assert "Data last changed" in comment
    assert OGL_LINE in comment
    assert "Crown copyright" in comment


def test_a_partners_png_export_footer_is_marked(site: Site) -> None:
    png = site.get(f"/api/maps/{SMALL_COUNTS}/export.png", partner=True, type="lsoa")
    text = Image.open(io.BytesIO(png.content)).text  # type: ignore[attr-defined]
    assert text["Comment"].startswith(MARKING)
    assert text["Warning"] == MARKING


def test_the_html_export_carries_the_footer_and_demo(site: Site) -> None:
    page = html.unescape(site.get("/api/maps/burglary/export.html", type="lsoa").text)
    footer = page.split('<div class="nis-footer" role="contentinfo">')[1].split("</div>")[0]
    assert footer.startswith(f"<p>Public · {DEMO}</p>")
    assert "data.police.uk street-level crime" in footer
    assert OGL_LINE in footer
    assert f'<div class="nis-demo" role="note">{DEMO}</div>' in page


def test_a_partners_html_export_footer_is_marked(site: Site) -> None:
    page = html.unescape(
        site.get(f"/api/maps/{SMALL_COUNTS}/export.html", partner=True, type="lsoa").text
    )
    footer = page.split('<div class="nis-footer" role="contentinfo">')[1].split("</div>")[0]
    assert footer.startswith(f"<p>{MARKING}")


def test_the_html_exports_tooltips_show_rounded_values(site: Site) -> None:
    page = site.get("/api/maps/burglary_rate/export.html", type="lsoa").text
    values = re.findall(r'"value": ("[^"]*"|[-0-9.e]+|null)', page)
    assert values
    assert all(v.startswith('"') for v in values), values[:5]  # text, as the legend writes it
    assert not [v for v in values if len(v.strip('"').split(".")[-1]) > 4]


def test_outputs_of_data_not_from_the_demo_are_not_marked_demo(
    demo_template: str, databases: ThrowawayDatabases
) -> None:
    url = clone_database(demo_template, "nis_test_not_demo", databases)
    with unit_of_work(url) as session:
        assert marks.is_demo(session)
        session.execute(text("UPDATE batch SET filename = 'sheffield.csv'"))
        assert not marks.is_demo(session)
        footer = marks.footer(session, [], marks.marking_for(PUBLIC_VIEWER, []), 2021)
    assert not footer.demo
    assert DEMO not in " ".join(footer.lines())
    assert footer.marking == "Public"
