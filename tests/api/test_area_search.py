"""Finding a place: ``GET /api/areas/search`` over Sheffield's wards, neighbourhoods,
MSOAs and LSOAs, and a postcode directory of our own making imported by
``nis import-postcodes``."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.areas.postcodes import import_postcodes
from app.db import make_engine, unit_of_work
from app.errors import ImportRejectedError
from app.settings import Settings
from tests.api.conftest import LOADED
from tests.areas.conftest import GPKG, import_layer
from tests.conftest import NIS, LiveServer, ThrowawayDatabases

# Real Sheffield LSOAs and a point well inside each (their made-up postcodes are ours):
# E01007869 lies in Burngreave ward, E01007909 ("Sheffield 032C") in Woodhouse.
DIRECTORY = (
    "pcd,pcd2,pcds,dointr,doterm,lsoa11,msoa11,lat,long,lsoa21\n"
    "S4  7AA,S4   7AA,S4 7AA,201001,,E01007869,E02001625,53.40039,-1.45988,\n"
    "S13 9AA,S13  9AA,S13 9AA,201001,,E01007909,E02001650,53.37759,-1.39022,\n"
    # No grid reference in the directory: found by its LSOA alone.
    "S4  7ZZ,S4   7ZZ,S4 7ZZ,201001,,E01007869,E02001625,99.999999,0.000000,\n"
)


def _cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NIS_DATABASE_URL": database_url}
    return subprocess.run(
        [NIS, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="session")
def search_db(databases: ThrowawayDatabases, shared_data: Path) -> str:
    url = databases.create("search")
    with unit_of_work(url) as session:
        for layer, type_code, parent in LOADED:
            import_layer(session, shared_data / GPKG, layer, type_code, parent)
        import_layer(session, shared_data / GPKG, "sheffield_neighbourhoods_100", "neighbourhood")
    return url


@pytest.fixture(scope="session")
def imported(
    search_db: str, tmp_path_factory: pytest.TempPathFactory
) -> subprocess.CompletedProcess[str]:
    path = tmp_path_factory.mktemp("onspd") / "ONSPD_TEST_UK.csv"
    path.write_text(DIRECTORY)
    done = _cli("import-postcodes", str(path), database_url=search_db)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="session")
def search(search_db: str, imported: object) -> Iterator[httpx.Client]:
    with (
        LiveServer(Settings(database_url=search_db)) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        yield client


def _find(client: httpx.Client, q: str, **params: object) -> dict[str, object]:
    response = client.get("/api/areas/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, object] = response.json()
    return body


def _hits(client: httpx.Client, q: str, **params: object) -> list[tuple[str, str, str]]:
    hits = _find(client, q, **params)["hits"]
    assert isinstance(hits, list)
    return [(h["type"], h["code"], h["name"]) for h in hits]


def test_part_of_a_name_in_lower_case_finds_it(search: httpx.Client) -> None:
    hits = _hits(search, "032c")
    assert hits[0] == ("lsoa", "E01007909", "Sheffield 032C")


def test_a_name_without_its_code_finds_it(search: httpx.Client) -> None:
    hits = _hits(search, "Sheffield 032C")
    assert hits == [("lsoa", "E01007909", "Sheffield 032C")]


def test_a_code_in_lower_case_finds_it_first(search: httpx.Client) -> None:
    hits = _hits(search, "e01007909")
    assert hits[0] == ("lsoa", "E01007909", "Sheffield 032C")


def test_every_area_type_is_searched(search: httpx.Client) -> None:
    # "burngreave" is a ward and a named neighbourhood.
    hits = _hits(search, "burngreave")
    assert ("ward", "Burngreave") in {(t, n) for t, _, n in hits}
    assert ("neighbourhood", "Burngreave") in {(t, n) for t, _, n in hits}


def test_similar_names_of_two_types_are_both_found_each_with_its_type(
    search: httpx.Client,
) -> None:
    body = _find(search, "sheffield 032")
    hits = body["hits"]
    assert isinstance(hits, list)
    by_type = {(h["type"], h["name"]) for h in hits}
    assert ("msoa", "Sheffield 032") in by_type
    assert ("lsoa", "Sheffield 032C") in by_type
    # The exact name first, then the longer ones.
    assert (hits[0]["type"], hits[0]["name"]) == ("msoa", "Sheffield 032")
    assert all(h["type_name"] for h in hits)
    assert all(h["vintage"] == 2011 and h["match"] == "name" for h in hits)


def test_a_word_that_starts_a_name_ranks_above_one_inside_a_word(search: httpx.Client) -> None:
    names = [n for _, _, n in _hits(search, "green", limit=100)]
    starts = [i for i, n in enumerate(names) if n.lower().startswith("green")]
    words = [i for i, n in enumerate(names) if " green" in n.lower()]
    inside = [i for i, n in enumerate(names) if "green" in n.lower() and i not in starts + words]
    assert starts, names
    assert words, names
    assert inside, names
    assert max(starts + words) < min(inside)


def test_no_match_is_an_empty_list(search: httpx.Client) -> None:
    body = _find(search, "zzqx nowhere")
    assert body == {"query": "zzqx nowhere", "postcode": None, "hits": []}


def test_wildcards_match_themselves(search: httpx.Client) -> None:
    assert _hits(search, "%") == []
    assert _hits(search, "_") == []
    assert _hits(search, "sheffield 03_c") == []
    assert _hits(search, "\\") == []


def test_the_limit_caps_the_hits(search: httpx.Client) -> None:
    assert len(_hits(search, "sheffield", limit=5)) == 5


@pytest.mark.parametrize("q", ["x" * 101, "   "])
def test_an_overlong_or_blank_query_is_refused_with_a_reason(search: httpx.Client, q: str) -> None:
    response = search.get("/api/areas/search", params={"q": q})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid_parameter"
    assert "q is" in problem["detail"]


@pytest.mark.parametrize("q", ["S4 7AA", "s47aa", "  s4   7AA "])
def test_a_postcode_finds_the_areas_holding_it(search: httpx.Client, q: str) -> None:
    body = _find(search, q)
    assert body["postcode"] == {
        "postcode": "S4 7AA",
        "lsoa11": "E01007869",
        "lsoa21": None,
        "longitude": pytest.approx(-1.45988),
        "latitude": pytest.approx(53.40039),
    }
    hits = body["hits"]
    assert isinstance(hits, list)
    found = {h["type"]: h["name"] for h in hits}
    assert found["lsoa"] == "Sheffield 020A"  # the directory's LSOA
    assert found["ward"] == "Burngreave"  # the ward whose boundary covers the point
    assert set(found) == {"lsoa", "ward", "msoa", "lac", "neighbourhood"}
    assert all(h["match"] == "postcode" for h in hits)
    assert hits[0]["type"] == "lsoa"  # smallest first


def test_a_postcode_without_a_point_finds_its_lsoa(search: httpx.Client) -> None:
    body = _find(search, "s4 7zz")
    assert [(h["type"], h["code"]) for h in body["hits"]] == [("lsoa", "E01007869")]  # type: ignore[union-attr]


def test_a_postcode_not_in_the_directory_is_no_match(search: httpx.Client) -> None:
    assert _find(search, "S1 1ZZ") == {"query": "S1 1ZZ", "postcode": None, "hits": []}


def test_the_import_says_what_it_read(imported: subprocess.CompletedProcess[str]) -> None:
    assert "pcds" in imported.stderr  # the postcode column chosen among pcd, pcd2, pcds
    assert "imported 3 postcodes" in imported.stderr
    assert "1 postcode(s) have no point" in imported.stderr


BAD = (
    "pcds,lsoa11,lat,long\n"
    "S4 7AA,E01007869,53.40039,-1.45988\n"
    "S4 7XX1,E01007869,53.40039,-1.45988\n"
    "S4 7AB,E01007869,north,-1.45988\n"
    "S4 7AC,sheffield,53.40039,-1.45988\n"
    "S4 7AD,E01007869,-1.45988,53.40039\n"
    "s47aa,E01007869,53.40039,-1.45988\n"
)


def test_import_refuses_bad_rows_naming_each_and_writes_nothing(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    with pytest.raises(ImportRejectedError) as refused:
        import_postcodes(session, path)
    errors = [(e["row"], e["column"], e["value"]) for e in refused.value.errors]
    assert errors == [
        (3, "pcds", "S4 7XX1"),
        (4, "lat", "north"),
        (5, "lsoa11", "sheffield"),
        (6, "lat", "-1.45988"),
        (7, "pcds", "S4 7AA"),
    ]
    reasons = [e["reason"] for e in refused.value.errors]
    assert "not a UK postcode" in reasons[0]
    assert "not a number" in reasons[1]
    assert "not an ONS area code" in reasons[2]
    assert "swapped" in reasons[3]
    assert "also in row 2" in reasons[4]
    assert "nothing was imported" in refused.value.message
    assert session.execute(text("SELECT count(*) FROM postcode")).scalar_one() == 0


def test_import_refuses_a_file_without_a_postcode_column(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "no_postcodes.csv"
    path.write_text("lsoa11,lat,long\nE01007869,53.4,-1.46\n")
    with pytest.raises(ImportRejectedError, match="no postcode column"):
        import_postcodes(session, path)


def test_import_reads_the_onspd_zip(session: Session, tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "ONSPD_TEST.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Documents/Readme.csv", "not,the,directory\n")
        archive.writestr("Data/ONSPD_TEST_UK.csv", DIRECTORY)
    report = import_postcodes(session, path)
    assert (report.inserted, report.updated) == (3, 0)
    assert report.source == "ONSPD_TEST.zip:Data/ONSPD_TEST_UK.csv"


def test_the_cli_refuses_a_bad_file_with_row_column_value_and_reason(
    search_db: str, imported: object, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    done = _cli("import-postcodes", str(path), database_url=search_db)
    assert done.returncode == 2
    assert "row=3, column=pcds, value=S4 7XX1, reason=not a UK postcode" in done.stderr
    engine = make_engine(search_db)
    with engine.connect() as conn:
        held = conn.execute(text("SELECT postcode FROM postcode ORDER BY 1")).scalars().all()
    engine.dispose()
    assert held == ["S13 9AA", "S4 7AA", "S4 7ZZ"]  # as before: nothing of the bad file


def test_the_cli_explains_itself_with_an_example() -> None:
    done = subprocess.run(
        [NIS, "import-postcodes", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert "nis import-postcodes ONSPD_" in done.stdout
    assert "Open Geography Portal" in done.stdout
