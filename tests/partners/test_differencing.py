"""The attacker of :mod:`tests.disclosure_attack` against real data: three months of
South Yorkshire police.uk street crime counted into Sheffield's LSOAs, wards and local
area committees (real boundaries, which do not all nest: wards are counted from the
events, not summed from LSOAs), with a disclosure threshold of 5 on the counts, and the
real IMD 2019 ranks, so that profiles compare each LSOA with its similar areas too."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import text

from app.db import unit_of_work
from tests.disclosure_attack import Knowledge, gather, recover, truth
from tests.partners.conftest import Partners

MONTHS = ("2020-10", "2020-11", "2020-12")
ATTACKED = ("bicycle_theft", "robbery", "burglary", "burglary_rate")
THRESHOLD = 5


def test_the_public_works_out_no_suppressed_police_count(
    partners: Partners, shared_data: Path
) -> None:
    folder = shared_data / "police_uk_south_yorkshire" / "street_monthly_csv_gz"
    with partners.client("police") as http:
        for month in MONTHS:
            body = (folder / f"{month}-south-yorkshire-street.csv.gz").read_bytes()
            response = http.post(
                "/api/events",
                content=body,
                headers={"Content-Type": "application/gzip"},
            )
            assert response.status_code == 200, response.text[:500]
    imd = shared_data / "imd2019" / "sheffield_File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
    with imd.open(encoding="utf-8-sig", newline="") as f:  # for the similar areas
        ranks = [f"{r['LSOA code (2011)']},2019,imd_rank,"
                 f"{r['Index of Multiple Deprivation (IMD) Rank'].replace(',', '')}"
                 for r in csv.DictReader(f)]  # fmt: skip
    response = partners.client("council").post(
        "/api/observations",
        content="\n".join(["area_code,period,indicator,value", *ranks]).encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text[:500]
    with unit_of_work(partners.db_url) as session:  # as a partnership's catalogue would
        session.execute(
            text("UPDATE indicator SET disclosure_threshold = :t WHERE code = ANY(:codes)"),
            {"t": THRESHOLD, "codes": ["bicycle_theft", "robbery", "burglary"]},
        )
    with partners.client() as public:
        chosen = [i for i in public.get("/api/indicators").json() if i["code"] in ATTACKED]
        knowledge = gather(public, chosen)
    with partners.client("admin") as admin:
        values = truth(admin, chosen)
    assert len(knowledge.hidden) > 500
    assert {"observations", "csv", "maps", "downloads", "profiles"} <= knowledge.routes

    # Cell-by-cell suppression of the same data gives counts away ...
    naive = Knowledge(dict(values), set(), knowledge.relations, knowledge.aliases)
    for key, value in values.items():
        if key[1] == "value" and key[0] != "burglary_rate" and value < THRESHOLD:
            naive.hidden.add(key)
            naive.known.pop(key)
    naive_found = {k: v for k, v in recover(naive).items() if abs(values[k] - v) < 0.5}
    assert naive_found  # wards: a committee area minus its published wards
    # ... and the service gives none away.
    found = {
        k: v for k, v in recover(knowledge).items() if k in values and abs(values[k] - v) < 0.5
    }
    assert not found, sorted(found.items())[:20]
