"""Alerts officers can act on: when an alert was first raised, its statistics in plain
strings, and officers' acknowledgements and assignments.

- ``alert.first_run_id`` and ``alert.raised_at``: the run that first raised the same
  alert (kind, area, area type and indicators) in an unbroken series of finished runs up
  to the alert's own, and when; a new alert has its own run's. Existing alerts are
  worked out run by run.
- ``alert.details``: the statistics behind the sentence, as short plain strings.
- ``alert_acknowledgement``: who acknowledged an alert (with a note) or assigned it to
  whom, and when. Rows are never changed (a trigger refuses it): the history is kept. A
  row holds the alert's identity and series, so it follows the alert into later runs.
  The alerts a read gives carry their state, so the table tells the read cache of
  changes, as every data table does (0011).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same alert in the previous finished run (``p``) as in this one (``a``).
SAME_ALERT = (
    "p.kind = a.kind AND p.area_id IS NOT DISTINCT FROM a.area_id "
    "AND p.area_type IS NOT DISTINCT FROM a.area_type "
    "AND p.indicators @> a.indicators AND p.indicators <@ a.indicators"
)


def upgrade() -> None:
    op.add_column(
        "alert",
        sa.Column("details", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )
    op.add_column("alert", sa.Column("first_run_id", sa.BigInteger(), nullable=True))
    op.add_column(
        "alert",
        sa.Column(
            "raised_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=True
        ),
    )
    op.execute("UPDATE alert SET first_run_id = run_id, raised_at = created_at")
    op.execute(
        f"""
        DO $$
        DECLARE
            r record;
            prev bigint := NULL;
        BEGIN
            FOR r IN SELECT id FROM analysis_run WHERE status = 'done' ORDER BY id LOOP
                IF prev IS NOT NULL THEN
                    UPDATE alert a SET first_run_id = p.first_run_id, raised_at = p.raised_at
                    FROM alert p
                    WHERE a.run_id = r.id AND p.run_id = prev AND {SAME_ALERT};
                END IF;
                prev := r.id;
            END LOOP;
        END $$
        """
    )
    op.alter_column("alert", "first_run_id", nullable=False)
    op.alter_column("alert", "raised_at", nullable=False)

    op.create_table(
        "alert_acknowledgement",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("alert_id", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("first_run_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("area_id", sa.BigInteger(), nullable=True),
        sa.Column("area_type", sa.Text(), nullable=True),
        sa.Column("indicators", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("assignee_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "action IN ('acknowledge', 'assign')", name=op.f("ck_alert_acknowledgement_action")
        ),
        sa.CheckConstraint(
            "action <> 'assign' OR assignee_id IS NOT NULL",
            name=op.f("ck_alert_acknowledgement_assignee"),
        ),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
            name=op.f("fk_alert_acknowledgement_area_id_area"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_alert_acknowledgement_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["app_user.id"],
            name=op.f("fk_alert_acknowledgement_assignee_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_acknowledgement")),
    )
    op.create_index(
        "ix_alert_acknowledgement_series",
        "alert_acknowledgement",
        ["first_run_id", "kind"],
        unique=False,
    )
    op.execute(
        "CREATE TRIGGER alert_acknowledgement_data_change AFTER INSERT OR UPDATE OR DELETE "
        "OR TRUNCATE ON alert_acknowledgement FOR EACH STATEMENT "
        "EXECUTE FUNCTION note_data_change()"
    )
    # What an officer said and did is kept as they did it: a change is a new row.
    op.execute(
        """
        CREATE FUNCTION refuse_alert_acknowledgement_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'alert acknowledgements are never changed'
                USING ERRCODE = 'restrict_violation';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER alert_acknowledgement_immutable BEFORE UPDATE ON alert_acknowledgement "
        "FOR EACH ROW EXECUTE FUNCTION refuse_alert_acknowledgement_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER alert_acknowledgement_immutable ON alert_acknowledgement")
    op.execute("DROP FUNCTION refuse_alert_acknowledgement_change()")
    op.execute("DROP TRIGGER alert_acknowledgement_data_change ON alert_acknowledgement")
    op.drop_index("ix_alert_acknowledgement_series", table_name="alert_acknowledgement")
    op.drop_table("alert_acknowledgement")
    op.drop_column("alert", "raised_at")
    op.drop_column("alert", "first_run_id")
    op.drop_column("alert", "details")
