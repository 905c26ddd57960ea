"""``nis import-lookup``'s rules: a bad row is refused with its row, column, value and
reason and nothing is written; a national lookup keeps the rows whose areas are loaded;
re-importing replaces the lookup."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.areas.importer import ImportRequest, import_areas
from app.areas.lookups import LookupRequest, import_lookup
from app.errors import ImportRejectedError
from tests.observations.boundary_fixtures import squares, write_csv

HEADER = ["LSOA11CD", "LSOA21CD", "Category", "Prop21of11", "Prop11of21"]
GOOD = [
    ["A", "A", "U", 1, 1],
    ["B", "B1", "S", 0.6, 1],
    ["B", "B2", "S", 0.4, 1],
]


@pytest.fixture
def loaded(session: Session, tmp_path: Path) -> Session:
    for codes, vintage in ((["A", "B"], 2011), (["A", "B1", "B2"], 2021)):
        path = squares(tmp_path / f"a{vintage}.geojson", codes)
        import_areas(
            session,
            ImportRequest(path=path, type_code="lsoa", code_field="code", name_field="name",
                          vintage=vintage),
        )  # fmt: skip
    return session


def _links(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM vintage_link")).scalar_one())


def test_a_bad_row_is_named_and_nothing_is_written(loaded: Session, tmp_path: Path) -> None:
    rows = [*GOOD[:2], ["B", "B2", "S", "1.4", 1]]
    path = write_csv(tmp_path / "bad.csv", HEADER, rows)
    with pytest.raises(ImportRejectedError) as caught:
        import_lookup(loaded, LookupRequest(path))
    errors = caught.value.errors
    assert {"row": 4, "column": "Prop21of11", "value": "1.4",
            "reason": "a share must be from 0 to 1"} in errors  # fmt: skip
    assert "nothing was written" in caught.value.message
    assert _links(loaded) == 0


def test_shares_of_a_from_area_must_sum_to_one(loaded: Session, tmp_path: Path) -> None:
    rows = [*GOOD[:2], ["B", "B2", "S", 0.3, 1]]
    with pytest.raises(ImportRejectedError) as caught:
        import_lookup(loaded, LookupRequest(write_csv(tmp_path / "l.csv", HEADER, rows)))
    (error,) = caught.value.errors
    assert (error["row"], error["column"], error["value"]) == (3, "share", "0.9")
    assert "FROM area B (rows 3, 4) sum to 0.9" in error["reason"]
    assert _links(loaded) == 0


def test_rows_outside_the_loaded_areas_are_skipped_and_counted(
    loaded: Session, tmp_path: Path
) -> None:
    rows = [*GOOD, ["Z", "Z", "U", 1, 1], ["Y", "B1", "M", 1, 0]]
    report = import_lookup(loaded, LookupRequest(write_csv(tmp_path / "l.csv", HEADER, rows)))
    assert (report.type_code, report.from_vintage, report.to_vintage) == ("lsoa", 2011, 2021)
    assert report.kept == 3
    assert report.by_change == {"U": 1, "S": 2}
    assert report.skipped == 1
    assert report.half == ["row 6 Y → B1 (no 2011 Y)"]
    assert _links(loaded) == 3


def test_reimporting_replaces_the_lookup(loaded: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", HEADER, GOOD)
    import_lookup(loaded, LookupRequest(path))
    again = import_lookup(loaded, LookupRequest(path))
    assert again.replaced == 3
    assert _links(loaded) == 3


def test_the_national_lookup_keeps_manchesters_rows(session: Session, shared_data: Path) -> None:
    folder = shared_data / "boundary_change"
    for vintage in (2011, 2021):
        import_areas(
            session,
            ImportRequest(path=folder / f"manchester_lsoa{vintage}_generalised.geojson",
                          type_code="lsoa", code_field="area_code", name_field="area_name",
                          vintage=vintage),
        )  # fmt: skip
    path = folder / "lsoa11_lsoa21_population_weighted_lookup_england.csv.gz"
    report = import_lookup(session, LookupRequest(path))
    assert report.kept == 297
    assert report.skipped == 33876 - 297
    assert report.by_change == {"U": 263, "S": 30, "M": 4}
