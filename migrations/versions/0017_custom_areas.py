"""Custom areas: an officer's own patch, made of small areas or drawn, each an area of an
area type of its own (so that maps, profiles, OGC and downloads serve it as any type),
with its owner and sharing (``private`` or ``partnership``).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custom_area",
        sa.Column("area_id", sa.BigInteger(), nullable=False),
        sa.Column("type_code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("agency", sa.Text(), nullable=True),
        sa.Column("sharing", sa.Text(), nullable=False),
        sa.Column("made_from", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "made_from IN ('areas', 'polygon')", name=op.f("ck_custom_area_made_from")
        ),
        sa.CheckConstraint(
            "sharing IN ('private', 'partnership')", name=op.f("ck_custom_area_sharing")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_custom_area_area_id_area"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["app_user.id"],
            name=op.f("fk_custom_area_owner_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["area_type.code"],
            name=op.f("fk_custom_area_type_code_area_type"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("area_id", name=op.f("pk_custom_area")),
        sa.UniqueConstraint("type_code", name=op.f("uq_custom_area_type_code")),
    )
    op.create_index("ix_custom_area_owner_id", "custom_area", ["owner_id"], unique=False)
    # Who may see which patch is data reads depend on (migration 0011).
    op.execute(
        "CREATE TRIGGER custom_area_data_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        "ON custom_area FOR EACH STATEMENT EXECUTE FUNCTION note_data_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER custom_area_data_change ON custom_area")
    op.drop_index("ix_custom_area_owner_id", table_name="custom_area")
    op.drop_table("custom_area")
