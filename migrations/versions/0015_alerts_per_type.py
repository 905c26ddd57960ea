"""Alerts at every configured area type: each alert records the type it was found at.

A run analyses several area types (the finest, and the largest type most partners
recognise), each with its own false discovery rate, so an alert belongs to a type:
``alert.area_type``. Alerts about an area take their area's type; a gap (about the city)
takes the type the run analysed, from its parameters.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("alert", sa.Column("area_type", sa.Text(), nullable=True))
    op.create_foreign_key(
        op.f("fk_alert_area_type_area_type"),
        "alert",
        "area_type",
        ["area_type"],
        ["code"],
        ondelete="CASCADE",
    )
    op.execute("UPDATE alert al SET area_type = ar.type_code FROM area ar WHERE ar.id = al.area_id")
    op.execute(
        """
        UPDATE alert al SET area_type = r.params->>'area_type'
        FROM analysis_run r
        WHERE r.id = al.run_id AND al.area_type IS NULL
          AND EXISTS (SELECT 1 FROM area_type t WHERE t.code = r.params->>'area_type')
        """
    )
    op.create_index(
        op.f("ix_alert_run_id_area_type"), "alert", ["run_id", "area_type"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_alert_run_id_area_type"), table_name="alert")
    op.drop_constraint(op.f("fk_alert_area_type_area_type"), "alert", type_="foreignkey")
    op.drop_column("alert", "area_type")
