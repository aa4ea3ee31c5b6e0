"""Re-planning within a period, and the objection window, on the demo data (SQLite and
PostgreSQL): a version is a decision about the whole period; a proposed version moves
nothing until it is final; every move is audited; a refused step writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support import Clock, dump

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.errors import PermissionDenied, ValidationError
from roadmap.services import demo, item_reads, periods, progress, publishing, signals
from roadmap.services.context import Context
from roadmap.services.scenarios import scenario_result
from roadmap.services.sessions import authenticate
from roadmap.store.engine import reading
from roadmap.store.tables import AuditEventRow, ItemRow


@pytest.fixture
def demo_ctx(ctx: Context, clock: Clock) -> Context:
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    return ctx


def who(ctx: Context, username: str) -> Actor:
    actor = authenticate(ctx, username, "demo")
    assert actor is not None
    return actor


def _statuses(ctx: Context) -> dict[int, str]:
    with reading(ctx.engine) as session:
        return dict(session.execute(select(ItemRow.id, ItemRow.status)).all())


def _moves(ctx: Context) -> list[tuple[int, str, str, str | None]]:
    """Every audited status move: (item, from, to, why)."""
    with reading(ctx.engine) as session:
        rows = session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.action == "status", AuditEventRow.entity == "item")
            .order_by(AuditEventRow.id)
        )
        return [
            (int(r.entity_id), (r.before or {})["status"], (r.after or {})["status"], r.reason)
            for r in rows
        ]


def _with_review_days(ctx: Context, days: int) -> None:
    execu = who(ctx, "exec")
    period = periods.get_period(ctx)
    periods.update_period(ctx, execu, period.key, {"review_days": days}, period.version)


def test_replanning_with_unchanged_signals_publishes_an_identical_funding(
    demo_ctx: Context, clock: Clock
) -> None:
    execu = who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    first = publishing.publish_plan(demo_ctx, execu, envelope, "A")
    after_first, moves_after_first = _statuses(demo_ctx), _moves(demo_ctx)
    clock.advance(days=3)
    second = publishing.publish_plan(demo_ctx, execu, envelope, "A")
    assert second.version == 2
    # Version 2 considered the items version 1 planned: the same funding, the same shares.
    assert second.snapshot.funded == first.snapshot.funded
    assert second.snapshot.accounts == first.snapshot.accounts
    assert _statuses(demo_ctx) == after_first, "an identical funding moved items"
    assert _moves(demo_ctx) == moves_after_first, "an identical funding audited moves"
    diff = publishing.publish_preview(demo_ctx, execu, second.snapshot)[1]
    assert diff is not None and not diff.added and not diff.removed


def test_a_new_version_plans_what_it_funds_and_returns_what_it_drops_each_move_audited(
    demo_ctx: Context,
) -> None:
    execu = who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    first = publishing.publish_plan(demo_ctx, execu, envelope, "A")
    smaller = envelope.model_copy(update={"reserve_weeks": 100.0})
    before_second = len(_moves(demo_ctx))
    # The preview shows, before publishing, what the smaller envelope would drop.
    candidate = scenario_result(demo_ctx, execu, smaller, "B").snapshot
    current, preview = publishing.publish_preview(demo_ctx, execu, candidate)
    assert current is not None and current.version == 1 and preview is not None
    second = publishing.publish_plan(demo_ctx, execu, smaller, "B")
    was = {f.item for f in first.snapshot.funded}
    now = {f.item for f in second.snapshot.funded}
    assert preview.removed == sorted(was - now) and preview.removed, "nothing was dropped"
    assert preview.added == sorted(now - was)
    statuses = _statuses(demo_ctx)
    moves = _moves(demo_ctx)[before_second:]
    for item in was - now:
        if statuses[item] != ItemStatus.IN_PROGRESS.value:
            assert statuses[item] == ItemStatus.IN_SCOPE.value
            assert (
                item,
                "planned",
                "in_scope",
                "2027-H1's final plan (version 2) does not fund it",
            ) in moves
    for item in now:
        assert statuses[item] in {"planned", "in_progress"}
    for item in now - was:
        assert (item, "in_scope", "planned", "funded by 2027-H1's final plan (version 2)") in moves
    # Only those moves: nothing else changed status.
    assert {m[0] for m in moves} <= (was ^ now)


def test_signals_on_planned_items_stay_active_after_publishing(demo_ctx: Context) -> None:
    execu = who(demo_ctx, "exec")
    rep = who(demo_ctx, "orgrep")
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    current, inactive = signals.my_signal(demo_ctx, rep, org)
    assert current is not None and current.items() and inactive == []
    envelope = periods.get_period(demo_ctx).settings.envelope
    plan = publishing.publish_plan(demo_ctx, execu, envelope, "A")
    assert set(current.items()) & {f.item for f in plan.snapshot.funded}, "test needs overlap"
    after, inactive = signals.my_signal(demo_ctx, rep, org)
    assert after == current and inactive == []
    # The representative can still change the signal on an item the plan funded.
    funded = plan.snapshot.funded[0].item
    signals.save_signal(demo_ctx, rep, org, [funded], {}, [], [])
    assert signals.my_signal(demo_ctx, rep, org)[0].approvals == [funded]  # type: ignore[union-attr]


def test_a_proposed_version_moves_nothing_until_finalized_after_its_window(
    demo_ctx: Context, clock: Clock
) -> None:
    execu, rep, staff = who(demo_ctx, "exec"), who(demo_ctx, "orgrep"), who(demo_ctx, "staff")
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    _with_review_days(demo_ctx, 7)
    statuses = _statuses(demo_ctx)
    envelope = periods.get_period(demo_ctx).settings.envelope
    proposed = publishing.publish_plan(demo_ctx, execu, envelope, "A")
    assert proposed.proposed and not proposed.final and proposed.review_until is not None
    assert _statuses(demo_ctx) == statuses, "a proposal moved items"
    assert progress.my_assignments(demo_ctx, staff) == (None, []), "staff see a proposal"
    assert publishing.final_plan(demo_ctx, execu) is None

    # Before the window closes: an objection is recorded; finalizing is refused.
    clock.advance(days=2)
    publishing.object_to_plan(demo_ctx, rep, org, 1, "Our security item is missing.")
    unchanged = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match="may object to version 1 until"):
        publishing.finalize_plan(demo_ctx, execu, 1)
    assert dump(demo_ctx.engine) == unchanged
    seen = publishing.objections(demo_ctx, execu, 1)
    assert [(o.organization, o.reason) for o in seen] == [(org, "Our security item is missing.")]
    assert publishing.objections(demo_ctx, who(demo_ctx, "staff"), 1) == []

    # After the window: objections are refused, the executive finalizes.
    clock.advance(days=5, seconds=1)
    with pytest.raises(ValidationError, match="objection window for version 1 closed"):
        publishing.object_to_plan(demo_ctx, rep, org, 1, "Late.")
    assert dump(demo_ctx.engine) == unchanged
    final = publishing.finalize_plan(demo_ctx, execu, 1)
    assert final.final
    for f in proposed.snapshot.funded:
        assert item_reads.get_item(demo_ctx, execu, f.item).status in {
            ItemStatus.PLANNED,
            ItemStatus.IN_PROGRESS,
        }
    plan, mine = progress.my_assignments(demo_ctx, staff)
    assert plan is not None and plan.version == 1 and mine
    with pytest.raises(ValidationError, match="final already"):
        publishing.finalize_plan(demo_ctx, execu, 1)
    with pytest.raises(ValidationError, match="is final; it takes no objections"):
        publishing.object_to_plan(demo_ctx, rep, org, 1, "Too late.")


def test_a_revised_version_replaces_the_proposal(demo_ctx: Context, clock: Clock) -> None:
    execu, rep = who(demo_ctx, "exec"), who(demo_ctx, "orgrep")
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    _with_review_days(demo_ctx, 7)
    envelope = periods.get_period(demo_ctx).settings.envelope
    publishing.publish_plan(demo_ctx, execu, envelope, "A")
    publishing.object_to_plan(demo_ctx, rep, org, 1, "Fund the docs work instead.")
    revised = publishing.publish_plan(
        demo_ctx, execu, envelope.model_copy(update={"reserve_weeks": 30.0}), "A revised"
    )
    assert revised.version == 2 and revised.proposed
    versions = publishing.published_plans(demo_ctx, execu)
    assert [(v.version, v.state) for v in versions] == [
        (2, "proposed"),
        (1, "replaced before it was final"),
    ]
    clock.advance(days=8)
    unchanged = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match="replaced by a newer version"):
        publishing.finalize_plan(demo_ctx, execu, 1)
    with pytest.raises(ValidationError, match="replaced by a newer version"):
        publishing.object_to_plan(demo_ctx, rep, org, 2 - 1, "Still.")
    assert dump(demo_ctx.engine) == unchanged
    assert publishing.finalize_plan(demo_ctx, execu, 2).version == 2


@pytest.mark.parametrize(
    ("username", "reason", "error", "sentence"),
    [
        ("orgrep", "   ", ValidationError, "Say why the organization objects"),
        ("exec", "I object", PermissionDenied, "object to the plan"),
        ("staff", "I object", PermissionDenied, "object to the plan"),
    ],
)
def test_a_refused_objection_writes_nothing(
    demo_ctx: Context, username: str, reason: str, error: type[Exception], sentence: str
) -> None:
    execu, rep = who(demo_ctx, "exec"), who(demo_ctx, "orgrep")
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    _with_review_days(demo_ctx, 7)
    envelope = periods.get_period(demo_ctx).settings.envelope
    publishing.publish_plan(demo_ctx, execu, envelope, "A")
    unchanged = dump(demo_ctx.engine)
    with pytest.raises(error, match=sentence):
        publishing.object_to_plan(demo_ctx, who(demo_ctx, username), org, 1, reason)
    assert dump(demo_ctx.engine) == unchanged


def test_only_the_executive_finalizes(demo_ctx: Context, clock: Clock) -> None:
    execu = who(demo_ctx, "exec")
    _with_review_days(demo_ctx, 1)
    envelope = periods.get_period(demo_ctx).settings.envelope
    publishing.publish_plan(demo_ctx, execu, envelope, "A")
    clock.advance(days=2)
    for username in ("orgrep", "lead", "staff", "admin"):
        with pytest.raises(PermissionDenied):
            publishing.finalize_plan(demo_ctx, who(demo_ctx, username), 1)


def test_staff_keep_the_plan_in_effect_while_the_next_period_is_planned(
    demo_ctx: Context, clock: Clock
) -> None:
    from datetime import UTC, date, datetime

    from roadmap.services import period_setup

    execu, staff = who(demo_ctx, "exec"), who(demo_ctx, "staff")
    envelope = periods.get_period(demo_ctx).settings.envelope
    publishing.publish_plan(demo_ctx, execu, envelope, "H1 plan", "2027-H1")
    period_setup.create_period(
        demo_ctx, execu, "2027-H2", "2027, second half", date(2027, 7, 1), date(2027, 12, 31)
    )
    publishing.publish_plan(demo_ctx, execu, envelope, "H2 plan", "2027-H2")
    # Before 2027-H1 starts, and all through it, staff work on its plan.
    for today in (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 6, 30, 12, tzinfo=UTC)):
        clock.now = today
        plan, _ = progress.my_assignments(demo_ctx, staff)
        assert plan is not None and (plan.period, plan.snapshot.name) == ("2027-H1", "H1 plan")
    # From the first day of 2027-H2, its plan takes over.
    clock.now = datetime(2027, 7, 1, 9, tzinfo=UTC)
    plan, _ = progress.my_assignments(demo_ctx, staff)
    assert plan is not None and (plan.period, plan.snapshot.name) == ("2027-H2", "H2 plan")
