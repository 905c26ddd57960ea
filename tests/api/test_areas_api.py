"""The areas API contract, over real HTTP: media types, RFC 7946 structure, errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import shapely
from shapely.geometry import shape

GEOJSON = "application/geo+json"
PROBLEM = "application/problem+json"
PROPERTIES = {"code", "name", "type", "vintage", "parent", "area_km2", "population"}


def check_rfc7946_feature(feature: dict[str, Any]) -> None:
    assert feature["type"] == "Feature"
    assert isinstance(feature["id"], str)
    assert feature["id"] == feature["properties"]["code"]
    assert set(feature["properties"]) == PROPERTIES
    geometry = feature["geometry"]
    assert geometry["type"] == "MultiPolygon"
    assert "crs" not in geometry  # RFC 7946 drops crs: coordinates are WGS84 lon/lat
    for polygon in geometry["coordinates"]:
        for i, ring in enumerate(polygon):
            assert len(ring) >= 4
            assert ring[0] == ring[-1]
            assert all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in ring)
            # Right-hand rule: exterior rings counterclockwise, holes clockwise.
            assert shapely.LinearRing(ring).is_ccw == (i == 0)
    assert shape(geometry).is_valid


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["detail"]
    assert body["title"]
    return body


def test_area_types_list_the_hierarchy(http: httpx.Client) -> None:
    response = http.get("/api/area-types")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    types = {t["code"]: t for t in response.json()}
    assert set(types) == {"lac", "ward", "msoa", "lsoa"}
    assert types["lsoa"]["parent"] == "ward"
    assert types["ward"]["children"] == ["lsoa"]
    assert types["lsoa"]["vintages"] == [
        {
            "vintage": 2011,
            "count": 345,
            "sources": ["sheffield_boundaries.gpkg layer sheffield_lsoa2011_bgc"],
        }
    ]


def test_areas_are_an_rfc7946_feature_collection(http: httpx.Client) -> None:
    response = http.get("/api/areas", params={"type": "lsoa"})
    assert response.status_code == 200
    assert response.headers["content-type"] == GEOJSON
    body = response.json()
    assert set(body) == {"type", "features"}
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 345
    for feature in body["features"]:
        check_rfc7946_feature(feature)
    total = sum(f["properties"]["area_km2"] for f in body["features"])
    assert total == pytest.approx(367.9, abs=0.1)


def test_type_is_case_insensitive(http: httpx.Client) -> None:
    body = http.get("/api/areas", params={"type": "Ward"}).json()
    assert len(body["features"]) == 28


def test_areas_are_streamed_not_buffered(http: httpx.Client) -> None:
    with http.stream("GET", "/api/areas", params={"type": "lsoa"}) as response:
        assert response.headers.get("transfer-encoding") == "chunked"
        assert "content-length" not in response.headers
        chunks = sum(1 for _ in response.iter_raw())
    assert chunks > 1


def test_features_carry_their_parent(http: httpx.Client) -> None:
    body = http.get("/api/areas", params={"type": "ward"}).json()
    parents = {f["properties"]["parent"] for f in body["features"]}
    lacs = {f["id"] for f in http.get("/api/areas", params={"type": "lac"}).json()["features"]}
    assert parents == lacs


def test_bbox_selects_the_areas_it_touches(http: httpx.Client) -> None:
    bbox = (-1.48, 53.37, -1.46, 53.39)  # central Sheffield
    body = http.get("/api/areas", params={"type": "lsoa", "bbox": ",".join(map(str, bbox))}).json()
    box = shapely.box(*bbox)
    everything = http.get("/api/areas", params={"type": "lsoa"}).json()["features"]
    expected = {f["id"] for f in everything if shape(f["geometry"]).intersects(box)}
    assert 0 < len(body["features"]) < 345
    assert {f["id"] for f in body["features"]} == expected


def test_parent_selects_descendants_at_any_depth(http: httpx.Client) -> None:
    lac = http.get("/api/areas", params={"type": "lac"}).json()["features"][0]["id"]
    wards = http.get("/api/areas", params={"type": "ward", "parent": lac}).json()["features"]
    assert len(wards) == 4  # each committee area is four wards
    ward_codes = {w["id"] for w in wards}
    lsoas = http.get("/api/areas", params={"type": "lsoa", "parent": lac}).json()["features"]
    assert lsoas
    assert {f["properties"]["parent"] for f in lsoas} <= ward_codes


@pytest.mark.parametrize("level", [1, 2, 3])
def test_simplified_levels_keep_shared_borders(http: httpx.Client, level: int) -> None:
    full = http.get("/api/areas", params={"type": "lsoa"}).json()["features"]
    body = http.get("/api/areas", params={"type": "lsoa", "simplify": level}).json()
    simple = [shape(f["geometry"]) for f in body["features"]]
    assert len(simple) == 345
    # A valid coverage: no overlaps, and edges shared by neighbours match exactly.
    assert bool(shapely.coverage_is_valid(simple))
    # Simpler than the original, and no gaps opened: the union keeps its area.
    originals = [shape(f["geometry"]) for f in full]
    assert sum(len(shapely.get_coordinates(g)) for g in simple) < sum(
        len(shapely.get_coordinates(g)) for g in originals
    )
    union_area = shapely.union_all(simple).area
    assert union_area == pytest.approx(sum(g.area for g in simple), rel=1e-9)
    assert union_area == pytest.approx(shapely.union_all(originals).area, rel=0.01)


def test_one_area_is_a_feature(http: httpx.Client) -> None:
    response = http.get("/api/areas/E01008111")
    assert response.status_code == 200
    assert response.headers["content-type"] == GEOJSON
    feature = response.json()
    check_rfc7946_feature(feature)
    assert feature["properties"]["type"] == "lsoa"
    assert feature["properties"]["area_km2"] == pytest.approx(0.27, abs=0.02)


def test_unknown_code_is_404_problem(http: httpx.Client) -> None:
    body = problem(http.get("/api/areas/E01999999"), 404)
    assert body["code"] == "area_not_found"
    assert "E01999999" in body["detail"]


@pytest.mark.parametrize(
    "bbox",
    ["1,2,3", "a,b,c,d", "-1.4,53.4,-1.5,53.3", "400000,380000,450000,400000", "nan,1,2,3"],
)
def test_bad_bbox_is_400_problem(http: httpx.Client, bbox: str) -> None:
    body = problem(http.get("/api/areas", params={"type": "lsoa", "bbox": bbox}), 400)
    assert body["code"] == "invalid_parameter"


def test_unknown_type_is_400_problem_listing_known_types(http: httpx.Client) -> None:
    body = problem(http.get("/api/areas", params={"type": "county"}), 400)
    assert body["code"] == "unknown_area_type"
    assert "lsoa" in body["detail"]


def test_missing_type_is_400_problem(http: httpx.Client) -> None:
    problem(http.get("/api/areas"), 400)


def test_unknown_simplify_level_is_400_problem(http: httpx.Client) -> None:
    body = problem(http.get("/api/areas", params={"type": "lsoa", "simplify": 9}), 400)
    assert "simplify" in body["detail"]


def test_area_names_give_every_area_of_the_type_by_code(http: httpx.Client) -> None:
    response = http.get("/api/area-types/LSOA/names")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert (body["type"], body["vintage"]) == ("lsoa", 2011)
    features = http.get("/api/areas", params={"type": "lsoa", "simplify": 3}).json()["features"]
    assert body["names"] == {f["id"]: f["properties"]["name"] for f in features}


def test_area_names_of_an_unknown_type_or_vintage_are_400_problems(http: httpx.Client) -> None:
    assert problem(http.get("/api/area-types/county/names"), 400)["code"] == "unknown_area_type"
    body = problem(http.get("/api/area-types/lsoa/names", params={"vintage": 1999}), 400)
    assert "1999" in body["detail"]


def test_openapi_documents_the_routes(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()
    assert {"/api/areas", "/api/areas/{code}", "/api/area-types"} <= set(spec["paths"])
    assert GEOJSON in spec["paths"]["/api/areas"]["get"]["responses"]["200"]["content"]
    assert http.get("/docs").status_code == 200


def test_home_page_is_served(http: httpx.Client) -> None:
    response = http.get("/")
    assert response.status_code == 200
    assert "Neighbourhood Information System" in response.text
