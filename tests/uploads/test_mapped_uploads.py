"""The uploads the upload page makes, over real HTTP on a real PostGIS: multipart forms,
Excel workbooks with a sheet and header row, the preview's suggested mappings, the real
IMD 2019 File 1 (all England) mapped with the areas outside the city skipped, and the
counts of a messy file's errors."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database
from tests.partners.conftest import Partners, Template
from tests.partners.conftest import partner_template as partner_template

IMD = "imd2019"
FILE_1 = "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
RANK = "Index of Multiple Deprivation (IMD) Rank"
DECILE = "Index of Multiple Deprivation (IMD) Decile"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def site(partner_template: Template, databases: ThrowawayDatabases) -> Iterator[Partners]:
    db_url = clone_database(partner_template.url, "nis_test_browser_uploads", databases)
    settings = Settings(database_url=db_url, analysis_after_upload=False)
    with LiveServer(settings) as server:
        yield Partners(server.url, db_url, partner_template.keys)


@pytest.fixture(scope="module")
def lsoas(site: Partners) -> list[str]:
    return [r[0] for r in site.sql("SELECT code FROM area WHERE type_code = 'lsoa' ORDER BY code")]


def _form(
    site: Partners,
    who: str,
    route: str,
    name: str,
    body: bytes,
    content_type: str,
    **fields: Any,
) -> httpx.Response:
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
    with site.client(who) as http:
        return http.post(route, files={"file": (name, body, content_type)}, data=data)


def _stored(site: Partners, indicator: str, period: str) -> dict[str, float]:
    """The values stored, as the API gives them to an administrator."""
    with site.client("admin") as http:
        got = http.get(f"/api/observations?indicator={indicator}&type=lsoa&period={period}")
    assert got.status_code == 200, got.text
    return {o["area_code"]: o["value"] for o in got.json()["observations"]}


def test_a_multipart_csv_is_stored(site: Partners, lsoas: list[str]) -> None:
    body = f"area_code,period,indicator,value\n{lsoas[0]},2022-07,burglary,7\n".encode()
    answer = _form(site, "police", "/api/observations", "b.csv", body, "text/csv")
    assert answer.status_code == 200, answer.text
    assert answer.json()["inserted"] == 1
    with site.client("police") as http:
        got = http.get("/api/observations?indicator=burglary&type=lsoa&period=2022-07").json()
    assert {(o["area_code"], o["value"]) for o in got["observations"]} >= {(lsoas[0], 7)}


def test_a_form_without_a_file_is_a_400(site: Partners) -> None:
    with site.client("police") as http:
        answer = http.post("/api/observations", data={"period": "2022-07"},
                           files={"other": ("x.csv", b"a\n1\n", "text/csv")})  # fmt: skip
    assert answer.status_code == 400, answer.text
    assert "field named 'file'" in answer.json()["detail"]


def _workbook(lsoas: list[str]) -> bytes:
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Read me first"])
    sheet = book.create_sheet("Ranks")
    sheet.append(["IMD 2019 ranks of Sheffield's LSOAs"])
    sheet.append([])
    sheet.append(["LSOA code (2011)", "Name", RANK])
    sheet.append([lsoas[1], "first", 1234.0])
    sheet.append([lsoas[2], "second", 20345])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbooks_sheet_is_read_from_its_header_row(site: Partners, lsoas: list[str]) -> None:
    book = _workbook(lsoas)
    preview = _form(site, "council", "/api/observations/preview", "ranks.xlsx", book, XLSX,
                    sheet="Ranks", header_row="3")  # fmt: skip
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["format"] == "xlsx"
    assert shown["sheets"] == ["Notes", "Ranks"]
    assert shown["sheet"] == "Ranks"
    assert shown["header_row"] == 3
    assert shown["columns"] == ["LSOA code (2011)", "Name", RANK]
    assert shown["rows"][0] == [lsoas[1], "first", "1234"]
    assert shown["row_count"] == 2
    assert shown["suggestions"]["mapping"] == {RANK: "imd_rank"}
    assert shown["suggestions"]["area_column"] == "LSOA code (2011)"
    answer = _form(site, "council", "/api/observations", "ranks.xlsx", book, XLSX,
                   sheet="Ranks", header_row="3", period="2019",
                   mapping={RANK: "imd_rank"}, area_column="LSOA code (2011)")  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert _stored(site, "imd_rank", "2019").items() >= {lsoas[1]: 1234, lsoas[2]: 20345}.items()
    # Without the header row, the title is taken for the header.
    wrong = _form(site, "council", "/api/observations", "ranks.xlsx", book, XLSX,
                  sheet="Ranks", period="2019", mapping={RANK: "imd_rank"})  # fmt: skip
    assert wrong.status_code == 422
    assert "no area code column among 'IMD 2019 ranks" in wrong.json()["detail"]
    missing = _form(site, "council", "/api/observations/preview", "r.xlsx", book, XLSX,
                    sheet="Nope")  # fmt: skip
    assert missing.status_code == 422
    assert "'Notes', 'Ranks'" in missing.json()["detail"]


def test_the_real_ward_workbook_is_previewed(site: Partners, shared_data: Path) -> None:
    body = (shared_data / IMD / "imd-ward-sheff.xlsx").read_bytes()
    answer = _form(site, "council", "/api/observations/preview", "imd-ward-sheff.xlsx", body,
                   XLSX)  # fmt: skip
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert shown["sheets"] == ["Sheet1"]
    assert shown["header_row"] == 1
    assert shown["columns"] == ["ward_name", "imd_avg_rank", "sheff_imd_rank"]
    assert shown["rows"][0] == ["Burngreave", "2253.5", "1"]
    assert shown["row_count"] == 28


def test_the_national_file_is_previewed_with_suggestions(site: Partners, shared_data: Path) -> None:
    body = (shared_data / IMD / FILE_1).read_bytes()
    answer = _form(site, "council", "/api/observations/preview", FILE_1, body, "application/gzip")
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert shown["row_count"] == 32_844
    assert len(shown["rows"]) == 10
    assert shown["columns"][0] == "LSOA code (2011)"
    assert shown["suggestions"] == {
        "area_column": "LSOA code (2011)",
        "period_column": None,
        "period": "2019",
        "mapping": {RANK: "imd_rank", DECILE: "imd_decile"},
    }
    # Only the council's own indicators are offered to the council.
    assert {i["agency"] for i in shown["indicators"]} == {"council"}


def test_the_national_file_uploads_once_mapped_skipping_other_areas(
    site: Partners, shared_data: Path, lsoas: list[str]
) -> None:
    body = (shared_data / IMD / FILE_1).read_bytes()
    unmapped = _form(site, "council", "/api/observations", FILE_1, body, "application/gzip",
                     period="2019")  # fmt: skip
    assert unmapped.status_code == 422
    assert "no column is an indicator" in unmapped.json()["detail"]
    mapping = {RANK: "imd_rank", DECILE: "imd_decile"}
    strict = _form(site, "council", "/api/observations", FILE_1, body, "application/gzip",
                   period="2019", mapping=mapping)  # fmt: skip
    assert strict.status_code == 422  # every other area of England is an error ...
    first = strict.json()["errors"][0]
    assert first["column"] == "LSOA code (2011)"
    assert "unknown area code" in first["reason"]
    answer = _form(site, "council", "/api/observations", FILE_1, body, "application/gzip",
                   period="2019", mapping=mapping, skip_outside="true")  # fmt: skip
    assert answer.status_code == 200, answer.text
    result = answer.json()
    outside = 32_844 - len(lsoas)
    assert result["skipped_outside"] == outside
    assert result["rows"] == 32_844
    assert f"{outside:,} rows for areas outside the city were skipped" in result["message"]
    assert result["inserted"] + result["revised"] + result["unchanged"] == 2 * len(lsoas)
    with site.client("council") as http:
        got = http.get("/api/observations?indicator=imd_rank&type=lsoa&period=2019").json()
    national = {}
    with gzip.open(shared_data / IMD / FILE_1, "rt", encoding="utf-8-sig") as f:
        for line in f.read().splitlines()[1:]:
            national[line.split(",")[0]] = line
    values = {o["area_code"]: o["value"] for o in got["observations"]}
    assert set(values) == set(lsoas)
    code = lsoas[0]
    assert str(int(values[code])) in national[code].replace(",", "").replace('"', "")


def test_a_typo_in_a_city_code_is_still_an_error_when_skipping(
    site: Partners, shared_data: Path, lsoas: list[str]
) -> None:
    city = (shared_data / IMD / f"sheffield_{FILE_1.removesuffix('.gz')}").read_text("utf-8-sig")
    lines = city.splitlines()
    typo = lines[1].replace(lines[1].split(",")[0], lines[1].split(",")[0][:-1], 1)
    body = "\n".join([lines[0], typo, *lines[2:]]).encode()
    answer = _form(site, "council", "/api/observations", "city.csv", body, "text/csv",
                   period="2019", mapping={RANK: "imd_rank"}, skip_outside="true")  # fmt: skip
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [
        (2, "LSOA code (2011)", typo.split(",")[0])
    ]


MESSY = (
    "Area Code,Month,Indicator,Value\n"
    "{0},2022-01,burglary,3\n"  # 2 good
    "{0},2022-13,burglary,4\n"  # 3 bad month (checked against the catalogue)
    ",2022-02,burglary,5\n"  # 4 no area
    "E01999999,2022-02,burglary,6\n"  # 5 unknown area
    "{1},2022-02,burglary,-1\n"  # 6 negative count
    "{1},2022-03,burglary,*\n"  # 7 suppressed
    "{1},2022-04,burgalry,2\n"  # 8 unknown indicator
    "{2},2022-05,burglary,1.5\n"  # 9 not whole
    "{2},2022-06,burglary,2\n"  # 10 good
)


def test_a_messy_files_errors_count_its_rows(site: Partners, lsoas: list[str]) -> None:
    body = MESSY.format(*lsoas[:3]).encode()
    with site.client("police") as http:
        answer = http.post("/api/observations", content=body, headers={"Content-Type": "text/csv"})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    errors = [(e["row"], e["column"]) for e in problem["errors"]]
    assert errors == [
        (3, "Month"), (4, "Area Code"), (5, "Area Code"), (6, "Value"), (7, "Value"),
        (8, "Indicator"), (9, "Value"),
    ]  # fmt: skip
    assert problem["detail"].startswith("7 problem(s) on 7 of the 9 row(s) of the upload;")
    assert _stored(site, "burglary", "2022-06") == {}  # all or nothing
