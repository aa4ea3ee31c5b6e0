"""notifications: the inbox, email preferences and the mail outbox

- ``users.email``: where a person's email goes (null: no email).
- ``notifications``: a person's inbox, one row per event told, read or not; a reminder
  computed from the clock carries a ``dedupe_key`` so it is told once per person.
- ``email_opt_outs``: the kinds of event a person gets no email about (``*``: none at all).
- ``mail_outbox``: email written in the transaction of the act it tells of and sent
  afterwards, retried with backoff; what was not delivered keeps its last error.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import roadmap.store.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", roadmap.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", roadmap.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
    )
    op.create_index(op.f("ix_notifications_user_id"), "notifications", ["user_id"], unique=False)
    op.create_table(
        "email_opt_outs",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("at", roadmap.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_email_opt_outs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_email_opt_outs")),
    )
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("unsubscribe_url", sa.String(length=1000), nullable=False),
        sa.Column("created_at", roadmap.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", roadmap.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", roadmap.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mail_outbox_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )
    op.create_index(
        op.f("ix_mail_outbox_next_attempt_at"), "mail_outbox", ["next_attempt_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_mail_outbox_next_attempt_at"), table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_table("email_opt_outs")
    op.drop_index(op.f("ix_notifications_user_id"), table_name="notifications")
    op.drop_table("notifications")
    _drop_user_columns("email")


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
