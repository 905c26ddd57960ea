"""Reading boundary files: formats, layers and CRS handling."""

from __future__ import annotations

import json
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pytest
import shapely

from geodata.errors import BoundaryFileError, CrsError
from geodata.fields import detect_fields
from geodata.reading import list_layers, read_boundaries, to_wgs84

# layer, area type, feature count, expected code field, expected name field
SHEFFIELD_LAYERS = [
    ("sheffield_lsoa2011_bgc", "lsoa", 345, "LSOA11CD", "LSOA11NM"),
    ("sheffield_msoa2011_bgc", "msoa", 70, "MSOA11CD", "MSOA11NM"),
    ("sheffield_wards2020_bgc", "ward", 28, "WD20CD", "WD20NM"),
    ("sheffield_oa2011_bgc", "oa", 1817, "OA11CD", None),
    ("sheffield_neighbourhoods_100", "neighbourhood", 100, "nhood_code", "nhood_name"),
    ("sheffield_lac_asc_localities_7", "lac", 7, "ca_number", "ca_name"),
]

# Reprojection to BNG and back is exact to about a millimetre; 1e-7 degree is under 1 cm.
ROUND_TRIP_TOLERANCE_DEG = 1e-7


def _max_hausdorff(a: gpd.GeoSeries, b: gpd.GeoSeries) -> float:
    return float(shapely.hausdorff_distance(a.values, b.values).max())


def _write_zipped_shapefile(
    gdf: gpd.GeoDataFrame, folder: Path, stem: str, zip_path: Path, mode: Literal["w", "a"] = "w"
) -> None:
    gdf.to_file(folder / f"{stem}.shp", engine="pyogrio")
    with zipfile.ZipFile(zip_path, mode) as archive:
        for part in folder.glob(f"{stem}.*"):
            archive.write(part, f"boundaries/{part.name}")


def _write_without_crs(gdf: gpd.GeoDataFrame, path: Path) -> None:
    with warnings.catch_warnings():
        # pyogrio warns that the file will have no .prj: that is the point of these tests
        warnings.simplefilter("ignore", UserWarning)
        gdf.set_crs(None, allow_override=True).to_file(path, engine="pyogrio")


@pytest.mark.parametrize(
    ("layer", "area_type", "count", "code_field", "name_field"), SHEFFIELD_LAYERS
)
def test_every_sheffield_layer_reads_with_its_count_and_detected_fields(
    boundaries_gpkg: Path,
    layer: str,
    area_type: str,
    count: int,
    code_field: str,
    name_field: str | None,
) -> None:
    boundary = read_boundaries(boundaries_gpkg, layer=layer)
    choice = detect_fields(boundary.gdf, area_type)

    assert len(boundary.gdf) == count
    assert boundary.layer == layer
    assert boundary.source_crs == "EPSG:4326"
    assert (choice.code_field, choice.name_field) == (code_field, name_field)


def test_list_layers_gives_all_six_geopackage_layers(boundaries_gpkg: Path) -> None:
    assert list_layers(boundaries_gpkg) == [layer for layer, *_ in SHEFFIELD_LAYERS]


def test_geopackage_with_several_layers_and_none_chosen_is_refused_listing_them(
    boundaries_gpkg: Path,
) -> None:
    with pytest.raises(BoundaryFileError) as caught:
        read_boundaries(boundaries_gpkg)

    assert caught.value.code == "layer_required"
    assert caught.value.layers == [layer for layer, *_ in SHEFFIELD_LAYERS]
    assert "sheffield_wards2020_bgc" in str(caught.value)


def test_unknown_layer_is_refused_listing_the_layers(boundaries_gpkg: Path) -> None:
    with pytest.raises(BoundaryFileError) as caught:
        read_boundaries(boundaries_gpkg, layer="sheffield_wards")

    assert caught.value.code == "unknown_layer"
    assert "sheffield_wards2020_bgc" in caught.value.message


