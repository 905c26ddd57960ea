"""Finding a place: trigram indexes for searching areas by part of their name or code,
and the postcode directory (``nis import-postcodes``).

``pg_trgm`` ships with PostgreSQL (Debian's ``postgresql`` package) and is a trusted
extension: a database owner may create it. Its GIN indexes serve ``ILIKE '%text%'``,
which no B-tree can.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in ("name", "code"):
        op.create_index(
            f"ix_area_{column}_trgm",
            "area",
            [column],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
    op.create_table(
        "postcode",
        sa.Column("postcode", sa.Text(), nullable=False),
        sa.Column("lsoa11", sa.Text(), nullable=True),
        sa.Column("lsoa21", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("postcode", name=op.f("pk_postcode")),
    )
    # Postcodes are data a read is made of (migration 0011).
    op.execute(
        "CREATE TRIGGER postcode_data_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        "ON postcode FOR EACH STATEMENT EXECUTE FUNCTION note_data_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER postcode_data_change ON postcode")
    op.drop_table("postcode")
    for column in ("name", "code"):
        op.drop_index(f"ix_area_{column}_trgm", table_name="area")
    op.execute("DROP EXTENSION IF EXISTS pg_trgm")
