"""Delivery tracking on the demo data (SQLite and PostgreSQL): staff report progress on
their assignments in the final plan, the first report above 0 % starts the work (an audited
move), a report overdue by the period's interval is flagged until the next report, and an
item is closed as done only on a 100 % report, by the executive or its lead; a refused step
writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from support import Clock, dump

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.errors import PermissionDenied, ValidationError
from roadmap.services import (
    accounts,
    delivery,
    demo,
    home,
    item_reads,
    periods,
    progress,
    publishing,
)
from roadmap.services import (
    staff as staff_registry,
)
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import AuditEventRow, ItemRow, PlanRow, ProgressReportRow, StaffRow

JONAH = "jonah-whitcombe"  # the demo staff member of the account "staff"


@pytest.fixture
def demo_ctx(ctx: Context, clock: Clock) -> Context:
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    return ctx


def who(ctx: Context, username: str) -> Actor:
    actor = authenticate(ctx, username, "demo")
    assert actor is not None
    return actor


def _publish(ctx: Context) -> publishing.PlanView:
    envelope = periods.get_period(ctx).settings.envelope
    return publishing.publish_plan(ctx, who(ctx, "exec"), envelope, "A")


def _staff_items(ctx: Context) -> dict[int, str]:
    """The demo staff member's items in the final plan, by id, with their sub-community."""
    _, mine = progress.my_assignments(ctx, who(ctx, "staff"))
    execu = who(ctx, "exec")
    return {i: item_reads.get_item(ctx, execu, i).subcommunity for i in {a.item for a in mine}}


def _status(ctx: Context, item_id: int) -> ItemStatus:
    with reading(ctx.engine) as session:
        return ItemStatus(session.scalar(select(ItemRow.status).where(ItemRow.id == item_id)))


def _moves(ctx: Context, item_id: int) -> list[tuple[str, str, str, str | None]]:
    """The item's audited status moves: (from, to, by, why)."""
    with reading(ctx.engine) as session:
        rows = session.scalars(
            select(AuditEventRow)
            .where(
                AuditEventRow.action == "status",
                AuditEventRow.entity == "item",
                AuditEventRow.entity_id == str(item_id),
            )
            .order_by(AuditEventRow.id)
        )
        return [
            (
                (r.before or {})["status"],
                (r.after or {})["status"],
                r.actor_name or "",
                r.reason,
            )
            for r in rows
        ]


def _planned_item(ctx: Context, subcommunity: str | None = None) -> int:
    items = _staff_items(ctx)
    return min(
        i
        for i, sub in items.items()
        if _status(ctx, i) == ItemStatus.PLANNED and subcommunity in (None, sub)
    )


def test_the_first_report_above_zero_moves_a_planned_item_to_in_progress_audited(
    demo_ctx: Context, clock: Clock
) -> None:
    _publish(demo_ctx)
    staff = who(demo_ctx, "staff")
    item = _planned_item(demo_ctx)
    moves_before = _moves(demo_ctx, item)
    progress.report_progress(demo_ctx, staff, item, 0, "Read the code; nothing done yet.")
    assert _status(demo_ctx, item) == ItemStatus.PLANNED, "a 0 % report started the work"
    clock.advance(days=1)
    progress.report_progress(demo_ctx, staff, item, 40, "Halfway through the review.")
    assert _status(demo_ctx, item) == ItemStatus.IN_PROGRESS
    moves = _moves(demo_ctx, item)[len(moves_before) :]
    assert moves == [("planned", "in_progress", "staff", "first progress: 40 %")]
    clock.advance(days=1)
    progress.report_progress(demo_ctx, staff, item, 60, "")
    assert _moves(demo_ctx, item)[len(moves_before) :] == moves, "a later report moved it again"
    # Progress and its notes are public: the item's history, newest first, and the latest.
    history = delivery.item_progress(demo_ctx, Actor.public(), item)
    assert [(e.percent, e.note, e.by) for e in history] == [
        (60, "", "Jonah Whitcombe"),
        (40, "Halfway through the review.", "Jonah Whitcombe"),
        (0, "Read the code; nothing done yet.", "Jonah Whitcombe"),
    ]
    assert delivery.latest_progress(demo_ctx, [item])[item] == history[0]
    assert [e.percent for e in delivery.my_reports(demo_ctx, staff)] == [60, 40, 0]
    assert delivery.my_reports(demo_ctx, who(demo_ctx, "staff")) == history
    with pytest.raises(PermissionDenied):
        delivery.my_reports(demo_ctx, who(demo_ctx, "member"))


