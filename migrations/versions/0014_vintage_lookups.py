"""Boundary-change lookups: how the people of one vintage's areas are shared among
another vintage's areas of the same type (``nis import-lookup``), so that values uploaded
on 2011 LSOAs are converted into the 2021 LSOAs the analysis reads.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vintage_link",
        sa.Column("from_area_id", sa.BigInteger(), nullable=False),
        sa.Column("to_area_id", sa.BigInteger(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("share", sa.Double(), nullable=False),
        sa.Column("to_share", sa.Double(), nullable=False),
        sa.CheckConstraint(
            "share >= 0 AND share <= 1", name=op.f("ck_vintage_link_share_in_range")
        ),
        sa.CheckConstraint(
            "to_share >= 0 AND to_share <= 1", name=op.f("ck_vintage_link_to_share_in_range")
        ),
        sa.CheckConstraint(
            "change IN ('U', 'S', 'M', 'X')", name=op.f("ck_vintage_link_change_class")
        ),
        sa.ForeignKeyConstraint(
            ["from_area_id"],
            ["area.id"],
            name=op.f("fk_vintage_link_from_area_id_area"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_area_id"],
            ["area.id"],
            name=op.f("fk_vintage_link_to_area_id_area"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("from_area_id", "to_area_id", name=op.f("pk_vintage_link")),
    )
    op.create_index("ix_vintage_link_to_area_id", "vintage_link", ["to_area_id"], unique=False)
    # A read of converted values is made of this table: tell the read cache of changes
    # (migration 0011).
    op.execute(
        "CREATE TRIGGER vintage_link_data_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        "ON vintage_link FOR EACH STATEMENT EXECUTE FUNCTION note_data_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER vintage_link_data_change ON vintage_link")
    op.drop_index("ix_vintage_link_to_area_id", table_name="vintage_link")
    op.drop_table("vintage_link")
