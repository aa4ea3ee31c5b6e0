"""Telling people what needs them: the inbox, email preferences and unsubscribing.

Every event is told with :func:`notify`, called by the use case where it happens, inside
the same transaction as its write: a refused or rolled-back write tells nobody. ``notify``
adds a row to each recipient's inbox and, when email is configured (``ROADMAP_SMTP_URL``)
and the person has an address and wants that kind by email, a message to the outbox, which
``services.mail`` sends afterwards. The person who acted is never told of their own act.

Who receives each kind is ``domain.notifications.RECIPIENT_ROLES``; the helpers here
(:func:`everyone`, :func:`holders`, :func:`item_people`) find those people. Reminders that
fall due with the clock (signalling closes, a report is due) are ``services.reminders``.

Every email carries a link that unsubscribes without signing in: a token signed with the
app's secret naming the person and the kind (:func:`unsubscribe_token`). Opening it shows a
page with two buttons, "stop this kind" and "stop all email" (a GET alone changes nothing,
so a mail scanner that follows links unsubscribes nobody); mail programs' one-click button
(RFC 8058) stops that kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from roadmap import config
from roadmap.domain import boundary
from roadmap.domain.access import Actor, require
from roadmap.domain.enums import Role
from roadmap.domain.errors import NotFound, ValidationError
from roadmap.domain.notifications import ALL_MAIL, EventKind, check_email, kinds_for
from roadmap.services import mail
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import (
    EmailOptOutRow,
    ItemRow,
    MailOutboxRow,
    NotificationRow,
    RoleGrantRow,
    UserRow,
)

_SALT = "roadmap-unsubscribe"
TITLE_LIMIT = 300


# -- who is told ------------------------------------------------------------------------


def everyone(session: Session) -> set[int]:
    """Every active account."""
    return set(session.scalars(select(UserRow.id).where(UserRow.active.is_(True))))


def holders(session: Session, role: Role, scope: str | None = None) -> set[int]:
    """The accounts holding ``role`` (for ``scope``, when given)."""
    query = select(RoleGrantRow.user_id).where(RoleGrantRow.role == role.value)
    if scope is not None:
        query = query.where(RoleGrantRow.scope == scope)
    return set(session.scalars(query))


def item_people(session: Session, item: ItemRow) -> set[int]:
    """The people an item belongs to: the leads of its sub-community, and its author."""
    people = holders(session, Role.LEAD, item.subcommunity.slug)
    if item.created_by is not None:
        people.add(item.created_by)
    return people


# -- telling ----------------------------------------------------------------------------


def notify(
    session: Session,
    kind: EventKind,
    recipients: Iterable[int | None],
    at: datetime,
    title: str,
    link: str,
    body: str = "",
    *,
    actor: Actor | None = None,
    dedupe: str | None = None,
) -> int:
    """Tell ``recipients`` (user ids) of an event of ``kind``, in the caller's transaction:
    an inbox row each, and an outbox message for those who want this kind by email. The
    ``actor`` who caused it is left out; inactive accounts are skipped; with ``dedupe`` a
    person already told of that occasion is not told again. Returns how many were told."""
    skip = actor.user_id if actor is not None else None
    ids = sorted({r for r in recipients if r is not None and r != skip})
    if not ids:
        return 0
    title = title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"
    people = session.execute(
        select(UserRow.id, UserRow.email).where(UserRow.id.in_(ids), UserRow.active.is_(True))
    ).all()
    if dedupe is not None:
        told = set(
            session.scalars(
                select(NotificationRow.user_id).where(
                    NotificationRow.dedupe_key == dedupe, NotificationRow.user_id.in_(ids)
                )
            )
        )
        people = [p for p in people if p.id not in told]
    smtp = mail.settings()
    no_mail: set[int] = set()
    if smtp is not None:
        no_mail = set(
            session.scalars(
                select(EmailOptOutRow.user_id).where(
                    EmailOptOutRow.user_id.in_([p.id for p in people]),
                    EmailOptOutRow.kind.in_([kind.value, ALL_MAIL]),
                )
            )
        )
    for person in people:
        session.add(
            NotificationRow(
                user_id=person.id,
                kind=kind.value,
                title=title,
                body=body,
                link=link,
                created_at=at,
                dedupe_key=dedupe,
            )
        )
        if smtp is not None and person.email and person.id not in no_mail:
            session.add(_message(person.id, person.email, kind, at, title, link, body))
    return len(people)


def _message(
    user_id: int, address: str, kind: EventKind, at: datetime, title: str, link: str, body: str
) -> MailOutboxRow:
    base = config.public_url()
    stop = unsubscribe_url(user_id, kind)
    text = "\n\n".join(
        part
        for part in (
            title,
            body,
            f"Open it: {base}{link}",
            "--",
            f"You get this because you chose email about: {kind.label}.\n"
            f"Stop these emails: {stop}\n"
            f"Choose which emails you get: {base}/account",
        )
        if part
    )
    return MailOutboxRow(
        user_id=user_id,
        kind=kind.value,
        to_address=address,
        subject=f"[Roadmap] {title}"[:300],
        body=text,
        unsubscribe_url=stop,
        created_at=at,
        attempts=0,
        next_attempt_at=at,
    )


# -- the inbox --------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: EventKind
    title: str
    body: str
    link: str  # a path on this site
    created_at: datetime
    read: bool


def inbox(
    ctx: Context, actor: Actor, unread_only: bool = False, limit: int = 200
) -> list[NotificationView]:
    """The signed-in person's notifications, newest first."""
    require(actor, Role.MEMBER, to="read your inbox")
    query = select(NotificationRow).where(NotificationRow.user_id == actor.user_id)
    if unread_only:
        query = query.where(NotificationRow.read_at.is_(None))
    query = query.order_by(NotificationRow.created_at.desc(), NotificationRow.id.desc())
    with reading(ctx.engine) as session:
        return [
            NotificationView(
                n.id,
                EventKind(n.kind),
                n.title,
                n.body,
                n.link,
                n.created_at,
                n.read_at is not None,
            )
            for n in session.scalars(query.limit(limit))
        ]


