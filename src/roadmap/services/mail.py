"""Email: the SMTP settings, the outbox and its sender.

Mail is never sent inside the act it tells of. ``services.notifications.notify`` writes an
outbox row in the act's transaction (so a refused act sends nothing, and an act never waits
for, or fails with, the mail server); :func:`send_pending` sends what is due afterwards. The
server's background worker (``roadmap.web.worker``) calls it every minute, and ``roadmap
send-mail`` does the same from cron. A failure is kept on the row (``last_error``) and
retried with a growing wait (1, 2, 4, ... minutes, at most 6 hours between tries) up to
``MAX_ATTEMPTS`` times; what is still undelivered is listed for the admin
(:func:`undelivered`), who may try it again at once (:func:`retry_undelivered`).

Several replicas may send at once: a sender first claims a row by moving its next attempt
``LEASE`` ahead in a conditional UPDATE, so a row is sent by one of them.
"""

from __future__ import annotations

import email.policy
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import func, select, update

from roadmap import config
from roadmap.domain.access import Actor, require
from roadmap.domain.enums import Role
from roadmap.domain.errors import ValidationError
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import MailOutboxRow

MAX_ATTEMPTS = 10
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
LEASE = timedelta(minutes=5)  # a claimed row is another sender's again after this
TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    tls: bool = False  # smtps://: TLS from the first byte
    starttls: bool = False  # smtp:// upgraded with STARTTLS


def parse_smtp_url(url: str) -> SmtpSettings:
    """``smtp://[user:pass@]host[:port][?starttls=1&from=addr]`` or ``smtps://...``."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValidationError(
            "ROADMAP_SMTP_URL must look like smtp://user:pass@host:587?starttls=1&from=a@b.org "
            "(or smtps://...)."
        )
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    tls = parts.scheme == "smtps"
    starttls = query.get("starttls", "0").lower() in ("1", "true", "yes")
    port = parts.port or (465 if tls else 587 if starttls else 25)
    sender = query.get("from") or f"roadmap@{parts.hostname}"
    return SmtpSettings(
        parts.hostname,
        port,
        sender,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
        tls,
        starttls,
    )


def settings() -> SmtpSettings | None:
    """The configured mail server, or None when email is off (the default)."""
    url = config.smtp_url()
    return parse_smtp_url(url) if url else None


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try."""
    return min(FIRST_WAIT * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


# Headers are not folded below 998 characters: folded, a long ``List-Unsubscribe`` link
# (one word, no space to break at) would be sent as an encoded word mail programs ignore.
_POLICY = email.policy.SMTP.clone(max_line_length=998)


def message(row: MailOutboxRow, sender: str) -> EmailMessage:
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = sender
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    # RFC 2369 and RFC 8058: mail programs show an unsubscribe button that posts here.
    msg["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.body)
    return msg


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    if smtp.tls:
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        server = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS)
        if smtp.starttls:
            server.starttls(context=ssl.create_default_context())
    if smtp.username:
        server.login(smtp.username, smtp.password or "")
    return server


@dataclass(frozen=True)
class SendResult:
    sent: int = 0
    failed: int = 0


def _claim(ctx: Context, now: datetime, limit: int) -> list[MailOutboxRow]:
    """The due rows this sender may send: each claimed by moving its next attempt ahead."""
    with reading(ctx.engine) as session:
        due = session.execute(
            select(MailOutboxRow.id, MailOutboxRow.next_attempt_at)
            .where(
                MailOutboxRow.sent_at.is_(None),
                MailOutboxRow.next_attempt_at.is_not(None),
                MailOutboxRow.next_attempt_at <= now,
            )
            .order_by(MailOutboxRow.id)
            .limit(limit)
        ).all()
    claimed = []
    for row_id, at in due:
        with transaction(ctx.engine) as session:
            taken = session.execute(
                update(MailOutboxRow)
                .where(MailOutboxRow.id == row_id, MailOutboxRow.next_attempt_at == at)
                .values(next_attempt_at=now + LEASE)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                row = session.get(MailOutboxRow, row_id)
                if row is not None:
                    claimed.append(row)
    return claimed


def send_pending(ctx: Context, limit: int = 100) -> SendResult:
    """Send the outbox rows that are due (one SMTP connection for them all); a failure is
    recorded on its row with the next try's time. Does nothing when email is off."""
    smtp = settings()
    if smtp is None:
        return SendResult()
    now = ctx.now()
    rows = _claim(ctx, now, limit)
    if not rows:
        return SendResult()
    outcome: dict[int, str | None] = {}
    try:
        server = _connect(smtp)
    except (OSError, smtplib.SMTPException) as exc:
        outcome = {row.id: _error(exc) for row in rows}
    else:
        try:
            for row in rows:
                try:
                    server.send_message(message(row, smtp.sender))
                    outcome[row.id] = None
                except (OSError, smtplib.SMTPException) as exc:
                    outcome[row.id] = _error(exc)
        finally:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                server.close()
    done = ctx.now()
    with transaction(ctx.engine) as session:
        for row_id, error in outcome.items():
            tried = session.get(MailOutboxRow, row_id)
            if tried is None:
                continue
            tried.attempts += 1
            if error is None:
                tried.sent_at = done
                tried.next_attempt_at = None
                tried.last_error = None
            else:
                tried.last_error = error
                tried.next_attempt_at = (
                    done + backoff(tried.attempts) if tried.attempts < MAX_ATTEMPTS else None
                )
    failed = sum(1 for e in outcome.values() if e is not None)
    return SendResult(len(outcome) - failed, failed)


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


@dataclass(frozen=True)
class UndeliveredMail:
    id: int
    to: str
    subject: str
    created_at: datetime
    attempts: int
    last_error: str
    next_attempt_at: datetime | None  # None: given up after MAX_ATTEMPTS


def undelivered(ctx: Context, actor: Actor) -> list[UndeliveredMail]:
    """For admins: mail tried and not delivered (waiting for its next try, or given up),
    newest first, with the last error."""
    require(actor, Role.ADMIN, to="see undelivered mail")
    with reading(ctx.engine) as session:
        rows = session.scalars(
            select(MailOutboxRow)
            .where(MailOutboxRow.sent_at.is_(None), MailOutboxRow.attempts > 0)
            .order_by(MailOutboxRow.id.desc())
            .limit(500)
        )
        return [
            UndeliveredMail(
                r.id,
                r.to_address,
                r.subject,
                r.created_at,
                r.attempts,
                r.last_error or "",
                r.next_attempt_at,
            )
            for r in rows
        ]


def pending_count(ctx: Context) -> int:
    """How many messages wait in the outbox (not sent, not given up)."""
    with reading(ctx.engine) as session:
        return int(
            session.scalar(
                select(func.count(MailOutboxRow.id)).where(
                    MailOutboxRow.sent_at.is_(None), MailOutboxRow.next_attempt_at.is_not(None)
                )
            )
            or 0
        )


def retry_undelivered(ctx: Context, actor: Actor) -> int:
    """For admins: try every undelivered message again at the sender's next round, those
    given up included (each gets one more try)."""
    require(actor, Role.ADMIN, to="retry undelivered mail")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        rows = list(
            session.scalars(
                select(MailOutboxRow).where(
                    MailOutboxRow.sent_at.is_(None), MailOutboxRow.attempts > 0
                )
            )
        )
        for row in rows:
            row.next_attempt_at = now
            row.attempts = min(row.attempts, MAX_ATTEMPTS - 1)
        if rows:
            record(session, actor, now, "retry_mail", "mail", "outbox", None, {"count": len(rows)})
        return len(rows)
