"""scope decisions can be amended or reversed: each entry names the one it changes and why

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 15:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scope_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("amends_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_scope_decisions_amends_id_scope_decisions"),
            "scope_decisions",
            ["amends_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("scope_decisions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_scope_decisions_amends_id_scope_decisions"), type_="foreignkey"
        )
        batch_op.drop_column("reason")
        batch_op.drop_column("amends_id")