def unread_count(ctx: Context, actor: Actor) -> int:
    """How many of the person's notifications are unread (0 for the public): for the
    navigation's "Inbox (3)" and a home page."""
    if actor.user_id is None:
        return 0
    with reading(ctx.engine) as session:
        count = session.scalar(
            select(func.count(NotificationRow.id)).where(
                NotificationRow.user_id == actor.user_id, NotificationRow.read_at.is_(None)
            )
        )
        return int(count or 0)


def mark_read(ctx: Context, actor: Actor, notification_id: int, read: bool = True) -> None:
    """Mark one of the person's own notifications read (or unread again)."""
    require(actor, Role.MEMBER, to="mark notifications read")
    with transaction(ctx.engine) as session:
        row = session.get(NotificationRow, notification_id)
        if row is None or row.user_id != actor.user_id:
            raise NotFound("That notification is not in your inbox.")
        if read and row.read_at is None:
            row.read_at = ctx.now()
        elif not read:
            row.read_at = None


def mark_all_read(ctx: Context, actor: Actor) -> int:
    """Mark every unread notification of the person read; returns how many."""
    require(actor, Role.MEMBER, to="mark notifications read")
    with transaction(ctx.engine) as session:
        done = session.execute(
            update(NotificationRow)
            .where(NotificationRow.user_id == actor.user_id, NotificationRow.read_at.is_(None))
            .values(read_at=ctx.now())
            .execution_options(synchronize_session=False)
        )
        return int(done.rowcount)  # type: ignore[attr-defined]


# -- email preferences ------------------------------------------------------------------


@dataclass(frozen=True)
class EmailSettings:
    email: str | None
    kinds: tuple[EventKind, ...]  # what the person's roles may receive
    wanted: frozenset[EventKind]  # of those, what they get by email
    none_at_all: bool  # every email stopped
    mail_on: bool  # the server sends email at all (ROADMAP_SMTP_URL)


def email_settings(ctx: Context, actor: Actor) -> EmailSettings:
    require(actor, Role.MEMBER, to="choose your email")
    with reading(ctx.engine) as session:
        user = session.get(UserRow, actor.user_id)
        email = user.email if user is not None else None
        off = set(
            session.scalars(
                select(EmailOptOutRow.kind).where(EmailOptOutRow.user_id == actor.user_id)
            )
        )
    kinds = tuple(kinds_for(actor.roles))
    wanted = frozenset(k for k in kinds if k.value not in off)
    return EmailSettings(email, kinds, wanted, ALL_MAIL in off, mail.settings() is not None)


