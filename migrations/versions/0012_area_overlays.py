"""Values at area types the finer areas do not nest in (wards, neighbourhoods, committees,
custom patches): how each area of such a type is made of the finest type's areas.

``area_overlay`` holds, for each (target area, source area) that overlap, the share of
the source area's population inside the target and whether the target is the source's
best fit (the one holding most of its population), with the source's population
(``people``, which weights scores). ``area_fit`` holds each target
area's degree of fit: the share of its population covered by whole source areas, and
the basis the shares were worked out on. The catalogue gains ``apportionment``: how an
indicator is carried to such a type (population-weighted, best fit, or not at all).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_DATA_TABLES = ("area_overlay", "area_fit")


def upgrade() -> None:
    op.add_column("indicator", sa.Column("apportionment", sa.Text(), nullable=True))
    op.create_table(
        "area_overlay",
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("source_id", sa.BigInteger(), nullable=False),
        sa.Column("share", sa.Double(), nullable=False),
        sa.Column("best", sa.Boolean(), nullable=False),
        sa.Column("people", sa.Double(), nullable=False),
        sa.CheckConstraint("share > 0 AND share <= 1", name=op.f("ck_area_overlay_share")),
        sa.ForeignKeyConstraint(
            ["target_id"], ["area.id"], name=op.f("fk_area_overlay_target_id_area"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["area.id"], name=op.f("fk_area_overlay_source_id_area"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("target_id", "source_id", name=op.f("pk_area_overlay")),
    )  # fmt: skip
    op.create_index("ix_area_overlay_source_id", "area_overlay", ["source_id"])
    op.create_table(
        "area_fit",
        sa.Column("area_id", sa.BigInteger(), nullable=False),
        sa.Column("source_type", sa.Text(), nullable=False),
        sa.Column("source_vintage", sa.Integer(), nullable=False),
        sa.Column("fit", sa.Double(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_area_fit_area_id_area"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("area_id", "source_type", name=op.f("pk_area_fit")),
    )
    for table in NEW_DATA_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_data_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION note_data_change()"
        )


def downgrade() -> None:
    op.drop_table("area_fit")
    op.drop_index("ix_area_overlay_source_id", table_name="area_overlay")
    op.drop_table("area_overlay")
    op.drop_column("indicator", "apportionment")