def test_a_report_by_someone_not_assigned_is_refused_and_writes_nothing(
    demo_ctx: Context,
) -> None:
    plan = _publish(demo_ctx)
    staff = who(demo_ctx, "staff")
    theirs = set(_staff_items(demo_ctx))
    other = min({f.item for f in plan.snapshot.funded} - theirs)
    before = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match=f"not assigned to item #{other}"):
        progress.report_progress(demo_ctx, staff, other, 50, "Not mine.")
    for name in ("member", "lead", "exec", "orgrep"):
        with pytest.raises(PermissionDenied):
            progress.report_progress(demo_ctx, who(demo_ctx, name), min(theirs), 50, "")
    with pytest.raises(PermissionDenied):
        progress.report_progress(demo_ctx, Actor.public(), min(theirs), 50, "")
    assert dump(demo_ctx.engine) == before


def test_a_report_is_overdue_exactly_once_the_interval_passes_and_not_after_a_report(
    demo_ctx: Context, clock: Clock
) -> None:
    _publish(demo_ctx)
    execu, staff = who(demo_ctx, "exec"), who(demo_ctx, "staff")
    item = _planned_item(demo_ctx)

    def overdue() -> dict[int, delivery.ReportDue]:
        """The staff member's overdue assignments (another person on the item owes their own)."""
        schedule = delivery.reports_overdue(demo_ctx, execu)
        assert schedule is not None and schedule.every_weeks == 8
        return {d.item: d for d in schedule.overdue if d.staff_key == JONAH}

    clock.advance(weeks=8)
    assert overdue() == {}, "overdue at the very end of the interval"
    assert not delivery.my_report_dates(demo_ctx, staff)[item].overdue
    clock.advance(minutes=1)
    late = overdue()
    assert item in late and late[item].last_report is None
    assert late[item].days_overdue == 1 and late[item].person == "Jonah Whitcombe"
    assert delivery.my_report_dates(demo_ctx, staff)[item].overdue
    progress.report_progress(demo_ctx, staff, item, 30, "Started.")
    assert item not in overdue(), "still overdue after a report"
    reported = clock.now
    assert delivery.my_report_dates(demo_ctx, staff)[item].due == reported + timedelta(weeks=8)
    clock.advance(weeks=8, days=3)
    again = overdue()[item]
    assert (again.last_report, again.days_overdue) == (reported, 3)
    # Only the executive is shown the overdue reports; staff see their own due dates.
    for name in ("staff", "lead", "member", "orgrep"):
        with pytest.raises(PermissionDenied):
            delivery.reports_overdue(demo_ctx, who(demo_ctx, name))
    with pytest.raises(PermissionDenied):
        delivery.my_report_dates(demo_ctx, execu)


def test_the_report_interval_follows_the_period_setting(demo_ctx: Context, clock: Clock) -> None:
    _publish(demo_ctx)
    execu = who(demo_ctx, "exec")
    period = periods.get_period(demo_ctx)
    period = periods.update_period(
        demo_ctx, execu, period.key, {"report_every_weeks": 2}, period.version
    )
    assert period.settings.report_every_weeks == 2
    clock.advance(weeks=2, hours=1)
    schedule = delivery.reports_overdue(demo_ctx, execu)
    assert schedule is not None and schedule.every_weeks == 2 and schedule.overdue
    period = periods.update_period(
        demo_ctx, execu, period.key, {"report_every_weeks": 4}, period.version
    )
    schedule = delivery.reports_overdue(demo_ctx, execu)
    assert schedule is not None and schedule.every_weeks == 4 and schedule.overdue == []
    for refused in (0, 53):
        with pytest.raises(ValidationError):
            periods.update_period(
                demo_ctx, execu, period.key, {"report_every_weeks": refused}, period.version
            )


