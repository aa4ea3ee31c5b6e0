"""Delivery tracking: what the progress reports say about funded work, when each funded
item owes its next report (and which are overdue), and closing an item as done.

Staff write the reports (``roadmap.services.progress.report_progress``). Percent done and
the notes are public, like the published plan they report on: a foundation's funded efforts
report in the open.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from roadmap.domain.access import Actor, require
from roadmap.domain.delivery import REPORTING, check_closable, days_overdue, report_due
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.errors import NotFound, PermissionDenied
from roadmap.domain.items import may_read
from roadmap.services.context import Context
from roadmap.services.periods import find_period_row, period_from_row
from roadmap.services.publishing import (
    assigned_people,
    final_versions,
    funded_items,
    period_in_effect,
)
from roadmap.services.transitions import move_item
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import ItemRow, PeriodRow, PlanRow, ProgressReportRow, StaffRow, UserRow


@dataclass(frozen=True)
class ProgressEntry:
    """One progress report as people read it."""

    item: int
    title: str
    percent: int
    note: str
    by: str  # the reporter's display name
    at: datetime
    plan: str  # the plan version it reported on, "2027-H1 v2"


@dataclass(frozen=True)
class ReportDue:
    """When a funded item of the final plan owes its next progress report."""

    item: int
    title: str
    staff: tuple[str, ...]  # the names of the people assigned to it
    staff_keys: tuple[str, ...]
    last_report: datetime | None
    due: datetime
    days_overdue: int  # 0 until the report is due

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class ReportSchedule:
    """The final plan's funded items that still report, with their due dates."""

    period: str  # its key
    period_name: str
    version: int  # the final version
    every_weeks: int
    items: list[ReportDue]

    @property
    def overdue(self) -> list[ReportDue]:
        """The items whose report is overdue, the longest overdue first."""
        return sorted((d for d in self.items if d.overdue), key=lambda d: (-d.days_overdue, d.item))


def _entries(session: Session, where: ColumnElement[bool]) -> list[ProgressEntry]:
    """The reports matching ``where``, newest first, with who, what and which plan."""
    rows = session.execute(
        select(
            ProgressReportRow, UserRow.display_name, ItemRow.title, PeriodRow.key, PlanRow.version
        )
        .select_from(ProgressReportRow)
        .outerjoin(UserRow, UserRow.id == ProgressReportRow.reported_by)
        .join(ItemRow, ItemRow.id == ProgressReportRow.item_id)
        .join(PlanRow, PlanRow.id == ProgressReportRow.plan_id)
        .join(PeriodRow, PeriodRow.id == PlanRow.period_id)
        .where(where)
        .order_by(ProgressReportRow.reported_at.desc(), ProgressReportRow.id.desc())
    ).all()
    return [
        ProgressEntry(
            r.item_id, title, r.percent_done, r.note, who or "", r.reported_at, f"{key} v{version}"
        )
        for r, who, title, key, version in rows
    ]


def item_progress(ctx: Context, actor: Actor, item_id: int) -> list[ProgressEntry]:
    """Every progress report on an item, newest first (public, like the item)."""
    with reading(ctx.engine) as session:
        item = session.get(ItemRow, item_id)
        if item is None or not may_read(actor, ItemStatus(item.status), item.subcommunity.slug):
            raise NotFound(f"There is no item #{item_id}.")
        return _entries(session, ProgressReportRow.item_id == item_id)


def latest_progress(ctx: Context, item_ids: list[int]) -> dict[int, ProgressEntry]:
    """The latest report on each of ``item_ids`` that has one (public)."""
    with reading(ctx.engine) as session:
        found = _entries(session, ProgressReportRow.item_id.in_(item_ids))
    latest: dict[int, ProgressEntry] = {}
    for entry in found:  # newest first: keep the first seen
        latest.setdefault(entry.item, entry)
    return latest


def my_reports(ctx: Context, actor: Actor) -> list[ProgressEntry]:
    """The signed-in staff member's own reports, newest first."""
    require(actor, Role.STAFF, to="see your progress reports")
    with reading(ctx.engine) as session:
        return _entries(session, ProgressReportRow.reported_by == actor.user_id)


def _schedule(ctx: Context, period_key: str | None) -> ReportSchedule | None:
    with reading(ctx.engine) as session:
        return schedule_in(session, ctx.now(), period_key)


