"""Profiles against similar areas: the other LSOAs of the city's own IMD quintile.

Sheffield's real LSOAs, wards and local area committees and the real IMD 2019 ranks; a
planted persistent absence (30% in the most deprived fifth, 10% elsewhere), so that an
area in the most deprived fifth is worse than the city and similar to places like it.
The numbers are checked against the test's own quintiles and Wilson intervals, and the
attacker of :mod:`tests.disclosure_attack` gets no suppressed count back from the
similar areas' values with everything else the public reads.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pytest

from app.analysis.similar_areas import SIMILAR_WITHHELD
from app.db import unit_of_work
from app.indicators import repository as indicator_repo
from app.observations import disclosure
from app.observations.suppression import suppress
from tests.disclosure_attack import Knowledge, gather, recover, truth
from tests.partners.conftest import Partners

IMD = "imd2019/sheffield_File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
YEAR = "2022/23"
PUPILS = 400
Z95 = 1.959963984540054


def _imd_ranks(shared: Path) -> dict[str, int]:
    with (shared / IMD).open(encoding="utf-8-sig", newline="") as f:
        return {
            r["LSOA code (2011)"]: int(
                r["Index of Multiple Deprivation (IMD) Rank"].replace(",", "")
            )
            for r in csv.DictReader(f)
        }


def _quintiles(ranks: dict[str, int]) -> dict[str, int]:
    """The test's own city-own quintiles: 0 = the most deprived fifth."""
    ordered = sorted(ranks, key=lambda code: ranks[code])
    return {code: i * 5 // len(ordered) for i, code in enumerate(ordered)}


def _upload(partners: Partners, who: str, header: str, rows: list[str]) -> None:
    body = "\n".join([header, *rows]) + "\n"
    response = partners.client(who).post(
        "/api/observations", content=body.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text[:500]


def _plant(partners: Partners, shared: Path, absent: dict[str, int]) -> dict[str, int]:
    ranks = _imd_ranks(shared)
    _upload(partners, "council", "area_code,period,indicator,value",
            [f"{c},2019,imd_rank,{r}" for c, r in ranks.items()])  # fmt: skip
    _upload(partners, "schools", "area_code,period,indicator,value,numerator,denominator",
            [f"{c},{YEAR},persistent_absence,{n / PUPILS * 100},{n},{PUPILS}"
             for c, n in absent.items()])  # fmt: skip
    return ranks


def _wilson(k: float, n: float) -> tuple[float, float]:
    p, z2 = k / n, Z95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return 100 * (centre - half), 100 * (centre + half)


def _entry(partners: Partners, area: str, code: str, who: str | None = None) -> Any:
    response = partners.client(who).get(f"/api/areas/{area}/profile")
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    return body, next(e for e in body["indicators"] if e["indicator"]["code"] == code)


@pytest.fixture
def planted(partners: Partners, shared_data: Path) -> tuple[Partners, dict[str, int]]:
    ranks = _imd_ranks(shared_data)
    fifth = _quintiles(ranks)
    absent = {c: 120 if fifth[c] == 0 else 40 for c in ranks}  # 30% and 10% of 400
    absent[min(ranks, key=lambda c: ranks[c])] = 128  # the most deprived: 32%
    _plant(partners, shared_data, absent)
    return partners, absent


def test_an_area_worse_than_the_city_is_similar_to_places_like_it(
    planted: tuple[Partners, dict[str, int]], shared_data: Path
) -> None:
    partners, absent = planted
    fifth = _quintiles(_imd_ranks(shared_data))
    area = next(c for c, g in sorted(fifth.items()) if g == 0 and absent[c] == 120)
    body, entry = _entry(partners, area, "persistent_absence")
    assert entry["benchmark"]["label"] == "worse"
    similar = entry["similar"]
    assert similar["label"] == "similar"
    assert entry["similar_why"] is None

    others = [c for c, g in fifth.items() if g == 0 and c != area]
    k, n = sum(absent[c] for c in others), PUPILS * len(others)
    assert len(others) == 68
    assert similar["description"] == (
        "the 68 other LSOAs in the city's most deprived fifth (IMD 2019)"
    )
    assert body["similar"] == {
        "quintile": 1, "of": 5, "ranked_by": "imd_rank", "edition": "2019", "areas": 68,
        "description": similar["description"],
    }  # fmt: skip
    assert similar["areas"] == 68
    assert (similar["numerator"], similar["denominator"]) == (k, n)
    assert similar["similar_value"] == pytest.approx(100 * k / n, abs=1e-6)
    assert similar["similar_interval"]["95"] == pytest.approx(_wilson(k, n), abs=1e-6)
    assert similar["95"]["interval"] == pytest.approx(_wilson(120, PUPILS), abs=1e-6)
    assert similar["area_value"] == pytest.approx(30.0)
    assert similar["against_city"] == "worse"  # the group itself is worse than the city


def test_the_most_deprived_area_differs_from_its_group_only_by_its_own_value(
    planted: tuple[Partners, dict[str, int]], shared_data: Path
) -> None:
    """The area is left out of its group: its 32% is set against the others' 30%."""
    partners, _ = planted
    ranks = _imd_ranks(shared_data)
    area = min(ranks, key=lambda c: ranks[c])
    _, entry = _entry(partners, area, "persistent_absence")
    assert entry["similar"]["similar_value"] == pytest.approx(30.0)
    assert entry["similar"]["area_value"] == pytest.approx(32.0)


def test_an_area_without_imd_has_no_similar_areas_and_says_why(
    planted: tuple[Partners, dict[str, int]],
) -> None:
    partners, _ = planted
    ward = partners.client().get("/api/areas?type=ward&simplify=3").json()["features"][0]["id"]
    body, entry = _entry(partners, ward, "persistent_absence")
    assert entry["benchmark"]["label"] in {"better", "similar", "worse"}
    assert entry["similar"] is None
    assert body["similar"] is None
    assert "no IMD rank" in entry["similar_why"]
    assert entry["similar_why"] == body["similar_why"]


def test_the_public_works_out_no_suppressed_count_from_similar_areas(
    partners: Partners, shared_data: Path
) -> None:
    """One small count in the most deprived fifth. Protected for the wards and the city
    alone, its complements fall in other fifths, and the fifth's total (a published
    area's similar areas plus its own value) less the fifth's published values gives it
    back. Protected as a relation of its own as well, the fifth's hidden counts hold a
    ward's and this one, and the fifth less the ward gives it back. The service
    withholds a fifth's value wherever one of its counts is hidden."""
    ranks = _imd_ranks(shared_data)
    fifth = _quintiles(ranks)
    absent = {c: 20 + ranks[c] % 37 for c in ranks}
    small = sorted(c for c, g in fifth.items() if g == 0)[10]
    absent[small] = 2
    _plant(partners, shared_data, absent)
    with partners.client() as public:
        chosen = [i for i in public.get("/api/indicators").json()
                  if i["code"] == "persistent_absence"]  # fmt: skip
        knowledge = gather(public, chosen)
    with partners.client("admin") as admin:
        values = truth(admin, chosen)
    assert "similar" in knowledge.routes
    published = next(c for c, g in sorted(fifth.items()) if g == 0 and absent[c] >= 20)
    _, entry = _entry(partners, published, "persistent_absence")
    if entry["suppressed"] is False:  # a complement may have taken it
        assert entry["similar"] == {"label": "not compared", "why": SIMILAR_WITHHELD}
    key = ("persistent_absence", "numerator", small, YEAR)
    assert key in knowledge.hidden

    # What the wards' and the city's relations would hide, publishing every fifth ...
    with unit_of_work(partners.db_url) as session:
        indicator = indicator_repo.indicator(session, "persistent_absence")
        assert indicator is not None
        cells = disclosure._cells(session, indicator, None, None)
        ids = {int(r[0]): str(r[1]) for r in partners.sql("SELECT id, code FROM area")}
    relations = [r for source in disclosure.RELATION_SOURCES for r in source(cells)]
    old = suppress(dict(cells.counts), relations, 5).cells
    fifths = [
        (float(sum(values[("persistent_absence", q, c, YEAR)] for c in members)),
         tuple(("persistent_absence", q, c, YEAR) for c in members))
        for g in range(5) for q in ("numerator", "denominator")
        for members in [[c for c, f in fifth.items() if f == g]]
    ]  # fmt: skip
    naive = Knowledge(dict(values), set(), [*knowledge.relations, *fifths], knowledge.aliases)
    for area_id, period in old:
        for quantity in ("numerator", "denominator", "value"):
            cell = ("persistent_absence", quantity, ids[area_id], period)
            if cell in naive.known:
                naive.hidden.add(cell)
                naive.known.pop(cell)
    # ... gives the small count back through the similar areas ...
    assert recover(naive).get(key) == pytest.approx(2)
    # ... and the service gives nothing back.
    found = {k: v for k, v in recover(knowledge).items() if abs(values.get(k, -1) - v) < 0.5}
    assert not found, sorted(found.items())[:20]
