"""The set-up checklist of a new deployment, counted from what the database holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from roadmap.domain.access import Actor, require
from roadmap.domain.enums import Role
from roadmap.domain.setup import SetupCounts, SetupStep, setup_complete, setup_steps
from roadmap.services.context import Context
from roadmap.store.engine import reading
from roadmap.store.tables import (
    OrganizationRow,
    PeriodRow,
    RoleGrantRow,
    StaffRow,
    SubCommunityRow,
    UserRow,
)


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(query) or 0)


def setup_counts(ctx: Context) -> SetupCounts:
    def holders(role: Role) -> Select[Any]:
        return (
            select(func.count(distinct(RoleGrantRow.user_id)))
            .join(UserRow, UserRow.id == RoleGrantRow.user_id)
            .where(RoleGrantRow.role == role.value, UserRow.active.is_(True))
        )

    with reading(ctx.engine) as session:
        return SetupCounts(
            subcommunities=_count(
                session,
                select(func.count()).where(SubCommunityRow.archived_at.is_(None)),
            ),
            organizations=_count(session, select(func.count()).select_from(OrganizationRow)),
            seated_organizations=_count(
                session,
                select(func.count()).where(OrganizationRow.representative_id.is_not(None)),
            ),
            staff=_count(session, select(func.count()).where(StaffRow.active.is_(True))),
            periods=_count(session, select(func.count()).where(PeriodRow.archived_at.is_(None))),
            executives=_count(session, holders(Role.EXECUTIVE)),
            leads=_count(session, holders(Role.LEAD)),
        )


def checklist(ctx: Context, actor: Actor) -> list[SetupStep]:
    """The set-up steps, each ticked off when the database holds what it asks for."""
    require(actor, Role.ADMIN, to="see the set-up checklist")
    return setup_steps(setup_counts(ctx))


def needs_setup(ctx: Context) -> bool:
    """Whether some step of the checklist is still open (the admin's first page is then
    the checklist)."""
    return not setup_complete(setup_counts(ctx))
