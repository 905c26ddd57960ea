"""Framework-free geodata handling for the Neighbourhood Information System.

Reading boundary files, choosing their code and name fields, validating and repairing
features, simplifying display geometries, reading lookups and building a demo city. Nothing
here knows about the web application or the database: GeoDataFrames in, GeoDataFrames and
dataclasses out, domain errors from :mod:`geodata.errors`.
"""

from geodata.demo import DEMO_NOTICE, DemoGeography, demo_cities, demo_city
from geodata.errors import (
    BoundaryFileError,
    CrsError,
    FeatureProblem,
    FeatureValidationError,
    FieldDetectionError,
    GeodataError,
    LookupFileError,
    RepairRefusedError,
    UnknownCityError,
)
from geodata.fields import FieldChoice, detect_fields
from geodata.lookup import LookupTable, read_lookup
from geodata.reading import BoundaryFile, list_layers, read_boundaries, to_wgs84
from geodata.repair import MAX_REPAIR_CHANGE_PCT, RepairReport
from geodata.simplify import DISPLAY_LEVELS, DisplayLevel, check_coverage, simplify_coverage
from geodata.validation import PreparedAreas, prepare_areas

__all__ = [
    "DEMO_NOTICE",
    "DISPLAY_LEVELS",
    "MAX_REPAIR_CHANGE_PCT",
    "BoundaryFile",
    "BoundaryFileError",
    "CrsError",
    "DemoGeography",
    "DisplayLevel",
    "FeatureProblem",
    "FeatureValidationError",
    "FieldChoice",
    "FieldDetectionError",
    "GeodataError",
    "LookupFileError",
    "LookupTable",
    "PreparedAreas",
    "RepairRefusedError",
    "RepairReport",
    "UnknownCityError",
    "check_coverage",
    "demo_cities",
    "demo_city",
    "detect_fields",
    "list_layers",
    "prepare_areas",
    "read_boundaries",
    "read_lookup",
    "simplify_coverage",
    "to_wgs84",
]
