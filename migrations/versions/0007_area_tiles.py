"""Vector tiles of area types built ahead, for the zooms where a tile holds thousands of
areas.

``area_tile`` keeps each area type's Mapbox vector tiles (built by ``ST_AsMVT``) from
zoom 0 to a low zoom, empty tiles included, so that a tile request there is a lookup
instead of clipping and encoding up to 7,000 LSOAs. The importer rebuilds a type's
tiles after writing its areas, in the same transaction.

Tiles must never outlive the geometry they were drawn from, whoever changes it: any
statement that inserts, updates or deletes areas or their display geometries deletes
the tiles of the area types it touched (statement-level triggers over transition
tables). Within a transaction that rebuilds tiles, the rebuild runs after the writes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STALE = {
    "area": "SELECT DISTINCT type_code FROM changed",
    "area_display": "SELECT DISTINCT a.type_code FROM changed c JOIN area a ON a.id = c.area_id",
}
_EVENTS = (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))


def upgrade() -> None:
    op.create_table(
        "area_tile",
        sa.Column("type_code", sa.Text(), nullable=False),
        sa.Column("z", sa.SmallInteger(), nullable=False),
        sa.Column("x", sa.Integer(), nullable=False),
        sa.Column("y", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["area_type.code"],
            name=op.f("fk_area_tile_type_code_area_type"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("type_code", "z", "x", "y", name=op.f("pk_area_tile")),
    )
    for table, types in _STALE.items():
        op.execute(
            f"CREATE FUNCTION area_tile_stale_from_{table}() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"DELETE FROM area_tile WHERE type_code IN ({types}); "
            "RETURN NULL; END $$"
        )
        for event, rows in _EVENTS:
            op.execute(
                f"CREATE TRIGGER area_tile_stale_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {rows} TABLE AS changed FOR EACH STATEMENT "
                f"EXECUTE FUNCTION area_tile_stale_from_{table}()"
            )


def downgrade() -> None:
    for table in _STALE:
        for event, _ in _EVENTS:
            op.execute(f"DROP TRIGGER area_tile_stale_{event.lower()} ON {table}")
        op.execute(f"DROP FUNCTION area_tile_stale_from_{table}()")
    op.drop_table("area_tile")
