"""Amending a decision's rationale and reversing a decision: each is one audited event, the
original entry is kept, a planned item is not reversed, and a refused step writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from support import Clock, dump
from support.world import World

from roadmap.domain.enums import ItemStatus, ScopeOutcome
from roadmap.domain.errors import ConflictError, PermissionDenied, ValidationError
from roadmap.services import audit, governance, item_reads, items
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import ItemRow, ScopeDecisionRow

ITEM = {
    "title": "Kernel subshells",
    "summary": "Run code on a kernel while it is busy.",
    "subcommunity": "jupyter-frontends",
    "kind": "feature",
    "effort_low": 4,
    "effort_high": 8,
}
FIRST = "Members asked for it in three threads."


def decided(world: World, clock: Clock, outcome: str = "in_scope") -> int:
    lead, execu = world.actors["lead"], world.actors["exec"]
    item_id = items.create_item(world.ctx, lead, ITEM).id
    items.change_status(world.ctx, lead, item_id, ItemStatus.PROPOSED)
    governance.open_comment_period(world.ctx, execu, item_id)
    clock.advance(days=11)
    governance.decide_scope(world.ctx, execu, item_id, outcome, FIRST)
    clock.advance(days=1)
    return item_id


def entries(world: World, item_id: int) -> list[tuple[str, str, int | None, str | None]]:
    with reading(world.ctx.engine) as session:
        rows = session.scalars(
            select(ScopeDecisionRow)
            .where(ScopeDecisionRow.item_id == item_id)
            .order_by(ScopeDecisionRow.id)
        )
        return [(r.outcome, r.rationale, r.amends_id, r.reason) for r in rows]


def test_an_amendment_is_one_audited_event_and_keeps_the_original_text(
    world: World, clock: Clock
) -> None:
    execu = world.actors["exec"]
    item_id = decided(world, clock)
    events = len(audit.item_history(world.ctx, item_id))
    amended = governance.amend_decision(
        world.ctx, execu, item_id, "Members asked for it in four threads.", "Miscounted."
    )
    assert amended.kind == "amendment" and amended.outcome == ScopeOutcome.IN_SCOPE
    (first_id, *_) = [d.id for d in governance.decisions(world.ctx, item_id)][::-1]
    assert entries(world, item_id) == [
        ("in_scope", FIRST, None, None),
        ("in_scope", "Members asked for it in four threads.", first_id, "Miscounted."),
    ]
    history = audit.item_history(world.ctx, item_id)
    assert len(history) == events + 1
    event = next(e for e in history if e.action == "amend_decision")
    # The item's history names people as its comments do: by display name.
    assert event.actor == execu.display_name != execu.username
    assert event.reason == "Miscounted."
    assert event.before is not None and event.before["rationale"] == FIRST
    assert event.after is not None
    assert event.after["rationale"] == "Members asked for it in four threads."
    assert item_reads.get_item(world.ctx, execu, item_id).status == ItemStatus.IN_SCOPE
    shown = governance.decisions(world.ctx, item_id)
    assert [(d.kind, d.rationale, d.reason) for d in shown] == [
        ("amendment", "Members asked for it in four threads.", "Miscounted."),
        ("decision", FIRST, None),
    ]


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_amending_without_a_reason_is_refused_and_writes_nothing(
    world: World, clock: Clock, reason: str | None
) -> None:
    item_id = decided(world, clock)
    before = dump(world.ctx.engine)
    with pytest.raises(ValidationError, match=r"^Amending a decision needs a reason"):
        governance.amend_decision(
            world.ctx, world.actors["exec"], item_id, "A corrected rationale text.", reason
        )
    assert dump(world.ctx.engine) == before


def test_reversing_moves_the_status_with_one_audited_move_and_keeps_the_original(
    world: World, clock: Clock
) -> None:
    execu = world.actors["exec"]
    item_id = decided(world, clock)
    events = len(audit.item_history(world.ctx, item_id))
    reversed_ = governance.decide_scope(
        world.ctx, execu, item_id, "out_of_scope", "Upstream kernel work covers it.", "Upstream."
    )
    assert reversed_.kind == "reversal"
    assert item_reads.get_item(world.ctx, execu, item_id).status == ItemStatus.OUT_OF_SCOPE
    history = audit.item_history(world.ctx, item_id)
    assert len(history) == events + 1
    move = history[0] if history[0].at >= history[-1].at else history[-1]
    assert move.action == "status" and move.reason == "Upstream."
    assert move.before == {"status": "in_scope"}
    assert move.after is not None and move.after["status"] == "out_of_scope"
    first, second = entries(world, item_id)
    assert first == ("in_scope", FIRST, None, None)
    assert second[0:2] == ("out_of_scope", "Upstream kernel work covers it.")
    assert second[3] == "Upstream." and second[2] is not None
    # and back again, from out of scope to deferred and to in scope
    governance.decide_scope(world.ctx, execu, item_id, "deferred", "Wait a half-year.", "Timing.")
    governance.decide_scope(world.ctx, execu, item_id, "in_scope", "Needed now after all.", "Ask.")
    assert [d.outcome.value for d in governance.decisions(world.ctx, item_id)] == [
        "in_scope",
        "deferred",
        "out_of_scope",
        "in_scope",
    ]


def test_reversing_without_a_reason_is_refused_and_writes_nothing(
    world: World, clock: Clock
) -> None:
    item_id = decided(world, clock)
    before = dump(world.ctx.engine)
    with pytest.raises(ValidationError, match=r"^Reversing a decision needs a reason"):
        governance.decide_scope(
            world.ctx, world.actors["exec"], item_id, "deferred", "Not this half-year.", " "
        )
    assert dump(world.ctx.engine) == before


@pytest.mark.parametrize("status", [ItemStatus.PLANNED, ItemStatus.IN_PROGRESS])
def test_an_item_a_published_plan_funds_is_not_reversed_but_its_rationale_is_amended(
    world: World, clock: Clock, status: ItemStatus
) -> None:
    execu = world.actors["exec"]
    item_id = decided(world, clock)
    with transaction(world.ctx.engine) as session:  # as publishing (and starting work) leaves it
        row = session.get(ItemRow, item_id)
        assert row is not None
        row.status = status.value
    before = dump(world.ctx.engine)
    with pytest.raises(ValidationError, match=rf"^Item #{item_id} is {status.label}: "):
        governance.decide_scope(
            world.ctx, execu, item_id, "out_of_scope", "Not this year at all.", "Cuts."
        )
    assert dump(world.ctx.engine) == before
    governance.amend_decision(world.ctx, execu, item_id, "Members asked, twice.", "Clearer.")
    assert item_reads.get_item(world.ctx, execu, item_id).status == status
    assert [d.kind for d in governance.decisions(world.ctx, item_id)] == ["amendment", "decision"]


def test_an_unchanged_rationale_or_an_undecided_item_is_refused_and_writes_nothing(
    world: World, clock: Clock
) -> None:
    execu = world.actors["exec"]
    item_id = decided(world, clock)
    undecided = items.create_item(world.ctx, world.actors["lead"], ITEM).id
    items.change_status(world.ctx, world.actors["lead"], undecided, ItemStatus.PROPOSED)
    before = dump(world.ctx.engine)
    with pytest.raises(ValidationError, match="unchanged"):
        governance.amend_decision(world.ctx, execu, item_id, FIRST, "Nothing to say.")
    with pytest.raises(ValidationError, match="no scope decision to amend"):
        governance.amend_decision(world.ctx, execu, undecided, "Some rationale.", "A reason.")
    assert dump(world.ctx.engine) == before


def test_only_the_executive_amends(world: World, clock: Clock) -> None:
    item_id = decided(world, clock)
    before = dump(world.ctx.engine)
    for name in ("lead", "member", "orgrep", "staff", "admin", "public"):
        with pytest.raises(PermissionDenied):
            governance.amend_decision(
                world.ctx, world.actors[name], item_id, "Another rationale.", "A reason."
            )
    assert dump(world.ctx.engine) == before


def test_no_service_or_sql_statement_can_change_a_decision_entry(
    world: World, clock: Clock
) -> None:
    """The ORM refuses to change a decision row, and a trigger (migration 0007) refuses a
    bulk UPDATE in the database itself, so the original text is always kept."""
    item_id = decided(world, clock)
    before = entries(world, item_id)
    with (
        pytest.raises(ValidationError, match="A scope decision cannot be changed"),
        transaction(world.ctx.engine) as session,
    ):
        row = session.scalars(select(ScopeDecisionRow)).one()
        row.rationale = "Quietly rewritten."
    with (
        pytest.raises(IntegrityError, match="A scope decision cannot be changed"),
        world.ctx.engine.begin() as conn,
    ):
        conn.execute(update(ScopeDecisionRow).values(rationale="Quietly rewritten."))
    assert entries(world, item_id) == before


def test_an_amendment_of_an_entry_someone_changed_meanwhile_is_refused_and_writes_nothing(
    world: World, clock: Clock
) -> None:
    execu = world.actors["exec"]
    item_id = decided(world, clock)
    (read,) = governance.decisions(world.ctx, item_id)  # what the first executive reads
    governance.amend_decision(world.ctx, execu, item_id, "Another executive's text.", "Mine.")
    before = dump(world.ctx.engine)
    with pytest.raises(ConflictError, match=rf"^The decision on #{item_id} changed while you"):
        governance.amend_decision(
            world.ctx, execu, item_id, "The first executive's text.", "Theirs.", amends=read.id
        )
    assert dump(world.ctx.engine) == before


def test_a_reversal_of_an_entry_someone_changed_meanwhile_is_refused_and_writes_nothing(
    world: World, clock: Clock
) -> None:
    execu = world.actors["exec"]
    item_id = decided(world, clock)
    (read,) = governance.decisions(world.ctx, item_id)  # the first executive reads: in scope
    governance.decide_scope(world.ctx, execu, item_id, "out_of_scope", "Covered upstream.", "Up.")
    before = dump(world.ctx.engine)
    with pytest.raises(ConflictError, match=rf"^The decision on #{item_id} changed while you"):
        governance.decide_scope(
            world.ctx, execu, item_id, "deferred", "Wait for 2028 instead.", "Mine.", read.id
        )
    assert dump(world.ctx.engine) == before
