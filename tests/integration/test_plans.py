"""Scenarios and published plans on the demo data: versions are immutable, diffs are right,
staff see and report on their own assignments."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from support import Clock

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import AllocationRule, ItemStatus, Role
from roadmap.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from roadmap.domain.plans import PlanSnapshot, SolverOutcome, plan_diff
from roadmap.domain.signals import PledgeInput
from roadmap.services import comparisons, demo, item_reads, periods, progress, publishing, signals
from roadmap.services.comparisons import KEEP_COMPARISONS, keep_comparison
from roadmap.services.context import Context
from roadmap.services.scenarios import ScenarioResult, run_scenario, scenario_result, snapshot
from roadmap.services.sessions import authenticate
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import AssignmentRow, AuditEventRow, ItemRow, PlanRow, StaffRow


@pytest.fixture
def demo_ctx(ctx: Context, clock: Clock) -> Context:
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    return ctx


def who(ctx: Context, username: str) -> Actor:
    actor = authenticate(ctx, username, "demo")
    assert actor is not None
    return actor


def test_publishing_makes_version_one_and_moves_funded_items_to_planned(demo_ctx: Context) -> None:
    execu = who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    plan = publishing.publish_plan(demo_ctx, execu, envelope, "Equal shares")
    assert plan.version == 1
    funded = [f.item for f in plan.snapshot.funded]
    assert funded
    for item_id in funded:
        assert item_reads.get_item(demo_ctx, execu, item_id).status == ItemStatus.PLANNED
    with reading(demo_ctx.engine) as session:
        stored = session.scalars(select(AssignmentRow)).all()
        assert len(stored) == len(plan.snapshot.assignments) > 0
    # Capacity holds: nobody works more than their capacity in any month (up to the plan's
    # display rounding of each assignment to 0.01 person-weeks).
    per_person_month: dict[tuple[str, int], list[float]] = {}
    for a in plan.snapshot.assignments:
        per_person_month.setdefault((a.staff, a.subperiod), []).append(a.weeks)
    with reading(demo_ctx.engine) as session:
        capacity = {s.key: s.capacity_weeks / 6 for s in session.scalars(select(StaffRow))}
    for (person, _), weeks in per_person_month.items():
        assert sum(weeks) <= capacity[person] + 0.005 * len(weeks) + 1e-9


def test_a_second_publish_makes_version_two_with_a_correct_difference(demo_ctx: Context) -> None:
    execu = who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    first = publishing.publish_plan(demo_ctx, execu, envelope, "A")
    # Fewer person-weeks to share: the second plan must drop some items.
    smaller = envelope.model_copy(update={"reserve_weeks": 80.0, "rule": AllocationRule.GREEDY})
    second = publishing.publish_plan(demo_ctx, execu, smaller, "B")
    assert second.version == 2
    versions = publishing.published_plans(demo_ctx, execu)
    assert [v.version for v in versions] == [2, 1]
    assert versions[1].snapshot == first.snapshot, "version 1 must not change"
    diff = plan_diff(first.snapshot, second.snapshot)
    before = {f.item for f in first.snapshot.funded}
    after = {f.item for f in second.snapshot.funded}
    assert diff.removed == sorted(before - after) and diff.removed
    assert diff.added == sorted(after - before)


def test_no_service_or_store_write_can_change_a_published_plan(demo_ctx: Context) -> None:
    execu = who(demo_ctx, "exec")
    published = publishing.publish_plan(
        demo_ctx, execu, periods.get_period(demo_ctx).settings.envelope
    )
    with (
        pytest.raises(ValidationError, match="cannot be changed"),
        transaction(demo_ctx.engine) as session,
    ):
        row = session.scalars(select(PlanRow)).one()
        row.snapshot = {"tampered": True}
    with pytest.raises(ValidationError), transaction(demo_ctx.engine) as session:
        assignment = session.scalars(select(AssignmentRow)).first()
        assert assignment is not None
        assignment.weeks = 99.0
    assert publishing.published_plans(demo_ctx, execu)[0].snapshot == published.snapshot


def _history(ctx: Context) -> list[list[tuple[object, ...]]]:
    with reading(ctx.engine) as session:
        return [
            [tuple(r) for r in session.execute(select(t.__table__).order_by(t.id)).all()]
            for t in (PlanRow, AssignmentRow, AuditEventRow)
        ]


def test_the_database_itself_refuses_to_change_a_published_plan_or_the_audit_log(
    demo_ctx: Context,
) -> None:
    """A bulk UPDATE (or any SQL session) bypasses the ORM guard above: triggers (migration
    0003) refuse it in the database, on SQLite and PostgreSQL alike, and nothing changes."""
    publishing.publish_plan(
        demo_ctx, who(demo_ctx, "exec"), periods.get_period(demo_ctx).settings.envelope
    )
    before = _history(demo_ctx)
    assert all(before), "a plan, its assignments and audit events to protect"
    statements = [
        (update(PlanRow).values(version=PlanRow.version + 1), "A published plan cannot be"),
        (update(AssignmentRow).values(weeks=99.0), "A published plan cannot be"),
        (update(AuditEventRow).values(action="forged"), "The audit log cannot be changed"),
    ]
    for statement, refusal in statements:
        with pytest.raises(IntegrityError, match=refusal), demo_ctx.engine.begin() as conn:
            conn.execute(statement)
    assert _history(demo_ctx) == before


def test_staff_see_their_assignments_and_report_progress_only_on_them(demo_ctx: Context) -> None:
    execu, staff = who(demo_ctx, "exec"), who(demo_ctx, "staff")
    publishing.publish_plan(demo_ctx, execu, periods.get_period(demo_ctx).settings.envelope)
    plan, mine = progress.my_assignments(demo_ctx, staff)
    assert plan is not None and mine
    assert {a.staff for a in mine} == {"jonah-whitcombe"}
    item_id = mine[0].item
    progress.report_progress(demo_ctx, staff, item_id, 40, "Halfway through the review.")
    assert progress.progress(demo_ctx)[item_id] == progress.ProgressReport(
        40, "Halfway through the review.", "staff"
    )
    others = {f.item for f in plan.snapshot.funded} - {a.item for a in mine}
    with pytest.raises(ValidationError, match="not assigned"):
        progress.report_progress(demo_ctx, staff, min(others), 10, "")
    with pytest.raises(ValidationError, match="between 0 and 100"):
        progress.report_progress(demo_ctx, staff, item_id, 140, "")
    with pytest.raises(PermissionDenied):
        progress.report_progress(demo_ctx, who(demo_ctx, "member"), item_id, 10, "")


def test_only_the_executive_runs_scenarios_and_publishes(demo_ctx: Context) -> None:
    envelope = periods.get_period(demo_ctx).settings.envelope
    for name in ("admin", "lead", "orgrep", "staff", "member"):
        with pytest.raises(PermissionDenied):
            publishing.publish_plan(demo_ctx, who(demo_ctx, name), envelope)
        with pytest.raises(PermissionDenied):
            run_scenario(demo_ctx, who(demo_ctx, name), envelope)
    assert publishing.published_plans(demo_ctx, Actor.public()) == []


def test_degenerate_envelopes_give_a_sentence_not_a_traceback(demo_ctx: Context) -> None:
    execu = who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    everything = envelope.model_copy(update={"reserve_weeks": 10_000.0})
    with pytest.raises(ValidationError, match="larger than the staff's capacity"):
        run_scenario(demo_ctx, execu, everything)
    with transaction(demo_ctx.engine) as session:
        session.execute(update(StaffRow).values(active=False))
    with pytest.raises(ValidationError, match="No active staff member has capacity"):
        run_scenario(demo_ctx, execu, envelope)


def test_the_plan_report_lists_every_funded_item_and_escapes_titles(demo_ctx: Context) -> None:
    from roadmap.services import reports

    plan = publishing.publish_plan(
        demo_ctx, who(demo_ctx, "exec"), periods.get_period(demo_ctx).settings.envelope
    )
    markdown = reports.plan_markdown(plan)
    for funded in plan.snapshot.funded:
        assert f"| {funded.item} | " in markdown
    table_rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert all(line.count(" | ") >= 2 for line in table_rows)
    rows = reports.plan_csv(plan).splitlines()
    assert len(rows) == 1 + len(plan.snapshot.assignments)


def _planned(ctx: Context) -> list[int]:
    with reading(ctx.engine) as session:
        return list(
            session.scalars(
                select(ItemRow.id)
                .where(ItemRow.status == ItemStatus.PLANNED.value)
                .order_by(ItemRow.id)
            )
        )


def test_a_reviewed_scenario_is_not_published_once_the_signals_moved_its_funding(
    demo_ctx: Context,
) -> None:
    execu = who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    reviewed = snapshot(run_scenario(demo_ctx, execu, envelope, "A"))
    # Meanwhile a representative moves the organization's whole signal to one item the
    # reviewed scenario left unfunded, with a pledge of its full effort.
    rep = who(demo_ctx, "orgrep")
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    target = reviewed.unfunded[0]
    signals.save_signal(
        demo_ctx, rep, org, [target.item], {}, [], [PledgeInput(target.item, target.effort)]
    )
    now = snapshot(run_scenario(demo_ctx, execu, envelope, "A"))
    moved = {f.item for f in reviewed.funded} ^ {f.item for f in now.funded}
    assert target.item in moved, "the moved signal should change what is funded"
    before = _history(demo_ctx), _planned(demo_ctx)

    with pytest.raises(ConflictError, match="changed since you ran this scenario") as refused:
        publishing.publish_plan(demo_ctx, execu, envelope, "A", reviewed=reviewed)
    for item_id in moved:
        assert f"#{item_id}" in str(refused.value)
    assert (_history(demo_ctx), _planned(demo_ctx)) == before, "a refused publish wrote"
    with reading(demo_ctx.engine) as session:
        assert session.scalar(select(func.count()).select_from(PlanRow)) == 0

    # Reviewed afresh, the same scenario publishes exactly the funding that was shown.
    plan = publishing.publish_plan(demo_ctx, execu, envelope, "A", reviewed=now)
    assert plan.snapshot.funded == now.funded
    assert plan.snapshot.accounts == now.accounts


def test_a_kept_comparison_reads_back_as_run_and_publishes_without_a_false_conflict(
    demo_ctx: Context, clock: Clock
) -> None:
    execu = who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    greedy = envelope.model_copy(update={"rule": AllocationRule.GREEDY, "reserve_weeks": 3.0})
    ran = [
        scenario_result(demo_ctx, execu, env, name)
        for name, env in (("Equal shares", envelope), ("Greedy, 3 weeks kept", greedy))
    ]
    kept = keep_comparison(demo_ctx, execu, ran)
    clock.advance(minutes=5)
    later = keep_comparison(demo_ctx, execu, ran[:1])

    # Who ran it by the name the app shows people by (as comments and history do).
    name = execu.display_name
    assert name and name != execu.username
    assert [(c.id, c.run_by, c.names) for c in comparisons.comparisons(demo_ctx, execu)] == [
        (later.id, name, ["Equal shares"]),
        (kept.id, name, ["Equal shares", "Greedy, 3 weeks kept"]),
    ]
    back = comparisons.comparison(demo_ctx, execu, kept.id)
    assert back.run_by == name
    assert [(s.name, s.envelope) for s in back.scenarios] == [(s.name, s.envelope) for s in ran]
    assert [s.snapshot for s in back.scenarios] == [s.snapshot for s in ran]

    # The snapshot read back from the database (JSON: tuples are lists now) is still the
    # funding a fresh run gives, so publishing it is not refused as changed.
    published = publishing.publish_plan(
        demo_ctx, execu, greedy, "Greedy", reviewed=back.scenarios[1].snapshot
    )
    assert published.snapshot.funded == back.scenarios[1].snapshot.funded


def test_only_the_newest_comparisons_are_kept_and_only_the_executive_sees_them(
    demo_ctx: Context, clock: Clock
) -> None:
    execu = who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    empty = PlanSnapshot(
        name="A",
        envelope=envelope,
        budget=0.0,
        reserve=0.0,
        spent=0.0,
        subperiods=[],
        funded=[],
        unfunded=[],
        accounts=[],
        assignments=[],
        coverage=[],
        gaps=[],
        solver=SolverOutcome(status="optimal", gap=None, message=None),
    )
    one = [ScenarioResult("A", envelope, empty)]
    ids = []
    for _ in range(KEEP_COMPARISONS + 2):
        ids.append(keep_comparison(demo_ctx, execu, one).id)
        clock.advance(seconds=1)
    listed = [c.id for c in comparisons.comparisons(demo_ctx, execu)]
    assert listed == ids[::-1][:KEEP_COMPARISONS]
    with pytest.raises(NotFound, match="no longer kept"):
        comparisons.comparison(demo_ctx, execu, ids[0])
    with pytest.raises(ValidationError, match="at least one scenario"):
        keep_comparison(demo_ctx, execu, [])
    for name in ("admin", "lead", "orgrep", "staff", "member"):
        someone = who(demo_ctx, name)
        with pytest.raises(PermissionDenied):
            keep_comparison(demo_ctx, someone, one)
        with pytest.raises(PermissionDenied):
            comparisons.comparisons(demo_ctx, someone)
        with pytest.raises(PermissionDenied):
            comparisons.comparison(demo_ctx, someone, ids[-1])
    assert [c.id for c in comparisons.comparisons(demo_ctx, execu)] == listed
