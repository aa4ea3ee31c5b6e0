"""Item writes: one audit event per change, conflicts detected, invalid input leaves no trace."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support import dump
from support.world import World

from roadmap.domain.enums import ItemStatus
from roadmap.domain.errors import ConflictError, PermissionDenied, ValidationError
from roadmap.services import accounts, item_reads, items
from roadmap.store.engine import reading
from roadmap.store.tables import AuditEventRow

ITEM = {
    "title": "Visual regression testing",
    "summary": "Screenshot tests for JupyterLab.",
    "subcommunity": "jupyter-frontends",
    "kind": "infrastructure",
    "effort_low": 3,
    "effort_high": 6,
    "skills": ["python"],
}


def audit_count(world: World) -> int:
    with reading(world.ctx.engine) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEventRow)) or 0)


def test_every_change_records_exactly_one_audit_event(world: World) -> None:
    lead = world.actors["lead"]
    start = audit_count(world)
    item = items.create_item(world.ctx, lead, ITEM)
    assert audit_count(world) == start + 1
    items.update_item(world.ctx, lead, item.id, {**ITEM, "title": "Visual tests"}, item.version)
    assert audit_count(world) == start + 2
    items.change_status(world.ctx, lead, item.id, ItemStatus.PROPOSED)
    assert audit_count(world) == start + 3
    with reading(world.ctx.engine) as session:
        last = session.scalars(select(AuditEventRow).order_by(AuditEventRow.id.desc())).first()
        assert last is not None
        assert (last.actor_name, last.action, last.entity, last.entity_id) == (
            "lead",
            "status",
            "item",
            str(item.id),
        )
        assert last.before == {"status": "draft"}
        assert last.after is not None and last.after["status"] == "proposed"


def test_the_second_of_two_concurrent_edits_is_refused_showing_what_changed(world: World) -> None:
    lead = world.actors["lead"]
    item = items.create_item(world.ctx, lead, ITEM)
    # Two people opened the item at version 1; the first saves a new title.
    items.update_item(world.ctx, lead, item.id, {**ITEM, "title": "First edit"}, item.version)
    before = dump(world.ctx.engine)
    with pytest.raises(ConflictError) as caught:
        items.update_item(world.ctx, lead, item.id, {**ITEM, "effort_high": 9}, item.version)
    assert caught.value.changed["title"] == ("Visual regression testing", "First edit")
    assert "title" in str(caught.value)
    assert dump(world.ctx.engine) == before
    assert item_reads.get_item(world.ctx, lead, item.id).title == "First edit"


def test_invalid_input_is_refused_before_anything_is_written(world: World) -> None:
    before = dump(world.ctx.engine)
    with pytest.raises(ValidationError) as caught:
        items.create_item(world.ctx, world.actors["lead"], {**ITEM, "skills": ["cobol"]})
    assert caught.value.fields == {"skills": "Unknown skills: cobol."}
    with pytest.raises(ValidationError):
        items.create_item(world.ctx, world.actors["lead"], {**ITEM, "depends_on": [999]})
    assert dump(world.ctx.engine) == before


def test_a_dependency_cycle_is_refused(world: World) -> None:
    lead = world.actors["lead"]
    first = items.create_item(world.ctx, lead, ITEM)
    second = items.create_item(world.ctx, lead, {**ITEM, "depends_on": [first.id]})
    with pytest.raises(ValidationError, match="cycle"):
        items.update_item(
            world.ctx, lead, first.id, {**ITEM, "depends_on": [second.id]}, first.version
        )


def test_a_lead_cannot_move_an_item_into_a_sub_community_they_do_not_lead(world: World) -> None:
    lead = world.actors["lead"]
    item = items.create_item(world.ctx, lead, ITEM)
    with pytest.raises(PermissionDenied):
        items.update_item(world.ctx, lead, item.id, {**ITEM, "subcommunity": "voila"}, 1)


def test_drafts_are_hidden_from_everyone_but_their_leads(world: World) -> None:
    item = items.create_item(world.ctx, world.actors["lead"], ITEM)
    assert [i.id for i in item_reads.list_items(world.ctx, world.actors["lead"])] == [item.id]
    assert item_reads.list_items(world.ctx, world.actors["public"]) == []
    assert item_reads.list_items(world.ctx, world.actors["otherlead"]) == []


def test_granting_a_representative_replaces_the_previous_seat_holder(world: World) -> None:
    admin = world.actors["admin"]
    accounts.grant_role(world.ctx, admin, "member", "representative", "acme-notebooks")
    users = {u.username: u for u in accounts.list_users(world.ctx, admin)}
    assert ("representative", "acme-notebooks") in users["member"].grants
    assert ("representative", "acme-notebooks") not in users["orgrep"].grants
