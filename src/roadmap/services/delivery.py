"""Delivery tracking: what the progress reports say about funded work, when each assignment
(a staff member on a funded item) owes its next report (and which are overdue), and closing
an item as done.

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
    final_versions,
    funded_items,
    period_in_effect,
)
from roadmap.services.transitions import move_item
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import (
    AssignmentRow,
    ItemRow,
    PeriodRow,
    PlanRow,
    ProgressReportRow,
    StaffRow,
    UserRow,
)


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
    """When an assignment of the final plan (a staff member on a funded item) owes its next
    progress report. A funded item nobody is assigned to owes one too, with no person."""

    item: int
    title: str
    person: str  # the assigned staff member's name; "" when nobody is assigned
    staff_key: str | None  # theirs; None when nobody is assigned
    last_report: datetime | None
    due: datetime
    days_overdue: int  # 0 until the report is due

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class ReportSchedule:
    """The final plan's assignments on funded items that still report, with their due
    dates."""

    period: str  # its key
    period_name: str
    version: int  # the final version
    every_weeks: int
    items: list[ReportDue]  # one per assignment, soonest due first

    @property
    def overdue(self) -> list[ReportDue]:
        """The assignments whose report is overdue, the longest overdue first."""
        return sorted(
            (d for d in self.items if d.overdue), key=lambda d: (-d.days_overdue, d.item, d.person)
        )


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
    """The due dates of the current final plan's assignments on funded items, or ``None``
    without a final plan, read in ``session`` (public, like the plan: the use cases check
    their roles).

    Each assignment (staff member, item) owes its own reports: the next is due the period's
    interval after that person's latest report on the item in any plan of the period, or,
    before their first, after they started on it: when the earliest final version of the
    period assigning them to the item became final (a re-plan does not restart the clock).
    A report written before reports named their staff member (migration 0014, no
    ``staff_id``) counts for every person on its item, as it counted for the item. A funded
    item nobody is assigned to is one line without a person, due after the latest report
    on the item or after its funding started. Without ``period_key``: the period of the plan
    in effect (:func:`publishing.plan_in_effect`), the one staff work on today. Of the
    versions' snapshots only what they fund is read.

    ``before``: only the assignments due before then; ``among``: only these items. Items
    that cannot be due before then (every person reported since, or started too recently)
    are left out before any snapshot is read, so a list of what is late stays short on a
    large plan."""
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
    every = period.report_every_weeks
    reporting = select(ItemRow.id).where(ItemRow.status.in_([s.value for s in REPORTING]))
    if among is not None:
        reporting = reporting.where(ItemRow.id.in_(sorted(among)))
    # The latest report per (item, staff member); staff None: a report from before 0014.
    last: dict[tuple[int, int | None], datetime] = {
        (item_id, staff_id): at
        for item_id, staff_id, at in session.execute(
            select(
                ProgressReportRow.item_id,
                ProgressReportRow.staff_id,
                func.max(ProgressReportRow.reported_at),
            )
            .join(PlanRow, PlanRow.id == ProgressReportRow.plan_id)
            .where(PlanRow.period_id == period_row.id, ProgressReportRow.item_id.in_(reporting))
            .group_by(ProgressReportRow.item_id, ProgressReportRow.staff_id)
        )
    }
    on_item: dict[int, datetime] = {}  # the latest report on each item, whoever wrote it
    for (item_id, _), at in last.items():
        on_item[item_id] = max(at, on_item.get(item_id, at))

    def latest(item_id: int, staff_id: int) -> datetime | None:
        found = [last.get((item_id, staff_id)), last.get((item_id, None))]
        return max((at for at in found if at is not None), default=None)

    # Who works on what in each final version (its assignment rows, not its snapshot), and
    # since when; the people of the current version.
    started = {f.plan_id: f.started for f in finals}
    since: dict[tuple[int, int], datetime] = {}
    people: dict[int, list[tuple[str, str, int]]] = {}  # item: (name, key, staff id)
    for plan_id, item_id, staff_id, key, name in session.execute(
        select(
            AssignmentRow.plan_id,
            AssignmentRow.item_id,
            AssignmentRow.staff_id,
            StaffRow.key,
            StaffRow.name,
        )
        .join(StaffRow, StaffRow.id == AssignmentRow.staff_id)
        .where(AssignmentRow.plan_id.in_(list(started)), AssignmentRow.item_id.in_(reporting))
        .distinct()
    ):
        pair = (item_id, staff_id)
        since[pair] = min(started[plan_id], since.get(pair, started[plan_id]))
        if plan_id == finals[0].plan_id:
            people.setdefault(item_id, []).append((name, key, staff_id))
    only: list[int] | None = None
    if before is not None or among is not None:
        # Due = (the latest report, or the start) + the interval; an item nobody works on
        # started no earlier than the first final version.
        limit = (before or datetime.max.replace(tzinfo=now.tzinfo)) - timedelta(weeks=every)
        earliest = min(f.started for f in finals)

        def may_be_due(item_id: int) -> bool:
            if item_id not in people:
                return on_item.get(item_id, earliest) < limit
            return any(
                (latest(item_id, s) or since[(item_id, s)]) < limit for _, _, s in people[item_id]
            )

        only = [i for i in session.scalars(reporting) if may_be_due(i)]
    funding = funded_items(session, [f.plan_id for f in finals], only)
    current = funding[finals[0].plan_id]
    funded = [f.item for f in current]
    statuses = dict(
        session.execute(select(ItemRow.id, ItemRow.status).where(ItemRow.id.in_(funded))).all()
    )
    titles = {f.item: f.title for f in current}
    # Each final version's funded items, read once (not once per item: a large plan funds
    # hundreds).
    funded_by = [(f.started, {line.item for line in funding[f.plan_id]}) for f in finals]
    items = []
    for item_id in funded:
        if ItemStatus(statuses.get(item_id, ItemStatus.DONE.value)) not in REPORTING:
            continue
        title = titles.get(item_id, "")
        if item_id not in people:
            start = min(started for started, ids in funded_by if item_id in ids)
            last_on_item = on_item.get(item_id)
            due = report_due(last_on_item, start, every)
            items.append(
                ReportDue(item_id, title, "", None, last_on_item, due, days_overdue(due, now))
            )
        for name, key, staff_id in sorted(people.get(item_id, [])):
            theirs = latest(item_id, staff_id)
            due = report_due(theirs, since[(item_id, staff_id)], every)
            items.append(ReportDue(item_id, title, name, key, theirs, due, days_overdue(due, now)))
    if before is not None:
        items = [d for d in items if d.due < before]
    items.sort(key=lambda d: (d.due, d.item, d.person))
    return ReportSchedule(period.key, period.name, finals[0].version, every, items)


def reports_overdue(
    ctx: Context, actor: Actor, period_key: str | None = None
) -> ReportSchedule | None:
    """For the executive: the current final plan's funded items and their report dates
    (``.overdue`` lists those whose report is late), or ``None`` when no version is final."""
    require(actor, Role.EXECUTIVE, to="see which progress reports are overdue")
    return _schedule(ctx, period_key)


def my_report_dates(ctx: Context, actor: Actor) -> dict[int, ReportDue]:
    """For a staff member: when each item they are assigned to owes their next report
    (their own assignment's date; of several staff records on one item, the soonest)."""
    require(actor, Role.STAFF, to="see when your reports are due")
    schedule = _schedule(ctx, None)
    if schedule is None:
        return {}
    with reading(ctx.engine) as session:
        keys = set(session.scalars(select(StaffRow.key).where(StaffRow.user_id == actor.user_id)))
    mine: dict[int, ReportDue] = {}
    for d in schedule.items:  # soonest first
        if d.staff_key in keys:
            mine.setdefault(d.item, d)
    return mine


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
