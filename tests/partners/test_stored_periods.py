"""A value whose period no reader can handle, put straight into the database: every
public read still answers (item 3 of issue 12: one bad upload must not take the maps
down). Uploads refuse such periods (tests/partners/test_value_bounds.py); this is the
other half, reading is total."""

from __future__ import annotations

import math

import pytest

from tests.partners.conftest import Partners
from tests.partners.test_uploads import LSOAS, long_csv, post

# A stored month past year 9999 (its end is 10000-01-01), one of year 1, one that is no
# period at all.
BAD_PERIODS = [
    ("9999-12", "9999-12-01", "10000-01-01"),
    ("1-01", "0001-01-01", "0001-02-01"),
    ("banana", "2021-04-01", "2021-05-01"),
]


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@pytest.fixture
def stored_out_of_range(partners: Partners) -> Partners:
    response = post(partners, "police", long_csv([(a, "2021-03", "burglary", "7") for a in LSOAS]))
    assert response.status_code == 200, response.text
    for label, start, end in BAD_PERIODS:
        partners.sql(
            "WITH added AS (INSERT INTO observation (indicator_code, area_id, period,"
            " period_start, period_end, value, batch_id) SELECT indicator_code, area_id,"
            " :label, CAST(:start AS date), CAST(:end AS date), value, batch_id"
            " FROM observation WHERE period = '2021-03' RETURNING 1) SELECT count(*) FROM added",
            label=label,
            start=start,
            end=end,
        )
    return partners


READS = [
    "/api/maps/burglary",
    "/api/maps/burglary?type=ward",
    "/api/maps/burglary?type=lac",
    "/api/observations?indicator=burglary&type=lsoa",
    "/api/observations?indicator=burglary&type=ward",
    "/api/observations?indicator=burglary&type=lsoa&period=2021-03",
    "/ogc/collections/burglary/items",
    "/ogc/collections/burglary/items?datetime=2021-03-05",
    "/api/downloads/burglary.csv",
    "/api/maps/burglary/export.png",
    "/api/maps/burglary/export.html",
    "/api/areas/E01007823/profile",
]


@pytest.mark.parametrize("who", [None, "police"])
def test_reads_answer_whatever_period_is_stored(
    stored_out_of_range: Partners, who: str | None
) -> None:
    x, y = _tile_of(-1.4701, 53.3811, 12)
    with stored_out_of_range.client(who) as http:
        for path in [*READS, f"/tiles/burglary/12/{x}/{y}.mvt"]:
            response = http.get(path)
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
        # The map shows the newest period a reader can read, not the stored oddity.
        assert http.get("/api/maps/burglary").json()["legend"]["period"] == "2021-03"
