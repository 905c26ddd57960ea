"""Every table on one metadata: import this module to see the whole schema (Alembic)."""

from app.access.models import Agency, ApiKey
from app.analysis.models import Alert, AnalysisRun
from app.areas.models import Area, AreaDisplay, AreaType
from app.events.models import Event
from app.indicators.models import indicator_table
from app.models import Base
from app.observations.models import CountCoverage, Observation
from app.uploads.models import Batch

metadata = Base.metadata

__all__ = [
    "Agency",
    "Alert",
    "AnalysisRun",
    "ApiKey",
    "Area",
    "AreaDisplay",
    "AreaType",
    "Batch",
    "CountCoverage",
    "Event",
    "Observation",
    "indicator_table",
    "metadata",
]
