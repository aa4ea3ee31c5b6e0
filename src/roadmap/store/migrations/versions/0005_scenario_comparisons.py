"""scenario comparisons kept in the database, so a reload or another executive sees them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import roadmap.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenario_comparisons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("run_by", sa.Integer(), nullable=True),
        sa.Column("run_at", roadmap.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("scenarios", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_scenario_comparisons_period_id_periods")
        ),
        sa.ForeignKeyConstraint(
            ["run_by"], ["users.id"], name=op.f("fk_scenario_comparisons_run_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_comparisons")),
    )
    with op.batch_alter_table("scenario_comparisons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scenario_comparisons_period_id"), ["period_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scenario_comparisons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scenario_comparisons_period_id"))
    op.drop_table("scenario_comparisons")
