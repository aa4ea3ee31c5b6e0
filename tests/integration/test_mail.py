"""Email through a real SMTP server (aiosmtpd, started by the test on a free port), on the
demo data (SQLite and PostgreSQL): a notification arrives with a working unsubscribe link;
with the server down the act that triggered the mail succeeds, the mail waits in the outbox
with its error (shown to admins), and a retry delivers it once the server is up."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from support import Clock

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus
from roadmap.domain.errors import PermissionDenied
from roadmap.domain.notifications import EventKind
from roadmap.services import demo, governance, mail, notifications
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate
from roadmap.store.engine import reading
from roadmap.store.tables import ItemRow, MailOutboxRow


class Sink:
    """An SMTP server's handler that keeps every message it is sent."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def port(monkeypatch: pytest.MonkeyPatch) -> int:
    number = free_port()
    monkeypatch.setenv("ROADMAP_SMTP_URL", f"smtp://127.0.0.1:{number}?from=roadmap@example.org")
    monkeypatch.setenv("ROADMAP_PUBLIC_URL", "https://roadmap.example.org")
    return number


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """Start an SMTP server on demand: ``start(port)`` returns its sink."""
    started: list[Controller] = []

    def start(number: int) -> Sink:
        sink = Sink()
        controller = Controller(sink, hostname="127.0.0.1", port=number)
        controller.start()
        started.append(controller)
        return sink

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def demo_ctx(ctx: Context, clock: Clock) -> Context:
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    member = who(ctx, "member")
    notifications.save_email_settings(ctx, member, "member@example.org", list(EventKind))
    return ctx


def who(ctx: Context, username: str) -> Actor:
    actor = authenticate(ctx, username, "demo")
    assert actor is not None
    return actor


def _open_an_item(ctx: Context) -> int:
    with reading(ctx.engine) as session:
        item = session.scalar(
            select(ItemRow.id).where(ItemRow.status == ItemStatus.PROPOSED.value).limit(1)
        )
    assert item is not None
    governance.open_comment_period(ctx, who(ctx, "exec"), item)
    return int(item)


def _outbox(ctx: Context) -> list[MailOutboxRow]:
    with reading(ctx.engine) as session:
        return list(session.scalars(select(MailOutboxRow).order_by(MailOutboxRow.id)))


def test_a_notification_arrives_by_smtp_with_a_working_unsubscribe_link(
    demo_ctx: Context, port: int, smtp_server: Any
) -> None:
    ctx = demo_ctx
    sink = smtp_server(port)
    item = _open_an_item(ctx)
    assert mail.send_pending(ctx) == mail.SendResult(sent=1, failed=0)
    (message,) = sink.messages  # only the member gave an address
    assert message["To"] == "member@example.org"
    assert message["From"] == "roadmap@example.org"
    assert f"#{item}" in message["Subject"] and "Open for comment" in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert f"https://roadmap.example.org/item?id={item}" in body
    link = re.search(r"Stop these emails: (\S+)", body)
    assert link is not None
    assert message["List-Unsubscribe"] == f"<{link.group(1)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (sent,) = _outbox(ctx)
    assert sent.sent_at is not None and sent.attempts == 1 and sent.last_error is None
    assert mail.send_pending(ctx) == mail.SendResult(), "a sent message was sent again"

    # The link's token stops that kind of email for the member: no session involved.
    url = urlsplit(link.group(1))
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "roadmap.example.org",
        "/notify/unsubscribe",
    )
    token = parse_qs(url.query)["t"][0]
    notifications.unsubscribe(ctx, token)
    _open_an_item(ctx)
    assert mail.send_pending(ctx) == mail.SendResult()
    assert len(sink.messages) == 1
    assert notifications.unread_count(ctx, who(ctx, "member")) == 2


def test_with_the_mail_server_down_the_act_succeeds_and_a_retry_delivers(
    demo_ctx: Context, port: int, smtp_server: Any, clock: Clock
) -> None:
    ctx = demo_ctx
    admin = who(ctx, "admin")
    item = _open_an_item(ctx)  # nothing listens on the port: the act does not notice
    assert notifications.unread_count(ctx, who(ctx, "member")) == 1
    assert mail.send_pending(ctx) == mail.SendResult(sent=0, failed=1)
    (row,) = _outbox(ctx)
    assert row.sent_at is None and row.attempts == 1
    assert row.last_error is not None and "Connection" in row.last_error
    assert row.next_attempt_at == clock.now + timedelta(minutes=1)
    (shown,) = mail.undelivered(ctx, admin)
    assert (shown.to, shown.attempts, shown.last_error) == (
        "member@example.org",
        1,
        row.last_error,
    )
    with pytest.raises(PermissionDenied):
        mail.undelivered(ctx, who(ctx, "exec"))

    # Not retried before its time; the wait doubles after a second failure.
    assert mail.send_pending(ctx) == mail.SendResult()
    clock.advance(minutes=1)
    assert mail.send_pending(ctx) == mail.SendResult(sent=0, failed=1)
    (row,) = _outbox(ctx)
    assert row.attempts == 2 and row.next_attempt_at == clock.now + timedelta(minutes=2)

    sink = smtp_server(port)
    clock.advance(minutes=2)
    assert mail.send_pending(ctx) == mail.SendResult(sent=1, failed=0)
    (message,) = sink.messages
    assert message["To"] == "member@example.org" and f"#{item}" in message["Subject"]
    (row,) = _outbox(ctx)
    assert row.sent_at == clock.now and row.attempts == 3
    assert mail.undelivered(ctx, admin) == []


def test_mail_given_up_stays_visible_and_the_admin_can_try_it_again(
    demo_ctx: Context, port: int, smtp_server: Any, clock: Clock
) -> None:
    ctx = demo_ctx
    admin = who(ctx, "admin")
    _open_an_item(ctx)
    for _ in range(mail.MAX_ATTEMPTS):
        mail.send_pending(ctx)
        clock.advance(hours=7)
    (row,) = _outbox(ctx)
    assert row.attempts == mail.MAX_ATTEMPTS and row.next_attempt_at is None
    assert mail.send_pending(ctx) == mail.SendResult(), "a message given up was tried"
    (shown,) = mail.undelivered(ctx, admin)
    assert shown.next_attempt_at is None and shown.last_error
    with pytest.raises(PermissionDenied):
        mail.retry_undelivered(ctx, who(ctx, "member"))
    sink = smtp_server(port)
    assert mail.retry_undelivered(ctx, admin) == 1
    assert mail.send_pending(ctx) == mail.SendResult(sent=1, failed=0)
    assert len(sink.messages) == 1 and mail.undelivered(ctx, admin) == []
