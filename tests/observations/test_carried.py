"""Values at a type the LSOAs do not nest in: Sheffield's real 2020 wards over its 2011
LSOAs. Expected values are worked out here independently, with geopandas overlaying the
same boundaries, not from the service's overlay."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import httpx
import numpy as np
import pytest
from sqlalchemy import text

from app.access.viewer import CLI
from app.areas import overlay
from app.db import unit_of_work
from app.indicators.catalogue import default_catalogue
from app.indicators.repository import indicator
from app.indicators.service import import_catalogue
from app.observations import values as sql
from app.observations.derivation import values_sql
from app.uploads.layouts.observation_rows import ObservationRow, ParsedObservations
from app.uploads.observation_uploads import store_observations
from app.uploads.reading import RowErrors
from tests.areas.conftest import GPKG, import_layer
from tests.conftest import ThrowawayDatabases, clone_database

PERIOD = {"emergency_admissions": "2023/24", "persistent_absence": "2023/24"}


@pytest.fixture(scope="module")
def carried_template(databases: ThrowawayDatabases, shared_data: Path) -> str:
    url = databases.create("carried")
    with unit_of_work(url) as session:
        import_layer(session, shared_data / GPKG, "sheffield_msoa2011_bgc", "msoa")
        import_layer(session, shared_data / GPKG, "sheffield_lsoa2011_bgc", "lsoa", "msoa")
        report = import_layer(session, shared_data / GPKG, "sheffield_wards2020_bgc", "ward")
        assert [(o.type_code, o.source_type) for o in report.overlays] == [
            ("ward", "lsoa"),
            ("ward", "msoa"),
        ]
        import_catalogue(session, CLI, default_catalogue())
    return url


@pytest.fixture
def city(carried_template: str, databases: ThrowawayDatabases) -> str:
    return clone_database(carried_template, "nis_test_carried", databases)


def _lsoa_codes(url: str) -> list[str]:
    with unit_of_work(url) as session:
        rows = session.execute(text("SELECT code FROM area WHERE type_code = 'lsoa' ORDER BY code"))
        return [str(c) for c in rows.scalars()]


def _store(url: str, rows: list[tuple[str, str, float | None, float | None, float | None]]) -> None:
    parsed = ParsedObservations(
        rows=[
            ObservationRow(i + 2, a, PERIOD.get(ind, "2019"), ind, v, n, d)
            for i, (ind, a, v, n, d) in enumerate(rows)
        ],
        row_errors=RowErrors(), layout="long", encoding="utf-8", notes=[],
    )  # fmt: skip
    with unit_of_work(url) as session:
        source = {"filename": "t", "content_type": None, "sha256": None}
        store_observations(session, CLI, parsed, source)


def _ward_values(url: str, code: str) -> dict[str, tuple[float | None, float | None, str]]:
    with unit_of_work(url) as session:
        ind = indicator(session, code)
        assert ind is not None
        notes: list[str] = []
        query = values_sql(session, ind, sql.ValueFilter("ward"), "t_", notes)
        assert query is not None, notes
        return {
            str(r.area_code): (r.value, r.fit, str(r.derived_from))
            for r in sql.fetch(session, query)
        }


def _shares(shared_data: Path) -> gpd.GeoDataFrame:
    """Each (ward, LSOA) overlap's share of the LSOA's area, slivers dropped as the
    service documents (under 1%, the rest scaled to one when it covers 95%)."""
    lsoa = gpd.read_file(shared_data / GPKG, layer="sheffield_lsoa2011_bgc").to_crs(27700)
    ward = gpd.read_file(shared_data / GPKG, layer="sheffield_wards2020_bgc").to_crs(27700)
    lsoa = lsoa.rename(columns={c: "lsoa" for c in lsoa.columns if c.lower().endswith("cd")})
    ward = ward.rename(columns={c: "ward" for c in ward.columns if c.lower().endswith("cd")})
    lsoa["lsoa_km2"] = lsoa.area
    pieces = gpd.overlay(lsoa[["lsoa", "lsoa_km2", "geometry"]], ward[["ward", "geometry"]])
    pieces["share"] = pieces.area / pieces["lsoa_km2"]
    pieces = pieces[pieces["share"] >= overlay.MIN_SHARE].copy()
    covered = pieces.groupby("lsoa")["share"].transform("sum")
    pieces.loc[covered >= overlay.RENORMALISE_ABOVE, "share"] /= covered
    return pieces[["ward", "lsoa", "share"]]


def test_counts_are_shared_out_by_population_and_carry_their_fit(
    city: str, shared_data: Path
) -> None:
    codes = _lsoa_codes(city)
    rng = np.random.default_rng(7)
    counts = {c: float(rng.integers(0, 40)) for c in codes}
    _store(city, [("emergency_admissions", c, v, None, None) for c, v in counts.items()])
    got = _ward_values(city, "emergency_admissions")

    shares = _shares(shared_data)
    expected = (
        shares.assign(v=shares["lsoa"].map(counts) * shares["share"]).groupby("ward")["v"].sum()
    )
    assert len(got) == 28
    for ward, value in expected.items():
        assert got[ward][0] == pytest.approx(value, rel=0.02, abs=0.5), ward
        assert got[ward][2] == "lsoa (estimated)"
    # Fit: the share of the ward's people (here: LSOA areas, as no population is loaded
    # yet) in whole LSOAs, between 0 and 1, and not all 1 since the LSOAs do not nest.
    fits = [f for _, f, _ in got.values()]
    assert all(f is not None and 0 <= f <= 1 for f in fits)
    assert min(f for f in fits if f is not None) < 0.99


def test_rates_are_recomputed_from_carried_counts_never_averaged(city: str) -> None:
    codes = _lsoa_codes(city)
    rows = []
    for i, c in enumerate(codes):
        numerator, denominator = float(i % 7), float(50 + i % 13)
        share = 100 * numerator / denominator
        rows.append(("persistent_absence", c, share, numerator, denominator))
    _store(city, rows)
    got = _ward_values(city, "persistent_absence")
    with unit_of_work(city) as session:
        ind = indicator(session, "persistent_absence")
        assert ind is not None
        query = values_sql(session, ind, sql.ValueFilter("ward"), "t_", [])
        assert query is not None
        for r in sql.fetch(session, query):
            assert r.value == pytest.approx(100 * r.numerator / r.denominator)
    assert len(got) == 28


def test_scores_are_population_weighted_and_ranks_are_not_carried(city: str) -> None:
    codes = _lsoa_codes(city)
    _store(
        city,
        [("imd_score", c, float(i % 50), None, None) for i, c in enumerate(codes)]
        + [("imd_rank", c, float(i + 1), None, None) for i, c in enumerate(codes)],
    )
    scores = _ward_values(city, "imd_score")
    assert len(scores) == 28
    assert all(0 <= v <= 49 for v, _, _ in scores.values() if v is not None)
    with unit_of_work(city) as session:
        rank = indicator(session, "imd_rank")
        assert rank is not None
        notes: list[str] = []
        assert values_sql(session, rank, sql.ValueFilter("ward"), "t_", notes) is None
        assert any("not carried" in n for n in notes)


def test_a_ward_is_given_only_when_every_lsoa_it_shares_has_a_value(city: str) -> None:
    codes = _lsoa_codes(city)
    _store(city, [("emergency_admissions", c, 5.0, None, None) for c in codes[1:]])
    got = _ward_values(city, "emergency_admissions")
    with unit_of_work(city) as session:
        wards_of_missing = set(
            session.execute(
                text(
                    "SELECT t.code FROM area_overlay l JOIN area t ON t.id = l.target_id "
                    "JOIN area s ON s.id = l.source_id WHERE s.code = :c AND t.type_code = 'ward'"
                ),
                {"c": codes[0]},
            ).scalars()
        )
    assert wards_of_missing
    for ward, (value, _, _) in got.items():
        assert (value is None) == (ward in wards_of_missing), ward


def test_the_ward_map_profile_and_ogc_fields_say_what_is_estimated_and_how_well(
    city: str,
) -> None:
    from app.settings import Settings
    from tests.conftest import LiveServer

    codes = _lsoa_codes(city)
    _store(
        city,
        [("emergency_admissions", c, float(20 + i % 9), None, None) for i, c in enumerate(codes)],
    )
    settings = Settings(database_url=city, analysis_after_upload=False)
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        shown = http.get(
            "/api/maps/emergency_admissions", params={"type": "ward", "geometry": "false"}
        ).json()
        assert shown["legend"]["estimated"].startswith("estimated from LSOAs, ")
        assert "% fit" in shown["legend"]["estimated"]
        fits = [a["fit"] for a in shown["areas"].values()]
        assert len(fits) == 28
        assert all(0 <= f <= 1 for f in fits)

        ward = next(iter(shown["areas"]))
        profile = http.get(f"/api/areas/{ward}/profile").json()
        entry = next(
            e for e in profile["indicators"] if e["indicator"]["code"] == "emergency_admissions"
        )
        assert entry["fit"] == pytest.approx(shown["areas"][ward]["fit"], abs=1e-3)
        assert entry["estimated"].startswith("estimated from LSOAs, ")

        schema = http.get("/ogc/collections/emergency_admissions/schema").json()
        assert "fit" in schema["properties"]
        # Every type it is published at is a layer of its own for GIS clients.
        listed = {c["id"] for c in http.get("/ogc/collections").json()["collections"]}
        assert {"emergency_admissions", "emergency_admissions.ward"} <= listed
        items = http.get("/ogc/collections/emergency_admissions.ward/items?limit=100").json()
        features = {f["properties"]["code"]: f["properties"] for f in items["features"]}
        assert len(features) == 28
        assert features[ward]["fit"] == pytest.approx(shown["areas"][ward]["fit"], abs=1e-3)
        assert features[ward]["value"] == pytest.approx(shown["areas"][ward]["value"])
        assert http.get("/ogc/collections/emergency_admissions.nowhere").status_code == 404
        csv_rows = http.get("/api/downloads/emergency_admissions.ward.csv").text.splitlines()
        assert len(csv_rows) == 1 + 28
        rows = http.get(
            "/api/observations", params={"indicator": "emergency_admissions", "type": "ward"}
        ).json()["observations"]
        assert {r["derived_from"] for r in rows} == {"lsoa (estimated)"}
        assert all(r["low_fit"] == (r["fit"] < overlay.LOW_FIT) for r in rows)


@pytest.mark.parametrize("apportionment", ["population", "best_fit"])
def test_no_ward_minus_its_lsoas_gives_a_suppressed_lsoa_back(
    city: str, apportionment: str
) -> None:
    """The attacker knows every overlay share (the worst case) and solves the wards'
    equations for the LSOAs the public is not shown."""
    from app.settings import Settings
    from tests.conftest import LiveServer

    codes = _lsoa_codes(city)
    rng = np.random.default_rng(11)
    counts = {c: float(rng.integers(0, 8) if i % 9 == 0 else rng.integers(8, 60))
              for i, c in enumerate(codes)}  # fmt: skip
    _store(city, [("emergency_admissions", c, v, None, None) for c, v in counts.items()])
    with unit_of_work(city) as session:
        session.execute(
            text("UPDATE indicator SET apportionment = :a WHERE code = 'emergency_admissions'"),
            {"a": apportionment},
        )
        links = session.execute(
            text(
                "SELECT t.code AS ward, s.code AS lsoa, l.share, l.best FROM area_overlay l "
                "JOIN area t ON t.id = l.target_id JOIN area s ON s.id = l.source_id "
                "WHERE s.type_code = 'lsoa'"
            )
        ).all()
    settings = Settings(database_url=city, analysis_after_upload=False)
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, timeout=60) as http:

        def published(type_code: str) -> dict[str, float | None]:
            rows = http.get(
                "/api/observations",
                params={"indicator": "emergency_admissions", "type": type_code},
            ).json()["observations"]
            return {r["area_code"]: r["value"] for r in rows}

        lsoas, wards = published("lsoa"), published("ward")
    hidden = sorted(c for c, v in lsoas.items() if v is None)
    assert any(counts[c] < 8 for c in hidden)
    assert any(v is not None for v in wards.values()), "the wards tell the public something"
    column = {c: j for j, c in enumerate(hidden)}
    equations, constants = [], []
    for ward, value in wards.items():
        if value is None:
            continue
        row, constant = np.zeros(len(hidden)), float(value)
        for link in links:
            if link.ward != ward or (apportionment == "best_fit" and not link.best):
                continue
            weight = 1.0 if apportionment == "best_fit" else float(link.share)
            if link.lsoa in column:
                row[column[link.lsoa]] += weight
            else:
                constant -= weight * float(lsoas[link.lsoa] or 0)
        if row.any():
            equations.append(row)
            constants.append(constant)
    if not equations:
        return  # no published ward involves a hidden LSOA at all
    a, b = np.array(equations), np.array(constants)
    solution, *_ = np.linalg.lstsq(a, b, rcond=None)
    _, s, vt = np.linalg.svd(a)
    null = vt[int(np.sum(s > 1e-9)) :].T
    recovered = [
        hidden[j]
        for j in range(len(hidden))
        if (null.shape[1] == 0 or np.allclose(null[j], 0, atol=1e-9))
        and abs(solution[j] - counts[hidden[j]]) < 0.5
    ]
    assert not recovered
