"""Reading observations: aggregation up the hierarchy, rates, CSV, and who sees what."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.partners.conftest import Partners
from tests.partners.test_uploads import long_csv, post


def all_lsoas(partners: Partners) -> list[tuple[str, str]]:
    """(LSOA code, its ward's code) for every LSOA."""
    rows = partners.sql(
        "SELECT c.code, p.code FROM area c JOIN area p ON p.id = c.parent_id "
        "WHERE c.type_code = 'lsoa' ORDER BY c.code"
    )
    return [(str(a), str(b)) for a, b in rows]


def get(partners: Partners, who: str | None, **params: str) -> dict[str, object]:
    with partners.client(who) as http:
        response = http.get("/api/observations", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def values(body: dict[str, object]) -> dict[str, object]:
    return {o["area_code"]: o["value"] for o in body["observations"]}  # type: ignore[attr-defined, index]


def test_counts_are_summed_from_lsoas_to_wards(partners: Partners) -> None:
    lsoas = all_lsoas(partners)
    count = {code: i % 4 for i, (code, _) in enumerate(lsoas)}
    post(
        partners, "police", long_csv([(c, "2021-03", "burglary", str(n)) for c, n in count.items()])
    )
    body = get(partners, None, indicator="burglary", type="ward", period="2021-03")
    expected: dict[str, float] = {}
    for code, ward in lsoas:
        expected[ward] = expected.get(ward, 0) + count[code]
    assert values(body) == expected
    assert {o["derived_from"] for o in body["observations"]} == {"lsoa"}  # type: ignore[attr-defined]


def test_an_incomplete_set_of_lsoas_gives_no_ward_total(partners: Partners) -> None:
    lsoas = all_lsoas(partners)
    post(partners, "police", long_csv([(c, "2021-03", "burglary", "1") for c, _ in lsoas[1:]]))
    body = get(partners, None, indicator="burglary", type="ward", period="2021-03")
    missing_ward = lsoas[0][1]
    assert values(body)[missing_ward] is None
    assert sum(v is None for v in values(body).values()) == 1


def test_percentages_are_summed_by_numerator_and_denominator(partners: Partners) -> None:
    lsoas = all_lsoas(partners)
    ward = lsoas[0][1]
    rows = []
    for i, (code, _) in enumerate(lsoas):
        num, den = 10 + i % 7, 100 + 10 * (i % 5)
        rows.append(
            {
                "area_code": code,
                "period": "2021/22",
                "indicator": "persistent_absence",
                "value": round(100 * num / den, 6),
                "numerator": num,
                "denominator": den,
            }
        )
    import json

    post(partners, "schools", json.dumps(rows).encode(), "application/json")
    body = get(partners, None, indicator="persistent_absence", type="ward", period="2021/22")
    in_ward = [r for r, (_, w) in zip(rows, lsoas, strict=True) if w == ward]
    expected = 100 * sum(r["numerator"] for r in in_ward) / sum(r["denominator"] for r in in_ward)
    assert values(body)[ward] == pytest.approx(expected)


def test_rates_come_from_counts_and_the_population(partners: Partners) -> None:
    area = "E01007823"
    post(partners, "council", long_csv([(area, "2020", "population", "1678")]))
    post(partners, "police", long_csv([(area, "2021-03", "burglary", "3")]))
    body = get(partners, None, indicator="burglary_rate", type="lsoa", period="2021-03")
    (row,) = body["observations"]  # type: ignore[misc]
    assert row["value"] == pytest.approx(3 / 1678 * 1000)
    assert (row["numerator"], row["denominator"]) == (3, 1678)


def test_csv_is_served_on_request(partners: Partners) -> None:
    post(partners, "police", long_csv([("E01007823", "2021-03", "burglary", "2")]))
    with partners.client() as http:
        response = http.get(
            "/api/observations",
            params={"indicator": "burglary", "type": "lsoa"},
            headers={"Accept": "text/csv"},
        )
    assert response.headers["content-type"].startswith("text/csv")
    (row,) = list(csv.DictReader(io.StringIO(response.text)))
    assert (row["area_code"], row["period"], row["indicator"], row["value"]) == (
        "E01007823",
        "2021-03",
        "burglary",
        "2.0",
    )


def test_small_counts_are_suppressed_for_the_public_only(partners: Partners) -> None:
    rows = [
        ("E01007823", "2021-03", "accidental_dwelling_fires", "1"),
        ("E01007824", "2021-03", "accidental_dwelling_fires", "4"),
        ("E01007825", "2021-03", "accidental_dwelling_fires", "9"),
    ]
    post(partners, "fire", long_csv(rows))
    public = get(partners, None, indicator="accidental_dwelling_fires", type="lsoa")
    # 1 is below the threshold (3); 4, the smallest other, goes with it, or every LSOA
    # together (the city benchmark) less 9 would give the 1 back.
    assert values(public) == {"E01007823": None, "E01007824": None, "E01007825": 9.0}
    assert [o["suppressed"] for o in public["observations"]] == [True, True, False]  # type: ignore[attr-defined]
    assert public["notes"]
    partner = get(partners, "police", indicator="accidental_dwelling_fires", type="lsoa")
    assert values(partner) == {"E01007823": 1.0, "E01007824": 4.0, "E01007825": 9.0}


def test_partners_only_indicators_are_invisible_without_a_key(partners: Partners) -> None:
    post(partners, "schools", long_csv([("E01007823", "2021/22", "fsm_eligible", "20")]))
    with partners.client() as http:
        listed = {i["code"] for i in http.get("/api/indicators").json()}
        assert (
            http.get("/api/observations", params={"indicator": "fsm_eligible"}).status_code == 404
        )
        assert http.get("/api/indicators/fsm_eligible").status_code == 404
    assert "fsm_eligible" not in listed
    assert "burglary" in listed
    with partners.client("police") as http:
        assert "fsm_eligible" in {i["code"] for i in http.get("/api/indicators").json()}
    assert values(get(partners, "police", indicator="fsm_eligible")) == {"E01007823": 20.0}


def test_periods_filter_by_range(partners: Partners) -> None:
    months = ["2021-01", "2021-02", "2021-03", "2021-04"]
    post(partners, "police", long_csv([("E01007823", m, "burglary", "1") for m in months]))
    body = get(
        partners, None, indicator="burglary", type="lsoa", **{"from": "2021-02", "to": "2021-3"}
    )
    assert [o["period"] for o in body["observations"]] == ["2021-02", "2021-03"]  # type: ignore[attr-defined]


def test_the_catalogue_lists_what_the_issue_asks_for(partners: Partners) -> None:
    with partners.client() as http:
        catalogue = http.get("/api/indicators").json()
    fields = {
        "code",
        "title",
        "agency",
        "topic",
        "value_type",
        "polarity",
        "period_type",
        "visibility",
    }
    assert all(fields <= set(i) for i in catalogue)
    agencies = {i["agency"] for i in catalogue}
    assert {"police", "fire", "transport", "health", "schools", "council"} <= agencies


def test_population_from_the_ons_estimates_loads_like_any_indicator(
    partners: Partners, shared_data: Path
) -> None:
    source = shared_data / "sheffield_population/sheffield_pop_lsoa_age_band.csv"
    codes = {"All Ages": "population", "0-15": "population_aged_0_15"}
    with source.open(encoding="utf-8-sig", newline="") as f:
        rows = [
            (r["LSOA Code"], "2020", codes[r["Age band"]], r["Population"])
            for r in csv.DictReader(f)
            if r["Age band"] in codes
        ]
    response = post(partners, "council", long_csv(rows))
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == 2 * 345
    lsoa = get(partners, None, indicator="population", type="lsoa", period="2020")
    city_total = sum(o["value"] for o in lsoa["observations"])  # type: ignore[attr-defined]
    wards = get(partners, None, indicator="population", type="ward", period="2020")
    assert sum(values(wards).values()) == city_total  # type: ignore[arg-type]
    assert city_total == pytest.approx(589_214, rel=0.01)  # ONS mid-2020, Sheffield
