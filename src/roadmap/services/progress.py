"""The staff's part of the published plan, and the progress they report on it.

What the reports add up to (the item's history, the next report due, closing an item as
done) is in ``roadmap.services.delivery``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from roadmap.domain import boundary
from roadmap.domain.access import Actor, require
from roadmap.domain.delivery import REPORTING
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.errors import NotFound, ValidationError
from roadmap.domain.plans import AssignmentLine
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.services.periods import find_period_row
from roadmap.services.publishing import PlanView, plan_in_effect
from roadmap.services.transitions import move_item
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import ItemRow, PlanRow, ProgressReportRow, StaffRow, UserRow

NOTE_LIMIT = 4000


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


def report_progress(
    ctx: Context,
    actor: Actor,
    item_id: int,
    percent: int,
    note: str,
    staff: str | None = None,
) -> None:
    """A staff member reports progress on their assignment to an item in the plan staff
    work on (the newest final version): the report is that assignment's, (staff member,
    item), and sets its next due date only. ``staff``: the staff member's key, needed only
    when the signed-in account stands for several staff members on the item. The first
    report above 0 % on a planned item moves it to in progress (an audited move)."""
    require(actor, Role.STAFF, to="report progress")
    note = boundary.text(note.strip(), "progress note", NOTE_LIMIT)
    if not 0 <= percent <= 100:
        sentence = "Percent done must be between 0 and 100."
        raise ValidationError(sentence, {"percent": sentence}, {"percent": "percent done"})
    latest, mine = my_assignments(ctx, actor)
    on_item = sorted({a.staff for a in mine if a.item == item_id})
    if latest is None or not on_item or (staff is not None and staff not in on_item):
        raise ValidationError(f"You are not assigned to item #{item_id} in the published plan.")
    if staff is None and len(on_item) > 1:
        raise ValidationError(
            f"You stand for several staff members on item #{item_id} ({', '.join(on_item)}): "
            "say which of them this report is for. Nothing was written."
        )
    key = staff or on_item[0]
    now = ctx.now()
    with transaction(ctx.engine) as session:
        period = find_period_row(session, latest.period)
        plan = session.scalar(
            select(PlanRow).where(PlanRow.period_id == period.id, PlanRow.version == latest.version)
        )
        item = session.get(ItemRow, item_id)
        staff_id = session.scalar(
            select(StaffRow.id).where(StaffRow.key == key, StaffRow.user_id == actor.user_id)
        )
        if plan is None or item is None or staff_id is None:
            raise NotFound("The plan, the item or your staff record is gone.")
        status = ItemStatus(item.status)
        if status not in REPORTING:
            raise ValidationError(
                f"Item #{item_id} is {status.label}; it takes no more progress reports."
            )
        session.add(
            ProgressReportRow(
                plan_id=plan.id,
                item_id=item_id,
                reported_by=actor.user_id,
                staff_id=staff_id,
                reported_at=now,
                percent_done=percent,
                note=note,
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
            {"percent": percent, "note": note, "staff": key},
        )
        if percent > 0 and status == ItemStatus.PLANNED:
            move_item(
                session, actor, now, item, ItemStatus.IN_PROGRESS, f"first progress: {percent} %"
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
