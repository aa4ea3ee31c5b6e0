"""Every page of the app, who may open it, and where it sits in the navigation."""

from __future__ import annotations

from dataclasses import dataclass

from roadmap.domain.access import Actor
from roadmap.domain.enums import Role


@dataclass(frozen=True)
class PageSpec:
    key: str  # the file pages/<key>.py and the URL path /<key>
    title: str
    icon: str
    section: str
    roles: frozenset[Role] | None = None  # None: everyone, signed in or not
    signed_out_only: bool = False
    default: bool = False
    hidden: bool = False  # reachable by link (e.g. an item page), not listed in the menu

    def allows(self, actor: Actor) -> bool:
        if self.signed_out_only:
            return not actor.signed_in
        if self.roles is None:
            return True
        return any(actor.has(role) for role in self.roles)


PAGES: tuple[PageSpec, ...] = (
    # Every signed-in person's first page: what needs them now (ui.home_view).
    PageSpec("home", "Home", ":material/home:", "Roadmap", roles=frozenset({Role.MEMBER})),
    PageSpec("roadmap", "Public roadmap", ":material/map:", "Roadmap", default=True),
    PageSpec("item", "Item", ":material/description:", "Roadmap", hidden=True),
    PageSpec(
        "my_items",
        "My sub-community's items",
        ":material/edit_note:",
        "Propose",
        roles=frozenset({Role.LEAD}),
    ),
    PageSpec(
        "review",
        "Scope review",
        ":material/gavel:",
        "Govern",
        roles=frozenset({Role.EXECUTIVE}),
    ),
    PageSpec(
        "audit",
        "Audit log",
        ":material/history:",
        "Govern",
        roles=frozenset({Role.EXECUTIVE, Role.ADMIN}),
    ),
    PageSpec("members", "Member organizations", ":material/groups:", "Roadmap"),
    PageSpec(
        "signals",
        "Our signals",
        ":material/how_to_vote:",
        "Signal",
        roles=frozenset({Role.REPRESENTATIVE}),
    ),
    PageSpec(
        "signals_overview",
        "Member signals",
        ":material/insights:",
        "Signal",
        roles=frozenset({Role.MEMBER}),
    ),
    PageSpec(
        "period",
        "Planning period",
        ":material/tune:",
        "Govern",
        roles=frozenset({Role.EXECUTIVE}),
    ),
    PageSpec(
        "organizations",
        "Organizations",
        ":material/corporate_fare:",
        "Admin",
        roles=frozenset({Role.ADMIN, Role.EXECUTIVE}),
    ),
    PageSpec("plan", "Published plan", ":material/event_note:", "Roadmap"),
    PageSpec(
        "my_plan", "My plan", ":material/view_timeline:", "Work", roles=frozenset({Role.STAFF})
    ),
    PageSpec(
        "scenarios",
        "Scenarios",
        ":material/compare:",
        "Govern",
        roles=frozenset({Role.EXECUTIVE}),
    ),
    PageSpec(
        "staff_admin",
        "Staff",
        ":material/badge:",
        "Admin",
        roles=frozenset({Role.ADMIN, Role.EXECUTIVE}),
    ),
    PageSpec(
        "imports",
        "Import from CSV",
        ":material/upload_file:",
        "Admin",
        roles=frozenset({Role.ADMIN, Role.EXECUTIVE, Role.LEAD}),
    ),
    PageSpec("sign_in", "Sign in", ":material/login:", "Account", signed_out_only=True),
    PageSpec("inbox", "Inbox", ":material/inbox:", "Account", roles=frozenset({Role.MEMBER})),
    PageSpec(
        "account", "My account", ":material/person:", "Account", roles=frozenset({Role.MEMBER})
    ),
    PageSpec(
        "admin_users",
        "Users and roles",
        ":material/manage_accounts:",
        "Admin",
        roles=frozenset({Role.ADMIN}),
    ),
    PageSpec(
        "setup", "Set-up checklist", ":material/checklist:", "Admin", roles=frozenset({Role.ADMIN})
    ),
    PageSpec(
        "catalog",
        "Sub-communities, themes, skills",
        ":material/category:",
        "Admin",
        roles=frozenset({Role.ADMIN, Role.EXECUTIVE}),
    ),
    PageSpec(
        "periods",
        "Planning periods",
        ":material/date_range:",
        "Admin",
        roles=frozenset({Role.ADMIN, Role.EXECUTIVE}),
    ),
)

# The admin's first page while the set-up checklist has open steps (see ui.router).
SETUP_PAGE = "setup"
# Every other signed-in person's first page; the public lands on the ``default`` page.
HOME_PAGE = "home"

BY_KEY = {page.key: page for page in PAGES}
# The public's first page: the registry's ``default`` one.
DEFAULT_PAGE = next(page.key for page in PAGES if page.default)


def pages_for(actor: Actor) -> list[PageSpec]:
    return [page for page in PAGES if page.allows(actor)]
