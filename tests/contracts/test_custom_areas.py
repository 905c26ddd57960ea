"""Custom areas over real HTTP, on a copy of the demo city: an officer makes a patch of
LSOAs or of a drawn polygon, bad patches are refused with their reason, the one policy
decides who sees a patch on every route (its owner and administrators; a partnership
patch every partner; never the public), its profile carries values with their fit, and
an attacker with two patches that differ by one suppressed LSOA learns nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from app.access.users import create_local_user
from app.access.viewer import CLI, PUBLIC
from app.db import unit_of_work
from app.indicators import repository as indicator_repo
from app.observations import disclosure
from app.observations import values as values_sql
from app.observations.derivation import values_sql as indicator_values_sql
from tests.conftest import ThrowawayDatabases
from tests.contracts.conftest import City, serve_city
from tests.contracts.reads import SMALL_COUNTS

OWNER = "officer.partnership"
OTHER = "officer.other"
OTHER_PASSWORD = "juniper lantern basalt rowan 58"


@pytest.fixture(scope="module")
def town(demo_template: str, databases: ThrowawayDatabases) -> Iterator[City]:
    with serve_city(demo_template, databases, "nis_test_custom", analyse=False) as loaded:
        with unit_of_work(loaded.db_url) as session:
            create_local_user(session, CLI, OTHER, OTHER_PASSWORD, "officer")
        loaded.passwords[OTHER] = OTHER_PASSWORD
        yield loaded


def _neighbours(town: City, code: str, n: int) -> list[str]:
    """``code`` and n-1 LSOAs that touch it."""
    rows = town.sql(
        "SELECT b.code FROM area a JOIN area b ON b.type_code = 'lsoa' AND b.id <> a.id "
        "AND ST_Intersects(a.geom, b.geom) WHERE a.code = :c ORDER BY b.code LIMIT :n",
        c=code,
        n=n - 1,
    )
    return [code, *(r.code for r in rows)]


def _make(town: City, who: str, **body: Any) -> Any:
    with town.client(who) as client:
        return client.post("/api/custom-areas", json=body)


def _patch(town: City, sharing: str = "partnership", who: str = OWNER, n: int = 5) -> Any:
    made = _make(town, who, name="Test patch", sharing=sharing,
                 lsoas=_neighbours(town, town.lsoa, n))  # fmt: skip
    assert made.status_code == 201, made.text
    return made.json()


def _around(town: City, metres: float) -> dict[str, Any]:
    """A drawn circle of ``metres`` around the point on the fixture's LSOA."""
    found = town.sql(
        "SELECT ST_AsGeoJSON(ST_Buffer(ST_PointOnSurface(geom)::geography, :m)::geometry) "
        "FROM area WHERE code = :c",
        c=town.lsoa,
        m=metres,
    )
    return dict(json.loads(found[0][0]))


def test_an_officer_makes_a_patch_of_lsoas(town: City) -> None:
    lsoas = _neighbours(town, town.lsoa, 5)
    made = _make(town, OWNER, name="  Page   Hall <b>patch</b> ", sharing="private", lsoas=lsoas)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["code"].startswith("custom-")
    assert body["type"] == body["code"]
    assert body["name"] == "Page Hall <b>patch</b>"  # kept as text, spaces tidied
    assert (body["owner"], body["sharing"], body["made_from"]) == (OWNER, "private", "areas")
    assert body["small_areas"] == 5
    assert body["fit"] == pytest.approx(1.0)
    km2 = town.sql("SELECT sum(area_km2) FROM area WHERE code = ANY(:c)", c=lsoas)[0][0]
    assert body["area_km2"] == pytest.approx(km2, rel=1e-3)
    with town.client(OWNER) as client:
        feature = client.get(body["links"]["area"])
        layer = client.get(body["links"]["map"] + "&simplify=2")
    assert feature.status_code == 200
    assert feature.json()["properties"]["type"] == body["type"]
    assert layer.status_code == 200
    assert len(layer.json()["features"]) == 1


