"""Reading roadmap items: the lists, counts, headings and single items every page shows,
within what the reader may see (drafts only for their own sub-community's leads)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.errors import NotFound
from roadmap.domain.items import RoadmapItem, may_read
from roadmap.services.context import Context
from roadmap.store.engine import reading
from roadmap.store.tables import ItemDependencyRow, ItemRow, SubCommunityRow, ThemeRow


def dependencies(session: Session, item_ids: list[int] | None = None) -> dict[int, list[int]]:
    """Item -> the items it depends on (of ``item_ids``; every item when ``None``)."""
    query = select(ItemDependencyRow)
    if item_ids is not None:
        query = query.where(ItemDependencyRow.item_id.in_(item_ids))
    deps: dict[int, list[int]] = {}
    for dep in session.scalars(query):
        deps.setdefault(dep.item_id, []).append(dep.depends_on_id)
    return deps


def _readable(actor: Actor) -> ColumnElement[bool]:
    """The draft rule of ``domain.items.may_read`` in SQL (the query must join the
    sub-community)."""
    return or_(
        ItemRow.status != ItemStatus.DRAFT.value,
        SubCommunityRow.slug.in_(sorted(actor.scopes(Role.LEAD))),
    )


@dataclass(frozen=True)
class ItemHeading:
    """What a list or a picker of items shows: far lighter to read than a ``RoadmapItem``."""

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


def _item_query(brief: bool = False) -> Select[*tuple[Any, ...]]:
    """One plain-column row per item, in the order of ``RoadmapItem``'s fields (without its
    dependencies); ``brief``: skills and links are read as ``NULL``."""
    theme = aliased(ThemeRow)
    empty = literal(None)
    return (
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
        .order_by(ItemRow.id)
    )


def _item(r: Any, depends_on: list[int]) -> RoadmapItem:
    """The one place a ``RoadmapItem`` is built: from a row of ``_item_query``."""
    return RoadmapItem(
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
        depends_on=sorted(depends_on),
    )


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
) -> list[RoadmapItem]:
    """Items the actor may read: drafts only for their own sub-community's leads.

    One plain-column query (no ORM objects: thousands of items load in milliseconds), with
    the draft rule applied in SQL. ``brief``: skills, links and dependencies are left empty
    (not read), for lists that show none of them. ``ids``, ``where``: only these items;
    ``limit`` of them from the ``offset``-th (by id).
    """
    query = _item_query(brief).where(_readable(actor))
    if statuses is not None:
        query = query.where(ItemRow.status.in_([s.value for s in statuses]))
    if ids is not None:
        query = query.where(ItemRow.id.in_(ids))
    if where is not None:
        query = where.apply(query)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    with reading(ctx.engine) as session:
        deps = {} if brief else dependencies(session, ids)
        return [
            _item(r, deps.get(r[0], []))
            for r in session.connection().execute(query)  # Core: no ORM row processing
        ]


def read_item(session: Session, item_id: int) -> RoadmapItem:
    """Item ``item_id`` as stored now, with its dependencies (no visibility rule: for the
    use cases that have checked the actor's role)."""
    row = session.connection().execute(_item_query().where(ItemRow.id == item_id)).one()
    return _item(row, dependencies(session, [item_id]).get(item_id, []))


def get_item(ctx: Context, actor: Actor, item_id: int) -> RoadmapItem:
    with reading(ctx.engine) as session:
        item = session.execute(_item_query().where(ItemRow.id == item_id)).one_or_none()
        if item is None or not may_read(actor, ItemStatus(item[12]), item[3]):
            raise NotFound(f"There is no item #{item_id}.")
        return _item(item, dependencies(session, [item_id]).get(item_id, []))


def item_status(ctx: Context, item_id: int) -> ItemStatus | None:
    """Item ``item_id``'s status now, or None when there is no such item (no visibility
    rule: for a use case that shows only what follows from a public published plan)."""
    with reading(ctx.engine) as session:
        status = session.scalar(select(ItemRow.status).where(ItemRow.id == item_id))
    return ItemStatus(status) if status is not None else None
