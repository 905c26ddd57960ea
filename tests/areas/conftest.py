from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.areas.importer import ImportReport, ImportRequest, import_areas

GPKG = "sheffield_boundaries/sheffield_boundaries.gpkg"

# Layer, type, parent type, expected count: the Sheffield hierarchy as shipped.
SHEFFIELD_LAYERS = [
    ("sheffield_lac_asc_localities_7", "lac", None, 7),
    ("sheffield_wards2020_bgc", "ward", "lac", 28),
    ("sheffield_neighbourhoods_100", "neighbourhood", "ward", 100),
    ("sheffield_msoa2011_bgc", "msoa", None, 70),
    ("sheffield_lsoa2011_bgc", "lsoa", "msoa", 345),
    ("sheffield_oa2011_bgc", "oa", "lsoa", 1817),
]


@pytest.fixture(scope="session")
def gpkg(shared_data: Path) -> Path:
    return shared_data / GPKG


def run_import(session: Session, path: Path, type_code: str, **options: object) -> ImportReport:
    return import_areas(session, ImportRequest(path=path, type_code=type_code, **options))  # type: ignore[arg-type]


def import_layer(
    session: Session,
    gpkg: Path,
    layer: str,
    type_code: str,
    parent: str | None = None,
    **options: object,
) -> ImportReport:
    # Council layers carry no year in their field names: their vintage is stated.
    vintage = None if any(layer.endswith(s) for s in ("_bgc",)) else 2020
    return run_import(
        session, gpkg, type_code, layer=layer, parent_type=parent, vintage=vintage, **options
    )
