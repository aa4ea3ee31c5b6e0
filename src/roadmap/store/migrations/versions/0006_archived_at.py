"""archived sub-communities, themes, skills and planning periods: kept, no longer offered

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import roadmap.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("subcommunities", "themes", "skills", "periods")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "archived_at", roadmap.store.types.UTCDateTime(timezone=True), nullable=True
                )
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("archived_at")
