"""Which pages each role is offered: exactly those its roles allow."""

from __future__ import annotations

from roadmap.domain.access import Actor
from roadmap.domain.enums import Role
from roadmap.ui.registry import pages_for


def keys(actor: Actor) -> set[str]:
    return {p.key for p in pages_for(actor)}


def test_the_public_sees_the_roadmap_and_sign_in_only() -> None:
    assert keys(Actor.public()) == {"roadmap", "item", "members", "plan", "sign_in"}


def test_a_member_gets_their_home_and_account_but_no_admin_page_nor_sign_in() -> None:
    member = Actor(7, "member", "Member")
    assert keys(member) == {
        "home",
        "roadmap",
        "item",
        "members",
        "plan",
        "account",
        "inbox",
        "signals_overview",
    }


def test_every_signed_in_role_gets_the_inbox_and_the_public_does_not() -> None:
    assert "inbox" not in keys(Actor.public())
    for role in Role:
        scope = "x" if role.scoped else None
        assert "inbox" in keys(Actor(3, "someone", "Someone", frozenset({(role, scope)}))), role


def test_an_admin_gets_the_users_page() -> None:
    admin = Actor(1, "admin", "Admin", frozenset({(Role.ADMIN, None)}))
    assert "admin_users" in keys(admin)
    executive = Actor(2, "exec", "Exec", frozenset({(Role.EXECUTIVE, None)}))
    assert "admin_users" not in keys(executive)