def test_an_officer_makes_a_patch_of_a_drawn_polygon(town: City) -> None:
    feature = {"type": "Feature", "properties": {}, "geometry": _around(town, 400)}
    made = _make(town, OWNER, name="Drawn", sharing="partnership", geometry=feature)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["made_from"] == "polygon"
    assert body["area_km2"] == pytest.approx(0.5, rel=0.05)  # pi x 0.4²
    assert body["small_areas"] >= 1
    assert 0 <= body["fit"] <= 1


def _square(lon: float, lat: float, d: float, bowtie: bool = False) -> dict[str, Any]:
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    if bowtie:
        ring[1], ring[2] = ring[2], ring[1]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _centre(town: City) -> tuple[float, float]:
    found = town.sql(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM area "
        "WHERE code = :c) s",
        c=town.lsoa,
    )
    return float(found[0][0]), float(found[0][1])


def _city_box(town: City) -> dict[str, Any]:
    found = town.sql(
        "SELECT ST_AsGeoJSON(ST_Expand(ST_SetSRID(ST_Extent(geom)::geometry, 4326), -0.002)) "
        "FROM area WHERE type_code = 'lsoa'"
    )
    return dict(json.loads(found[0][0]))


BAD = {
    "an empty list": (lambda t: {"lsoas": []}, "at least one"),
    "an unknown code": (lambda t: {"lsoas": [t.lsoa, "E01999999"]}, "E01999999"),
    "a line": (
        lambda t: {"geometry": {"type": "LineString", "coordinates": [[-1.5, 53.3], [-1.4, 53.4]]}},
        "Polygon or MultiPolygon",
    ),
    "a ring that crosses itself": (
        lambda t: {"geometry": _square(*_centre(t), 0.003, bowtie=True)},
        "not a valid polygon",
    ),
    "a polygon as big as the city": (lambda t: {"geometry": _city_box(t)}, "too big"),
    "a polygon in London": (lambda t: {"geometry": _square(-0.1276, 51.5072, 0.01)}, "outside"),
    "both a list and a polygon": (
        lambda t: {"lsoas": [t.lsoa], "geometry": _square(*_centre(t), 0.003)},
        "either",
    ),
    "neither": (lambda t: {}, "either"),
    "a blank name": (lambda t: {"lsoas": [t.lsoa], "name": "   "}, "needs a name"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_bad_patch_is_refused_with_its_reason(town: City, case: str) -> None:
    body, reason = BAD[case]
    response = _make(town, OWNER, **{"name": "Bad", "sharing": "private", **body(town)})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "custom_area_rejected"
    assert reason in problem["detail"]


@pytest.mark.parametrize(("who", "status"), [("public", 401), ("admin", 403), ("police", 403)])
def test_only_signed_in_officers_make_patches(town: City, who: str, status: int) -> None:
    response = _make(town, who, name="By key", sharing="private", lsoas=[town.lsoa])
    assert response.status_code == status, response.text


def _listed(town: City, who: str) -> set[str]:
    with town.client(who) as client:
        response = client.get("/api/custom-areas")
    assert response.status_code == 200, response.text
    return {a["code"] for a in response.json()}


def _reads(t: str) -> list[str]:
    """Every read that would show the patch of type (and code) ``t``."""
    return [
        f"/api/custom-areas/{t}",
        f"/api/areas/{t}",
        f"/api/areas/{t}/profile",
        f"/api/areas?type={t}",
        f"/api/area-types/{t}/names",
        f"/api/observations?indicator={SMALL_COUNTS}&type={t}",
        f"/api/maps/{SMALL_COUNTS}?type={t}",
        f"/api/alerts?area_type={t}",
        f"/ogc/collections/{t}",
        f"/ogc/collections/{t}/items",
        f"/api/downloads/{t}.geojson",
        f"/tiles/{t}.json",
        f"/tiles/{t}/0/0/0.mvt",
    ]


def _sees(town: City, who: str, patch: dict[str, Any]) -> dict[str, int]:
    """Each read's status, and whether lists name the patch."""
    t = patch["type"]
    with town.client(who) as client:
        out = {read: client.get(read).status_code for read in _reads(t)}
        types = {x["code"] for x in client.get("/api/area-types").json()}
        collections = {c["id"] for c in client.get("/ogc/collections").json()["collections"]}
        hits = client.get("/api/areas/search", params={"q": t}).json()["hits"]
    out["listed"] = int(t in types) + int(t in collections) + int(any(h["code"] == t for h in hits))
    return out


def _refused(town: City, who: str, patch: dict[str, Any]) -> None:
    seen = _sees(town, who, patch)
    shown = {read: status for read, status in seen.items() if read != "listed" and status == 200}
    assert not shown, shown
    assert seen["listed"] == 0


def test_a_private_patch_is_its_owners_and_administrators_only(town: City) -> None:
    patch = _patch(town, "private")
    assert patch["code"] in _listed(town, OWNER)
    assert patch["code"] in _listed(town, "admin.partnership")
    assert patch["code"] not in _listed(town, OTHER)
    owner = _sees(town, OWNER, patch)
    assert all(status == 200 for read, status in owner.items() if read != "listed"), owner
    assert owner["listed"] == 3
    _refused(town, OTHER, patch)
    _refused(town, "police", patch)
    _refused(town, "public", patch)


def test_a_partnership_patch_is_every_partners_and_never_the_publics(town: City) -> None:
    patch = _patch(town, "partnership")
    assert patch["code"] in _listed(town, OTHER)
    assert patch["code"] in _listed(town, "police")
    other = _sees(town, OTHER, patch)
    assert other["listed"] == 3
    assert other[f"/api/areas/{patch['code']}/profile"] == 200
    _refused(town, "public", patch)
    with town.client("public") as client:
        assert client.get("/api/custom-areas").status_code == 401


def test_a_patchs_profile_has_values_estimated_with_their_fit(town: City) -> None:
    patch = _patch(town, "private")
    with town.client(OWNER) as client:
        profile = client.get(patch["links"]["profile"])
    assert profile.status_code == 200, profile.text
    body = profile.json()
    assert body["area"]["code"] == patch["code"]
    assert body["benchmark"] == "every lsoa area together (the city)"
    entries = [e for e in body["indicators"] if e["value"] is not None]
    assert len(entries) > 10
    assert all(e["fit"] == pytest.approx(1.0) for e in entries)
    assert all(e["estimated"] and "LSOAs" in e["estimated"] for e in entries)
    compared = [e for e in entries if e["benchmark"]["label"] != "not compared"]
    assert compared
    assert all(e["benchmark"]["city_value"] is not None for e in compared)


def test_a_patch_is_deleted_by_its_owner_or_an_administrator(town: City) -> None:
    mine, theirs = _patch(town, "partnership"), _patch(town, "partnership")
    with town.client(OTHER) as client:
        assert client.delete(f"/api/custom-areas/{mine['code']}").status_code == 403
    with town.client(OWNER) as client:
        assert client.delete(f"/api/custom-areas/{mine['code']}").status_code == 204
        assert client.get(f"/api/custom-areas/{mine['code']}").status_code == 404
        assert client.get(f"/api/areas/{mine['code']}").status_code == 404
    with town.client("admin.partnership") as client:
        assert client.delete(f"/api/custom-areas/{theirs['code']}").status_code == 204
    assert not town.sql("SELECT 1 FROM area_type WHERE code = :t", t=mine["type"])
    assert mine["code"] not in _listed(town, OWNER)


# --- the attacker ---------------------------------------------------------------------


def _hidden_cells(town: City) -> tuple[set[tuple[str, str]], dict[str, str]]:
    """The public's hidden cells of SMALL_COUNTS (by area code and period) and each
    area's type."""
    with unit_of_work(town.db_url) as session:
        indicator = indicator_repo.indicator(session, SMALL_COUNTS)
        assert indicator is not None
        mask = disclosure.for_viewer(session, PUBLIC, indicator).mask
        assert mask is not None
        rows = session.execute(text("SELECT id, code, type_code FROM area")).all()
    codes = {int(r.id): str(r.code) for r in rows}
    return {(codes[a], p) for a, p in mask.cells}, {str(r.code): str(r.type_code) for r in rows}


def _counts(town: City, type_code: str) -> dict[tuple[str, str], float]:
    """Every value of SMALL_COUNTS at ``type_code``, as an administrator reads it."""
    with unit_of_work(town.db_url) as session:
        indicator = indicator_repo.indicator(session, SMALL_COUNTS)
        assert indicator is not None
        query = indicator_values_sql(
            session, indicator, values_sql.ValueFilter(type_code), "t_", []
        )
        assert query is not None
        rows = values_sql.fetch(session, query)
    return {(str(r.area_code), str(r.period)): float(r.value) for r in rows if r.value is not None}


def test_two_patches_one_suppressed_lsoa_apart_give_the_attacker_nothing(town: City) -> None:
    """Patch A is a suppressed LSOA and four of its neighbours, patch B the neighbours
    alone: A - B is that LSOA's count wherever both are published. Wherever the public
    may not see the LSOA, one of them is hidden too, and defining them changes nothing
    of what anyone else sees."""
    before, types = _hidden_cells(town)
    hidden_lsoas = sorted(c for c, p in before if types[c] == "lsoa")
    target = max(set(hidden_lsoas), key=lambda c: (hidden_lsoas.count(c), c))
    around = _neighbours(town, target, 5)
    a = _make(town, OWNER, name="A", sharing="partnership", lsoas=around).json()
    b = _make(town, OWNER, name="B", sharing="partnership", lsoas=around[1:]).json()

    after, _ = _hidden_cells(town)
    patches = {a["code"], b["code"]}
    assert {c for c in after if c[0] not in patches} == before  # nothing else changed
    periods = {p for c, p in before if c == target}
    lsoa = _counts(town, "lsoa")
    made_a, made_b = _counts(town, a["type"]), _counts(town, b["type"])
    # Unprotected, the difference would be the hidden count itself.
    for period in periods:
        difference = made_a[(a["code"], period)] - made_b[(b["code"], period)]
        assert difference == pytest.approx(lsoa[(target, period)], abs=1e-6)
    # Protected, the attacker never holds both.
    assert periods
    for period in periods:
        assert (a["code"], period) in after or (b["code"], period) in after
    # And the public never sees either patch at all.
    with town.client("public") as client:
        for patch in (a, b):
            found = client.get(f"/api/observations?indicator={SMALL_COUNTS}&type={patch['type']}")
            assert found.status_code == 400


def test_an_analysis_of_a_patch_runs_and_names_it_only_to_those_who_see_it(town: City) -> None:
    patch = _patch(town, "private")
    with town.client("admin") as client:
        run = client.post(
            "/api/analysis/runs", json={"area_types": ["lsoa", patch["type"]], "permutations": 0}
        )
    assert run.status_code == 201, run.text
    assert patch["type"] in run.json()["summary"]["area_types"]
    for who, named in ((OWNER, True), ("admin.partnership", True), (OTHER, False)):
        with town.client(who) as client:
            seen = client.get(f"/api/analysis/runs/{run.json()['id']}")
            alerts = client.get("/api/alerts", params={"limit": 1000})
        assert seen.status_code == 200, seen.text
        assert (patch["type"] in seen.text) is named
        assert (patch["name"] in seen.text) is named
        assert alerts.status_code == 200
        assert patch["type"] not in alerts.text or named
