"""password reset: an admin's reset forces a change of password at the next sign-in

- ``users.password_reset_at``: when an admin last set this account's password for its
  owner (null: the owner chose the password). While it is set, every page sends the person
  to the change-password form; changing the password clears it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import roadmap.store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "password_reset_at",
                roadmap.store.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    _drop_user_columns("password_reset_at")


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
