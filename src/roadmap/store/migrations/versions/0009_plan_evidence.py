"""the election, outcome and certificate kept with each published plan

- ``plans.evidence``: what the plan's reproducible bundle is made from
  (``roadmap.domain.bundle.PlanEvidence``), written when the version is published; null for
  versions published before this migration, which have no bundle.

Revision ID: 0009
Revises: 0008
Create Date: 2027-01-10 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("evidence")
