"""Geography: area types (a hierarchy held as data), areas and display boundaries.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "area_type",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["area_type.code"],
            name=op.f("fk_area_type_parent_code_area_type"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_area_type")),
    )
    op.create_table(
        "area",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("type_code", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("area_km2", sa.Float(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["area.id"], name=op.f("fk_area_parent_id_area"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["area_type.code"],
            name=op.f("fk_area_type_code_area_type"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area")),
        sa.UniqueConstraint(
            "type_code", "code", "vintage", name=op.f("uq_area_type_code_code_vintage")
        ),
    )
    op.create_index("ix_area_code", "area", ["code"], unique=False)
    op.create_index("ix_area_geom", "area", ["geom"], unique=False, postgresql_using="gist")
    op.create_index("ix_area_parent_id", "area", ["parent_id"], unique=False)
    op.create_table(
        "area_display",
        sa.Column("area_id", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_area_display_area_id_area"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("area_id", "level", name=op.f("pk_area_display")),
    )
    op.create_index(
        "ix_area_display_geom", "area_display", ["geom"], unique=False, postgresql_using="gist"
    )


def downgrade() -> None:
    op.drop_index("ix_area_display_geom", table_name="area_display", postgresql_using="gist")
    op.drop_table("area_display")
    op.drop_index("ix_area_parent_id", table_name="area")
    op.drop_index("ix_area_geom", table_name="area", postgresql_using="gist")
    op.drop_index("ix_area_code", table_name="area")
    op.drop_table("area")
    op.drop_table("area_type")
