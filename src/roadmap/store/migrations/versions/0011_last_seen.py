"""when each person was last seen, for the home page's "since your last visit"

- ``users.last_seen_at``: the last time the person used the app (the router notes it at
  most once a minute per browser session; null: never since this migration).
- ``users.previous_visit_at``: ``last_seen_at`` as it was when the person's current visit
  began (a visit begins after an hour away); what "since your last visit" compares with.

Neither column is an edit of the account: they are written without moving its version.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import roadmap.store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_seen_at", roadmap.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "previous_visit_at", roadmap.store.types.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    _drop_user_columns("previous_visit_at", "last_seen_at")


def _drop_user_columns(*names: str) -> None:
    """Drop columns of ``users``. On SQLite a batch copy would drop and recreate the table,
    which the foreign keys of every table naming a user refuse; SQLite (3.35+) drops a
    plain column in place."""
    if op.get_context().dialect.name == "sqlite":
        for name in names:
            op.execute(f"ALTER TABLE users DROP COLUMN {name}")
        return
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in names:
            batch_op.drop_column(name)
