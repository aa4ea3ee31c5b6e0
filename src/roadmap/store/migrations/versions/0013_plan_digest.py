"""a digest of each published plan's snapshot

- ``plans.snapshot_digest``: the SHA-256 of the snapshot's canonical JSON, written when the
  version is published (null for versions published before this migration). A plan row is
  never updated, so the digest names its content: a process keeps the snapshots it has
  validated by it (``roadmap.services.publishing.stored_snapshot``) and a page rerun reads a
  plan's few columns instead of its whole JSON.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snapshot_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("snapshot_digest")
