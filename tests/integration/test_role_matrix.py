"""For every service write and every role: allowed, or PermissionDenied with nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from support import dump
from support.world import SETUP_EXECUTIVE, SYSTEM, World

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.errors import PermissionDenied
from roadmap.services import (
    accounts,
    catalog,
    catalog_edits,
    governance,
    items,
    period_setup,
    periods,
    signals,
    staff,
)
from roadmap.services.context import Context

ITEM = {
    "title": "Custom linting for JupyterLab",
    "summary": "Lint rules for extensions.",
    "subcommunity": "jupyter-frontends",
    "kind": "feature",
    "effort_low": 2,
    "effort_high": 4,
    "skills": ["python"],
}


def _draft(ctx: Context, subcommunity: str = "jupyter-frontends") -> int:
    lead = Actor(None, "setup", "setup", frozenset({(Role.LEAD, subcommunity)}))
    return items.create_item(ctx, lead, {**ITEM, "subcommunity": subcommunity}).id


def _proposed(ctx: Context) -> int:
    item_id = _draft(ctx)
    lead = Actor(None, "setup", "setup", frozenset({(Role.LEAD, "jupyter-frontends")}))
    items.change_status(ctx, lead, item_id, ItemStatus.PROPOSED)
    return item_id


def _open(ctx: Context) -> int:
    item_id = _proposed(ctx)
    governance.open_comment_period(ctx, SETUP_EXECUTIVE, item_id)
    return item_id


def _closed(ctx: Context) -> int:
    item_id = _open(ctx)
    governance.close_comment_period(ctx, SETUP_EXECUTIVE, item_id)
    return item_id


def _decided(ctx: Context) -> int:
    item_id = _closed(ctx)
    governance.decide_scope(ctx, SETUP_EXECUTIVE, item_id, "in_scope", "Wanted by many members.")
    return item_id


def _period_version(ctx: Context) -> int:
    return periods.get_period(ctx).version


def _org_version(ctx: Context) -> int:
    return catalog.organization_versions(ctx)["acme-notebooks"]


ORG = {
    "name": "Acme Notebooks",
    "kind": "company",
    "tier": "premier",
    "annual_commitment": 150000,
    "term_start": date(2026, 1, 1),
    "term_end": date(2027, 12, 31),
}

Write = Callable[[Context, Actor], object]


def _archived(ctx: Context, theme: str) -> bool:
    return any(e.archived for e in catalog_edits.list_entries(ctx, "theme") if e.slug == theme)


def _free_year(ctx: Context) -> tuple[date, date]:
    """A year after every period so far, so each allowed actor's new period overlaps none."""
    year = max(p.end.year for p in period_setup.list_periods(ctx)) + 1
    return date(year, 1, 1), date(year, 12, 31)


def _last_unfollowed(ctx: Context) -> str:
    """The latest-starting period nothing was started from yet: each allowed actor's next
    period follows a period of its own."""
    entries = period_setup.list_periods(ctx)
    followed = {p.source for p in entries}
    return max((p for p in entries if p.key not in followed), key=lambda p: p.start).key


