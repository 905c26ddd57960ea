"""Count coverage: which event counts were made, so that areas without events read as zero.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "count_coverage",
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("indicator_code", sa.Text(), nullable=False),
        sa.Column("type_code", sa.Text(), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batch.id"], name=op.f("fk_count_coverage_batch_id_batch")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_code"],
            ["indicator.code"],
            name=op.f("fk_count_coverage_indicator_code_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "batch_id",
            "indicator_code",
            "type_code",
            "vintage",
            "period",
            name=op.f("pk_count_coverage"),
        ),
    )
    op.create_index(
        "ix_count_coverage_indicator",
        "count_coverage",
        ["indicator_code", "type_code"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_count_coverage_indicator", table_name="count_coverage")
    op.drop_table("count_coverage")
