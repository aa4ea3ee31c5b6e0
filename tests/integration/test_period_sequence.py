"""Periods in sequence, on the demo data (SQLite and PostgreSQL): a period started from
another copies its settings and records where it came from; a source starts one period, and
a refused start writes nothing; the effort the source leaves unallocated is carried into the
new period's pool (or lapses); unfinished work is a candidate again at what is left of it;
and a representative starts the new period from the organization's earlier signal."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from support import Clock, dump

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.accounting import plan_accounting
from roadmap.domain.enums import ItemStatus, Privacy, Role, UnspentPolicy
from roadmap.domain.errors import NotFound, PermissionDenied, ValidationError
from roadmap.services import (
    delivery,
    demo,
    items,
    period_setup,
    periods,
    progress,
    publishing,
    sequence,
    signals,
)
from roadmap.services.context import Context
from roadmap.services.planning import Funding, run_funding
from roadmap.services.scenarios import scenario_result
from roadmap.services.sessions import authenticate
from roadmap.store.engine import reading
from roadmap.store.tables import AuditEventRow, ItemRow

H2 = ("2027-H2", "2027, second half", date(2027, 7, 1), date(2027, 12, 31))


@pytest.fixture
def demo_ctx(ctx: Context, clock: Clock) -> Context:
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    return ctx


def who(ctx: Context, username: str) -> Actor:
    actor = authenticate(ctx, username, "demo")
    assert actor is not None
    return actor


def _publish_h1(ctx: Context) -> publishing.PlanView:
    envelope = periods.get_period(ctx, "2027-H1").settings.envelope
    return publishing.publish_plan(ctx, who(ctx, "exec"), envelope, "H1", "2027-H1")


def _start_h2(ctx: Context) -> period_setup.PeriodEntry:
    return period_setup.new_period_from(ctx, who(ctx, "exec"), "2027-H1", *H2)


def _funding(ctx: Context, key: str) -> Funding:
    execu = who(ctx, "exec")
    return run_funding(ctx, execu, periods.get_period(ctx, key).settings.envelope, "s", key)


def _costs(funding: Funding) -> dict[int, float]:
    return {f.item.id: f.item.cost for f in funding.funded} | {
        u.item.id: u.item.cost for u in funding.unfunded
    }


def _set(ctx: Context, key: str, changes: dict[str, object]) -> None:
    period = periods.get_period(ctx, key)
    periods.update_period(ctx, who(ctx, "exec"), key, changes, period.version)


def test_a_new_period_copies_the_source_settings_and_names_its_source(demo_ctx: Context) -> None:
    _set(
        demo_ctx,
        "2027-H1",
        {
            "review_days": 5,
            "report_every_weeks": 4,
            "unspent_policy": "lapse",
            "privacy": "aggregate",
            "points_budget": 80,
        },
    )
    source = periods.get_period(demo_ctx, "2027-H1").settings
    made = _start_h2(demo_ctx)
    assert (made.key, made.name, made.start, made.end) == H2
    new = periods.get_period(demo_ctx, "2027-H2").settings
    # Everything the executive set is copied ...
    copied = (
        "envelope",
        "signal_forms",
        "points_budget",
        "privacy",
        "weeks_per_currency",
        "review_days",
        "report_every_weeks",
        "unspent_policy",
    )
    assert {k: getattr(new, k) for k in copied} == {k: getattr(source, k) for k in copied}
    assert new.envelope.constraints and new.envelope.reserve_weeks == 23
    assert new.privacy == Privacy.AGGREGATE and new.review_days == 5
    # ... but not where the source is in its life: the new period starts as a draft.
    assert new.status.value == "draft" and new.signal_window_start is None
    assert periods.source_key(demo_ctx, "2027-H2") == "2027-H1"
    with reading(demo_ctx.engine) as session:
        event = session.scalars(
            select(AuditEventRow).where(
                AuditEventRow.entity == "period", AuditEventRow.entity_id == "2027-H2"
            )
        ).one()
    assert event.action == "create" and event.actor_name == "exec"
    assert event.after is not None and event.after["source"] == "2027-H1"


def test_only_the_executive_and_admins_start_a_period(demo_ctx: Context) -> None:
    for name in ("lead", "orgrep", "staff", "member"):
        with pytest.raises(PermissionDenied):
            period_setup.new_period_from(demo_ctx, who(demo_ctx, name), "2027-H1", *H2)
    period_setup.new_period_from(demo_ctx, who(demo_ctx, "admin"), "2027-H1", *H2)


def test_a_second_period_from_the_same_source_is_refused_and_writes_nothing(
    demo_ctx: Context,
) -> None:
    _start_h2(demo_ctx)
    before = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match="2027-H2 was already started from 2027-H1"):
        period_setup.new_period_from(
            demo_ctx,
            who(demo_ctx, "exec"),
            "2027-H1",
            "2028-H1",
            "2028, first half",
            date(2028, 1, 1),
            date(2028, 6, 30),
        )
    assert dump(demo_ctx.engine) == before


def test_overlapping_dates_and_a_missing_source_are_refused_and_write_nothing(
    demo_ctx: Context,
) -> None:
    execu = who(demo_ctx, "exec")
    before = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match="overlaps 2027-06-01 to 2027-12-31"):
        period_setup.new_period_from(
            demo_ctx, execu, "2027-H1", "2027-H2", "Late", date(2027, 6, 1), date(2027, 12, 31)
        )
    with pytest.raises(NotFound, match="There is no period '2026-H2' to start from"):
        period_setup.new_period_from(demo_ctx, execu, "2026-H2", *H2)
    assert dump(demo_ctx.engine) == before


def test_unspent_effort_is_returned_to_the_pool_of_the_next_period(demo_ctx: Context) -> None:
    h1 = _publish_h1(demo_ctx).snapshot
    # What the final plan left unallocated (the accounting's "Left unallocated"), and the
    # executive's reserve, which no plan allots: both are unspent.
    unallocated = round(plan_accounting(h1).step("Left unallocated").weeks, 3)
    assert 0 < unallocated < h1.reserve == 23, "the demo plan leaves some effort unallocated"
    unspent = round(unallocated + h1.reserve, 3)
    _start_h2(demo_ctx)
    new = periods.get_period(demo_ctx, "2027-H2").settings
    assert new.carried_weeks == pytest.approx(unspent)
    # The new period's elections share the staff's capacity and the carried effort.
    funding = _funding(demo_ctx, "2027-H2")
    assert funding.budget == pytest.approx(h1.budget + unspent)
    assert funding.carried == pytest.approx(unspent)
    seq = sequence.period_sequence(demo_ctx, "2027-H2")
    assert seq.unspent_sentence() == (
        f"2027-H1 left {unspent:g} person-weeks unspent: the final plan left {unallocated:g} "
        "person-weeks unallocated, and the reserve of 23 person-weeks counts as unspent too "
        "(no plan allots the reserve, and the app records no use of it). This effort was "
        "returned to the pool of 2027-H2 (its budget includes it)."
    )
    with reading(demo_ctx.engine) as session:
        event = session.scalars(
            select(AuditEventRow).where(
                AuditEventRow.entity == "period", AuditEventRow.entity_id == "2027-H2"
            )
        ).one()
    assert event.after is not None
    assert (
        event.after["unspent_weeks"],
        event.after["unallocated_weeks"],
        event.after["unspent_reserve_weeks"],
        event.after["carried_weeks"],
    ) == pytest.approx((unspent, unallocated, 23, unspent))
    # Once the next period started, the source's policy is settled: changing it is refused.
    with pytest.raises(ValidationError, match="was already started from 2027-H1"):
        _set(demo_ctx, "2027-H1", {"unspent_policy": "lapse"})
    assert sequence.period_sequence(demo_ctx, "2027-H1").next_key == "2027-H2"


def test_unspent_effort_and_the_reserve_lapse_under_the_lapse_policy(demo_ctx: Context) -> None:
    h1 = _publish_h1(demo_ctx).snapshot
    _set(demo_ctx, "2027-H1", {"unspent_policy": UnspentPolicy.LAPSE.value})
    _start_h2(demo_ctx)
    assert periods.get_period(demo_ctx, "2027-H2").settings.carried_weeks == 0
    funding = _funding(demo_ctx, "2027-H2")
    assert funding.budget == pytest.approx(h1.budget) and funding.carried == 0
    sentence = sequence.period_sequence(demo_ctx, "2027-H2").unspent_sentence()
    assert sentence is not None and "This effort lapsed with 2027-H1" in sentence
    assert "and the reserve of 23 person-weeks counts as unspent too" in sentence


def test_a_source_without_a_final_plan_carries_nothing(demo_ctx: Context) -> None:
    _start_h2(demo_ctx)
    assert periods.get_period(demo_ctx, "2027-H2").settings.carried_weeks == 0


def test_an_item_planned_with_40_percent_done_is_a_candidate_next_period_at_60_percent(
    demo_ctx: Context,
) -> None:
    plan = _publish_h1(demo_ctx)
    staff = who(demo_ctx, "staff")
    _, mine = progress.my_assignments(demo_ctx, staff)
    item = mine[0].item
    before = _costs(_funding(demo_ctx, "2027-H1"))[item]
    progress.report_progress(demo_ctx, staff, item, 40, "Under way.")
    # Within its own period, a report does not change an item's cost: re-planning is stable.
    assert _costs(_funding(demo_ctx, "2027-H1"))[item] == before
    assert {f.item: f.effort for f in plan.snapshot.funded}[item] == before
    _start_h2(demo_ctx)
    after = _costs(_funding(demo_ctx, "2027-H2"))
    assert after[item] == pytest.approx(before * 0.6)
    # Every other item funded in 2027-H1 and not done is a candidate again, at full cost.
    for other in {f.item for f in plan.snapshot.funded} - {item}:
        assert after[other] == pytest.approx(_costs(_funding(demo_ctx, "2027-H1"))[other])
    carried = {c.id: c for c in sequence.period_sequence(demo_ctx, "2027-H2").items}
    assert set(carried) == {f.item for f in plan.snapshot.funded}
    assert carried[item].percent == 40
    assert carried[item].remaining == pytest.approx(before * 0.6)


def _statuses(ctx: Context, ids: set[int] | None = None) -> dict[int, str]:
    """The status of each of ``ids`` (of every item without)."""
    query = select(ItemRow.id, ItemRow.status)
    if ids is not None:
        query = query.where(ItemRow.id.in_(ids))
    with reading(ctx.engine) as session:
        return {i: status for i, status in session.execute(query)}


def _moves_since(ctx: Context, first: int) -> list[tuple[int, str, str | None]]:
    """The audited status moves after audit event ``first``: (item, to, why)."""
    with reading(ctx.engine) as session:
        rows = session.scalars(
            select(AuditEventRow).where(
                AuditEventRow.action == "status",
                AuditEventRow.entity == "item",
                AuditEventRow.id > first,
            )
        )
        return [(int(r.entity_id), (r.after or {})["status"], r.reason) for r in rows]


def _last_event(ctx: Context) -> int:
    with reading(ctx.engine) as session:
        return int(session.scalar(select(func.max(AuditEventRow.id))) or 0)


def test_an_h2_plan_leaves_h1_planned_items_alone_while_h1_is_in_effect(
    demo_ctx: Context, clock: Clock
) -> None:
    execu, staff = who(demo_ctx, "exec"), who(demo_ctx, "staff")
    h1 = {f.item for f in _publish_h1(demo_ctx).snapshot.funded}
    working = {"planned", "in_progress"}
    assert set(_statuses(demo_ctx, h1).values()) <= working
    _start_h2(demo_ctx)
    envelope = periods.get_period(demo_ctx, "2027-H2").settings.envelope

    # H2 v1 funds some of H1's unfinished items (carried over) and some new ones.
    mark, before = _last_event(demo_ctx), _statuses(demo_ctx)
    candidate = scenario_result(demo_ctx, execu, envelope, "H2", "2027-H2").snapshot
    # Before publishing, the preview says H1's planned items that H2 does not fund stay
    # planned under H1's plan; none returns to in scope.
    ahead = publishing.unfunded_preview(demo_ctx, execu, candidate, "2027-H2")
    unfunded_h1 = {i for i in h1 - {f.item for f in candidate.funded} if before[i] == "planned"}
    assert ahead.returning == [] and ahead.kept == dict.fromkeys(unfunded_h1, "2027-H1")
    v1 = publishing.publish_plan(demo_ctx, execu, envelope, "H2", "2027-H2")
    h2_v1 = {f.item for f in v1.snapshot.funded}
    assert h2_v1 == {f.item for f in candidate.funded}
    new = {i for i in h2_v1 - h1 if before[i] == "in_scope"}
    assert new and h2_v1 & h1 and h1 - h2_v1, "the demo's H2 plan overlaps H1's in part"
    assert set(_statuses(demo_ctx, h1 | h2_v1).values()) <= working
    # Only H2's new items moved: H1's items, funded by H2 or not, were left alone.
    moves = _moves_since(demo_ctx, mark)
    assert sorted(moves) == [
        (i, "planned", "funded by 2027-H2's final plan (version 1)") for i in sorted(new)
    ]

    # A smaller H2 v2: what H2 v1 alone planned returns to scope; H1's items stay planned.
    mark = _last_event(demo_ctx)
    # 34 person-weeks to share: enough for the floors, little more.
    tight = _funding(demo_ctx, "2027-H2").budget - 34
    smaller = envelope.model_copy(update={"reserve_weeks": tight})
    candidate = scenario_result(demo_ctx, execu, smaller, "H2 smaller", "2027-H2").snapshot
    ahead = publishing.unfunded_preview(demo_ctx, execu, candidate, "2027-H2")
    v2 = publishing.publish_plan(demo_ctx, execu, smaller, "H2 smaller", "2027-H2")
    h2_v2 = {f.item for f in v2.snapshot.funded}
    assert h2_v2 == {f.item for f in candidate.funded}
    returned = new - h2_v2
    assert returned and h1 - h2_v2, "the smaller H2 plan drops items of both kinds"
    # The preview told them apart: what H2 v1 alone planned returns to in scope; H1's
    # planned items stay planned under H1's plan, with their titles.
    assert ahead.returning == sorted(returned)
    assert {i for i, key in ahead.kept.items() if key == "2027-H1"} == {
        i for i in h1 - h2_v2 if _statuses(demo_ctx, {i})[i] == "planned"
    }
    assert set(ahead.kept.values()) == {"2027-H1"}
    assert all(ahead.titles[i] for i in [*ahead.returning, *ahead.kept])
    assert set(_statuses(demo_ctx, h2_v2).values()) <= working
    assert _statuses(demo_ctx, returned) == dict.fromkeys(returned, "in_scope")
    assert set(_statuses(demo_ctx, h1).values()) <= working
    assert sorted(_moves_since(demo_ctx, mark)) == [
        (i, "in_scope", "2027-H2's final plan (version 2) does not fund it")
        for i in sorted(returned)
    ]

    # H1's plan is still the one in effect: staff report progress on an H1 assignment
    # that H2 does not fund, and the overdue flags still see every H1 item.
    plan, mine = progress.my_assignments(demo_ctx, staff)
    assert plan is not None and (plan.period, plan.version) == ("2027-H1", 1)
    item = next(a.item for a in mine if a.item not in h2_v2)
    clock.advance(weeks=2)
    progress.report_progress(demo_ctx, staff, item, 30, "Under way.")
    assert _statuses(demo_ctx, {item}) == {item: "in_progress"}
    clock.advance(weeks=7)  # 2027-01-04: H1 has begun; its first reports are late
    schedule = delivery.reports_overdue(demo_ctx, execu)
    assert schedule is not None and schedule.period == "2027-H1"
    assert {d.item for d in schedule.items} == h1
    # Reports are per assignment: the one reported on is not late; everyone else's is,
    # including the others on that item, if any.
    late = {(d.item, d.staff_key) for d in schedule.overdue}
    reporter = next(a.staff for a in mine if a.item == item)
    assert (item, reporter) not in late
    assert {i for i, _ in late} - {item} == h1 - {item}


def _signalling_h2(ctx: Context) -> None:
    execu = who(ctx, "exec")
    period_setup.close_period(ctx, execu, "2027-H1")
    period_setup.open_signalling(ctx, execu, "2027-H2")


def test_copy_previous_signal_copies_it_and_drops_what_no_longer_applies(
    demo_ctx: Context,
) -> None:
    rep = who(demo_ctx, "orgrep")
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    earlier, _ = signals.my_signal(demo_ctx, rep, org, "2027-H1")
    assert earlier is not None and sum(earlier.points.values()) == 100
    _start_h2(demo_ctx)
    _set(demo_ctx, "2027-H2", {"points_budget": 60})
    # An item of the earlier signal is withdrawn: it no longer takes signals.
    with reading(demo_ctx.engine) as session:
        frontends = set(
            session.scalars(
                select(ItemRow.id).where(ItemRow.subcommunity.has(slug="jupyter-frontends"))
            )
        )
    (gone,) = sorted(set(earlier.approvals) & frontends)[:1]
    items.change_status(demo_ctx, who(demo_ctx, "lead"), gone, ItemStatus.WITHDRAWN, "Dropped.")
    _signalling_h2(demo_ctx)
    assert signals.my_signal(demo_ctx, rep, org)[0] is None

    copied = signals.copy_previous_signal(demo_ctx, rep, org)
    assert copied.source == "2027-H1"
    now, _ = signals.my_signal(demo_ctx, rep, org)
    assert now is not None and now == copied.signal
    assert now.approvals == sorted(set(earlier.approvals) - {gone})
    assert now.ranking == [i for i in earlier.ranking if i != gone]
    assert [p[:2] for p in now.pledges] == [p[:2] for p in earlier.pledges if p[0] != gone]
    # Points: within the new budget, the largest kept first; what was cut is said.
    assert sum(now.points.values()) == 60
    kept = {i: p for i, p in earlier.points.items() if i != gone}
    assert all(now.points.get(i, 0) <= p for i, p in kept.items())
    assert copied.dropped[0].startswith(f"Left out, no longer open to signals: #{gone} (withdrawn)")
    assert copied.dropped[-1].startswith("Points above the budget of 60 were dropped: #")
    with reading(demo_ctx.engine) as session:
        event = session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.action == "signal")
            .order_by(AuditEventRow.id.desc())
        ).first()
    assert event is not None and event.after is not None
    assert event.after["copied_from"] == "2027-H1" and event.after["period"] == "2027-H2"
    # A second copy would overwrite the signal the organization now has: refused.
    before = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match="has already signalled for 2027, second half"):
        signals.copy_previous_signal(demo_ctx, rep, org)
    assert dump(demo_ctx.engine) == before


def test_copy_previous_signal_is_refused_without_an_earlier_signal_or_open_signalling(
    demo_ctx: Context,
) -> None:
    rep = who(demo_ctx, "orgrep")
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    execu = who(demo_ctx, "exec")
    before = dump(demo_ctx.engine)
    # 2027-H1 was not started from another period.
    with pytest.raises(ValidationError, match="not started from an earlier period"):
        signals.copy_previous_signal(demo_ctx, rep, org)
    assert dump(demo_ctx.engine) == before
    _start_h2(demo_ctx)
    # 2027-H2 does not take signals yet.
    with pytest.raises(ValidationError, match="Signalling for 2027, second half is not open"):
        signals.copy_previous_signal(demo_ctx, rep, org, "2027-H2")
    # 2028-H1 follows 2027-H2, where the organization never signalled.
    period_setup.new_period_from(
        demo_ctx,
        execu,
        "2027-H2",
        "2028-H1",
        "2028, first half",
        date(2028, 1, 1),
        date(2028, 6, 30),
    )
    period_setup.close_period(demo_ctx, execu, "2027-H1")
    period_setup.open_signalling(demo_ctx, execu, "2028-H1")
    before = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match="has no signal in 2027-H2 to start from"):
        signals.copy_previous_signal(demo_ctx, rep, org)
    with pytest.raises(PermissionDenied):
        signals.copy_previous_signal(demo_ctx, who(demo_ctx, "member"), org)
    assert dump(demo_ctx.engine) == before