def test_with_an_objection_window_reports_are_due_from_when_the_plan_is_final(
    demo_ctx: Context, clock: Clock
) -> None:
    execu = who(demo_ctx, "exec")
    period = periods.get_period(demo_ctx)
    periods.update_period(demo_ctx, execu, period.key, {"review_days": 7}, period.version)
    proposed = _publish(demo_ctx)
    assert delivery.reports_overdue(demo_ctx, execu) is None, "a proposed plan owes reports"
    clock.advance(days=10)
    publishing.finalize_plan(demo_ctx, execu, proposed.version)
    finalized = clock.now
    clock.advance(weeks=8)
    schedule = delivery.reports_overdue(demo_ctx, execu)
    assert schedule is not None and schedule.overdue == []
    assert {d.due for d in schedule.items} == {finalized + timedelta(weeks=8)}
    clock.advance(seconds=1)
    schedule = delivery.reports_overdue(demo_ctx, execu)
    assert schedule is not None and len(schedule.overdue) == len(schedule.items) > 0


def test_closing_as_done_is_refused_below_100_percent_and_writes_nothing(
    demo_ctx: Context, clock: Clock
) -> None:
    _publish(demo_ctx)
    execu, staff = who(demo_ctx, "exec"), who(demo_ctx, "staff")
    item = _planned_item(demo_ctx)
    before = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match="has no progress report yet"):
        delivery.close_as_done(demo_ctx, execu, item)
    assert dump(demo_ctx.engine) == before
    progress.report_progress(demo_ctx, staff, item, 100, "Merged.")
    clock.advance(hours=1)
    progress.report_progress(demo_ctx, staff, item, 90, "A regression: reopened.")
    before = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match=r"latest report on item #\d+ says 90 %"):
        delivery.close_as_done(demo_ctx, execu, item)
    assert dump(demo_ctx.engine) == before
    assert _status(demo_ctx, item) == ItemStatus.IN_PROGRESS


def test_the_executive_and_the_items_lead_close_it_as_done_at_100_percent_others_may_not(
    demo_ctx: Context, clock: Clock
) -> None:
    _publish(demo_ctx)
    execu, staff, lead = who(demo_ctx, "exec"), who(demo_ctx, "staff"), who(demo_ctx, "lead")
    lead_subs = lead.scopes(Role.LEAD)
    items = _staff_items(demo_ctx)
    leads_item = _planned_item(demo_ctx, next(s for s in sorted(lead_subs) if s in items.values()))
    other_item = min(
        i
        for i, s in items.items()
        if s not in lead_subs and _status(demo_ctx, i) == ItemStatus.PLANNED
    )
    for item in (leads_item, other_item):
        progress.report_progress(demo_ctx, staff, item, 100, "Released.")
    clock.advance(days=1)
    before = dump(demo_ctx.engine)
    for name in ("staff", "member", "orgrep", "admin"):
        with pytest.raises(PermissionDenied):
            delivery.close_as_done(demo_ctx, who(demo_ctx, name), leads_item)
    with pytest.raises(PermissionDenied, match="Please sign in"):
        delivery.close_as_done(demo_ctx, Actor.public(), leads_item)
    with pytest.raises(PermissionDenied, match="executive or a lead of"):
        delivery.close_as_done(demo_ctx, lead, other_item)
    assert dump(demo_ctx.engine) == before

    delivery.close_as_done(demo_ctx, lead, leads_item)
    delivery.close_as_done(demo_ctx, execu, other_item)
    on = f"{clock.now - timedelta(days=1):%d %b %Y}"
    why = f"closed as done: the latest progress report ({on}) says 100 %"
    for item, by in ((leads_item, "lead"), (other_item, "exec")):
        assert _status(demo_ctx, item) == ItemStatus.DONE
        assert _moves(demo_ctx, item)[-1] == ("in_progress", "done", by, why)
    # Done work owes no more reports, takes none, and cannot be closed again.
    schedule = delivery.reports_overdue(demo_ctx, execu)
    assert schedule is not None and leads_item not in {d.item for d in schedule.items}
    before = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match="is done; it takes no more progress reports"):
        progress.report_progress(demo_ctx, staff, leads_item, 100, "")
    with pytest.raises(ValidationError, match="only a planned or in-progress item"):
        delivery.close_as_done(demo_ctx, execu, leads_item)
    assert dump(demo_ctx.engine) == before


