"""Property: random actions by random roles never reach an illegal state, and every change
that succeeds records exactly one audit event while every refusal records none."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from support import Clock
from support.world import World

from roadmap.domain.enums import ItemStatus
from roadmap.domain.errors import RoadmapError
from roadmap.domain.items import TRANSITIONS
from roadmap.services import governance, items
from roadmap.store.engine import reading
from roadmap.store.tables import AuditEventRow, ItemRow

ITEM = {
    "title": "Notebook translation",
    "subcommunity": "jupyter-frontends",
    "kind": "feature",
    "effort_low": 2,
    "effort_high": 3,
}
ACTORS = ["public", "member", "lead", "otherlead", "orgrep", "staff", "exec", "admin"]
ACTIONS = [
    "submit",
    "to_draft",
    "withdraw",
    "open",
    "close",
    "extend",
    "comment",
    "in_scope",
    "out_of_scope",
    "deferred",
    "amend",
    "edit",
    "wait",
]


def act(world: World, clock: Clock, action: str, who: str, item_id: int, version: int) -> None:
    ctx, actor = world.ctx, world.actors[who]
    if action == "submit":
        items.change_status(ctx, actor, item_id, ItemStatus.PROPOSED)
    elif action == "to_draft":
        items.change_status(ctx, actor, item_id, ItemStatus.DRAFT)
    elif action == "withdraw":
        items.change_status(ctx, actor, item_id, ItemStatus.WITHDRAWN)
    elif action == "open":
        governance.open_comment_period(ctx, actor, item_id)
    elif action == "close":
        governance.close_comment_period(ctx, actor, item_id)
    elif action == "extend":
        governance.extend_comment_period(ctx, actor, item_id, clock.now + timedelta(days=20))
    elif action == "comment":
        governance.add_comment(ctx, actor, item_id, "A comment.")
    elif action in ("in_scope", "out_of_scope", "deferred"):
        governance.decide_scope(
            ctx, actor, item_id, action, "Because the community said so.", "Things changed."
        )
    elif action == "amend":
        governance.amend_decision(ctx, actor, item_id, f"Amended at version {version}.", "Typo.")
    elif action == "edit":
        items.update_item(ctx, actor, item_id, {**ITEM, "title": f"Edited {version}"}, version)


def audit_count(world: World) -> int:
    with reading(world.ctx.engine) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEventRow)) or 0)


def state(world: World, item_id: int) -> tuple[ItemStatus, int]:
    with reading(world.ctx.engine) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        return ItemStatus(row.status), row.version


steps = st.lists(
    # The lead and the executive are drawn more often, so long legal paths are explored too.
    st.tuples(
        # Withdrawing ends an item's life, so it is drawn rarely, to let the rest happen.
        st.sampled_from([*[a for a in ACTIONS if a != "withdraw"] * 4, "withdraw"]),
        st.sampled_from([*ACTORS, *["lead"] * 5, *["exec"] * 5]),
        st.integers(0, 12),
    ),
    min_size=15,
    max_size=40,
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_random_actions_keep_the_lifecycle_legal_and_audit_each_change_once(
    world: World, clock: Clock, steps: list[tuple[str, str, int]]
) -> None:
    item_id = items.create_item(world.ctx, world.actors["lead"], ITEM).id
    for action, who, days in steps:
        status, version = state(world, item_id)
        events = audit_count(world)
        succeeded = True
        if action == "wait":
            clock.advance(days=days)
            continue
        try:
            act(world, clock, action, who, item_id, version)
        except RoadmapError:
            succeeded = False
        new_status, new_version = state(world, item_id)
        if not succeeded:
            assert (new_status, new_version) == (status, version)
            assert audit_count(world) == events, f"refused {action} by {who} left an audit event"
            continue
        assert audit_count(world) == events + 1, f"{action} by {who} must record one event"
        if new_status != status:
            event(f"reached {new_status.label}")
            assert new_status in TRANSITIONS[status], f"{status} -> {new_status} is illegal"
