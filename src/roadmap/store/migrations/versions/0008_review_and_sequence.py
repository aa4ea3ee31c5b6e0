"""plan review windows, periods in sequence and delivery tracking

- ``periods.review_days``: days a new plan version is proposed before the executive may
  finalize it (null: 0, published at once); ``report_every_weeks`` (null: 8), how often
  funded work reports progress; ``unspent_policy`` (null: ``pool``), what happens to effort
  a period leaves unallocated; ``source_id``, the period a period was started from (at most
  one period per source); ``carried_weeks`` (null: 0), effort returned to this period's pool
  by its source.
- ``plans.review_until``: the end of a proposed version's objection window (null: the
  version was final when published).
- ``plan_objections``: a representative's objection to a proposed version, with a reason.
- ``plan_finalizations``: the executive's act that makes a proposed version final (a plan
  row is never updated, so finalizing is a row of its own).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import roadmap.store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("periods", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("report_every_weeks", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("unspent_policy", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("carried_weeks", sa.Float(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_periods_source_id_periods"), "periods", ["source_id"], ["id"]
        )
        batch_op.create_unique_constraint(batch_op.f("uq_periods_source_id"), ["source_id"])
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_until", roadmap.store.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "plan_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("submitted_at", roadmap.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_objections_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_plan_objections_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], name=op.f("fk_plan_objections_submitted_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_objections")),
    )
    op.create_index(
        op.f("ix_plan_objections_plan_id"), "plan_objections", ["plan_id"], unique=False
    )
    op.create_table(
        "plan_finalizations",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("finalized_by", sa.Integer(), nullable=True),
        sa.Column("finalized_at", roadmap.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_finalizations_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["finalized_by"], ["users.id"], name=op.f("fk_plan_finalizations_finalized_by_users")
        ),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plan_finalizations")),
    )


def downgrade() -> None:
    op.drop_table("plan_finalizations")
    op.drop_index(op.f("ix_plan_objections_plan_id"), table_name="plan_objections")
    op.drop_table("plan_objections")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("review_until")
    with op.batch_alter_table("periods", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_periods_source_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_periods_source_id_periods"), type_="foreignkey")
        batch_op.drop_column("carried_weeks")
        batch_op.drop_column("source_id")
        batch_op.drop_column("unspent_policy")
        batch_op.drop_column("report_every_weeks")
        batch_op.drop_column("review_days")