def test_a_planned_item_whose_latest_report_says_100_percent_passes_through_in_progress(
    demo_ctx: Context, clock: Clock
) -> None:
    # A report kept from before the first report started the work (a restored backup).
    plan = _publish(demo_ctx)
    execu, item = who(demo_ctx, "exec"), _planned_item(demo_ctx)
    with transaction(demo_ctx.engine) as session:
        plan_id = session.scalar(select(PlanRow.id).where(PlanRow.version == plan.version))
        assert plan_id is not None
        session.add(
            ProgressReportRow(
                plan_id=plan_id, item_id=item, reported_at=clock.now, percent_done=100, note=""
            )
        )
    moves_before = len(_moves(demo_ctx, item))
    delivery.close_as_done(demo_ctx, execu, item)
    assert _status(demo_ctx, item) == ItemStatus.DONE
    assert [m[:3] for m in _moves(demo_ctx, item)[moves_before:]] == [
        ("planned", "in_progress", "exec"),
        ("in_progress", "done", "exec"),
    ]


def _link(ctx: Context, staff_key: str, username: str) -> Actor:
    """Give the staff member ``staff_key`` the account ``username`` (made if new, as staff)."""
    system = Actor.system()
    if username not in {u.username for u in accounts.list_users(ctx, system)}:
        accounts.create_user(ctx, system, username, username.title(), "password-123")
        accounts.grant_role(ctx, system, username, "staff", None)
    view = next(s for s in staff_registry.list_staff(ctx, system) if s.member.key == staff_key)
    fields = view.member.model_dump() | {"username": username}
    staff_registry.save_staff(ctx, system, fields, view.version, view.capacity_by_subperiod)
    actor = authenticate(ctx, username, "password-123" if username != "staff" else "demo")
    assert actor is not None
    return actor


def _shared_item(ctx: Context, plan: publishing.PlanView) -> tuple[int, str]:
    """A planned item the demo staff member shares with one other person, and theirs."""
    people: dict[int, set[str]] = {}
    for line in plan.snapshot.assignments:
        people.setdefault(line.item, set()).add(line.staff)
    item = min(
        i
        for i in _staff_items(ctx)
        if people[i] - {JONAH} and len(people[i]) == 2 and _status(ctx, i) == ItemStatus.PLANNED
    )
    (other,) = people[item] - {JONAH}
    return item, other


def _staff_ids(ctx: Context, item: int) -> list[int | None]:
    with reading(ctx.engine) as session:
        return list(
            session.scalars(
                select(ProgressReportRow.staff_id)
                .where(ProgressReportRow.item_id == item)
                .order_by(ProgressReportRow.id)
            )
        )


