"""Sub-community leads' use cases on roadmap items, and the reads every page shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from roadmap.domain.access import Actor, require
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from roadmap.domain.lifecycle import EDITABLE
from roadmap.domain.models import ItemFields
from roadmap.domain.validation import parse
from roadmap.services.audit import plain, record
from roadmap.services.context import Context
from roadmap.services.transitions import move_item
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import (
    AuditEventRow,
    ItemDependencyRow,
    ItemRow,
    SkillRow,
    SubCommunityRow,
    ThemeRow,
)

PUBLIC_DEFAULT = (
    ItemStatus.IN_SCOPE,
    ItemStatus.PLANNED,
    ItemStatus.IN_PROGRESS,
    ItemStatus.DONE,
)


@dataclass(frozen=True)
class ItemView:
    id: int
    title: str
    summary: str
    subcommunity: str
    subcommunity_name: str
    kind: str
    theme: str | None
    theme_name: str | None
    effort_low: float
    effort_high: float
    skills: list[str]
    links: list[dict[str, str]]
    status: ItemStatus
    version: int
    created_at: datetime
    updated_at: datetime
    depends_on: list[int] = field(default_factory=list)

    def fields(self) -> dict[str, Any]:
        """The editable fields, as the edit form and the conflict report name them."""
        return {
            "title": self.title,
            "summary": self.summary,
            "subcommunity": self.subcommunity,
            "kind": self.kind,
            "theme": self.theme,
            "effort_low": self.effort_low,
            "effort_high": self.effort_high,
            "skills": list(self.skills),
            "depends_on": list(self.depends_on),
            "links": list(self.links),
        }


def _view(row: ItemRow, depends_on: list[int]) -> ItemView:
    return ItemView(
        id=row.id,
        title=row.title,
        summary=row.summary,
        subcommunity=row.subcommunity.slug,
        subcommunity_name=row.subcommunity.name,
        kind=row.kind,
        theme=row.theme.slug if row.theme else None,
        theme_name=row.theme.name if row.theme else None,
        effort_low=row.effort_low,
        effort_high=row.effort_high,
        skills=list(row.skills),
        links=list(row.links),
        status=ItemStatus(row.status),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        depends_on=sorted(depends_on),
    )


def _dependencies(session: Session, item_ids: list[int] | None = None) -> dict[int, list[int]]:
    query = select(ItemDependencyRow)
    if item_ids is not None:
        query = query.where(ItemDependencyRow.item_id.in_(item_ids))
    deps: dict[int, list[int]] = {}
    for dep in session.scalars(query):
        deps.setdefault(dep.item_id, []).append(dep.depends_on_id)
    return deps


def _readable(actor: Actor) -> ColumnElement[bool]:
    """The draft rule of ``_may_read`` in SQL (the query must join the sub-community)."""
    return or_(
        ItemRow.status != ItemStatus.DRAFT.value,
        SubCommunityRow.slug.in_(sorted(actor.scopes(Role.LEAD))),
    )


@dataclass(frozen=True)
class ItemHeading:
    """What a list or a picker of items shows: far lighter to read than an ``ItemView``."""

    id: int
    title: str
    subcommunity: str
    subcommunity_name: str
    status: ItemStatus


def headings(ctx: Context, actor: Actor) -> list[ItemHeading]:
    """The items the actor may read (the rule of ``list_items``), by id, as headings."""
    query = (
        select(
            ItemRow.id, ItemRow.title, SubCommunityRow.slug, SubCommunityRow.name, ItemRow.status
        )
        .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
        .where(_readable(actor))
        .order_by(ItemRow.id)
    )
    with reading(ctx.engine) as session:
        return [
            ItemHeading(i, title, slug, name, ItemStatus(status))
            for i, title, slug, name, status in session.connection().execute(query)
        ]


Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class ItemFilter:
    """Which items a list shows; ``None`` (or empty): no condition on that attribute."""

    statuses: tuple[ItemStatus, ...] | None = None
    subcommunities: tuple[str, ...] | None = None  # slugs
    themes: tuple[str, ...] | None = None  # slugs
    kinds: tuple[str, ...] | None = None

    def apply(self, query: Q) -> Q:
        """``query`` (which joins the sub-community) narrowed to these items."""
        if self.statuses:
            query = query.where(ItemRow.status.in_([s.value for s in self.statuses]))
        if self.subcommunities:
            query = query.where(SubCommunityRow.slug.in_(self.subcommunities))
        if self.themes:
            themes = select(ThemeRow.id).where(ThemeRow.slug.in_(self.themes))
            query = query.where(ItemRow.theme_id.in_(themes))
        if self.kinds:
            query = query.where(ItemRow.kind.in_(self.kinds))
        return query


def count_items(ctx: Context, actor: Actor, where: ItemFilter | None = None) -> int:
    """How many items the actor may read (of those ``where`` names)."""
    query = (
        select(func.count())
        .select_from(ItemRow)
        .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
        .where(_readable(actor))
    )
    if where is not None:
        query = where.apply(query)
    with reading(ctx.engine) as session:
        return int(session.scalar(query) or 0)


def list_items(
    ctx: Context,
    actor: Actor,
    statuses: tuple[ItemStatus, ...] | None = None,
    *,
    brief: bool = False,
    ids: list[int] | None = None,
    where: ItemFilter | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[ItemView]:
    """Items the actor may read: drafts only for their own sub-community's leads.

    One plain-column query (no ORM objects: thousands of items load in milliseconds), with
    the draft rule applied in SQL. ``brief``: skills, links and dependencies are left empty
    (not read), for lists that show none of them. ``ids``, ``where``: only these items;
    ``limit`` of them from the ``offset``-th (by id).
    """
    theme = aliased(ThemeRow)
    empty = literal(None)
    query = (
        select(
            ItemRow.id,
            ItemRow.title,
            ItemRow.summary,
            SubCommunityRow.slug,
            SubCommunityRow.name,
            ItemRow.kind,
            theme.slug,
            theme.name,
            ItemRow.effort_low,
            ItemRow.effort_high,
            empty if brief else ItemRow.skills,
            empty if brief else ItemRow.links,
            ItemRow.status,
            ItemRow.version,
            ItemRow.created_at,
            ItemRow.updated_at,
        )
        .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
        .outerjoin(theme, theme.id == ItemRow.theme_id)
        .where(_readable(actor))
        .order_by(ItemRow.id)
    )
    if statuses is not None:
        query = query.where(ItemRow.status.in_([s.value for s in statuses]))
    if ids is not None:
        query = query.where(ItemRow.id.in_(ids))
    if where is not None:
        query = where.apply(query)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    with reading(ctx.engine) as session:
        deps = {} if brief else _dependencies(session, ids)
        return [
            ItemView(
                id=r[0],
                title=r[1],
                summary=r[2],
                subcommunity=r[3],
                subcommunity_name=r[4],
                kind=r[5],
                theme=r[6],
                theme_name=r[7],
                effort_low=r[8],
                effort_high=r[9],
                skills=list(r[10] or []),
                links=list(r[11] or []),
                status=ItemStatus(r[12]),
                version=r[13],
                created_at=r[14],
                updated_at=r[15],
                depends_on=sorted(deps.get(r[0], [])),
            )
            for r in session.connection().execute(query)  # Core: no ORM row processing
        ]


def _may_read(actor: Actor, row: ItemRow) -> bool:
    if row.status != ItemStatus.DRAFT:
        return True
    return actor.has(Role.LEAD, row.subcommunity.slug)


def get_item(ctx: Context, actor: Actor, item_id: int) -> ItemView:
    with reading(ctx.engine) as session:
        row = session.get(ItemRow, item_id)
        if row is None or not _may_read(actor, row):
            raise NotFound(f"There is no item #{item_id}.")
        return _view(row, _dependencies(session, [item_id]).get(item_id, []))


def _resolve(session: Session, data: ItemFields, item_id: int | None) -> tuple[int, int | None]:
    """Check the references of ``data``; returns the sub-community and theme ids."""
    errors: dict[str, str] = {}
    sub_id = session.scalar(
        select(SubCommunityRow.id).where(SubCommunityRow.slug == data.subcommunity)
    )
    if sub_id is None:
        errors["subcommunity"] = f"There is no sub-community {data.subcommunity!r}."
    theme_id = None
    if data.theme:
        theme_id = session.scalar(select(ThemeRow.id).where(ThemeRow.slug == data.theme))
        if theme_id is None:
            errors["theme"] = f"There is no theme {data.theme!r}."
    known = set(session.scalars(select(SkillRow.slug)))
    unknown = [s for s in data.skills if s not in known]
    if unknown:
        errors["skills"] = f"Unknown skills: {', '.join(unknown)}."
    if data.depends_on:
        errors.update(_check_dependencies(session, data.depends_on, item_id))
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    assert sub_id is not None
    return sub_id, theme_id


def _check_dependencies(session: Session, deps: list[int], item_id: int | None) -> dict[str, str]:
    existing = set(session.scalars(select(ItemRow.id).where(ItemRow.id.in_(deps))))
    missing = [d for d in deps if d not in existing]
    if missing:
        return {"depends_on": f"No such items: {', '.join(f'#{d}' for d in missing)}."}
    if item_id is None:
        return {}
    if item_id in deps:
        return {"depends_on": "An item cannot depend on itself."}
    graph = _dependencies(session)
    graph[item_id] = list(deps)
    stack, seen = list(deps), set()
    while stack:
        node = stack.pop()
        if node == item_id:
            return {"depends_on": "These dependencies would make a cycle."}
        if node not in seen:
            seen.add(node)
            stack.extend(graph.get(node, []))
    return {}


def _set_dependencies(session: Session, item_id: int, deps: list[int]) -> None:
    for old in session.scalars(
        select(ItemDependencyRow).where(ItemDependencyRow.item_id == item_id)
    ):
        session.delete(old)
    session.flush()
    for dep in sorted(set(deps)):
        session.add(ItemDependencyRow(item_id=item_id, depends_on_id=dep))


def create_item(ctx: Context, actor: Actor, fields: dict[str, Any]) -> ItemView:
    """A lead drafts an item for one of their sub-communities."""
    data = parse(ItemFields, fields)
    require(actor, Role.LEAD, data.subcommunity, to="create items for this sub-community")
    with transaction(ctx.engine) as session:
        return insert_item(session, actor, ctx.now(), data)


def insert_item(
    session: Session, actor: Actor, now: datetime, data: ItemFields, action: str = "create"
) -> ItemView:
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
    session.refresh(row)
    view = _view(row, data.depends_on)
    record(session, actor, now, action, "item", row.id, None, {**view.fields(), "version": 1})
    return view


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
) -> ItemView:
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
        if ItemStatus(row.status) not in EDITABLE:
            raise ValidationError(
                f"An item that is {ItemStatus(row.status).label} can no longer be edited."
            )
        sub_id, theme_id = _resolve(session, data, item_id)
        before = _view(row, _dependencies(session, [item_id]).get(item_id, [])).fields()
        row.title, row.summary, row.kind = data.title, data.summary, data.kind.value
        row.subcommunity_id, row.theme_id = sub_id, theme_id
        row.effort_low, row.effort_high = data.effort_low, data.effort_high
        row.skills = list(data.skills)
        row.links = [link.model_dump(mode="json") for link in data.links]
        row.updated_at = now
        _set_dependencies(session, item_id, data.depends_on)
        session.flush()
        session.refresh(row)
        view = _view(row, data.depends_on)
        after = view.fields()
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
            {**diff_after, "version": row.version},
        )
        return view


def change_status(
    ctx: Context,
    actor: Actor,
    item_id: int,
    requested: ItemStatus,
    reason: str | None = None,
) -> ItemView:
    """A lead submits a draft for review, returns it to draft, or withdraws an item."""
    now = ctx.now()
    with transaction(ctx.engine) as session:
        row = session.get(ItemRow, item_id)
        if row is None:
            raise NotFound(f"There is no item #{item_id}.")
        if requested not in (ItemStatus.PROPOSED, ItemStatus.DRAFT, ItemStatus.WITHDRAWN):
            raise PermissionDenied(f"Only the executive can make an item {requested.label}.")
        require(actor, Role.LEAD, row.subcommunity.slug, to="change this item's status")
        move_item(session, actor, now, row, requested, reason)
        return _view(row, _dependencies(session, [item_id]).get(item_id, []))