def save_email_settings(
    ctx: Context,
    actor: Actor,
    email: str | None,
    wanted: Iterable[EventKind | str],
    none_at_all: bool = False,
) -> EmailSettings:
    """The person's own email address (empty: none) and the kinds they want by email; the
    kinds not wanted are opted out, and ``none_at_all`` stops every email."""
    require(actor, Role.MEMBER, to="choose your email")
    address = boundary.text(email or "", "email address").strip()
    if address:
        try:
            address = check_email(address)
        except ValueError as exc:
            raise ValidationError(str(exc), {"email": str(exc)}) from None
    want = {EventKind(k) for k in wanted}
    now = ctx.now()
    with transaction(ctx.engine) as session:
        user = session.get(UserRow, actor.user_id)
        if user is None:
            raise NotFound("Your account is gone.")
        before = {"email": user.email, "off": _opt_outs(session, user.id)}
        user.email = address or None
        off = {k.value for k in EventKind if k not in want}
        if none_at_all:
            off.add(ALL_MAIL)
        _set_opt_outs(session, user.id, off, now)
        session.flush()
        after = {"email": user.email, "off": sorted(off)}
        if before != after:
            record(session, actor, now, "email_settings", "user", user.username, before, after)
    return email_settings(ctx, actor)


def _opt_outs(session: Session, user_id: int) -> list[str]:
    return sorted(
        session.scalars(select(EmailOptOutRow.kind).where(EmailOptOutRow.user_id == user_id))
    )


def _set_opt_outs(session: Session, user_id: int, off: set[str], now: datetime) -> None:
    rows = {
        r.kind: r
        for r in session.scalars(select(EmailOptOutRow).where(EmailOptOutRow.user_id == user_id))
    }
    for kind, row in rows.items():
        if kind not in off:
            session.delete(row)
    for kind in sorted(off - set(rows)):
        session.add(EmailOptOutRow(user_id=user_id, kind=kind, at=now))


# -- unsubscribing without signing in ---------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(config.secret_key(), salt=_SALT)


def unsubscribe_token(user_id: int, kind: EventKind) -> str:
    """A token naming the person and the kind, signed with the app's secret (it does not
    expire: a link in an old email still works)."""
    return str(_serializer().dumps([user_id, kind.value]))


def unsubscribe_url(user_id: int, kind: EventKind) -> str:
    return f"{config.public_url()}/notify/unsubscribe?t={unsubscribe_token(user_id, kind)}"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    username: str
    kind: EventKind


def read_token(ctx: Context, token: str) -> Unsubscribe:
    """Who and what an unsubscribe token names; a forged or altered token is refused."""
    try:
        user_id, kind = _serializer().loads(token)
        found = EventKind(kind)
        user_id = int(user_id)
    except (BadSignature, ValueError, TypeError):
        raise ValidationError(
            "This unsubscribe link is not valid (it may have been cut short when copied). "
            "Sign in and choose your email on My account instead."
        ) from None
    with reading(ctx.engine) as session:
        username = session.scalar(select(UserRow.username).where(UserRow.id == user_id))
    if username is None:
        raise NotFound("The account this link was sent to no longer exists.")
    return Unsubscribe(user_id, username, found)


def unsubscribe(ctx: Context, token: str, everything: bool = False) -> str:
    """Stop the email the token names (its kind, or with ``everything`` all email) for the
    person it was sent to; no sign-in needed, the signed token is the proof. Returns the
    sentence to show."""
    who = read_token(ctx, token)
    kind = ALL_MAIL if everything else who.kind.value
    now = ctx.now()
    with transaction(ctx.engine) as session:
        exists = session.get(EmailOptOutRow, (who.user_id, kind))
        if exists is None:
            session.add(EmailOptOutRow(user_id=who.user_id, kind=kind, at=now))
            as_who = Actor(who.user_id, who.username)
            record(session, as_who, now, "unsubscribe", "user", who.username, None, {"off": kind})
    if everything:
        return "You will get no more email from the roadmap."
    return f"You will get no more email about: {who.kind.label}."