def test_layer_name_is_matched_ignoring_case(boundaries_gpkg: Path) -> None:
    boundary = read_boundaries(boundaries_gpkg, layer="SHEFFIELD_WARDS2020_BGC")

    assert boundary.layer == "sheffield_wards2020_bgc"
    assert len(boundary.gdf) == 28


def test_geojson_file_reads_its_single_layer(shared_data: Path) -> None:
    path = shared_data / "sheffield_boundaries" / "sheffield_wards2020_bgc.geojson"

    boundary = read_boundaries(path)

    assert len(boundary.gdf) == 28
    assert boundary.source_crs == "EPSG:4326"


def test_lsoas_written_to_a_bng_geopackage_read_back_to_the_same_geometries(
    sheffield_layer: Callable[[str], gpd.GeoDataFrame], tmp_path: Path
) -> None:
    original = sheffield_layer("sheffield_lsoa2011_bgc")
    path = tmp_path / "lsoa_bng.gpkg"
    original.to_crs("EPSG:27700").to_file(path, layer="lsoa", engine="pyogrio")

    boundary = read_boundaries(path)
    back = to_wgs84(boundary.gdf)

    assert boundary.source_crs == "EPSG:27700"
    assert list(back["LSOA11CD"]) == list(original["LSOA11CD"])
    assert _max_hausdorff(back.geometry, original.geometry) < ROUND_TRIP_TOLERANCE_DEG


def test_lsoas_written_to_a_zipped_bng_shapefile_read_back_to_the_same_geometries(
    sheffield_layer: Callable[[str], gpd.GeoDataFrame], tmp_path: Path
) -> None:
    original = sheffield_layer("sheffield_lsoa2011_bgc")
    zip_path = tmp_path / "lsoa.zip"
    _write_zipped_shapefile(original.to_crs("EPSG:27700"), tmp_path, "lsoa", zip_path)

    boundary = read_boundaries(zip_path)
    back = to_wgs84(boundary.gdf)

    assert boundary.layer == "lsoa"
    assert boundary.source_crs == "EPSG:27700"
    assert list(back["LSOA11CD"]) == list(original["LSOA11CD"])
    assert _max_hausdorff(back.geometry, original.geometry) < ROUND_TRIP_TOLERANCE_DEG


def test_zip_with_several_shapefiles_requires_a_layer_and_reads_the_chosen_one(
    sheffield_layer: Callable[[str], gpd.GeoDataFrame], tmp_path: Path
) -> None:
    zip_path = tmp_path / "two.zip"
    _write_zipped_shapefile(sheffield_layer("sheffield_wards2020_bgc"), tmp_path, "wards", zip_path)
    _write_zipped_shapefile(
        sheffield_layer("sheffield_msoa2011_bgc"), tmp_path, "msoa", zip_path, mode="a"
    )

    with pytest.raises(BoundaryFileError) as caught:
        read_boundaries(zip_path)
    wards = read_boundaries(zip_path, layer="wards")

    assert caught.value.code == "layer_required"
    assert sorted(caught.value.layers) == ["msoa", "wards"]
    assert list_layers(zip_path) == ["wards", "msoa"]
    assert len(wards.gdf) == 28


def test_file_without_crs_in_bng_coordinates_is_refused_with_a_bng_hint(
    sheffield_layer: Callable[[str], gpd.GeoDataFrame], tmp_path: Path
) -> None:
    bng = sheffield_layer("sheffield_wards2020_bgc").to_crs("EPSG:27700")
    path = tmp_path / "no_prj.shp"
    _write_without_crs(bng, path)

    with pytest.raises(CrsError) as caught:
        read_boundaries(path)

    assert caught.value.code == "missing_crs"
    assert caught.value.hint is not None
    assert "British National Grid" in caught.value.hint
    assert "--crs EPSG:27700" in caught.value.hint
    assert ".prj" in caught.value.hint


