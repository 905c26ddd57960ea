"""Point events over HTTP: police.uk downloads as they are, counted per area and month."""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import pytest

from app.areas.importer import ImportRequest, import_areas
from app.db import unit_of_work
from tests.partners.conftest import Partners
from tests.partners.test_auth import problem

SUBSET = "police_uk_south_yorkshire/sheffield_subset/2019-12-sheffield-street.csv"
FORCE = "police_uk_south_yorkshire/2019-12-south-yorkshire-street.csv"


def upload(
    partners: Partners,
    who: str,
    body: bytes,
    content_type: str = "text/csv",
) -> httpx.Response:
    with partners.client(who) as http:
        return http.post("/api/events", content=body, headers={"Content-Type": content_type})


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def subset_uploaded(partners: Partners, shared_data: Path) -> dict[str, Any]:
    response = upload(partners, "police", (shared_data / SUBSET).read_bytes())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_police_uk_download_is_recognised_and_reported(
    partners: Partners, shared_data: Path, subset_uploaded: dict[str, Any]
) -> None:
    rows = csv_rows(shared_data / SUBSET)
    assert subset_uploaded["format"] == "police.uk"
    assert subset_uploaded["rows"] == len(rows) == 5776
    assert subset_uploaded["months"] == ["2019-12"]
    assert subset_uploaded["no_location"] == sum(1 for r in rows if not r["Longitude"])
    assert subset_uploaded["unknown_categories"] == {}
    # Every Sheffield point lands in Sheffield.
    assert subset_uploaded["outside_every_area"] == 0


def test_spatial_assignment_agrees_with_police_uk_lsoas(
    partners: Partners, subset_uploaded: dict[str, Any]
) -> None:
    ((agree, located),) = partners.sql(
        """
        SELECT count(*) FILTER (WHERE a.code = e.reported_area), count(*)
        FROM event e
        CROSS JOIN LATERAL (
            SELECT code FROM area WHERE type_code = 'lsoa' AND ST_Intersects(geom, e.geom)
            ORDER BY id LIMIT 1
        ) a
        WHERE e.geom IS NOT NULL AND e.superseded_by IS NULL
        """
    )
    assert agree / located >= 0.94


def test_counts_per_lsoa_add_up_to_the_rows_of_each_category(
    partners: Partners, shared_data: Path, subset_uploaded: dict[str, Any]
) -> None:
    rows = [r for r in csv_rows(shared_data / SUBSET) if r["Longitude"]]
    by_category = Counter(r["Crime type"] for r in rows)
    with partners.client() as http:
        body = http.get(
            "/api/observations",
            params={"indicator": "criminal_damage_arson", "type": "lsoa", "period": "2019-12"},
        ).json()
    observations = body["observations"]
    assert len(observations) == 345  # zeros are data: every LSOA has a count
    assert sum(o["value"] for o in observations) == by_category["Criminal damage and arson"]
    wards = ward_counts(partners)
    assert len(wards) == 28
    assert sum(wards) == by_category["Criminal damage and arson"]


def ward_counts(partners: Partners) -> list[float]:
    with partners.client() as http:
        body = http.get(
            "/api/observations",
            params={"indicator": "criminal_damage_arson", "type": "ward", "period": "2019-12"},
        ).json()
    return [o["value"] for o in body["observations"]]


def test_the_same_download_twice_changes_nothing(
    partners: Partners, shared_data: Path, subset_uploaded: dict[str, Any]
) -> None:
    again = upload(partners, "police", (shared_data / SUBSET).read_bytes()).json()
    assert again["batch"] is None
    assert "already uploaded" in again["message"]


def test_a_gzipped_force_download_reports_what_it_could_not_place(
    partners: Partners, shared_data: Path
) -> None:
    raw = (shared_data / FORCE).read_bytes()
    body = upload(partners, "police", gzip.compress(raw), "application/gzip").json()
    assert body["rows"] == 14852
    assert body["no_location"] == 871
    # Barnsley, Doncaster and Rotherham lie outside Sheffield's areas: counted, not lost.
    assert 14852 - 871 - 5776 <= body["outside_every_area"] <= 14852 - 871 - 5700


def test_unknown_categories_are_kept_and_reported(partners: Partners) -> None:
    body = (
        b"longitude,latitude,category,date\n"
        b"-1.4701,53.3808,Criminal damage and arson,2021-03-04\n"
        b"-1.4701,53.3808,Meteor strike,04/03/2021\n"
    )
    result = upload(partners, "police", body).json()
    assert result["unknown_categories"] == {"Meteor strike": 1}
    assert partners.sql("SELECT count(*) FROM event")[0][0] == 2


