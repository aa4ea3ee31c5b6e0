"""Sub-community leads' use cases on roadmap items: drafting, editing, and moving them
along the lifecycle (the reads are in ``item_reads``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roadmap.domain.access import Actor, require
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.errors import ConflictError, NotFound, ValidationError
from roadmap.domain.items import (
    ItemFields,
    RoadmapItem,
    check_editable,
    check_lead_move,
    dependency_refusal,
)
from roadmap.domain.validation import parse
from roadmap.services.audit import plain, record
from roadmap.services.context import Context
from roadmap.services.item_reads import dependencies, read_item
from roadmap.services.transitions import move_item
from roadmap.store.engine import transaction
from roadmap.store.tables import (
    AuditEventRow,
    ItemDependencyRow,
    ItemRow,
    SkillRow,
    SubCommunityRow,
    ThemeRow,
)


def _resolve(session: Session, data: ItemFields, item_id: int | None) -> tuple[int, int | None]:
    """Check the references of ``data``; returns the sub-community and theme ids."""
    errors: dict[str, str] = {}
    current = session.get(ItemRow, item_id) if item_id is not None else None
    sub = session.scalar(select(SubCommunityRow).where(SubCommunityRow.slug == data.subcommunity))
    if sub is None:
        errors["subcommunity"] = f"There is no sub-community {data.subcommunity!r}."
    elif sub.archived_at is not None and (current is None or current.subcommunity_id != sub.id):
        errors["subcommunity"] = f"{sub.name} is archived and takes no new items."
    theme_id = None
    if data.theme:
        theme = session.scalar(select(ThemeRow).where(ThemeRow.slug == data.theme))
        if theme is None:
            errors["theme"] = f"There is no theme {data.theme!r}."
        elif theme.archived_at is not None and (current is None or current.theme_id != theme.id):
            errors["theme"] = f"The theme {theme.name} is archived."
        else:
            theme_id = theme.id
    skills = dict(session.execute(select(SkillRow.slug, SkillRow.archived_at)).all())
    had = set(current.skills or []) if current is not None else set()
    unknown = [s for s in data.skills if s not in skills]
    if unknown:
        errors["skills"] = f"Unknown skills: {', '.join(unknown)}."
    archived = [s for s in data.skills if skills.get(s) is not None and s not in had]
    if archived:
        errors["skills"] = f"Archived skills are no longer offered: {', '.join(archived)}."
    if data.depends_on:
        errors.update(_check_dependencies(session, data.depends_on, item_id))
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    assert sub is not None
    return sub.id, theme_id


def _check_dependencies(session: Session, deps: list[int], item_id: int | None) -> dict[str, str]:
    existing = set(session.scalars(select(ItemRow.id).where(ItemRow.id.in_(deps))))
    graph = dependencies(session) if item_id is not None else {}
    return dependency_refusal(item_id, deps, existing, graph)


def _set_dependencies(session: Session, item_id: int, deps: list[int]) -> None:
    for old in session.scalars(
        select(ItemDependencyRow).where(ItemDependencyRow.item_id == item_id)
    ):
        session.delete(old)
    session.flush()
    for dep in sorted(set(deps)):
        session.add(ItemDependencyRow(item_id=item_id, depends_on_id=dep))


def create_item(ctx: Context, actor: Actor, fields: dict[str, Any]) -> RoadmapItem:
    """A lead drafts an item for one of their sub-communities."""
    data = parse(ItemFields, fields)
    require(actor, Role.LEAD, data.subcommunity, to="create items for this sub-community")
    with transaction(ctx.engine) as session:
        return insert_item(session, actor, ctx.now(), data)


def insert_item(
    session: Session, actor: Actor, now: datetime, data: ItemFields, action: str = "create"
) -> RoadmapItem:
    """Check the references of ``data``, write it as a new draft and record it (no role check:
    the calling use case has made it)."""
    sub_id, theme_id = _resolve(session, data, None)
    row = ItemRow(
        title=data.title,
        summary=data.summary,
        subcommunity_id=sub_id,
        kind=data.kind.value,
        theme_id=theme_id,
        effort_low=data.effort_low,
        effort_high=data.effort_high,
        skills=list(data.skills),
        links=[link.model_dump(mode="json") for link in data.links],
        status=ItemStatus.DRAFT.value,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _set_dependencies(session, row.id, data.depends_on)
    session.flush()
    item = read_item(session, row.id)
    record(session, actor, now, action, "item", row.id, None, {**item.fields(), "version": 1})
    return item


def check_item_references(session: Session, data: ItemFields) -> None:
    """Raise :class:`ValidationError` naming every unknown sub-community, theme, skill or
    dependency of a new item."""
    _resolve(session, data, None)


def _changes_since(session: Session, item_id: int, version: int) -> dict[str, tuple[Any, Any]]:
    """What others changed on an item after ``version``: field -> (before, after)."""
    events = session.scalars(
        select(AuditEventRow)
        .where(AuditEventRow.entity == "item", AuditEventRow.entity_id == str(item_id))
        .order_by(AuditEventRow.id)
    )
    changed: dict[str, tuple[Any, Any]] = {}
    for event in events:
        after = event.after or {}
        if int(after.get("version", 0)) <= version:
            continue
        for name, value in after.items():
            if name == "version":
                continue
            first = changed.get(name, ((event.before or {}).get(name), None))[0]
            changed[name] = (first, value)
    return changed


def update_item(
    ctx: Context, actor: Actor, item_id: int, fields: dict[str, Any], expected_version: int
) -> RoadmapItem:
    """A lead edits a draft or proposed item; a stale version is refused as a conflict."""
    data = parse(ItemFields, fields)
    now = ctx.now()
    with transaction(ctx.engine) as session:
        # Lock the row before comparing versions: on PostgreSQL two concurrent saves could
        # otherwise both pass the check, and the second's UPDATE would match no row and fail
        # with StaleDataError instead of the conflict sentence (SQLite serialises writers).
        row = session.get(ItemRow, item_id, with_for_update={"of": ItemRow})
        if row is None:
            raise NotFound(f"There is no item #{item_id}.")
        require(actor, Role.LEAD, row.subcommunity.slug, to="edit this sub-community's items")
        require(actor, Role.LEAD, data.subcommunity, to="move items to that sub-community")
        if row.version != expected_version:
            changed = _changes_since(session, item_id, expected_version)
            names = ", ".join(changed) or "the item"
            raise ConflictError(
                f"Someone else saved this item while you were editing it (changed: {names}). "
                "Your changes were not saved; reload to see theirs.",
                changed,
            )
        check_editable(ItemStatus(row.status))
        sub_id, theme_id = _resolve(session, data, item_id)
        before = read_item(session, item_id).fields()
        row.title, row.summary, row.kind = data.title, data.summary, data.kind.value
        row.subcommunity_id, row.theme_id = sub_id, theme_id
        row.effort_low, row.effort_high = data.effort_low, data.effort_high
        row.skills = list(data.skills)
        row.links = [link.model_dump(mode="json") for link in data.links]
        row.updated_at = now
        _set_dependencies(session, item_id, data.depends_on)
        session.flush()
        item = read_item(session, item_id)
        after = item.fields()
        diff_before = {k: v for k, v in plain(before).items() if plain(after)[k] != v}
        diff_after = {k: plain(after)[k] for k in diff_before}
        record(
            session,
            actor,
            now,
            "update",
            "item",
            item_id,
            diff_before,
            {**diff_after, "version": item.version},
        )
        return item


def change_status(
    ctx: Context,
    actor: Actor,
    item_id: int,
    requested: ItemStatus,
    reason: str | None = None,
) -> RoadmapItem:
    """A lead submits a draft for review, returns it to draft, or withdraws an item."""
    now = ctx.now()
    with transaction(ctx.engine) as session:
        row = session.get(ItemRow, item_id)
        if row is None:
            raise NotFound(f"There is no item #{item_id}.")
        check_lead_move(requested)
        require(actor, Role.LEAD, row.subcommunity.slug, to="change this item's status")
        move_item(session, actor, now, row, requested, reason)
        return read_item(session, item_id)
