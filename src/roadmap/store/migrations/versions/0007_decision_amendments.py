"""scope decisions can be amended or reversed: each entry names the one it changes and why

An amendment or a reversal is a new row; no row is ever changed, so the original text stays.
As for published plans and the audit log (0003), a trigger refuses any UPDATE of a decision
in the database itself, whoever issues it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 15:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MESSAGE = "A scope decision cannot be changed; amend or reverse it (a new entry) instead."


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
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION refuse_update_scope_decisions() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = "
            "'integrity_constraint_violation'; END $$"
        )
        op.execute(
            "CREATE TRIGGER no_update_scope_decisions BEFORE UPDATE ON scope_decisions "
            "FOR EACH ROW EXECUTE FUNCTION refuse_update_scope_decisions()"
        )
    else:
        op.execute(
            "CREATE TRIGGER no_update_scope_decisions BEFORE UPDATE ON scope_decisions "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER no_update_scope_decisions ON scope_decisions")
        op.execute("DROP FUNCTION refuse_update_scope_decisions()")
    else:
        op.execute("DROP TRIGGER no_update_scope_decisions")
    with op.batch_alter_table("scope_decisions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_scope_decisions_amends_id_scope_decisions"), type_="foreignkey"
        )
        batch_op.drop_column("reason")
        batch_op.drop_column("amends_id")
