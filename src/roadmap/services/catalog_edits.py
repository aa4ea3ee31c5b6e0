"""Keeping the structure up to date: rename and archive sub-communities, themes and skills,
and the managed list of skills.

Nothing here deletes: items, grants, staff and plans keep naming what they named, so a
sub-community, theme or skill is archived instead. An archived one is still shown on the
records that name it but is no longer offered for new items, grants or staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roadmap.domain.access import Actor, require, require_any
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.errors import NotFound, ValidationError
from roadmap.domain.organizations import Skill, SubCommunity
from roadmap.domain.validation import parse
from roadmap.services.audit import changed_fields, record
from roadmap.services.catalog import check_name_free, check_unique
from roadmap.services.context import Context
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import ItemRow, SkillRow, SubCommunityRow, ThemeRow

Subject = Literal["subcommunity", "theme", "skill"]
# The three tables share slug, name and archived_at (skills have no description).
_ROWS: dict[str, Any] = {
    "subcommunity": SubCommunityRow,
    "theme": ThemeRow,
    "skill": SkillRow,
}
_WORDS = {"subcommunity": "sub-community", "theme": "theme", "skill": "skill"}


@dataclass(frozen=True)
class Entry:
    """One sub-community, theme or skill as the admin pages list it."""

    slug: str
    name: str
    description: str
    archived: bool
    items: int  # roadmap items that name it
    open_items: int  # of which still open (not done, withdrawn or out of scope)


def _check_role(actor: Actor, subject: Subject, to: str) -> None:
    if subject == "subcommunity":
        require(actor, Role.ADMIN, to=to)
    else:
        require_any(actor, [Role.ADMIN, Role.EXECUTIVE], to=to)


def _row(session: Session, subject: Subject, slug: str) -> SubCommunityRow | ThemeRow | SkillRow:
    row_type = _ROWS[subject]
    row: SubCommunityRow | ThemeRow | SkillRow | None = session.scalar(
        select(row_type).where(row_type.slug == slug)
    )
    if row is None:
        raise NotFound(f"There is no {_WORDS[subject]} {slug!r}.")
    return row


def _item_counts(session: Session, subject: Subject) -> dict[str, tuple[int, int]]:
    """Per short name: the items naming it, and how many of those are open."""
    open_statuses = [s.value for s in ItemStatus if s.is_open]
    counts: dict[str, list[int]] = {}
    if subject == "skill":
        for skills, status in session.execute(select(ItemRow.skills, ItemRow.status)):
            for slug in skills or []:
                tally = counts.setdefault(slug, [0, 0])
                tally[0] += 1
                tally[1] += status in open_statuses
        return {k: (v[0], v[1]) for k, v in counts.items()}
    row_type = SubCommunityRow if subject == "subcommunity" else ThemeRow
    column = ItemRow.subcommunity_id if subject == "subcommunity" else ItemRow.theme_id
    query = (
        select(row_type.slug, ItemRow.status, func.count())
        .join(ItemRow, column == row_type.id)
        .group_by(row_type.slug, ItemRow.status)
    )
    for slug, status, count in session.execute(query):
        tally = counts.setdefault(slug, [0, 0])
        tally[0] += count
        tally[1] += count if status in open_statuses else 0
    return {k: (v[0], v[1]) for k, v in counts.items()}


def list_entries(ctx: Context, subject: Subject) -> list[Entry]:
    """Every sub-community, theme or skill (archived ones last), with the items naming it."""
    row_type = _ROWS[subject]
    with reading(ctx.engine) as session:
        counts = _item_counts(session, subject)
        rows = session.scalars(select(row_type).order_by(row_type.name))
        entries = [
            Entry(
                r.slug,
                r.name,
                getattr(r, "description", ""),
                r.archived_at is not None,
                *counts.get(r.slug, (0, 0)),
            )
            for r in rows
        ]
    return sorted(entries, key=lambda e: e.archived)


def create_skill(ctx: Context, actor: Actor, slug: str, name: str) -> Entry:
    """Add a skill to the managed list that items and staff choose from."""
    _check_role(actor, "skill", "manage skills")
    data = parse(Skill, {"slug": slug, "name": name})
    now = ctx.now()
    with transaction(ctx.engine) as session:
        check_unique(session, SkillRow, data.slug, data.name)
        session.add(SkillRow(slug=data.slug, name=data.name))
        record(session, actor, now, "create", "skill", data.slug, None, data.model_dump())
    return Entry(data.slug, data.name, "", False, 0, 0)


def rename(
    ctx: Context, actor: Actor, subject: Subject, slug: str, name: str, description: str = ""
) -> None:
    """Give a sub-community, theme or skill a new name (and description); its short name,
    which records and grants use, stays."""
    word = _WORDS[subject]
    _check_role(actor, subject, f"rename a {word}")
    if subject == "skill":
        name = parse(Skill, {"slug": slug, "name": name}).name
    else:
        fields = {"slug": slug, "name": name, "description": description}
        name = parse(SubCommunity, fields).name
    now = ctx.now()
    with transaction(ctx.engine) as session:
        row = _row(session, subject, slug)
        check_name_free(session, _ROWS[subject], slug, name)
        before = {"name": row.name}
        after = {"name": name}
        row.name = name
        if not isinstance(row, SkillRow):
            before["description"] = row.description
            after["description"] = description
            row.description = description
        old, new = changed_fields(before, after)
        if not new:
            raise ValidationError(f"The {word} {slug!r} already has that name; nothing changed.")
        session.flush()
        record(
            session,
            actor,
            now,
            "rename",
            subject,
            slug,
            old,
            new,
        )


def archive(ctx: Context, actor: Actor, subject: Subject, slug: str) -> None:
    """Stop offering a sub-community, theme or skill for new records; the records that name
    it keep it. A sub-community with open items is refused, naming them."""
    word = _WORDS[subject]
    _check_role(actor, subject, f"archive a {word}")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        row = _row(session, subject, slug)
        if row.archived_at is not None:
            raise ValidationError(f"{row.name} is already archived.")
        if isinstance(row, SubCommunityRow):
            _refuse_open_items(session, row)
        row.archived_at = now
        session.flush()
        record(
            session, actor, now, "archive", subject, slug, {"archived": False}, {"archived": True}
        )


def restore(ctx: Context, actor: Actor, subject: Subject, slug: str) -> None:
    """Offer an archived sub-community, theme or skill again."""
    word = _WORDS[subject]
    _check_role(actor, subject, f"restore a {word}")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        row = _row(session, subject, slug)
        if row.archived_at is None:
            raise ValidationError(f"{row.name} is not archived.")
        row.archived_at = None
        session.flush()
        record(
            session, actor, now, "restore", subject, slug, {"archived": True}, {"archived": False}
        )


def _refuse_open_items(session: Session, row: SubCommunityRow) -> None:
    open_statuses = [s.value for s in ItemStatus if s.is_open]
    ids = list(
        session.scalars(
            select(ItemRow.id)
            .where(ItemRow.subcommunity_id == row.id, ItemRow.status.in_(open_statuses))
            .order_by(ItemRow.id)
        )
    )
    if ids:
        shown = ", ".join(f"#{i}" for i in ids[:10]) + (", …" if len(ids) > 10 else "")
        raise ValidationError(
            f"{row.name} has {len(ids)} open item{'s' if len(ids) != 1 else ''} ({shown}): "
            "an item is open until it is done, withdrawn or decided out of scope. "
            "Nothing was archived."
        )


def archived_slugs(session: Session, subject: Subject) -> set[str]:
    """The short names of the archived sub-communities, themes or skills."""
    row_type = _ROWS[subject]
    return set(session.scalars(select(row_type.slug).where(row_type.archived_at.is_not(None))))
