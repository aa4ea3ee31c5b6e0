"""Changing one's password signs out the account's other browsers; a wrong current password
writes nothing; an admin's reset signs the account out and forces a change at next sign-in."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support.world import World

from roadmap.domain.errors import PermissionDenied, ValidationError
from roadmap.services import accounts, sessions
from roadmap.store.engine import reading
from roadmap.store.tables import AuditEventRow, UserRow


def _row(world: World, username: str) -> tuple[str, object, int]:
    with reading(world.ctx.engine) as session:
        user = session.scalar(select(UserRow).where(UserRow.username == username))
        assert user is not None
        return user.password_hash, user.password_reset_at, user.version


def _audit_count(world: World) -> int:
    with reading(world.ctx.engine) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEventRow)) or 0)


def test_a_changed_password_signs_out_the_other_browsers_and_keeps_this_one(
    world: World,
) -> None:
    ctx, me = world.ctx, world.actors["member"]
    here = sessions.start_session(ctx, me)
    elsewhere = sessions.start_session(ctx, me)
    other_person = sessions.start_session(ctx, world.actors["staff"])
    revoked = accounts.change_password(
        ctx, me, "password-123", "new-pass-456", "new-pass-456", here
    )
    assert revoked == 1
    assert sessions.actor_for_cookie(ctx, here).username == "member"
    assert not sessions.actor_for_cookie(ctx, elsewhere).signed_in
    assert sessions.actor_for_cookie(ctx, other_person).username == "staff"
    assert sessions.authenticate(ctx, "member", "password-123") is None
    assert sessions.authenticate(ctx, "member", "new-pass-456") is not None


def test_a_wrong_current_password_is_refused_and_writes_nothing(world: World) -> None:
    ctx, me = world.ctx, world.actors["member"]
    elsewhere = sessions.start_session(ctx, me)
    before, audits = _row(world, "member"), _audit_count(world)
    with pytest.raises(ValidationError) as caught:
        accounts.change_password(ctx, me, "not-my-password", "new-pass-456", "new-pass-456")
    assert caught.value.fields == {"current_password": accounts.WRONG_PASSWORD}
    assert _row(world, "member") == before
    assert _audit_count(world) == audits
    assert sessions.actor_for_cookie(ctx, elsewhere).signed_in
    assert sessions.authenticate(ctx, "member", "password-123") is not None


def test_the_audit_of_a_change_holds_no_password_or_hash(world: World) -> None:
    ctx, me = world.ctx, world.actors["member"]
    accounts.change_password(ctx, me, "password-123", "new-pass-456", "new-pass-456")
    hashed = _row(world, "member")[0]
    with reading(ctx.engine) as session:
        event = session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "change_password")
        ).one()
        text = f"{event.before} {event.after}"
    assert "new-pass-456" not in text and hashed not in text


def test_an_admin_reset_signs_the_account_out_and_forces_a_change(world: World) -> None:
    ctx, admin = world.ctx, world.actors["admin"]
    cookie = sessions.start_session(ctx, world.actors["lead"])
    version = _row(world, "lead")[2]
    accounts.reset_password(ctx, admin, "lead", "handed-over-1", version)
    assert not sessions.actor_for_cookie(ctx, cookie).signed_in
    assert sessions.authenticate(ctx, "lead", "password-123") is None
    signed_in = sessions.authenticate(ctx, "lead", "handed-over-1")
    assert signed_in is not None and signed_in.must_change_password
    new_cookie = sessions.start_session(ctx, signed_in)
    assert sessions.actor_for_cookie(ctx, new_cookie).must_change_password
    accounts.change_password(
        ctx, signed_in, "handed-over-1", "my-own-pass", "my-own-pass", new_cookie
    )
    assert _row(world, "lead")[1] is None
    assert not sessions.actor_for_cookie(ctx, new_cookie).must_change_password


def test_only_an_admin_resets_and_only_a_signed_in_person_changes(world: World) -> None:
    version = _row(world, "member")[2]
    with pytest.raises(PermissionDenied):
        accounts.reset_password(world.ctx, world.actors["exec"], "member", "whatever-1", version)
    from roadmap.domain.access import Actor

    with pytest.raises(PermissionDenied):
        accounts.change_password(world.ctx, Actor.public(), "a", "bbbbbbbb", "bbbbbbbb")
    assert _row(world, "member")[1] is None


def test_a_reset_password_too_short_is_refused_naming_the_field(world: World) -> None:
    version = _row(world, "member")[2]
    with pytest.raises(ValidationError) as caught:
        accounts.reset_password(world.ctx, world.actors["admin"], "member", "short", version)
    assert set(caught.value.fields) == {"new_password"}
    assert _row(world, "member")[1] is None
