"""Every table on one metadata: import this module to see the whole schema (Alembic)."""

from app.access.models import Agency, ApiKey, AuthThrottle, PendingSignIn, User, UserSession
from app.analysis.models import Alert, AlertAcknowledgement, AnalysisRun
from app.areas.models import Area, AreaDisplay, AreaType, CustomArea, Postcode, VintageLink
from app.audit.models import AuditEvent
from app.events.models import Event
from app.framework.models import (
    Action,
    ActionArea,
    ActionMeasure,
    ActionUpdate,
    Assessment,
    Board,
    BoardMember,
    InnovationFlag,
    Interest,
    Measure,
    Meeting,
    Notification,
    Outcome,
    Report,
    Revision,
    Target,
)
from app.indicators.models import indicator_table
from app.models import Base
from app.observations.models import CountCoverage, Observation
from app.snapshots import DataChange
from app.uploads.models import Batch

metadata = Base.metadata

__all__ = [
    "Action",
    "ActionArea",
    "ActionMeasure",
    "ActionUpdate",
    "Agency",
    "Alert",
    "AlertAcknowledgement",
    "AnalysisRun",
    "ApiKey",
    "Area",
    "AreaDisplay",
    "AreaType",
    "Assessment",
    "AuditEvent",
    "AuthThrottle",
    "Batch",
    "Board",
    "BoardMember",
    "CountCoverage",
    "CustomArea",
    "DataChange",
    "Event",
    "InnovationFlag",
    "Interest",
    "Measure",
    "Meeting",
    "Notification",
    "Observation",
    "Outcome",
    "PendingSignIn",
    "Postcode",
    "Report",
    "Revision",
    "Target",
    "User",
    "UserSession",
    "VintageLink",
    "indicator_table",
    "metadata",
]