def test_a_re_upload_of_a_month_replaces_its_events_and_revert_restores_them(
    partners: Partners,
) -> None:
    def month(n: int) -> bytes:
        lines = ["longitude,latitude,category,date"]
        lines += ["-1.4701,53.3808,Burglary,2021-03-01"] * n
        return ("\n".join(lines) + "\n").encode()

    upload(partners, "police", month(2))
    second = upload(partners, "police", month(5)).json()
    assert partners.sql("SELECT count(*) FROM event WHERE superseded_by IS NULL")[0][0] == 5
    assert partners.sql("SELECT count(*) FROM event")[0][0] == 7  # the replaced ones are kept
    with partners.client("police") as http:
        assert http.post(f"/api/batches/{second['batch']}/revert").status_code == 200
        counts = http.get(
            "/api/observations",
            params={"indicator": "burglary", "type": "lsoa", "period": "2021-03"},
        ).json()
    assert sum(o["value"] for o in counts["observations"]) == 2
    assert partners.sql("SELECT count(*) FROM event WHERE superseded_by IS NULL")[0][0] == 2


def test_events_another_agencys_indicators_count_are_403_naming_the_agency(
    partners: Partners, shared_data: Path
) -> None:
    response = upload(partners, "fire", (shared_data / SUBSET).read_bytes())
    detail = str(problem(response, 403)["detail"])
    assert "police" in detail
    assert "burglary" in detail
    assert partners.sql("SELECT count(*) FROM event")[0][0] == 0


def test_events_no_indicator_counts_are_refused(partners: Partners) -> None:
    body = b"longitude,latitude,category,date\n-1.47,53.38,Meteor strike,2021-03-01\n"
    problem(upload(partners, "fire", body), 422)
    assert partners.sql("SELECT count(*) FROM event")[0][0] == 0


def test_a_bad_event_row_rejects_the_upload(partners: Partners) -> None:
    body = b"longitude,latitude,category,date\n-1.47,53.38,Burglary,2021-13-01\n"
    errors = problem(upload(partners, "police", body), 422)["errors"]
    assert errors[0]["row"] == 2  # type: ignore[index]
    assert partners.sql("SELECT count(*) FROM event")[0][0] == 0


def test_kept_events_are_recounted_into_a_new_boundary_vintage(
    partners: Partners, shared_data: Path, subset_uploaded: dict[str, Any], tmp_path: Path
) -> None:
    # The same LSOAs as a new vintage (2031), then a recount with a partner's key.
    lsoas = gpd.read_file(
        shared_data / "sheffield_boundaries/sheffield_boundaries.gpkg",
        layer="sheffield_lsoa2011_bgc",
    )
    path = tmp_path / "lsoa2031.gpkg"
    lsoas.to_file(path, driver="GPKG")
    with unit_of_work(partners.db_url) as session:
        import_areas(session, ImportRequest(path=path, type_code="lsoa", vintage=2031))
    with partners.client("police") as http:
        response = http.post("/api/events/recount")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rows"] == 5776
    assert body["outside_every_area"] == 0
    (total,) = partners.sql(
        "SELECT sum(o.value) FROM observation o JOIN area a ON a.id = o.area_id "
        "WHERE o.indicator_code = 'criminal_damage_arson' AND o.superseded_at IS NULL "
        "AND a.vintage = 2031"
    )
    rows = [r for r in csv_rows(shared_data / SUBSET) if r["Longitude"]]
    assert total[0] == sum(r["Crime type"] == "Criminal damage and arson" for r in rows)


def test_areas_without_events_read_zero_and_a_fall_to_zero_is_a_revision(
    partners: Partners,
) -> None:
    town_hall, hillsborough = "-1.4701,53.3808", "-1.5030,53.4110"

    def month_at(point: str) -> bytes:
        return f"longitude,latitude,category,date\n{point},Burglary,2021-03-01\n".encode()

    def burglary() -> dict[str, float]:
        with partners.client() as http:
            body = http.get(
                "/api/observations",
                params={"indicator": "burglary", "type": "lsoa", "period": "2021-03"},
            ).json()
        return {o["area_code"]: o["value"] for o in body["observations"]}

    upload(partners, "police", month_at(town_hall))
    first = burglary()
    assert len(first) == 345
    (centre,) = [code for code, value in first.items() if value == 1]
    upload(partners, "police", month_at(hillsborough))
    second = burglary()
    assert second[centre] == 0
    assert sum(second.values()) == 1
    history = partners.sql(
        "SELECT o.value, o.superseded_at IS NULL FROM observation o JOIN area a "
        "ON a.id = o.area_id WHERE a.code = :c AND o.indicator_code = 'burglary' "
        "ORDER BY o.id",
        c=centre,
    )
    assert [tuple(h) for h in history] == [(1.0, False), (0.0, True)]


def test_a_bng_geojson_without_crs_is_refused_with_a_hint(partners: Partners) -> None:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [435300, 387100]},
            "properties": {"category": "Burglary", "date": "2021-03-01"},
        }
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    detail = str(problem(upload(partners, "police", body, "application/geo+json"), 422)["detail"])
    assert "EPSG:27700" in detail
    assert partners.sql("SELECT count(*) FROM event")[0][0] == 0