# name -> (the write, the actors allowed to make it)
WRITES: dict[str, tuple[Write, set[str]]] = {
    "create a user": (
        lambda c, a: accounts.create_user(c, a, "newbie", "New Bie", "password-xyz"),
        {"admin"},
    ),
    "grant a role": (lambda c, a: accounts.grant_role(c, a, "member", "staff"), {"admin"}),
    "revoke a role": (lambda c, a: accounts.revoke_role(c, a, "staff", "staff"), {"admin"}),
    "deactivate a user": (
        lambda c, a: accounts.set_user_active(c, a, "member", False, 1),
        {"admin"},
    ),
    "create a sub-community": (
        lambda c, a: catalog.create_subcommunity(c, a, "nbgrader", "nbgrader"),
        {"admin"},
    ),
    "create a theme": (
        lambda c, a: catalog.create_theme(c, a, f"security-{a.username}", f"Security {a.username}"),
        {"exec", "admin"},
    ),
    "rename a sub-community": (
        lambda c, a: catalog_edits.rename(c, a, "subcommunity", "voila", "Voilà dashboards"),
        {"admin"},
    ),
    "archive or restore a theme": (
        lambda c, a: (catalog_edits.restore if _archived(c, "ux") else catalog_edits.archive)(
            c, a, "theme", "ux"
        ),
        {"exec", "admin"},
    ),
    "create a skill": (
        lambda c, a: catalog_edits.create_skill(c, a, f"rust-{a.username}", f"Rust {a.username}"),
        {"exec", "admin"},
    ),
    "create a planning period": (
        lambda c, a: period_setup.create_period(
            c, a, f"2030-{a.username}", f"2030 {a.username}", *_free_year(c)
        ),
        {"exec", "admin"},
    ),
    "start the next planning period": (
        lambda c, a: period_setup.new_period_from(
            c, a, _last_unfollowed(c), f"next-{a.username}", f"Next {a.username}", *_free_year(c)
        ),
        {"exec", "admin"},
    ),
    "register an organization": (
        lambda c, a: catalog.create_organization(
            c,
            a,
            {
                "key": "beta-labs",
                "name": "Beta Labs",
                "kind": "company",
                "tier": "general",
                "annual_commitment": 5000,
                "term_start": date(2027, 1, 1),
                "term_end": date(2027, 12, 31),
            },
        ),
        {"admin"},
    ),
    "create an item in jupyter-frontends": (lambda c, a: items.create_item(c, a, ITEM), {"lead"}),
    "edit a jupyter-frontends item": (
        lambda c, a: items.update_item(c, a, _draft(c), {**ITEM, "title": "Renamed item"}, 1),
        {"lead"},
    ),
    "submit a jupyter-frontends draft": (
        lambda c, a: items.change_status(c, a, _draft(c), ItemStatus.PROPOSED),
        {"lead"},
    ),
    "open a comment period": (
        lambda c, a: governance.open_comment_period(c, a, _proposed(c)),
        {"exec"},
    ),
    "decide scope": (
        lambda c, a: governance.decide_scope(
            c, a, _closed(c), "in_scope", "Wanted by many members."
        ),
        {"exec"},
    ),
    "amend a decision": (
        lambda c, a: governance.amend_decision(
            c, a, _decided(c), "Wanted by most members.", "Miscounted."
        ),
        {"exec"},
    ),
    "reverse a decision": (
        lambda c, a: governance.decide_scope(
            c, a, _decided(c), "deferred", "No staff this half-year.", "Staff left."
        ),
        {"exec"},
    ),
    "file under a theme": (
        lambda c, a: governance.file_under_theme(c, a, _proposed(c), "ux"),
        {"exec"},
    ),
    "comment": (
        lambda c, a: governance.add_comment(c, a, _open(c), "A comment."),
        {"member", "lead", "otherlead", "orgrep", "staff", "exec", "admin"},
    ),
    "signal for acme-notebooks": (
        lambda c, a: signals.save_signal(c, a, "acme-notebooks", [], {}, [], []),
        {"orgrep"},
    ),
    "change the period": (
        lambda c, a: periods.update_period(
            c, a, "2027-H1", {"points_budget": 50}, _period_version(c)
        ),
        {"exec"},
    ),
    "edit an organization": (
        lambda c, a: catalog.update_organization(
            c, a, "acme-notebooks", {**ORG, "name": "Acme Two"}, _org_version(c)
        ),
        {"admin", "exec"},
    ),
    "register a staff member": (
        lambda c, a: staff.save_staff(
            c,
            a,
            {
                "key": f"ana-{a.username}",
                "name": "Ana Example",
                "skills": {"python": 2},
                "capacity_weeks": 11,
            },
        ),
        {"admin", "exec"},
    ),
    "withdraw a voila item": (
        lambda c, a: items.change_status(c, a, _draft(c, "voila"), ItemStatus.WITHDRAWN),
        {"otherlead"},
    ),
}

ACTORS = ["public", "member", "lead", "otherlead", "orgrep", "staff", "exec", "admin"]


@pytest.mark.parametrize("write", list(WRITES))
def test_each_write_is_allowed_only_for_its_roles_and_a_denial_changes_nothing(
    world: World, write: str
) -> None:
    operation, allowed = WRITES[write]
    ctx = world.ctx
    for name in ACTORS:
        actor = world.actors[name]
        if name in allowed:
            continue
        # Set-up writes (the drafts some operations need) happen before the snapshot.
        prepared = _prepare(ctx, write)
        before = dump(ctx.engine)
        with pytest.raises(PermissionDenied):
            prepared(ctx, actor)
        assert dump(ctx.engine) == before, f"{name} was refused '{write}' but the database changed"
    for name in allowed:
        before = dump(ctx.engine)
        operation(ctx, world.actors[name])
        assert dump(ctx.engine) != before, f"{name} may '{write}' but nothing was written"


def _prepare(ctx: Context, write: str) -> Write:
    """Run the operation's own set-up now, and return the bare write to attempt."""
    if write == "edit a jupyter-frontends item":
        item_id = _draft(ctx)
        return lambda c, a: items.update_item(c, a, item_id, {**ITEM, "title": "Renamed"}, 1)
    if write == "submit a jupyter-frontends draft":
        item_id = _draft(ctx)
        return lambda c, a: items.change_status(c, a, item_id, ItemStatus.PROPOSED)
    setups: dict[str, Callable[[Context], int]] = {
        "open a comment period": _proposed,
        "decide scope": _closed,
        "amend a decision": _decided,
        "reverse a decision": _decided,
        "file under a theme": _proposed,
        "comment": _open,
    }
    if write in setups:
        item_id = setups[write](ctx)
        operation = {
            "open a comment period": lambda c, a: governance.open_comment_period(c, a, item_id),
            "decide scope": lambda c, a: governance.decide_scope(
                c, a, item_id, "in_scope", "Wanted by many members."
            ),
            "amend a decision": lambda c, a: governance.amend_decision(
                c, a, item_id, "Wanted by most members.", "Miscounted."
            ),
            "reverse a decision": lambda c, a: governance.decide_scope(
                c, a, item_id, "deferred", "No staff this half-year.", "Staff left."
            ),
            "file under a theme": lambda c, a: governance.file_under_theme(c, a, item_id, "ux"),
            "comment": lambda c, a: governance.add_comment(c, a, item_id, "A comment."),
        }[write]
        return operation
    if write == "withdraw a voila item":
        item_id = _draft(ctx, "voila")
        return lambda c, a: items.change_status(c, a, item_id, ItemStatus.WITHDRAWN)
    return WRITES[write][0]


def test_the_system_actor_is_an_admin_but_not_an_executive(world: World) -> None:
    with pytest.raises(PermissionDenied):
        periods.update_period(
            world.ctx, SYSTEM, "2027-H1", {"points_budget": 50}, _period_version(world.ctx)
        )
