"""published plans, their assignments and the audit log refuse UPDATE in the database itself

The ORM already refuses to change a published plan or assignment (``tables.py``), but a bulk
``UPDATE`` statement, another program or a hand-typed SQL session bypasses the ORM. Triggers
refuse any UPDATE of these rows whoever issues it; the audit log gets the same protection.
Rows can still be deleted (a restore into an empty database, tests resetting one): the
triggers guard against changing history, not against removing a whole database's content.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 14:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = {
    "plans": "A published plan cannot be changed; publish a new version instead.",
    "assignments": "A published plan cannot be changed; publish a new version instead.",
    "audit_events": "The audit log cannot be changed; it only grows.",
}


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table, message in TABLES.items():
            op.execute(
                f"CREATE FUNCTION refuse_update_{table}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_"
                f"violation'; END $$"
            )
            op.execute(
                f"CREATE TRIGGER no_update_{table} BEFORE UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION refuse_update_{table}()"
            )
        return
    for table, message in TABLES.items():
        op.execute(
            f"CREATE TRIGGER no_update_{table} BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def downgrade() -> None:
    postgresql = op.get_context().dialect.name == "postgresql"
    for table in TABLES:
        op.execute(f"DROP TRIGGER no_update_{table}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION refuse_update_{table}()")
