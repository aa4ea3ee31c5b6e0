"""Scenarios and published plans on the demo data: versions are immutable, diffs are right,
staff see and report on their own assignments."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from support import Clock

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import AllocationRule, ItemStatus, Role
from roadmap.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from roadmap.services import demo, item_reads, periods, plans, signals
from roadmap.services.context import Context
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
    plan = plans.publish_plan(demo_ctx, execu, envelope, "Equal shares")
    assert plan.version == 1
    funded = [f["item"] for f in plan.snapshot["funded"]]
    assert funded
    for item_id in funded:
        assert item_reads.get_item(demo_ctx, execu, item_id).status == ItemStatus.PLANNED
    with reading(demo_ctx.engine) as session:
        stored = session.scalars(select(AssignmentRow)).all()
        assert len(stored) == len(plan.snapshot["assignments"]) > 0
    # Capacity holds: nobody works more than their capacity in any month (up to the plan's
    # display rounding of each assignment to 0.01 person-weeks).
    per_person_month: dict[tuple[str, int], list[float]] = {}
    for a in plan.snapshot["assignments"]:
        per_person_month.setdefault((a["staff"], a["subperiod"]), []).append(a["weeks"])
    with reading(demo_ctx.engine) as session:
        capacity = {s.key: s.capacity_weeks / 6 for s in session.scalars(select(StaffRow))}
    for (person, _), weeks in per_person_month.items():
        assert sum(weeks) <= capacity[person] + 0.005 * len(weeks) + 1e-9


def test_a_second_publish_makes_version_two_with_a_correct_difference(demo_ctx: Context) -> None:
    execu = who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    first = plans.publish_plan(demo_ctx, execu, envelope, "A")
    # Fewer person-weeks to share: the second plan must drop some items.
    smaller = envelope.model_copy(update={"reserve_weeks": 80.0, "rule": AllocationRule.GREEDY})
    second = plans.publish_plan(demo_ctx, execu, smaller, "B")
    assert second.version == 2
    versions = plans.published_plans(demo_ctx)
    assert [v.version for v in versions] == [2, 1]
    assert versions[1].snapshot == first.snapshot, "version 1 must not change"
    diff = plans.plan_diff(first.snapshot, second.snapshot)
    before = {f["item"] for f in first.snapshot["funded"]}
    after = {f["item"] for f in second.snapshot["funded"]}
    assert diff.removed == sorted(before - after) and diff.removed
    assert diff.added == sorted(after - before)


def test_no_service_or_store_write_can_change_a_published_plan(demo_ctx: Context) -> None:
    execu = who(demo_ctx, "exec")
    plans.publish_plan(demo_ctx, execu, periods.get_period(demo_ctx).settings.envelope)
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
    assert plans.published_plans(demo_ctx)[0].snapshot.get("tampered") is None


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
    plans.publish_plan(
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
    plans.publish_plan(demo_ctx, execu, periods.get_period(demo_ctx).settings.envelope)
    plan, mine = plans.my_assignments(demo_ctx, staff)
    assert plan is not None and mine
    assert {a["staff"] for a in mine} == {"jonah-whitcombe"}
    item_id = mine[0]["item"]
    plans.report_progress(demo_ctx, staff, item_id, 40, "Halfway through the review.")
    assert plans.progress(demo_ctx)[item_id] == (40, "Halfway through the review.", "staff")
    others = {f["item"] for f in plan.snapshot["funded"]} - {a["item"] for a in mine}
    with pytest.raises(ValidationError, match="not assigned"):
        plans.report_progress(demo_ctx, staff, min(others), 10, "")
    with pytest.raises(ValidationError, match="between 0 and 100"):
        plans.report_progress(demo_ctx, staff, item_id, 140, "")
    with pytest.raises(PermissionDenied):
        plans.report_progress(demo_ctx, who(demo_ctx, "member"), item_id, 10, "")


def test_only_the_executive_runs_scenarios_and_publishes(demo_ctx: Context) -> None:
    envelope = periods.get_period(demo_ctx).settings.envelope
    for name in ("admin", "lead", "orgrep", "staff", "member"):
        with pytest.raises(PermissionDenied):
            plans.publish_plan(demo_ctx, who(demo_ctx, name), envelope)
        with pytest.raises(PermissionDenied):
            plans.run_scenario(demo_ctx, who(demo_ctx, name), envelope)
    assert plans.published_plans(demo_ctx) == []


def test_degenerate_envelopes_give_a_sentence_not_a_traceback(demo_ctx: Context) -> None:
    execu = who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    everything = envelope.model_copy(update={"reserve_weeks": 10_000.0})
    with pytest.raises(ValidationError, match="larger than the staff's capacity"):
        plans.run_scenario(demo_ctx, execu, everything)
    with transaction(demo_ctx.engine) as session:
        session.execute(update(StaffRow).values(active=False))
    with pytest.raises(ValidationError, match="No active staff member has capacity"):
        plans.run_scenario(demo_ctx, execu, envelope)


def test_the_plan_report_lists_every_funded_item_and_escapes_titles(demo_ctx: Context) -> None:
    from roadmap.services import reports

    plan = plans.publish_plan(
        demo_ctx, who(demo_ctx, "exec"), periods.get_period(demo_ctx).settings.envelope
    )
    markdown = reports.plan_markdown(plan)
    for funded in plan.snapshot["funded"]:
        assert f"| {funded['item']} | " in markdown
    table_rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert all(line.count(" | ") >= 2 for line in table_rows)
    rows = reports.plan_csv(plan).splitlines()
    assert len(rows) == 1 + len(plan.snapshot["assignments"])


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
    reviewed = plans.snapshot(plans.run_scenario(demo_ctx, execu, envelope, "A"))
    # Meanwhile a representative withdraws the organization's whole signal.
    rep = who(demo_ctx, "orgrep")
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    signals.save_signal(demo_ctx, rep, org, [], {}, [], [])
    now = plans.snapshot(plans.run_scenario(demo_ctx, execu, envelope, "A"))
    moved = {f["item"] for f in reviewed["funded"]} ^ {f["item"] for f in now["funded"]}
    assert moved, "the withdrawn signal should change what is funded"
    before = _history(demo_ctx), _planned(demo_ctx)

    with pytest.raises(ConflictError, match="changed since you ran this scenario") as refused:
        plans.publish_plan(demo_ctx, execu, envelope, "A", reviewed=reviewed)
    for item_id in moved:
        assert f"#{item_id}" in str(refused.value)
    assert (_history(demo_ctx), _planned(demo_ctx)) == before, "a refused publish wrote"
    with reading(demo_ctx.engine) as session:
        assert session.scalar(select(func.count()).select_from(PlanRow)) == 0

    # Reviewed afresh, the same scenario publishes exactly the funding that was shown.
    plan = plans.publish_plan(demo_ctx, execu, envelope, "A", reviewed=now)
    assert plan.snapshot["funded"] == now["funded"]
    assert plan.snapshot["accounts"] == now["accounts"]


def test_a_kept_comparison_reads_back_as_run_and_publishes_without_a_false_conflict(
    demo_ctx: Context, clock: Clock
) -> None:
    execu = who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    greedy = envelope.model_copy(update={"rule": AllocationRule.GREEDY, "reserve_weeks": 3.0})
    ran = [
        plans.ScenarioResult(name, env, plans.snapshot(plans.run_scenario(demo_ctx, execu, env)))
        for name, env in (("Equal shares", envelope), ("Greedy, 3 weeks kept", greedy))
    ]
    kept = plans.keep_comparison(demo_ctx, execu, ran)
    clock.advance(minutes=5)
    later = plans.keep_comparison(demo_ctx, execu, ran[:1])

    assert [(c[0], c[1], c[3]) for c in plans.comparisons(demo_ctx, execu)] == [
        (later.id, "exec", ["Equal shares"]),
        (kept.id, "exec", ["Equal shares", "Greedy, 3 weeks kept"]),
    ]
    back = plans.comparison(demo_ctx, execu, kept.id)
    assert back.run_by == "exec"
    assert [(s.name, s.envelope) for s in back.scenarios] == [(s.name, s.envelope) for s in ran]
    assert [s.snapshot for s in back.scenarios] == [json.loads(json.dumps(s.snapshot)) for s in ran]

    # The snapshot read back from the database (JSON: tuples are lists now) is still the
    # funding a fresh run gives, so publishing it is not refused as changed.
    published = plans.publish_plan(
        demo_ctx, execu, greedy, "Greedy", reviewed=back.scenarios[1].snapshot
    )
    assert published.snapshot["funded"] == back.scenarios[1].snapshot["funded"]


def test_only_the_newest_comparisons_are_kept_and_only_the_executive_sees_them(
    demo_ctx: Context, clock: Clock
) -> None:
    execu = who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    one = [plans.ScenarioResult("A", envelope, {"funded": [], "accounts": []})]
    ids = []
    for _ in range(plans.KEEP_COMPARISONS + 2):
        ids.append(plans.keep_comparison(demo_ctx, execu, one).id)
        clock.advance(seconds=1)
    listed = [c[0] for c in plans.comparisons(demo_ctx, execu)]
    assert listed == ids[::-1][: plans.KEEP_COMPARISONS]
    with pytest.raises(NotFound, match="no longer kept"):
        plans.comparison(demo_ctx, execu, ids[0])
    with pytest.raises(ValidationError, match="at least one scenario"):
        plans.keep_comparison(demo_ctx, execu, [])
    for name in ("admin", "lead", "orgrep", "staff", "member"):
        someone = who(demo_ctx, name)
        with pytest.raises(PermissionDenied):
            plans.keep_comparison(demo_ctx, someone, one)
        with pytest.raises(PermissionDenied):
            plans.comparisons(demo_ctx, someone)
        with pytest.raises(PermissionDenied):
            plans.comparison(demo_ctx, someone, ids[-1])
    assert [c[0] for c in plans.comparisons(demo_ctx, execu)] == listed
