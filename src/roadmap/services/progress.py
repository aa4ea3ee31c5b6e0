"""The staff's part of the published plan, and the progress they report on it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from roadmap.domain import boundary
from roadmap.domain.access import Actor, require
from roadmap.domain.enums import Role
from roadmap.domain.errors import NotFound, ValidationError
from roadmap.domain.plans import AssignmentLine
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.services.periods import find_period_row
from roadmap.services.publishing import PlanView, plan_in_effect
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import PlanRow, ProgressReportRow, StaffRow, UserRow


@dataclass(frozen=True)
class ProgressReport:
    """The latest progress reported on an item."""

    percent: int
    note: str
    by: str  # the reporter's username


def my_assignments(ctx: Context, actor: Actor) -> tuple[PlanView | None, list[AssignmentLine]]:
    """The plan staff work on today (:func:`publishing.plan_in_effect`) and the signed-in
    staff member's part of it."""
    require(actor, Role.STAFF, to="see your assignments")
    plan = plan_in_effect(ctx, actor)
    if plan is None:
        return None, []
    with reading(ctx.engine) as session:
        keys = set(session.scalars(select(StaffRow.key).where(StaffRow.user_id == actor.user_id)))
    return plan, [a for a in plan.snapshot.assignments if a.staff in keys]


def report_progress(ctx: Context, actor: Actor, item_id: int, percent: int, note: str) -> None:
    """A staff member reports progress on an item they are assigned to in the latest plan."""
    require(actor, Role.STAFF, to="report progress")
    note = boundary.text(note, "progress note")
    if not 0 <= percent <= 100:
        raise ValidationError("Percent done must be between 0 and 100.", {"percent": "0 to 100."})
    latest, mine = my_assignments(ctx, actor)
    if latest is None or item_id not in {a.item for a in mine}:
        raise ValidationError(f"You are not assigned to item #{item_id} in the published plan.")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        period = find_period_row(session, latest.period)
        plan = session.scalar(
            select(PlanRow).where(PlanRow.period_id == period.id, PlanRow.version == latest.version)
        )
        if plan is None:
            raise NotFound("The plan is gone.")
        session.add(
            ProgressReportRow(
                plan_id=plan.id,
                item_id=item_id,
                reported_by=actor.user_id,
                reported_at=now,
                percent_done=percent,
                note=note.strip()[:4000],
            )
        )
        record(
            session,
            actor,
            now,
            "progress",
            "item",
            item_id,
            None,
            {"percent": percent, "note": note},
        )


def progress(ctx: Context) -> dict[int, ProgressReport]:
    """The latest progress report per item (what the executive sees)."""
    with reading(ctx.engine) as session:
        rows = session.execute(
            select(ProgressReportRow, UserRow.username)
            .outerjoin(UserRow, UserRow.id == ProgressReportRow.reported_by)
            .order_by(ProgressReportRow.id)
        ).all()
        return {r.item_id: ProgressReport(r.percent_done, r.note, name or "") for r, name in rows}
