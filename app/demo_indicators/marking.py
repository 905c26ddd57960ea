"""Whether an instance shows the demo's generated values, and the sentence that says so."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.demo_indicators.records import DEMO_LABEL

DEMO_NOTICE = "Demonstration data: generated, not real figures."


def shows_demo_data(session: Session) -> bool:
    """True while the demo's batch of generated values (labelled :data:`DEMO_LABEL`) is
    loaded and not reverted: the page and every export are then marked DEMO."""
    found = session.execute(
        text("SELECT 1 FROM batch WHERE filename = :f AND reverted_at IS NULL LIMIT 1"),
        {"f": DEMO_LABEL},
    ).first()
    return found is not None
