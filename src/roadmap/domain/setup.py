"""The set-up checklist of a new deployment: what must exist before a foundation can plan,
read from counts of what the database holds (a pure rule; the service counts)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SetupCounts:
    subcommunities: int  # not archived
    organizations: int
    seated_organizations: int  # organizations with a representative (a seat holder)
    staff: int  # active staff members
    periods: int  # not archived
    executives: int  # accounts holding the executive role
    leads: int  # accounts holding a lead role


@dataclass(frozen=True)
class SetupStep:
    title: str
    done: bool
    detail: str  # what is there, or what is missing, in a sentence
    pages: tuple[str, ...]  # the keys of the pages that do it


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def setup_steps(c: SetupCounts) -> list[SetupStep]:
    """The steps in the order a foundation takes them; each ticks itself off."""
    unseated = c.organizations - c.seated_organizations
    return [
        SetupStep(
            "Sub-communities",
            c.subcommunities > 0,
            f"{_plural(c.subcommunities, 'sub-community', 'sub-communities')}."
            if c.subcommunities
            else "Create the sub-communities that propose items.",
            ("catalog",),
        ),
        SetupStep(
            "Organizations and their representatives",
            c.seated_organizations > 0,  # one seated organization is enough to signal
            "Register the member organizations, then grant each one's seat holder "
            "the representative role."
            if not c.organizations
            else f"{_plural(c.organizations, 'organization', 'organizations')}"
            + (
                f", {unseated} without a representative."
                if unseated
                else ", each with its seat holder."
            ),
            ("organizations", "admin_users"),
        ),
        SetupStep(
            "Staff",
            c.staff > 0,
            f"{_plural(c.staff, 'active staff member', 'active staff members')}."
            if c.staff
            else "Record the paid staff, their skills and capacity.",
            ("staff_admin",),
        ),
        SetupStep(
            "The first planning period",
            c.periods > 0,
            f"{_plural(c.periods, 'planning period', 'planning periods')}."
            if c.periods
            else "Create the first planning period (for example 2027-H1).",
            ("periods",),
        ),
        SetupStep(
            "Who holds which role",
            c.executives > 0 and c.leads > 0,
            f"{_plural(c.executives, 'executive', 'executives')}, "
            f"{_plural(c.leads, 'sub-community lead', 'sub-community leads')}."
            + ("" if c.executives and c.leads else " Grant at least one of each."),
            ("admin_users",),
        ),
    ]


def setup_complete(c: SetupCounts) -> bool:
    return all(step.done for step in setup_steps(c))
