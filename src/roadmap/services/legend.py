"""What charts need to name and colour things alike on every page: the organizations and the
sub-communities in the order they were registered (public, like the registry), and the
themes' names. A colour follows the registration order, so a new registration never changes
the colour of one registered before it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from roadmap.services.context import Context
from roadmap.store.engine import reading
from roadmap.store.tables import OrganizationRow, SubCommunityRow, ThemeRow


@dataclass(frozen=True)
class Legend:
    organizations: dict[str, str]  # key -> name, in registration order
    subcommunities: dict[str, str]  # slug -> name, in registration order
    themes: dict[str, str]  # slug -> name


def legend(ctx: Context) -> Legend:
    """Every organization, sub-community and theme ever registered, archived ones included
    (a stored plan may name them)."""
    with reading(ctx.engine) as session:
        return Legend(
            dict(
                session.execute(
                    select(OrganizationRow.key, OrganizationRow.name).order_by(OrganizationRow.id)
                ).all()
            ),
            dict(
                session.execute(
                    select(SubCommunityRow.slug, SubCommunityRow.name).order_by(SubCommunityRow.id)
                ).all()
            ),
            dict(session.execute(select(ThemeRow.slug, ThemeRow.name).order_by(ThemeRow.id)).all()),
        )
