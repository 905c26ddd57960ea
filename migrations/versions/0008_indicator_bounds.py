"""Bounds on what an upload may store: the years an indicator's periods may start in and
its largest value (catalogue columns ``earliest_year``, ``latest_year``, ``max_value``;
blank means the defaults, 1990 to next year and 1e9), and a check that no stored value
is one a sum could overflow on (issue 12, item 3).

The check is added NOT VALID: it holds for every row written from now on without
failing the upgrade of a database that already holds such a value (revert its batch,
then ``ALTER TABLE observation VALIDATE CONSTRAINT ck_observation_storable_values``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STORABLE = (
    "abs(coalesce(value, 0)) <= 1e15 AND abs(coalesce(numerator, 0)) <= 1e15 "
    "AND abs(coalesce(denominator, 0)) <= 1e15"
)


def upgrade() -> None:
    op.add_column("indicator", sa.Column("earliest_year", sa.Integer(), nullable=True))
    op.add_column("indicator", sa.Column("latest_year", sa.Integer(), nullable=True))
    op.add_column("indicator", sa.Column("max_value", sa.Double(), nullable=True))
    op.execute(
        "ALTER TABLE observation ADD CONSTRAINT ck_observation_storable_values "
        f"CHECK ({_STORABLE}) NOT VALID"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE observation DROP CONSTRAINT ck_observation_storable_values")
    op.drop_column("indicator", "max_value")
    op.drop_column("indicator", "latest_year")
    op.drop_column("indicator", "earliest_year")
