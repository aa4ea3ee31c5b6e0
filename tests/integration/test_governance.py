"""Comment periods, comments and scope decisions, with the clock under the test's control."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import Clock, dump
from support.world import World

from roadmap.domain.enums import ItemStatus, ScopeOutcome
from roadmap.domain.errors import PermissionDenied, ValidationError
from roadmap.services import audit, governance, item_reads, items

ITEM = {
    "title": "Kernel subshells",
    "summary": "Run code on a kernel while it is busy.",
    "subcommunity": "jupyter-frontends",
    "kind": "feature",
    "effort_low": 4,
    "effort_high": 8,
}


def proposed(world: World) -> int:
    lead = world.actors["lead"]
    item = items.create_item(world.ctx, lead, ITEM)
    items.change_status(world.ctx, lead, item.id, ItemStatus.PROPOSED)
    return item.id


def test_a_comment_one_second_before_the_end_is_accepted_and_one_second_after_refused(
    world: World, clock: Clock
) -> None:
    item_id = proposed(world)
    end = clock.now + timedelta(days=10)
    governance.open_comment_period(world.ctx, world.actors["exec"], item_id, end)
    clock.now = end - timedelta(seconds=1)
    governance.add_comment(world.ctx, world.actors["member"], item_id, "Please include IPykernel.")
    clock.now = end + timedelta(seconds=1)
    before = dump(world.ctx.engine)
    with pytest.raises(ValidationError, match="Comments are closed"):
        governance.add_comment(world.ctx, world.actors["member"], item_id, "Too late.")
    assert dump(world.ctx.engine) == before
    assert [c.body for c in governance.comments(world.ctx, item_id)] == [
        "Please include IPykernel."
    ]


def test_the_default_comment_period_is_ten_days(world: World, clock: Clock) -> None:
    item_id = proposed(world)
    period = governance.open_comment_period(world.ctx, world.actors["exec"], item_id)
    assert period.closes_at - clock.now == timedelta(days=10)


def test_the_public_cannot_comment_even_while_open(world: World) -> None:
    item_id = proposed(world)
    governance.open_comment_period(world.ctx, world.actors["exec"], item_id)
    with pytest.raises(PermissionDenied, match="sign in"):
        governance.add_comment(world.ctx, world.actors["public"], item_id, "Hello")


def test_a_decision_waits_for_the_period_to_close_and_records_who_why_when(
    world: World, clock: Clock
) -> None:
    execu = world.actors["exec"]
    item_id = proposed(world)
    governance.open_comment_period(world.ctx, execu, item_id)
    with pytest.raises(ValidationError, match="still open"):
        governance.decide_scope(world.ctx, execu, item_id, "in_scope", "Members asked for it.")
    clock.advance(days=3)
    governance.close_comment_period(world.ctx, execu, item_id)
    clock.advance(seconds=1)
    with pytest.raises(ValidationError, match="rationale"):
        governance.decide_scope(world.ctx, execu, item_id, "in_scope", "ok")
    decision = governance.decide_scope(
        world.ctx, execu, item_id, ScopeOutcome.IN_SCOPE, "Members asked for it repeatedly."
    )
    # Named as the item page names people: by display name.
    assert decision.decided_by == execu.display_name != execu.username
    assert decision.decided_at == clock.now
    assert governance.decisions(world.ctx, item_id)[0].decided_by == execu.display_name
    assert item_reads.get_item(world.ctx, execu, item_id).status == ItemStatus.IN_SCOPE


def test_a_revisited_decision_keeps_the_old_one_in_history(world: World, clock: Clock) -> None:
    execu = world.actors["exec"]
    item_id = proposed(world)
    governance.open_comment_period(world.ctx, execu, item_id)
    clock.advance(days=11)
    governance.decide_scope(world.ctx, execu, item_id, "in_scope", "Members asked for it.")
    clock.advance(days=30)
    governance.decide_scope(
        world.ctx, execu, item_id, "deferred", "No staff with kernel skills.", "Staff left."
    )
    history = governance.decisions(world.ctx, item_id)
    assert [d.outcome for d in history] == [ScopeOutcome.DEFERRED, ScopeOutcome.IN_SCOPE]
    assert history[1].rationale == "Members asked for it."


def test_an_extension_must_end_later_and_only_an_open_period_extends(
    world: World, clock: Clock
) -> None:
    execu = world.actors["exec"]
    item_id = proposed(world)
    period = governance.open_comment_period(world.ctx, execu, item_id)
    with pytest.raises(ValidationError, match="later"):
        governance.extend_comment_period(world.ctx, execu, item_id, period.closes_at)
    longer = governance.extend_comment_period(
        world.ctx, execu, item_id, period.closes_at + timedelta(days=5)
    )
    assert longer.closes_at == period.closes_at + timedelta(days=5)
    clock.now = longer.closes_at + timedelta(seconds=1)
    with pytest.raises(ValidationError, match="no open comment period"):
        governance.extend_comment_period(
            world.ctx, execu, item_id, longer.closes_at + timedelta(days=1)
        )


def test_an_illegal_transition_names_the_current_and_requested_state(world: World) -> None:
    lead = world.actors["lead"]
    item_id = proposed(world)
    with pytest.raises(ValidationError, match="proposed is not up for a scope decision"):
        governance.decide_scope(
            world.ctx, world.actors["exec"], item_id, "in_scope", "Looks good to us."
        )
    items.change_status(world.ctx, lead, item_id, ItemStatus.WITHDRAWN)
    with pytest.raises(ValidationError, match="withdrawn cannot become proposed"):
        items.change_status(world.ctx, lead, item_id, ItemStatus.PROPOSED)
    with pytest.raises(ValidationError, match="withdrawn cannot become in comment"):
        governance.open_comment_period(world.ctx, world.actors["exec"], item_id)


def test_only_the_executive_opens_periods_decides_and_files_themes(world: World) -> None:
    item_id = proposed(world)
    for name in ("lead", "member", "orgrep", "staff", "admin", "public"):
        actor = world.actors[name]
        with pytest.raises(PermissionDenied):
            governance.open_comment_period(world.ctx, actor, item_id)
        with pytest.raises(PermissionDenied):
            governance.file_under_theme(world.ctx, actor, item_id, "ux")
        with pytest.raises(PermissionDenied):
            governance.decide_scope(world.ctx, actor, item_id, "in_scope", "A good reason here.")


def test_the_audit_log_filters_by_person_entity_and_date_for_exec_and_admin_only(
    world: World, clock: Clock
) -> None:
    item_id = proposed(world)
    clock.advance(days=2)
    governance.open_comment_period(world.ctx, world.actors["exec"], item_id)
    execu = world.actors["exec"]
    by_exec = audit.list_events(world.ctx, execu, person="exec")
    assert [e.action for e in by_exec] == ["status"]
    assert by_exec[0].after is not None and by_exec[0].after["status"] == "in_comment"
    items_only = audit.list_events(world.ctx, world.actors["admin"], entity="item")
    assert {e.entity for e in items_only} == {"item"} and len(items_only) == 3
    today = clock.now.date()
    assert [e.actor for e in audit.list_events(world.ctx, execu, since=today)] == ["exec"]
    assert audit.list_events(world.ctx, execu, until=today - timedelta(days=3)) == []
    for name in ("lead", "member", "orgrep", "staff", "public"):
        with pytest.raises(PermissionDenied):
            audit.list_events(world.ctx, world.actors[name])