def test_two_people_on_one_item_each_owe_their_report_and_one_report_clears_only_its_own(
    demo_ctx: Context, clock: Clock
) -> None:
    plan = _publish(demo_ctx)
    execu, staff = who(demo_ctx, "exec"), who(demo_ctx, "staff")
    item, other_key = _shared_item(demo_ctx, plan)
    other = _link(demo_ctx, other_key, "second")
    with reading(demo_ctx.engine) as session:
        ids = dict(session.execute(select(StaffRow.key, StaffRow.id)).all())
        other_name = session.scalar(select(StaffRow.name).where(StaffRow.key == other_key))

    def overdue_on_item() -> set[str]:
        schedule = delivery.reports_overdue(demo_ctx, execu)
        assert schedule is not None
        return {d.person for d in schedule.overdue if d.item == item}

    clock.advance(weeks=8, minutes=1)
    assert overdue_on_item() == {"Jonah Whitcombe", other_name}
    progress.report_progress(demo_ctx, staff, item, 40, "My half is under way.")
    # The report clears the reporter's due date only: the other person is still flagged.
    assert overdue_on_item() == {other_name}
    assert not delivery.my_report_dates(demo_ctx, staff)[item].overdue
    assert delivery.my_report_dates(demo_ctx, other)[item].overdue
    executive = home.home(demo_ctx, execu).executive
    assert executive is not None
    flagged = [(d.person, d.last_report) for d in executive.reports_overdue if d.item == item]
    assert flagged == [(other_name, None)]
    # The item's progress (public): its latest report, whoever wrote it.
    latest = delivery.latest_progress(demo_ctx, [item])[item]
    assert (latest.percent, latest.by) == (40, "Jonah Whitcombe")

    clock.advance(days=1)
    progress.report_progress(demo_ctx, other, item, 60, "Mine too.")
    assert overdue_on_item() == set()
    assert delivery.latest_progress(demo_ctx, [item])[item].percent == 60
    history = delivery.item_progress(demo_ctx, Actor.public(), item)
    assert [(e.percent, e.by) for e in history] == [(60, "Second"), (40, "Jonah Whitcombe")]
    assert _staff_ids(demo_ctx, item) == [ids[JONAH], ids[other_key]]
    schedule = delivery.reports_overdue(demo_ctx, execu)
    assert schedule is not None
    dues = {d.staff_key: d.due for d in schedule.items if d.item == item}
    assert dues == {
        JONAH: clock.now - timedelta(days=1) + timedelta(weeks=8),
        other_key: clock.now + timedelta(weeks=8),
    }


def test_nobody_reports_on_an_assignment_not_theirs_and_a_refusal_writes_nothing(
    demo_ctx: Context,
) -> None:
    plan = _publish(demo_ctx)
    staff = who(demo_ctx, "staff")
    item, other_key = _shared_item(demo_ctx, plan)
    other = _link(demo_ctx, other_key, "second")
    _, theirs = progress.my_assignments(demo_ctx, other)
    not_theirs = min(set(_staff_items(demo_ctx)) - {a.item for a in theirs})
    before = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match=f"not assigned to item #{not_theirs}"):
        progress.report_progress(demo_ctx, other, not_theirs, 50, "Not mine.")
    # Naming the other person's assignment on a shared item is refused too.
    with pytest.raises(ValidationError, match=f"not assigned to item #{item}"):
        progress.report_progress(demo_ctx, staff, item, 50, "", staff=other_key)
    assert dump(demo_ctx.engine) == before


def test_an_account_standing_for_two_people_on_an_item_says_whose_report_it_is(
    demo_ctx: Context,
) -> None:
    plan = _publish(demo_ctx)
    item, other_key = _shared_item(demo_ctx, plan)
    staff = _link(demo_ctx, other_key, "staff")  # the demo account now stands for both
    before = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match="say which of them this report is for"):
        progress.report_progress(demo_ctx, staff, item, 50, "")
    assert dump(demo_ctx.engine) == before
    progress.report_progress(demo_ctx, staff, item, 50, "", staff=other_key)
    with reading(demo_ctx.engine) as session:
        other_id = session.scalar(select(StaffRow.id).where(StaffRow.key == other_key))
    assert _staff_ids(demo_ctx, item) == [other_id]
