"""progress reported per assignment: who reports

- ``progress_reports.staff_id``: the staff member whose assignment (staff member, item) the
  report is on, so two people on one item each owe their own report. Null on the reports
  written before this migration (they name only the account that wrote them), which keep
  counting for every person on the item (``roadmap.services.delivery.schedule_in``).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("progress_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_progress_reports_staff_id_staff"), "staff", ["staff_id"], ["id"]
        )


def downgrade() -> None:
    # On SQLite the batch copies the table (no other table refers to progress reports).
    with op.batch_alter_table("progress_reports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_progress_reports_staff_id_staff"), type_="foreignkey"
        )
        batch_op.drop_column("staff_id")
