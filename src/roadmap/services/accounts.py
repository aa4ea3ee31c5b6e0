"""Admin use cases on people: accounts and role grants."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from roadmap.domain.access import Actor, require
from roadmap.domain.accounts import NewUser, PasswordChange, PasswordReset, RoleGrant
from roadmap.domain.enums import Role
from roadmap.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from roadmap.domain.validation import parse
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.services.passwords import hash_password, verify_password
from roadmap.services.sessions import revoke_sessions
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import OrganizationRow, RoleGrantRow, SubCommunityRow, UserRow


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    active: bool
    version: int
    grants: tuple[tuple[str, str | None], ...]


def _view(user: UserRow) -> UserView:
    grants = tuple(sorted((g.role, g.scope) for g in user.grants))
    return UserView(user.id, user.username, user.display_name, user.active, user.version, grants)


def _user(session: Session, username: str) -> UserRow:
    user = session.scalar(select(UserRow).where(UserRow.username == username.lower()))
    if user is None:
        raise NotFound(f"There is no account named {username!r}.")
    return user


def list_users(ctx: Context, actor: Actor) -> list[UserView]:
    require(actor, Role.ADMIN, to="see the accounts")
    # Plain columns in two queries, not ORM objects: hundreds of accounts load in milliseconds.
    with reading(ctx.engine) as session:
        grants: dict[int, list[tuple[str, str | None]]] = {}
        for user_id, role, scope in session.execute(
            select(RoleGrantRow.user_id, RoleGrantRow.role, RoleGrantRow.scope)
        ):
            grants.setdefault(user_id, []).append((role, scope))
        users = session.execute(
            select(
                UserRow.id, UserRow.username, UserRow.display_name, UserRow.active, UserRow.version
            ).order_by(UserRow.username)
        )
        return [
            UserView(
                u.id,
                u.username,
                u.display_name,
                u.active,
                u.version,
                tuple(sorted(grants.get(u.id, []))),
            )
            for u in users
        ]


def create_user(
    ctx: Context,
    actor: Actor,
    username: str,
    display_name: str,
    password: str,
    email: str | None = None,
) -> UserView:
    require(actor, Role.ADMIN, to="create accounts")
    data = parse(
        NewUser,
        {
            "username": username,
            "display_name": display_name,
            "password": password,
            "email": email or None,
        },
    )
    now = ctx.now()
    with transaction(ctx.engine) as session:
        if session.scalar(select(UserRow.id).where(UserRow.username == data.username)):
            raise ValidationError(
                f"The username {data.username!r} is taken.",
                {"username": f"The username {data.username!r} is taken."},
            )
        user = UserRow(
            username=data.username,
            display_name=data.display_name,
            password_hash=hash_password(data.password),
            active=True,
            created_at=now,
            email=data.email,
        )
        session.add(user)
        session.flush()
        after = {"username": user.username, "display_name": user.display_name, "active": True}
        record(session, actor, now, "create", "user", user.username, None, after)
        return _view(user)


def _check_scope_exists(session: Session, grant: RoleGrant) -> None:
    if grant.role == Role.LEAD:
        found = session.scalar(select(SubCommunityRow).where(SubCommunityRow.slug == grant.scope))
        if found is None:
            raise ValidationError(
                f"There is no sub-community {grant.scope!r}.",
                {"scope": f"There is no sub-community {grant.scope!r}."},
            )
        if found.archived_at is not None:
            sentence = f"{found.name} is archived; it takes no new leads."
            raise ValidationError(sentence, {"scope": sentence})
    if grant.role == Role.REPRESENTATIVE:
        org = session.scalar(select(OrganizationRow).where(OrganizationRow.key == grant.scope))
        if org is None:
            raise ValidationError(
                f"There is no organization {grant.scope!r}.",
                {"scope": f"There is no organization {grant.scope!r}."},
            )


def grant_role(
    ctx: Context, actor: Actor, username: str, role: str, scope: str | None = None
) -> UserView:
    """Give ``username`` a role. A representative's grant also makes them the seat holder."""
    require(actor, Role.ADMIN, to="grant roles")
    grant = parse(RoleGrant, {"role": role, "scope": scope or None})
    now = ctx.now()
    with transaction(ctx.engine) as session:
        user = _user(session, username)
        _check_scope_exists(session, grant)
        if any(g.role == grant.role and g.scope == grant.scope for g in user.grants):
            return _view(user)
        before = {"grants": [[g.role, g.scope] for g in user.grants]}
        user.grants.append(RoleGrantRow(role=grant.role.value, scope=grant.scope, granted_at=now))
        if grant.role == Role.REPRESENTATIVE:
            _take_seat(session, user, grant.scope or "", actor, now)
        session.flush()
        after = {"grants": [[g.role, g.scope] for g in user.grants]}
        record(session, actor, now, "grant_role", "user", user.username, before, after)
        return _view(user)


