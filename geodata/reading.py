"""Reading boundary files (GeoJSON, GeoPackage, Shapefile, zipped Shapefile) and fixing their CRS.

Everything is read with the pyogrio engine. The CRS is never guessed silently: a file without
one is accepted only when its coordinates can only be longitude/latitude, and a note says so.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pyogrio
import pyogrio.errors
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from geodata.errors import BoundaryFileError, CrsError

WGS84 = "EPSG:4326"

# British National Grid's false origin puts all of Great Britain in these eastings/northings;
# a CRS-less file whose bounds fit here is almost certainly BNG.
_BNG_MAX_EASTING = 700_000.0
_BNG_MAX_NORTHING = 1_300_000.0


@dataclass
class BoundaryFile:
    """A boundary layer as read from a file.

    Attributes
    ----------
    gdf : geopandas.GeoDataFrame
        The features, in the file's CRS (or the override), which is always set.
    layer : str
        Name of the layer that was read.
    source_crs : str
        The CRS of ``gdf`` as a string, e.g. ``"EPSG:27700"``.
    notes : list of str
        Things the user should know (CRS assumed or overridden...).
    """

    gdf: gpd.GeoDataFrame
    layer: str
    source_crs: str
    notes: list[str] = field(default_factory=list)


def list_layers(path: str | Path) -> list[str]:
    """List the layers of a vector file.

    Parameters
    ----------
    path : str or Path
        A GeoJSON, GeoPackage, Shapefile or zip file of Shapefiles.

    Returns
    -------
    list of str
        Layer names. For a zip file, the names of the Shapefiles it contains (without
        ``.shp``).

    Raises
    ------
    BoundaryFileError
        If the file does not exist or cannot be opened.
    """
    file = _existing(path)
    if _is_zip(file):
        return [PurePosixPath(m).stem for m in _zip_shapefiles(file)]
    try:
        layers = pyogrio.list_layers(file)
    except (pyogrio.errors.DataSourceError, RuntimeError) as exc:
        raise _unreadable(file, exc) from exc
    return [str(name) for name in layers[:, 0]]


def read_boundaries(
    path: str | Path, layer: str | None = None, source_crs: str | None = None
) -> BoundaryFile:
    """Read one boundary layer from a file and make sure its CRS is known.

    Parameters
    ----------
    path : str or Path
        GeoJSON, GeoPackage, Shapefile, or ``.zip`` holding one or more Shapefiles.
    layer : str, optional
        Layer to read (for a zip, the Shapefile name without ``.shp``); matched
        case-insensitively. Required when the file holds several layers.
    source_crs : str, optional
        CRS of the coordinates (anything pyproj accepts, e.g. ``"EPSG:27700"``). It wins over
        the CRS declared by the file, with a note.

    Returns
    -------
    BoundaryFile
        The features in the file's CRS, with the layer name, the CRS and notes.

    Raises
    ------
    BoundaryFileError
        Missing or unreadable file, unknown layer, several layers and none chosen, a layer
        without geometry or features.
    CrsError
        The file has no CRS and its coordinates are not longitude/latitude, or
        ``source_crs`` is not a valid CRS.
    """
    file = _existing(path)
    dataset, layer_name = _choose_layer(file, layer)
    try:
        gdf = gpd.read_file(
            dataset, layer=layer_name if not _is_zip(file) else None, engine="pyogrio"
        )
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, RuntimeError) as exc:
        raise _unreadable(file, exc) from exc
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise BoundaryFileError(
            f"Layer {layer_name!r} of {file.name} has no geometry column.",
            code="no_geometry",
            hint="a boundary file needs polygons; a plain table cannot be used as boundaries.",
        )
    if len(gdf) == 0:
        raise BoundaryFileError(
            f"Layer {layer_name!r} of {file.name} has no features.", code="empty_layer"
        )
    gdf, notes = _settle_crs(gdf, source_crs, file.name)
    notes.insert(0, f"Read {len(gdf)} features from layer {layer_name!r} of {file.name}.")
    return BoundaryFile(gdf=gdf, layer=layer_name, source_crs=_crs_label(gdf.crs), notes=notes)


def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject a GeoDataFrame to WGS84 longitude/latitude (EPSG:4326).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with a CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        A new GeoDataFrame in EPSG:4326 (x = longitude, y = latitude).

    Raises
    ------
    CrsError
        If ``gdf`` has no CRS: reprojecting would be a guess.
    """
    if gdf.crs is None:
        raise CrsError(
            "The features have no CRS, so they cannot be reprojected to WGS84.",
            hint="read the file with read_boundaries(), which settles the CRS.",
        )
    return gdf.to_crs(WGS84)


# --- helpers -------------------------------------------------------------------------------


def _existing(path: str | Path) -> Path:
    file = Path(path)
    if not file.exists():
        raise BoundaryFileError(f"File not found: {file}", code="file_not_found")
    return file


def _is_zip(file: Path) -> bool:
    return file.suffix.lower() == ".zip"


def _unreadable(file: Path, exc: Exception) -> BoundaryFileError:
    return BoundaryFileError(
        f"Cannot read {file.name} as a vector file: {exc}",
        code="unreadable_file",
        hint="supported formats are GeoJSON, GeoPackage, Shapefile and a zipped Shapefile.",
    )


