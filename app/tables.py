"""Every table on one metadata: import this module to see the whole schema (Alembic)."""

from app.access.models import Agency, ApiKey, AuthThrottle, PendingSignIn, User, UserSession
from app.analysis.models import Alert, AnalysisRun
from app.areas.models import Area, AreaDisplay, AreaType, CustomArea, Postcode, VintageLink
from app.audit.models import AuditEvent
from app.events.models import Event
from app.indicators.models import indicator_table
from app.models import Base
from app.observations.models import CountCoverage, Observation
from app.snapshots import DataChange
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
    "AuditEvent",
    "AuthThrottle",
    "Batch",
    "CountCoverage",
    "CustomArea",
    "DataChange",
    "Event",
    "Observation",
    "PendingSignIn",
    "Postcode",
    "User",
    "UserSession",
    "VintageLink",
    "indicator_table",
    "metadata",
]