def schedule_in(
    session: Session,
    now: datetime,
    period_key: str | None,
    before: datetime | None = None,
    among: Collection[int] | None = None,
) -> ReportSchedule | None:
    """The due dates of the current final plan's funded items, or ``None`` without one,
    read in ``session`` (public, like the plan: the use cases check their roles).

    An item's funding starts when the earliest final version of the period that funds it
    became final (a re-plan does not restart its clock); its latest report is the latest in
    any plan of the period. Without ``period_key``: the period of the plan in effect
    (:func:`publishing.plan_in_effect`), the one staff work on today. Of the versions'
    snapshots only what they fund is read.

    ``before``: only the items due before then; ``among``: only these items. Items that
    cannot be due before then (reported since, or funded too recently) are left out before
    any snapshot is read, so a list of what is late stays short on a large plan."""
    if period_key is None:
        in_effect = period_in_effect(session, now.date())
        if in_effect is None:
            return None
        period_row = in_effect
    else:
        period_row = find_period_row(session, period_key)
    finals = final_versions(session, period_row)
    if not finals:
        return None
    period = period_from_row(period_row).settings
    reporting = select(ItemRow.id).where(ItemRow.status.in_([s.value for s in REPORTING]))
    if among is not None:
        reporting = reporting.where(ItemRow.id.in_(sorted(among)))
    last: dict[int, datetime] = dict(
        session.execute(
            select(ProgressReportRow.item_id, func.max(ProgressReportRow.reported_at))
            .join(PlanRow, PlanRow.id == ProgressReportRow.plan_id)
            .where(PlanRow.period_id == period_row.id, ProgressReportRow.item_id.in_(reporting))
            .group_by(ProgressReportRow.item_id)
        ).all()
    )
    only: list[int] | None = None
    if before is not None or among is not None:
        # Due = (the latest report, or the funding's start) + the interval; the funding
        # started no earlier than the first final version.
        limit = (before or datetime.max.replace(tzinfo=now.tzinfo)) - timedelta(
            weeks=period.report_every_weeks
        )
        earliest = min(f.started for f in finals)
        only = [
            i
            for i in session.scalars(reporting)
            if (last[i] < limit if i in last else earliest < limit)
        ]
    funding = funded_items(session, [f.plan_id for f in finals], only)
    current = funding[finals[0].plan_id]
    funded = [f.item for f in current]
    statuses = dict(
        session.execute(select(ItemRow.id, ItemRow.status).where(ItemRow.id.in_(funded))).all()
    )
    titles = {f.item: f.title for f in current}
    # Each final version's funded items, read once (not once per item: a large plan funds
    # hundreds); the people from the current version's assignment rows.
    funded_by = [(f.started, {line.item for line in funding[f.plan_id]}) for f in finals]
    people = assigned_people(session, finals[0].plan_id)
    items = []
    for item_id in funded:
        if ItemStatus(statuses.get(item_id, ItemStatus.DONE.value)) not in REPORTING:
            continue
        since = min(started for started, ids in funded_by if item_id in ids)
        due = report_due(last.get(item_id), since, period.report_every_weeks)
        lines = sorted(people.get(item_id, set()))
        items.append(
            ReportDue(
                item_id,
                titles.get(item_id, ""),
                tuple(name for name, _ in lines),
                tuple(key for _, key in lines),
                last.get(item_id),
                due,
                days_overdue(due, now),
            )
        )
    if before is not None:
        items = [d for d in items if d.due < before]
    items.sort(key=lambda d: (d.due, d.item))
    return ReportSchedule(
        period.key, period.name, finals[0].version, period.report_every_weeks, items
    )


def reports_overdue(
    ctx: Context, actor: Actor, period_key: str | None = None
) -> ReportSchedule | None:
    """For the executive: the current final plan's funded items and their report dates
    (``.overdue`` lists those whose report is late), or ``None`` when no version is final."""
    require(actor, Role.EXECUTIVE, to="see which progress reports are overdue")
    return _schedule(ctx, period_key)


def my_report_dates(ctx: Context, actor: Actor) -> dict[int, ReportDue]:
    """For a staff member: when each item they are assigned to owes its next report."""
    require(actor, Role.STAFF, to="see when your reports are due")
    schedule = _schedule(ctx, None)
    if schedule is None:
        return {}
    with reading(ctx.engine) as session:
        keys = set(session.scalars(select(StaffRow.key).where(StaffRow.user_id == actor.user_id)))
    return {d.item: d for d in schedule.items if keys & set(d.staff_keys)}


def report_schedule(ctx: Context) -> ReportSchedule | None:
    """The due dates of the plan in effect, as the system sees them (for the reminders that
    ``services.reminders`` sends); no person's role is checked."""
    return _schedule(ctx, None)


def may_close(actor: Actor, subcommunity: str) -> bool:
    """Whether ``actor`` may close an item of ``subcommunity`` as done: the executive, or a
    lead of its sub-community."""
    return actor.has(Role.EXECUTIVE) or actor.has(Role.LEAD, subcommunity)


def close_as_done(ctx: Context, actor: Actor, item_id: int) -> None:
    """Close an item as done once its latest progress report says 100 %: an in-progress
    item becomes done, a planned one passes through in progress (each move audited).
    Anything else is refused with a sentence, and nothing is written."""
    now = ctx.now()
    with transaction(ctx.engine) as session:
        item = session.get(ItemRow, item_id)
        status = ItemStatus(item.status) if item is not None else None
        if item is None or status is None or not may_read(actor, status, item.subcommunity.slug):
            raise NotFound(f"There is no item #{item_id}.")
        slug = item.subcommunity.slug
        if not may_close(actor, slug):
            if not actor.signed_in:
                raise PermissionDenied("Please sign in to close an item as done.")
            raise PermissionDenied(
                f"You need to be an executive or a lead of {slug} to close this item as done."
            )
        latest = session.scalars(
            select(ProgressReportRow)
            .where(ProgressReportRow.item_id == item_id)
            .order_by(ProgressReportRow.reported_at.desc(), ProgressReportRow.id.desc())
            .limit(1)
        ).first()
        check_closable(item_id, status, latest.percent_done if latest else None)
        assert latest is not None
        on = f"{latest.reported_at:%d %b %Y}"
        why = f"closed as done: the latest progress report ({on}) says 100 %"
        if status == ItemStatus.PLANNED:
            move_item(session, actor, now, item, ItemStatus.IN_PROGRESS, why)
        move_item(session, actor, now, item, ItemStatus.DONE, why)
