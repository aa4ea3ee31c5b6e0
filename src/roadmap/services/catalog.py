"""Use cases on the project's structure: sub-communities, themes and organizations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roadmap.domain.access import Actor, require, require_any
from roadmap.domain.enums import Role
from roadmap.domain.errors import ConflictError, NotFound, ValidationError
from roadmap.domain.organizations import Organization, SubCommunity, Theme
from roadmap.domain.records import STORED
from roadmap.domain.validation import parse
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import OrganizationRow, SkillRow, SubCommunityRow, ThemeRow, UserRow


@dataclass(frozen=True)
class Named:
    slug: str
    name: str
    description: str


def check_unique(
    session: Session,
    row_type: type[SubCommunityRow] | type[ThemeRow] | type[SkillRow],
    slug: str,
    name: str,
) -> None:
    """Refuse a short name or a name (in any case) that a row of the kind already has
    (archived rows included: they still name records)."""
    what = {SubCommunityRow: "sub-community", ThemeRow: "theme", SkillRow: "skill"}[row_type]
    if session.scalar(select(row_type.slug).where(row_type.slug == slug)) is not None:
        sentence = f"The short name {slug!r} is taken."
        raise ValidationError(sentence, {"slug": sentence})
    if _named(session, row_type, name) is not None:
        sentence = f"There is already a {what} named {name.strip()!r}."
        raise ValidationError(sentence, {"name": sentence})


def _named(
    session: Session,
    row_type: type[SubCommunityRow] | type[ThemeRow] | type[SkillRow],
    name: str,
    besides: str | None = None,
) -> str | None:
    """The short name of the row of the kind called ``name`` in any case (compared here, not
    in SQL: SQLite's lower() knows only ASCII), other than ``besides``."""
    wanted = name.strip().casefold()
    for slug, other in session.execute(select(row_type.slug, row_type.name)):
        if other.strip().casefold() == wanted and slug != besides:
            return str(slug)
    return None


def check_name_free(
    session: Session,
    row_type: type[SubCommunityRow] | type[ThemeRow] | type[SkillRow],
    slug: str,
    name: str,
) -> None:
    """Refuse renaming ``slug`` to a name another row of the kind has (in any case)."""
    what = {SubCommunityRow: "sub-community", ThemeRow: "theme", SkillRow: "skill"}[row_type]
    other = _named(session, row_type, name, besides=slug)
    if other is not None:
        sentence = f"There is already a {what} named {name.strip()!r} ({other})."
        raise ValidationError(sentence, {"name": sentence})


def create_subcommunity(
    ctx: Context, actor: Actor, slug: str, name: str, description: str = ""
) -> Named:
    require(actor, Role.ADMIN, to="create sub-communities")
    data = parse(SubCommunity, {"slug": slug, "name": name, "description": description})
    with transaction(ctx.engine) as session:
        insert_subcommunity(session, actor, ctx.now(), data)
    return Named(data.slug, data.name, data.description)


def insert_subcommunity(
    session: Session, actor: Actor, now: datetime, data: SubCommunity, action: str = "create"
) -> str:
    """Write a new sub-community and record it (the caller has checked the role)."""
    check_unique(session, SubCommunityRow, data.slug, data.name)
    session.add(SubCommunityRow(**data.model_dump()))
    session.flush()
    record(session, actor, now, action, "subcommunity", data.slug, None, data.model_dump())
    return data.slug


def create_theme(ctx: Context, actor: Actor, slug: str, name: str, description: str = "") -> Named:
    require_any(actor, [Role.ADMIN, Role.EXECUTIVE], to="manage themes")
    data = parse(Theme, {"slug": slug, "name": name, "description": description})
    now = ctx.now()
    with transaction(ctx.engine) as session:
        check_unique(session, ThemeRow, data.slug, data.name)
        session.add(ThemeRow(**data.model_dump()))
        record(session, actor, now, "create", "theme", data.slug, None, data.model_dump())
    return Named(data.slug, data.name, data.description)


def list_subcommunities(ctx: Context, *, active_only: bool = False) -> list[Named]:
    """Every sub-community by name; ``active_only``: those offered for new items and grants."""
    query = select(SubCommunityRow).order_by(SubCommunityRow.name)
    if active_only:
        query = query.where(SubCommunityRow.archived_at.is_(None))
    with reading(ctx.engine) as session:
        return [Named(r.slug, r.name, r.description) for r in session.scalars(query)]


def list_themes(ctx: Context, *, active_only: bool = False) -> list[Named]:
    """Every theme by name; ``active_only``: those items may be filed under."""
    query = select(ThemeRow).order_by(ThemeRow.name)
    if active_only:
        query = query.where(ThemeRow.archived_at.is_(None))
    with reading(ctx.engine) as session:
        return [Named(r.slug, r.name, r.description) for r in session.scalars(query)]


def create_organization(ctx: Context, actor: Actor, fields: dict[str, Any]) -> Organization:
    """Register a member organization (its seat holder is set by granting the role)."""
    require(actor, Role.ADMIN, to="register organizations")
    data = parse(Organization, {**fields, "representative": None})
    with transaction(ctx.engine) as session:
        insert_organization(session, actor, ctx.now(), data)
    return data


def insert_organization(
    session: Session, actor: Actor, now: datetime, data: Organization, action: str = "create"
) -> None:
    """Write a new organization and record it (the caller has checked the role)."""
    check_organization_key(session, data.key)
    values = data.model_dump(exclude={"representative"})
    session.add(OrganizationRow(**values))
    record(session, actor, now, action, "organization", data.key, None, values)


def check_organization_key(session: Session, key: str) -> None:
    if session.scalar(select(OrganizationRow.id).where(OrganizationRow.key == key)):
        sentence = f"The short name {key!r} is taken."
        raise ValidationError(sentence, {"key": sentence})


def count_organizations(ctx: Context) -> int:
    with reading(ctx.engine) as session:
        return int(session.scalar(select(func.count()).select_from(OrganizationRow)) or 0)


def list_organizations(
    ctx: Context, keys: list[str] | None = None, limit: int | None = None, offset: int = 0
) -> list[Organization]:
    """The registry as everyone may see it (names, tiers, seat holders), by name; ``keys``:
    only these organizations; ``limit`` of them from the ``offset``-th."""
    query = (
        select(OrganizationRow, UserRow.username)
        .outerjoin(UserRow, UserRow.id == OrganizationRow.representative_id)
        .order_by(OrganizationRow.name, OrganizationRow.id)
    )
    if keys is not None:
        query = query.where(OrganizationRow.key.in_(keys))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    with reading(ctx.engine) as session:
        rows = session.execute(query).all()
        return [
            Organization.model_validate(
                {
                    "key": org.key,
                    "name": org.name,
                    "kind": org.kind,
                    "tier": org.tier,
                    "annual_commitment": org.annual_commitment,
                    "currency": org.currency,
                    "term_start": org.term_start,
                    "term_end": org.term_end,
                    "basis": org.basis,
                    "exception_reason": org.exception_reason,
                    "status": org.status,
                    "representative": rep,
                },
                context=STORED,
            )
            for org, rep in rows
        ]


def list_skills(ctx: Context, *, active_only: bool = False) -> list[str]:
    """Every skill's short name; ``active_only``: those offered for new items and staff."""
    query = select(SkillRow.slug).order_by(SkillRow.slug)
    if active_only:
        query = query.where(SkillRow.archived_at.is_(None))
    with reading(ctx.engine) as session:
        return list(session.scalars(query))


def update_organization(
    ctx: Context, actor: Actor, key: str, fields: dict[str, Any], expected_version: int
) -> Organization:
    """Edit a member organization's record (admins and the executive)."""
    require_any(actor, [Role.ADMIN, Role.EXECUTIVE], to="edit organizations")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        org = session.scalar(select(OrganizationRow).where(OrganizationRow.key == key))
        if org is None:
            raise NotFound(f"There is no organization {key!r}.")
        if org.version != expected_version:
            raise ConflictError(
                f"{org.name} was changed by someone else meanwhile; reload and try again."
            )
        data = parse(Organization, {**fields, "key": key, "representative": None})
        values = data.model_dump(exclude={"representative", "key"})
        before = {k: getattr(org, k) for k in values if getattr(org, k) != values[k]}
        for name, value in values.items():
            setattr(org, name, value)
        session.flush()
        after = {k: values[k] for k in before}
        record(session, actor, now, "update", "organization", key, before, after)
        return data


def organization_versions(ctx: Context) -> dict[str, int]:
    """Each organization's row version, for edits that must detect concurrent changes."""
    with reading(ctx.engine) as session:
        return dict(session.execute(select(OrganizationRow.key, OrganizationRow.version)).all())
