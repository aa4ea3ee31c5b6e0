"""Sessions: a cookie signs a person in until it expires, they sign out, or are deactivated."""

from __future__ import annotations

from support import Clock
from support.world import World

from roadmap.domain.enums import Role
from roadmap.services import accounts, sessions


def test_a_session_cookie_signs_the_person_in_with_their_roles(world: World) -> None:
    ctx = world.ctx
    actor = sessions.authenticate(ctx, "lead", "password-123")
    assert actor is not None
    cookie = sessions.start_session(ctx, actor)
    again = sessions.actor_for_cookie(ctx, cookie)
    assert again.username == "lead"
    assert again.scopes(Role.LEAD) == {"jupyter-frontends"}


def test_a_wrong_password_or_unknown_name_signs_nobody_in(world: World) -> None:
    assert sessions.authenticate(world.ctx, "lead", "wrong-password") is None
    assert sessions.authenticate(world.ctx, "nobody", "password-123") is None


def test_a_session_expires_after_its_hours(world: World, clock: Clock) -> None:
    actor = world.actors["member"]
    cookie = sessions.start_session(world.ctx, actor)
    clock.advance(hours=11, minutes=59)
    assert sessions.actor_for_cookie(world.ctx, cookie).username == "member"
    clock.advance(minutes=2)
    assert not sessions.actor_for_cookie(world.ctx, cookie).signed_in


def test_signing_out_revokes_the_cookie_everywhere(world: World) -> None:
    cookie = sessions.start_session(world.ctx, world.actors["staff"])
    sessions.end_session(world.ctx, cookie)
    assert not sessions.actor_for_cookie(world.ctx, cookie).signed_in


def test_a_tampered_or_foreign_cookie_is_the_public(world: World) -> None:
    cookie = sessions.start_session(world.ctx, world.actors["admin"])
    assert not sessions.actor_for_cookie(world.ctx, cookie[:-2] + "xx").signed_in
    assert not sessions.actor_for_cookie(world.ctx, "not-a-cookie").signed_in
    assert not sessions.actor_for_cookie(world.ctx, None).signed_in


def test_a_deactivated_account_loses_its_session_and_cannot_sign_in(world: World) -> None:
    cookie = sessions.start_session(world.ctx, world.actors["member"])
    users = {u.username: u for u in accounts.list_users(world.ctx, world.actors["admin"])}
    accounts.set_user_active(
        world.ctx, world.actors["admin"], "member", False, users["member"].version
    )
    assert not sessions.actor_for_cookie(world.ctx, cookie).signed_in
    assert sessions.authenticate(world.ctx, "member", "password-123") is None
