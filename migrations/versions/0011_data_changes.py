"""What the read cache is keyed by: one row per transaction that changed data.

The read cache (:mod:`app.snapshots`) reused a result while ``pg_current_snapshot()``
stayed the same, so any committed write, by anyone, was a miss for everyone. Since
officers' restricted reads are audited (a write per request), that would recompute every
map after every officer's look. So the tables whose rows reads are made of record, by a
statement trigger, the transaction that changed them in ``data_change``; readers key on
how many of those rows they can see, which changes exactly when a change to data becomes
visible to them (the rows visible to later snapshots are a superset of earlier ones).
Writes to accounts, sessions, keys, the throttle, the queue and the audit are not data.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table a read may be made of (tests/test_migrations.py checks none is missing).
DATA_TABLES = (
    "agency", "alert", "analysis_run", "area", "area_display", "area_tile", "area_type",
    "batch", "count_coverage", "event", "indicator", "observation",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "data_change",
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("xid", name=op.f("pk_data_change")),
    )
    op.execute(
        """
        CREATE FUNCTION note_data_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO data_change (xid) VALUES (pg_current_xact_id()::text::bigint)
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$
        """
    )
    for table in DATA_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_data_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION note_data_change()"
        )


def downgrade() -> None:
    for table in DATA_TABLES:
        op.execute(f"DROP TRIGGER {table}_data_change ON {table}")
    op.execute("DROP FUNCTION note_data_change()")
    op.drop_table("data_change")
