"""What derived values and aggregates disclose, over HTTP: a value computed from counts
is never more visible than they are and never shows what they hide; stored and summed
values combine period by period."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from app.access.policy import Visibility
from app.db import unit_of_work
from app.indicators.catalogue import catalogue_to_csv, default_catalogue
from app.indicators.indicator import Indicator
from tests.partners.conftest import Partners
from tests.partners.test_auth import problem

SUBSET = "police_uk_south_yorkshire/sheffield_subset/2019-12-sheffield-street.csv"


def shipped(code: str) -> Indicator:
    return next(i for i in default_catalogue() if i.code == code)


def set_indicator(partners: Partners, code: str, **columns: Any) -> None:
    """Change a stored definition directly, as a catalogue from before the checks might."""
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    with unit_of_work(partners.db_url) as session:
        session.execute(
            text(f"UPDATE indicator SET {assignments} WHERE code = :code"),
            {**columns, "code": code},
        )


def upload(partners: Partners, body: str, who: str = "police") -> None:
    with partners.client(who) as http:
        response = http.post(
            "/api/observations", content=body.encode(), headers={"Content-Type": "text/csv"}
        )
    assert response.status_code == 200, response.text


def observations(client: httpx.Client, **params: str) -> list[dict[str, Any]]:
    response = client.get("/api/observations", params=params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["observations"]
    return rows


def import_catalogue(partners: Partners, *indicators: Indicator) -> httpx.Response:
    with partners.client("admin") as http:
        return http.post(
            "/api/indicators",
            content=catalogue_to_csv(indicators).encode(),
            headers={"Content-Type": "text/csv"},
        )


def test_a_rate_without_a_threshold_hides_the_small_count_it_is_computed_from(
    partners: Partners,
) -> None:
    set_indicator(partners, "burglary", disclosure_threshold=5)
    upload(partners, "area_code,period,indicator,value\nE01007823,2021-03,burglary,2\n")
    upload(partners, "area_code,period,indicator,value\nE01007823,2021,population,1500\n", "admin")
    with partners.client() as public:
        rate = observations(public, indicator="burglary_rate", type="lsoa", area="E01007823")
    assert [(r["period"], r["suppressed"], r["numerator"]) for r in rate] == [
        ("2021-03", True, None)
    ]  # it showed numerator 2.0
    with partners.client("admin") as admin:
        rate = observations(admin, indicator="burglary_rate", type="lsoa", area="E01007823")
    assert rate[0]["numerator"] == 2


def test_a_public_rate_over_a_partners_only_count_is_not_published(partners: Partners) -> None:
    set_indicator(partners, "burglary", visibility="partners")
    upload(partners, "area_code,period,indicator,value\nE01007823,2021-03,burglary,9876\n")
    with partners.client() as public:
        assert public.get("/api/indicators/burglary_rate").status_code == 404
        listed = {i["code"] for i in public.get("/api/indicators").json()}
        assert "burglary_rate" not in listed
        found = public.get("/api/observations", params={"indicator": "burglary_rate"})
        assert found.status_code == 404  # it published numerator 9876.0
    with partners.client("police") as police:
        assert police.get("/api/indicators/burglary_rate").status_code == 200


def test_the_catalogue_refuses_a_public_value_over_a_partners_only_count(
    partners: Partners,
) -> None:
    count = replace(shipped("burglary"), visibility=Visibility.PARTNERS)
    body = problem(import_catalogue(partners, count, shipped("burglary_rate")), 422)
    errors = body["errors"]
    assert isinstance(errors, list)
    assert [(e["row"], e["column"]) for e in errors] == [(3, "visibility")]
    assert "'burglary' is partners" in errors[0]["reason"]


def test_the_catalogue_refuses_a_lower_threshold_and_fills_in_a_missing_one(
    partners: Partners,
) -> None:
    count = replace(shipped("burglary"), disclosure_threshold=5)
    lower = replace(shipped("burglary_rate"), disclosure_threshold=3)
    body = problem(import_catalogue(partners, count, lower), 422)
    errors = body["errors"]
    assert isinstance(errors, list)
    assert [(e["row"], e["column"]) for e in errors] == [(3, "disclosure_threshold")]
    blank = replace(shipped("burglary_rate"), disclosure_threshold=None)
    assert import_catalogue(partners, count, blank).status_code == 200
    with partners.client() as public:
        assert public.get("/api/indicators/burglary_rate").json()["disclosure_threshold"] == 5


def test_one_police_month_counted_at_every_type_keeps_the_summed_history(
    partners: Partners, shared_data: Path
) -> None:
    lsoas = [code for (code,) in partners.sql("SELECT code FROM area WHERE type_code = 'lsoa'")]
    rows = [f"{a},{m},burglary,1" for a in lsoas for m in ("2019-09", "2019-10", "2019-11")]
    upload(partners, "area_code,period,indicator,value\n" + "\n".join(rows) + "\n")
    with partners.client("police") as http:
        response = http.post(
            "/api/events",
            content=(shared_data / SUBSET).read_bytes(),
            headers={"Content-Type": "text/csv"},
        )
    assert response.status_code == 200, response.text
    ward = partners.sql("SELECT code FROM area WHERE type_code = 'ward' ORDER BY code LIMIT 1")
    with partners.client() as public:
        for type_code, area in (("ward", ward[0][0]), ("lac", None)):
            params = {"indicator": "burglary", "type": type_code}
            if area:
                params["area"] = area
            found = public.get("/api/observations", params=params).json()
            by_area: dict[str, list[tuple[str, str | None]]] = {}
            for o in found["observations"]:
                by_area.setdefault(o["area_code"], []).append((o["period"], o["derived_from"]))
            for periods in by_area.values():
                # it read only the stored month once one was stored at the type
                assert periods == [
                    ("2019-09", "lsoa"), ("2019-10", "lsoa"), ("2019-11", "lsoa"),
                    ("2019-12", None),
                ]  # fmt: skip
            assert any("where it is stored" in n for n in found["notes"])