def _zip_shapefiles(file: Path) -> list[str]:
    """Return the ``.shp`` members of a zip, skipping macOS resource-fork folders."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise _unreadable(file, exc) from exc
    return [n for n in names if n.lower().endswith(".shp") and not n.startswith("__MACOSX/")]


def _pick(requested: str, available: list[str], file: Path) -> str:
    """Match a requested layer name, exactly first, then ignoring case."""
    if requested in available:
        return requested
    folded = [a for a in available if a.casefold() == requested.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise BoundaryFileError(
        f"{file.name} has no layer {requested!r}. Its layers are: {', '.join(available)}.",
        code="unknown_layer",
        hint="choose one of the layers listed (--layer).",
        layers=available,
    )


def _require_single(available: list[str], file: Path) -> str:
    if not available:
        raise BoundaryFileError(
            f"{file.name} contains no layer (for a zip: no .shp file).", code="no_layer"
        )
    if len(available) > 1:
        raise BoundaryFileError(
            f"{file.name} holds {len(available)} layers; say which one to import. "
            f"Its layers are: {', '.join(available)}.",
            code="layer_required",
            hint="choose one of the layers listed (--layer).",
            layers=available,
        )
    return available[0]


def _choose_layer(file: Path, layer: str | None) -> tuple[str, str]:
    """Return the GDAL dataset path to open and the layer name to report."""
    if _is_zip(file):
        members = _zip_shapefiles(file)
        stems = [PurePosixPath(m).stem for m in members]
        if len(set(stems)) != len(stems):
            # same name in two folders of the zip: let the full member path name the layer
            stems = members
        name = _require_single(stems, file) if layer is None else _pick(layer, stems, file)
        member = members[stems.index(name)]
        # GDAL reads inside the zip without extracting it.
        return f"/vsizip/{file.resolve()}/{member}", name
    available = list_layers(file)
    name = _require_single(available, file) if layer is None else _pick(layer, available, file)
    return str(file), name


def _crs_label(crs: CRS) -> str:
    """A short label for a CRS: its authority code when it has one."""
    authority = crs.to_authority()
    if authority is not None:
        return f"{authority[0]}:{authority[1]}"
    return str(crs.to_string())


def _parse_crs(text: str) -> CRS:
    try:
        return CRS.from_user_input(text)
    except PyprojCRSError as exc:
        raise CrsError(
            f"{text!r} is not a coordinate reference system pyproj understands.",
            code="invalid_crs",
            hint="give an EPSG code such as EPSG:27700 (British National Grid) or "
            "EPSG:4326 (WGS84 longitude/latitude).",
        ) from exc


def _settle_crs(
    gdf: gpd.GeoDataFrame, source_crs: str | None, filename: str
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Return the features with a CRS set, and notes on how it was decided."""
    notes: list[str] = []
    if source_crs is not None:
        override = _parse_crs(source_crs)
        if gdf.crs is not None and not override.equals(gdf.crs):
            notes.append(
                f"{filename} declares CRS {_crs_label(gdf.crs)}; using {_crs_label(override)} "
                "as requested instead."
            )
        elif gdf.crs is None:
            notes.append(f"{filename} has no CRS; using {_crs_label(override)} as requested.")
        return gdf.set_crs(override, allow_override=True), notes
    minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
    bounds = f"x {minx:.6g}..{maxx:.6g}, y {miny:.6g}..{maxy:.6g}"
    finite = bool(np.all(np.isfinite([minx, miny, maxx, maxy])))
    lon_lat = -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
    if gdf.crs is not None:
        # GDAL reports EPSG:4326 for every GeoJSON (RFC 7946 allows no other), so a
        # British National Grid export without a crs member arrives "in degrees".
        if gdf.crs.is_geographic and finite and not lon_lat:
            raise CrsError(
                f"{filename} declares {_crs_label(gdf.crs)} (GeoJSON always does) but its "
                f"coordinates ({bounds}) are not longitude/latitude.",
                hint=_crs_hint(minx, miny, maxx, maxy),
            )
        return gdf, notes
    if not finite:
        raise CrsError(
            f"{filename} has no CRS and no coordinates to judge it by.",
            hint="pass the CRS explicitly (--crs).",
        )
    if lon_lat:
        notes.append(
            f"{filename} has no CRS; its coordinates ({bounds}) all lie within longitude/"
            "latitude ranges, so WGS84 longitude/latitude (EPSG:4326) was assumed. "
            "If that is wrong, pass the CRS explicitly (--crs)."
        )
        return gdf.set_crs(WGS84), notes
    raise CrsError(
        f"{filename} has no CRS and its coordinates ({bounds}) are not longitude/latitude, "
        "so their CRS cannot be assumed.",
        hint=_crs_hint(minx, miny, maxx, maxy),
    )


def _crs_hint(minx: float, miny: float, maxx: float, maxy: float) -> str:
    if 0 <= minx <= maxx <= _BNG_MAX_EASTING and 0 <= miny <= maxy <= _BNG_MAX_NORTHING:
        return (
            "the coordinates look like British National Grid eastings/northings: re-run with "
            "--crs EPSG:27700, or add the .prj file that belongs with the data."
        )
    return (
        "pass the CRS the coordinates are in (--crs EPSG:xxxx), or add the .prj file "
        "that belongs with the data."
    )
