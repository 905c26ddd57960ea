"""Shared fixtures for the geodata tests.

The real Sheffield boundaries live outside the repository, in ``../shared/data`` next to the
repository root. Tests needing them skip when that folder is absent (a user's machine), but
fail on CI, where a silent skip would hide that nothing was tested.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

import geopandas as gpd
import pytest

from geodata.fields import detect_fields
from geodata.reading import read_boundaries, to_wgs84
from geodata.validation import prepare_areas

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT / "../shared/data"
BOUNDARIES_GPKG = SHARED_DATA / "sheffield_boundaries" / "sheffield_boundaries.gpkg"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real-data folder; skip (or fail on CI) when it is missing."""
    if not SHARED_DATA.is_dir():
        message = f"real test data not found at {SHARED_DATA.resolve()}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture(scope="session")
def boundaries_gpkg(shared_data: Path) -> Path:
    """The Sheffield GeoPackage with its six layers."""
    return shared_data / "sheffield_boundaries" / "sheffield_boundaries.gpkg"


@cache
def _read_layer(layer: str) -> gpd.GeoDataFrame:
    return read_boundaries(BOUNDARIES_GPKG, layer=layer).gdf


@pytest.fixture(scope="session")
def sheffield_layer(boundaries_gpkg: Path) -> Callable[[str], gpd.GeoDataFrame]:
    """Read a layer of the Sheffield GeoPackage (cached; each call returns a copy)."""

    def read(layer: str) -> gpd.GeoDataFrame:
        return _read_layer(layer).copy()

    return read


@cache
def _prepared(layer: str, area_type: str) -> gpd.GeoDataFrame:
    gdf = to_wgs84(_read_layer(layer))
    return prepare_areas(gdf, detect_fields(gdf, area_type)).gdf


@pytest.fixture(scope="session")
def sheffield_areas(boundaries_gpkg: Path) -> Callable[[str, str], gpd.GeoDataFrame]:
    """Prepared areas (code, name, MultiPolygon, EPSG:4326) of a Sheffield layer."""

    def prepared(layer: str, area_type: str) -> gpd.GeoDataFrame:
        return _prepared(layer, area_type).copy()

    return prepared
