"""Signing in and out: a random token in a signed cookie, its hash in the database.

The database row makes sign-out and expiry hold on every replica; the signature (with
itsdangerous, which ships with Streamlit) rejects forged or tampered cookies before any
query is made.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import Role
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.services.passwords import hash_password, needs_rehash, verify_password
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import AuthSessionRow, UserRow

COOKIE_NAME = "roadmap_session"
_SALT = "roadmap-session"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config.secret_key(), salt=_SALT)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_from_row(user: UserRow) -> Actor:
    grants = frozenset((Role(g.role), g.scope) for g in user.grants)
    reset = user.password_reset_at is not None
    return Actor(user.id, user.username, user.display_name, grants, must_change_password=reset)


def authenticate(ctx: Context, username: str, password: str) -> Actor | None:
    """The actor whose password this is, or ``None`` (same cost for unknown names).

    The hash is checked outside any transaction: Argon2 takes a good part of a second on
    purpose, and a transaction held meanwhile would hold SQLite's write lock.
    """
    with reading(ctx.engine) as session:
        user = session.scalar(select(UserRow).where(UserRow.username == username.lower()))
        stored = user.password_hash if user is not None and user.active else None
        actor = actor_from_row(user) if user is not None else None
    if not verify_password(stored, password) or stored is None or actor is None:
        return None
    if needs_rehash(stored):
        upgraded = hash_password(password)
        with transaction(ctx.engine) as session:
            row = session.get(UserRow, actor.user_id)
            if row is not None and row.password_hash == stored:
                row.password_hash = upgraded
    return actor


def start_session(ctx: Context, actor: Actor) -> str:
    """Record a new signed-in browser for ``actor``; returns the cookie value."""
    token = secrets.token_urlsafe(32)
    now = ctx.now()
    with transaction(ctx.engine) as session:
        session.add(
            AuthSessionRow(
                token_hash=_digest(token),
                user_id=actor.user_id,
                created_at=now,
                expires_at=now + timedelta(hours=config.session_hours()),
            )
        )
        record(session, actor, now, "sign_in", "user", actor.username)
    return str(_serializer().dumps(token))


def _token(cookie: str | None) -> str | None:
    if not cookie:
        return None
    try:
        token = _serializer().loads(cookie, max_age=int(config.session_hours() * 3600))
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def actor_for_cookie(ctx: Context, cookie: str | None) -> Actor:
    """The signed-in actor behind a session cookie, or the public."""
    token = _token(cookie)
    if token is None:
        return Actor.public()
    with reading(ctx.engine) as session:
        row = session.scalar(
            select(AuthSessionRow).where(AuthSessionRow.token_hash == _digest(token))
        )
        if row is None or row.revoked_at is not None or row.expires_at <= ctx.now():
            return Actor.public()
        user = session.get(UserRow, row.user_id)
        if user is None or not user.active:
            return Actor.public()
        return actor_from_row(user)


def revoke_sessions(
    session: Session, user_id: int, now: datetime, keep_cookie: str | None = None
) -> int:
    """Revoke every open session of ``user_id`` but the one behind ``keep_cookie`` (the
    browser the person is using), in the caller's transaction; returns how many."""
    token = _token(keep_cookie)
    keep = _digest(token) if token is not None else None
    rows = session.scalars(
        select(AuthSessionRow).where(
            AuthSessionRow.user_id == user_id, AuthSessionRow.revoked_at.is_(None)
        )
    ).all()
    revoked = 0
    for row in rows:
        if row.token_hash != keep:
            row.revoked_at = now
            revoked += 1
    return revoked


def end_session(ctx: Context, cookie: str | None) -> None:
    """Revoke the session behind ``cookie`` (a no-op for an unknown or forged cookie)."""
    token = _token(cookie)
    if token is None:
        return
    now = ctx.now()
    with transaction(ctx.engine) as session:
        row = session.scalar(
            select(AuthSessionRow).where(AuthSessionRow.token_hash == _digest(token))
        )
        if row is None or row.revoked_at is not None:
            return
        row.revoked_at = now
        user = session.get(UserRow, row.user_id)
        if user is not None:
            record(session, actor_from_row(user), now, "sign_out", "user", user.username)