def _take_seat(session: Session, user: UserRow, org_key: str, actor: Actor, now: object) -> None:
    """An organization has one seat: the new holder replaces the previous one."""
    org = session.scalar(select(OrganizationRow).where(OrganizationRow.key == org_key))
    assert org is not None  # checked by _check_scope_exists
    previous = org.representative_id
    if previous is not None and previous != user.id:
        old = session.scalar(
            select(RoleGrantRow).where(
                RoleGrantRow.user_id == previous,
                RoleGrantRow.role == Role.REPRESENTATIVE.value,
                RoleGrantRow.scope == org_key,
            )
        )
        if old is not None:
            session.delete(old)
    org.representative_id = user.id


def revoke_role(
    ctx: Context, actor: Actor, username: str, role: str, scope: str | None = None
) -> UserView:
    require(actor, Role.ADMIN, to="revoke roles")
    grant = parse(RoleGrant, {"role": role, "scope": scope or None})
    now = ctx.now()
    with transaction(ctx.engine) as session:
        user = _user(session, username)
        match = [g for g in user.grants if g.role == grant.role and g.scope == grant.scope]
        if not match:
            raise NotFound(f"{user.username} does not hold that role.")
        before = {"grants": [[g.role, g.scope] for g in user.grants]}
        user.grants.remove(match[0])
        if grant.role == Role.REPRESENTATIVE:
            org = session.scalar(select(OrganizationRow).where(OrganizationRow.key == grant.scope))
            if org is not None and org.representative_id == user.id:
                org.representative_id = None
        session.flush()
        after = {"grants": [[g.role, g.scope] for g in user.grants]}
        record(session, actor, now, "revoke_role", "user", user.username, before, after)
        return _view(user)


def set_user_active(
    ctx: Context, actor: Actor, username: str, active: bool, expected_version: int
) -> UserView:
    """Deactivate (or reactivate) an account; a deactivated account cannot sign in."""
    require(actor, Role.ADMIN, to="deactivate accounts")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        user = _user(session, username)
        if user.version != expected_version:
            raise ConflictError(
                f"{user.username} was changed by someone else meanwhile; reload and try again.",
                {"active": (not user.active, user.active)},
            )
        if user.id == actor.user_id and not active:
            raise ValidationError("You cannot deactivate your own account.")
        before = {"active": user.active}
        user.active = active
        session.flush()
        record(session, actor, now, "set_active", "user", user.username, before, {"active": active})
        return _view(user)


WRONG_PASSWORD = "The current password is not right."


def change_password(
    ctx: Context,
    actor: Actor,
    current: str,
    new: str,
    repeated: str,
    keep_cookie: str | None = None,
) -> int:
    """Change the signed-in person's own password, after checking the current one; every
    other signed-in browser of the account is signed out (the one behind ``keep_cookie``
    stays), and a forced change after an admin's reset is done. Returns how many sessions
    were signed out. A wrong current password writes nothing."""
    if actor.user_id is None:
        raise PermissionDenied("Sign in to change your password.")
    data = parse(
        PasswordChange,
        {"current_password": current, "new_password": new, "repeated": repeated},
    )
    # Argon2 outside any transaction (it takes a good part of a second on purpose).
    with reading(ctx.engine) as session:
        user = session.get(UserRow, actor.user_id)
        if user is None or not user.active:
            raise NotFound("This account no longer exists or is inactive.")
        stored, version = user.password_hash, user.version
    if not verify_password(stored, data.current_password):
        raise ValidationError(WRONG_PASSWORD, {"current_password": WRONG_PASSWORD})
    if verify_password(stored, data.new_password):
        sentence = "The new password must differ from the current one."
        raise ValidationError(sentence, {"new_password": sentence})
    hashed = hash_password(data.new_password)
    now = ctx.now()
    with transaction(ctx.engine) as session:
        user = session.get(UserRow, actor.user_id)
        if user is None or user.version != version or user.password_hash != stored:
            raise ConflictError(
                "Your password was changed meanwhile (by you elsewhere, or by an admin); "
                "sign in again with the new one."
            )
        was_reset = user.password_reset_at is not None
        user.password_hash = hashed
        user.password_reset_at = None
        revoked = revoke_sessions(session, user.id, now, keep_cookie)
        session.flush()
        # Never the hash, in the audit or anywhere else.
        after = {"signed_out_elsewhere": revoked, "after_reset": was_reset}
        record(session, actor, now, "change_password", "user", user.username, None, after)
        return revoked


def reset_password(
    ctx: Context, actor: Actor, username: str, new_password: str, expected_version: int
) -> UserView:
    """An admin sets a new password for ``username`` to hand over; every session of the
    account is signed out, and at the next sign-in every page asks its owner to choose
    their own password before anything else."""
    require(actor, Role.ADMIN, to="reset passwords")
    data = parse(PasswordReset, {"new_password": new_password})
    hashed = hash_password(data.new_password)
    now = ctx.now()
    with transaction(ctx.engine) as session:
        user = _user(session, username)
        if user.version != expected_version:
            raise ConflictError(
                f"{user.username} was changed by someone else meanwhile; reload and try again."
            )
        user.password_hash = hashed
        user.password_reset_at = now
        revoked = revoke_sessions(session, user.id, now)
        session.flush()
        after = {"must_change_password": True, "signed_out": revoked}
        record(session, actor, now, "reset_password", "user", user.username, None, after)
        return _view(user)
