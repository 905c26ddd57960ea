"""The performance framework: outcomes, measures and targets, actions with owners and
immutable updates, delivery boards with members, meetings and interests; the revisions
of every change; assessments, innovation flags, issued reports and notifications.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "status IN ('not_started', 'on_track', 'at_risk', 'off_track', 'complete', 'cancelled')"
# What reads depend on tells the read cache when it changes (migration 0011); what the
# framework computed and sent (assessments, flags, reports, notifications) is not read
# through it.
DATA_TABLES = (
    "board", "board_member", "board_meeting", "outcome", "measure", "target", "action",
    "action_measure", "action_area", "action_update", "board_interest", "framework_revision",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "board",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("webhook_url", sa.Text(), nullable=True),
        sa.Column("webhook_secret", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('strategic', 'executive', 'thematic', 'task_and_finish')",
            name=op.f("ck_board_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["board.id"], name=op.f("fk_board_parent_id_board"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board")),
        sa.UniqueConstraint("code", name=op.f("uq_board_code")),
    )
    op.create_table(
        "framework_revision",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("entity", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("op", sa.Text(), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_revision")),
    )
    op.create_index(
        "ix_framework_revision_entity",
        "framework_revision",
        ["entity", "entity_id", "version"],
        unique=False,
    )
    op.create_table(
        "outcome",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["outcome.id"],
            name=op.f("fk_outcome_parent_id_outcome"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome")),
        sa.UniqueConstraint("code", name=op.f("uq_outcome_code")),
    )
    op.create_table(
        "board_meeting",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("board_id", sa.BigInteger(), nullable=False),
        sa.Column("meets_on", sa.Date(), nullable=False),
        sa.Column("updates_due", sa.Date(), nullable=False),
        sa.CheckConstraint("updates_due <= meets_on", name=op.f("ck_board_meeting_due_before")),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["board.id"],
            name=op.f("fk_board_meeting_board_id_board"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_meeting")),
        sa.UniqueConstraint(
            "board_id", "meets_on", name=op.f("uq_board_meeting_board_id_meets_on")
        ),
    )
    op.create_table(
        "measure",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("outcome_id", sa.BigInteger(), nullable=True),
        sa.Column("indicator_code", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("area_type", sa.Text(), nullable=False),
        sa.Column("area_code", sa.Text(), nullable=True),
        sa.Column("groups", sa.Integer(), server_default="5", nullable=False),
        sa.Column("statistic", sa.Text(), nullable=False),
        sa.Column("improvement", sa.Text(), nullable=False),
        sa.Column("baseline_period", sa.Text(), nullable=False),
        sa.Column("baseline_value", sa.Double(), nullable=True),
        sa.Column("lead_board_id", sa.BigInteger(), nullable=True),
        sa.Column("frequency", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "frequency IN ('month', 'quarter', 'year')", name=op.f("ck_measure_frequency")
        ),
        sa.CheckConstraint("improvement IN ('down', 'up')", name=op.f("ck_measure_improvement")),
        sa.CheckConstraint(
            "scope <> 'area' OR area_code IS NOT NULL", name=op.f("ck_measure_area_scope")
        ),
        sa.CheckConstraint(
            "scope IN ('city', 'area', 'deprived', 'gap')", name=op.f("ck_measure_scope")
        ),
        sa.CheckConstraint(
            "statistic IN ('level', 'rate', 'gap', 'sii')", name=op.f("ck_measure_statistic")
        ),
        sa.CheckConstraint("groups IN (5, 10)", name=op.f("ck_measure_groups")),
        sa.ForeignKeyConstraint(
            ["lead_board_id"],
            ["board.id"],
            name=op.f("fk_measure_lead_board_id_board"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcome.id"],
            name=op.f("fk_measure_outcome_id_outcome"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
        sa.UniqueConstraint("code", name=op.f("uq_measure_code")),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("dedupe_key", sa.Text(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("board_id", sa.BigInteger(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column(
            "attempts", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("channel IN ('email', 'webhook')", name=op.f("ck_notification_channel")),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name=op.f("ck_notification_status")
        ),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["board.id"],
            name=op.f("fk_notification_board_id_board"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notification_dedupe_key")),
    )
    op.create_index(
        "ix_notification_pending",
        "notification",
        ["id"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "board_member",
        sa.Column("board_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.Text(), server_default="member", nullable=False),
        sa.Column(
            "added_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["board.id"],
            name=op.f("fk_board_member_board_id_board"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_board_member_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("board_id", "user_id", name=op.f("pk_board_member")),
    )
    op.create_table(
        "board_report",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("board_id", sa.BigInteger(), nullable=False),
        sa.Column("meeting_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "issued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("issued_by", sa.Text(), nullable=False),
        sa.Column("batch_mark", sa.BigInteger(), nullable=True),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column("content", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["board.id"],
            name=op.f("fk_board_report_board_id_board"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["board_meeting.id"],
            name=op.f("fk_board_report_meeting_id_board_meeting"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_report")),
    )
    op.create_table(
        "measure_assessment",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("measure_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "assessed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("batch_mark", sa.BigInteger(), nullable=True),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column("speed", sa.Text(), nullable=True),
        sa.Column("future", sa.Text(), nullable=True),
        sa.Column("effective", sa.Boolean(), nullable=True),
        sa.Column("reported", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_measure_assessment_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_assessment")),
    )
    op.create_index(
        "ix_measure_assessment_measure_id_at",
        "measure_assessment",
        ["measure_id", "assessed_at"],
        unique=False,
    )
    op.create_table(
        "target",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("measure_id", sa.BigInteger(), nullable=False),
        sa.Column("due_period", sa.Text(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("milestone", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("trajectory", sa.Text(), server_default="straight", nullable=False),
        sa.Column("profile", postgresql.ARRAY(sa.Double()), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "trajectory <> 'seasonal' OR profile IS NOT NULL", name=op.f("ck_target_profile")
        ),
        sa.CheckConstraint(
            "trajectory IN ('straight', 'seasonal')", name=op.f("ck_target_trajectory")
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_target_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target")),
        sa.UniqueConstraint(
            "measure_id", "due_period", name=op.f("uq_target_measure_id_due_period")
        ),
    )
    op.create_table(
        "action",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("lead_agency_id", sa.BigInteger(), nullable=True),
        sa.Column("partners", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("status", sa.Text(), server_default="not_started", nullable=False),
        sa.Column("percent_complete", sa.Integer(), server_default="0", nullable=False),
        sa.Column("alert_id", sa.BigInteger(), nullable=True),
        sa.Column("alert_sentence", sa.Text(), nullable=True),
        sa.Column(
            "alert_indicators",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("selected_from", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.CheckConstraint(
            STATUSES,
            name=op.f("ck_action_status"),
        ),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_action_dates")),
        sa.CheckConstraint("percent_complete BETWEEN 0 AND 100", name=op.f("ck_action_percent")),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_action_alert_id_alert"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["lead_agency_id"], ["agency.id"], name=op.f("fk_action_lead_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["app_user.id"], name=op.f("fk_action_owner_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
        sa.UniqueConstraint("code", name=op.f("uq_action_code")),
    )
    op.create_table(
        "action_area",
        sa.Column("action_id", sa.BigInteger(), nullable=False),
        sa.Column("area_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_action_area_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_action_area_area_id_area"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("action_id", "area_id", name=op.f("pk_action_area")),
    )
    op.create_table(
        "action_measure",
        sa.Column("action_id", sa.BigInteger(), nullable=False),
        sa.Column("measure_id", sa.BigInteger(), nullable=False),
        sa.Column("expected", sa.Text(), nullable=False),
        sa.Column("lag_months", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "linked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint("expected IN ('down', 'up')", name=op.f("ck_action_measure_expected")),
        sa.CheckConstraint("lag_months BETWEEN 0 AND 120", name=op.f("ck_action_measure_lag")),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_action_measure_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_action_measure_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("action_id", "measure_id", name=op.f("pk_action_measure")),
    )
    op.create_table(
        "action_update",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("action_id", sa.BigInteger(), nullable=False),
        sa.Column("cycle", sa.Text(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("blockers", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            STATUSES,
            name=op.f("ck_action_update_status"),
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_action_update_progress")),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_action_update_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_action_update_author_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_update")),
        sa.UniqueConstraint("action_id", "cycle", name=op.f("uq_action_update_action_id_cycle")),
    )
    op.create_index(
        op.f("ix_action_update_action_id"), "action_update", ["action_id"], unique=False
    )
    op.create_table(
        "board_interest",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("board_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("action_id", sa.BigInteger(), nullable=True),
        sa.Column("measure_id", sa.BigInteger(), nullable=True),
        sa.Column("indicator_code", sa.Text(), nullable=True),
        sa.Column("area_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('action', 'measure', 'indicator', 'area')",
            name=op.f("ck_board_interest_kind"),
        ),
        sa.CheckConstraint(
            "num_nonnulls(action_id, measure_id, indicator_code, area_id) = 1",
            name=op.f("ck_board_interest_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_board_interest_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
            name=op.f("fk_board_interest_area_id_area"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["board.id"],
            name=op.f("fk_board_interest_board_id_board"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_board_interest_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_interest")),
        sa.UniqueConstraint(
            "board_id",
            "action_id",
            "measure_id",
            "indicator_code",
            "area_id",
            name="uq_board_interest_subject",
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_table(
        "innovation_flag",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("measure_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "raised_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_by_action_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cleared_by_action_id"],
            ["action.id"],
            name=op.f("fk_innovation_flag_cleared_by_action_id_action"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_innovation_flag_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_innovation_flag")),
    )
    op.create_index(
        "uq_innovation_flag_open",
        "innovation_flag",
        ["measure_id"],
        unique=True,
        postgresql_where=sa.text("cleared_at IS NULL"),
    )

    for table in DATA_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_data_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION note_data_change()"
        )
    # An update is what the owner said for a cycle, reported to every interested board
    # as it was said: it is never changed (a correction is the next cycle's update).
    op.execute(
        """
        CREATE FUNCTION refuse_update_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'action updates are immutable' USING ERRCODE = 'restrict_violation';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER action_update_immutable BEFORE UPDATE ON action_update "
        "FOR EACH ROW EXECUTE FUNCTION refuse_update_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER action_update_immutable ON action_update")
    op.execute("DROP FUNCTION refuse_update_change()")
    for table in DATA_TABLES:
        op.execute(f"DROP TRIGGER {table}_data_change ON {table}")
    op.drop_index(
        "uq_innovation_flag_open",
        table_name="innovation_flag",
        postgresql_where=sa.text("cleared_at IS NULL"),
    )
    op.drop_table("innovation_flag")
    op.drop_table("board_interest")
    op.drop_index(op.f("ix_action_update_action_id"), table_name="action_update")
    op.drop_table("action_update")
    op.drop_table("action_measure")
    op.drop_table("action_area")
    op.drop_table("action")
    op.drop_table("target")
    op.drop_index("ix_measure_assessment_measure_id_at", table_name="measure_assessment")
    op.drop_table("measure_assessment")
    op.drop_table("board_report")
    op.drop_table("board_member")
    op.drop_index(
        "ix_notification_pending",
        table_name="notification",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_table("notification")
    op.drop_table("measure")
    op.drop_table("board_meeting")
    op.drop_table("outcome")
    op.drop_index("ix_framework_revision_entity", table_name="framework_revision")
    op.drop_table("framework_revision")
    op.drop_table("board")