def test_geojson_without_crs_member_in_bng_coordinates_is_refused_with_a_bng_hint(
    sheffield_layer: Callable[[str], gpd.GeoDataFrame], tmp_path: Path
) -> None:
    # GDAL reports EPSG:4326 for every GeoJSON; the coordinates show it is not.
    bng = sheffield_layer("sheffield_wards2020_bgc").to_crs("EPSG:27700")
    path = tmp_path / "wards.geojson"
    document = json.loads(bng.to_json())
    document.pop("crs", None)
    path.write_text(json.dumps(document))

    with pytest.raises(CrsError) as caught:
        read_boundaries(path)

    assert "not longitude/latitude" in str(caught.value)
    assert caught.value.hint is not None
    assert "--crs EPSG:27700" in caught.value.hint
    assert read_boundaries(path, source_crs="EPSG:27700").source_crs == "EPSG:27700"


def test_file_without_crs_in_lonlat_coordinates_is_read_as_wgs84_with_a_note(
    sheffield_layer: Callable[[str], gpd.GeoDataFrame], tmp_path: Path
) -> None:
    lonlat = sheffield_layer("sheffield_wards2020_bgc")
    path = tmp_path / "no_prj.shp"
    _write_without_crs(lonlat, path)

    boundary = read_boundaries(path)

    assert boundary.source_crs == "EPSG:4326"
    assert boundary.gdf.crs.to_epsg() == 4326
    assert any("EPSG:4326" in note and "assumed" in note for note in boundary.notes)


def test_explicit_crs_is_used_for_a_file_without_one(
    sheffield_layer: Callable[[str], gpd.GeoDataFrame], tmp_path: Path
) -> None:
    original = sheffield_layer("sheffield_wards2020_bgc")
    path = tmp_path / "no_prj.shp"
    _write_without_crs(original.to_crs("EPSG:27700"), path)

    boundary = read_boundaries(path, source_crs="EPSG:27700")

    assert boundary.source_crs == "EPSG:27700"
    assert (
        _max_hausdorff(to_wgs84(boundary.gdf).geometry, original.geometry)
        < ROUND_TRIP_TOLERANCE_DEG
    )


def test_explicit_crs_overrides_the_declared_one_with_a_note(boundaries_gpkg: Path) -> None:
    boundary = read_boundaries(
        boundaries_gpkg, layer="sheffield_wards2020_bgc", source_crs="EPSG:4258"
    )

    assert boundary.source_crs == "EPSG:4258"
    assert boundary.gdf.crs.to_epsg() == 4258
    assert any("declares CRS EPSG:4326" in note for note in boundary.notes)


def test_unparseable_explicit_crs_is_refused(boundaries_gpkg: Path) -> None:
    with pytest.raises(CrsError) as caught:
        read_boundaries(
            boundaries_gpkg, layer="sheffield_wards2020_bgc", source_crs="EPSG:not-a-code"
        )

    assert caught.value.code == "invalid_crs"


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BoundaryFileError) as caught:
        read_boundaries(tmp_path / "nope.gpkg")

    assert caught.value.code == "file_not_found"


def test_file_that_is_not_a_vector_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.gpkg"
    path.write_text("not a geopackage")

    with pytest.raises(BoundaryFileError) as caught:
        read_boundaries(path)

    assert caught.value.code == "unreadable_file"


def test_to_wgs84_refuses_data_without_crs() -> None:
    gdf = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)])

    with pytest.raises(CrsError):
        to_wgs84(gdf)


def test_to_wgs84_reprojects_bng_to_lonlat() -> None:
    # Sheffield Town Hall is at about E 435,400 N 387,200 on the British National Grid
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(435_400, 387_200)], crs="EPSG:27700")

    point = to_wgs84(gdf).geometry.iloc[0]

    assert to_wgs84(gdf).crs.to_epsg() == 4326
    assert point.x == pytest.approx(-1.47, abs=0.01)
    assert point.y == pytest.approx(53.38, abs=0.01)
