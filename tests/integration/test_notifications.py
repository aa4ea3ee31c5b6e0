"""Notifications on the demo data (SQLite and PostgreSQL): each event reaches exactly its
recipients' inboxes, written in the transaction of the act (a refused or failed write tells
nobody and mails nothing); reminders that fall due are told once; email follows each
person's choices; an unsubscribe token works without a session and a tampered one is
refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from support import Clock, dump

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, Role, ScopeOutcome
from roadmap.domain.errors import PermissionDenied, ValidationError
from roadmap.domain.notifications import EventKind
from roadmap.services import (
    demo,
    governance,
    notifications,
    period_setup,
    periods,
    progress,
    publishing,
    reminders,
)
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate
from roadmap.store.engine import reading
from roadmap.store.tables import (
    EmailOptOutRow,
    ItemRow,
    MailOutboxRow,
    NotificationRow,
    SubCommunityRow,
    UserRow,
)

EVERYONE = {"admin", "exec", "lead", "orgrep", "staff", "member"}
SMTP = "smtp://127.0.0.1:9?from=roadmap@example.org"  # never connected to in this file


@pytest.fixture
def demo_ctx(ctx: Context, clock: Clock) -> Context:
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    return ctx


def who(ctx: Context, username: str) -> Actor:
    actor = authenticate(ctx, username, "demo")
    assert actor is not None
    return actor


class Inboxes:
    """The notifications written since the last look: {(username, kind)}, each once."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.seen = 0

    def new(self) -> list[tuple[str, EventKind, str]]:
        with reading(self.ctx.engine) as session:
            rows = session.execute(
                select(
                    NotificationRow.id,
                    UserRow.username,
                    NotificationRow.kind,
                    NotificationRow.title,
                )
                .join(UserRow, UserRow.id == NotificationRow.user_id)
                .where(NotificationRow.id > self.seen)
                .order_by(NotificationRow.id)
            ).all()
        if rows:
            self.seen = rows[-1][0]
        return [(name, EventKind(kind), title) for _, name, kind, title in rows]

    def told(self, kind: EventKind) -> set[str]:
        """Who was told of ``kind`` (and of nothing else), each of one occasion once."""
        found = self.new()
        assert {k for _, k, _ in found} <= {kind}, f"other kinds told: {found}"
        told = [(n, t) for n, _, t in found]
        assert len(told) == len(set(told)), f"someone told twice: {told}"
        return {n for n, _ in told}


def _item(ctx: Context, status: ItemStatus, subcommunity: str = "jupyter-frontends") -> int:
    with reading(ctx.engine) as session:
        return int(
            session.scalar(
                select(ItemRow.id)
                .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
                .where(ItemRow.status == status.value, SubCommunityRow.slug == subcommunity)
                .order_by(ItemRow.id)
            )
            or 0
        )


def _outbox(ctx: Context) -> list[tuple[str, str, str]]:
    with reading(ctx.engine) as session:
        return [
            (r.to_address, r.kind, r.subject)
            for r in session.scalars(select(MailOutboxRow).order_by(MailOutboxRow.id))
        ]


def test_each_event_reaches_exactly_its_recipients(demo_ctx: Context, clock: Clock) -> None:
    ctx, inbox = demo_ctx, Inboxes(demo_ctx)
    execu, lead, member, rep = (who(ctx, n) for n in ("exec", "lead", "member", "orgrep"))

    # Opened for comment: every account but the executive who opened it, with the deadline.
    item = _item(ctx, ItemStatus.PROPOSED)
    closes = clock.now + timedelta(days=10)
    governance.open_comment_period(ctx, execu, item, closes)
    found = inbox.new()
    assert {n for n, _, _ in found} == EVERYONE - {"exec"}
    assert all(k == EventKind.COMMENT_OPEN and f"{closes:%d %b %Y}" in t for _, k, t in found)

    # A comment on a lead's item: its sub-community's lead (the commenter is not told).
    governance.add_comment(ctx, member, item, "Looks useful.")
    assert inbox.told(EventKind.COMMENT) == {"lead"}
    governance.add_comment(ctx, lead, item, "Thanks!")
    assert inbox.told(EventKind.COMMENT) == set(), "the lead was told of their own comment"

    # The decision, its amendment and its reversal: the item's lead.
    clock.advance(days=11)
    first = governance.decide_scope(
        ctx, execu, item, ScopeOutcome.IN_SCOPE, "Fits the year and its themes."
    )
    assert inbox.told(EventKind.DECISION) == {"lead"}
    amended = governance.amend_decision(
        ctx, execu, item, "Fits the year's goals and its themes.", "Clearer wording.", first.id
    )
    assert inbox.told(EventKind.DECISION) == {"lead"}
    governance.decide_scope(
        ctx,
        execu,
        item,
        ScopeOutcome.DEFERRED,
        "Later in the year, when budget allows.",
        "The budget is short.",
        amended.id,
    )
    assert inbox.told(EventKind.DECISION) == {"lead"}

    # A proposed plan version: representatives; an objection: the executive; final: staff,
    # representatives and leads.
    period = periods.get_period(ctx)
    periods.update_period(ctx, execu, period.key, {"review_days": 5}, period.version)
    plan = publishing.publish_plan(ctx, execu, period.settings.envelope, "A")
    assert inbox.told(EventKind.PLAN_PROPOSED) == {"orgrep"}
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    publishing.object_to_plan(ctx, rep, org, plan.version, "Our item is missing.")
    assert inbox.told(EventKind.OBJECTION) == {"exec"}
    clock.advance(days=5)
    publishing.finalize_plan(ctx, execu, plan.version)
    assert inbox.told(EventKind.PLAN_FINAL) == {"staff", "orgrep", "lead"}

    # Reports: due within 3 days to the staff assigned; overdue to them and the executive.
    _, mine = progress.my_assignments(ctx, who(ctx, "staff"))
    assert mine, "the demo staff member has assignments in the final plan"
    assert reminders.notify_due(ctx) == 0
    clock.advance(weeks=8, days=-2)
    assert reminders.notify_due(ctx) > 0
    assert inbox.told(EventKind.REPORT_DUE) == {"staff"}
    assert reminders.notify_due(ctx) == 0, "a reminder was told twice"
    clock.advance(days=3)
    reminders.notify_due(ctx)
    assert inbox.told(EventKind.REPORT_OVERDUE) == {"exec", "staff"}
    clock.advance(days=1)
    assert reminders.notify_due(ctx) == 0, "an overdue report was told again"

    # Signalling opened: representatives; closing in 3 days: representatives, told once.
    period_setup.close_period(ctx, execu, period.key)
    inbox.new()
    today = clock.now.date()
    period_setup.create_period(
        ctx, execu, "2027-h2", "2027, second half", date(2027, 7, 1), date(2027, 12, 31)
    )
    period_setup.open_signalling(ctx, execu, "2027-h2", today + timedelta(days=5))
    assert inbox.told(EventKind.SIGNALLING_OPEN) == {"orgrep"}
    reminders.notify_due(ctx)
    assert inbox.told(EventKind.SIGNALLING_CLOSING) == set(), "told 5 days ahead"
    clock.advance(days=2)
    reminders.notify_due(ctx)
    assert inbox.told(EventKind.SIGNALLING_CLOSING) == {"orgrep"}
    clock.advance(days=1)
    reminders.notify_due(ctx)
    assert inbox.told(EventKind.SIGNALLING_CLOSING) == set(), "told twice"


def test_a_refused_write_tells_nobody_and_mails_nothing(
    demo_ctx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = demo_ctx
    monkeypatch.setenv("ROADMAP_SMTP_URL", SMTP)
    for name in EVERYONE:
        notifications.save_email_settings(
            ctx, who(ctx, name), f"{name}@example.org", list(EventKind)
        )
    execu, member = who(ctx, "exec"), who(ctx, "member")
    item = _item(ctx, ItemStatus.PROPOSED)
    in_comment = _item(ctx, ItemStatus.IN_COMMENT)
    before = dump(ctx.engine)
    with pytest.raises(PermissionDenied):
        governance.open_comment_period(ctx, member, item)
    with pytest.raises(ValidationError):  # its comment period is still open
        governance.decide_scope(ctx, execu, in_comment, ScopeOutcome.IN_SCOPE, "Yes.")
    with pytest.raises(ValidationError):  # a deadline in the past
        governance.open_comment_period(ctx, execu, item, clock.now - timedelta(days=1))
    # A write that fails after it told people: its notifications and mail roll back with it.
    monkeypatch.setattr(
        governance,
        "move_item",
        lambda *a, **k: (_ for _ in ()).throw(ValidationError("the move failed")),
    )
    with pytest.raises(ValidationError, match="the move failed"):
        governance.decide_scope(
            ctx,
            execu,
            _item(ctx, ItemStatus.IN_SCOPE),
            ScopeOutcome.DEFERRED,
            "Later in the year, when budget allows.",
            "The budget is short.",
        )

    def fail_after_telling(*args: object, **kwargs: object) -> None:
        raise ValidationError("the audit failed")

    monkeypatch.setattr(publishing, "record", fail_after_telling)
    with pytest.raises(ValidationError, match="the audit failed"):
        publishing.publish_plan(ctx, execu, periods.get_period(ctx).settings.envelope, "A")
    assert dump(ctx.engine) == before
    with reading(ctx.engine) as session:
        assert session.scalars(select(NotificationRow)).first() is None
        assert session.scalars(select(MailOutboxRow)).first() is None


def test_email_follows_each_persons_choices_and_is_off_without_smtp(
    demo_ctx: Context, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    ctx = demo_ctx
    execu = who(ctx, "exec")
    lead, member, rep = who(ctx, "lead"), who(ctx, "member"), who(ctx, "orgrep")
    # The lead wants comment periods but not decisions; the member everything; the
    # representative nothing at all; staff have no address.
    wanted = [k for k in EventKind if k != EventKind.DECISION]
    notifications.save_email_settings(ctx, lead, "lead@example.org", wanted)
    notifications.save_email_settings(ctx, member, "member@example.org", list(EventKind))
    notifications.save_email_settings(ctx, rep, "rep@example.org", list(EventKind), True)
    settings = notifications.email_settings(ctx, lead)
    assert settings.email == "lead@example.org" and EventKind.DECISION not in settings.wanted
    assert not settings.mail_on

    first = _item(ctx, ItemStatus.PROPOSED, "jupyter-server")
    governance.open_comment_period(ctx, execu, first)
    assert _outbox(ctx) == [], "mail written while ROADMAP_SMTP_URL is unset"

    monkeypatch.setenv("ROADMAP_SMTP_URL", SMTP)
    second = _item(ctx, ItemStatus.PROPOSED)
    governance.open_comment_period(ctx, execu, second)
    mailed = _outbox(ctx)
    assert {to for to, _, _ in mailed} == {"lead@example.org", "member@example.org"}
    assert {kind for _, kind, _ in mailed} == {EventKind.COMMENT_OPEN.value}
    assert all(f"#{second}" in subject for _, _, subject in mailed)
    # The lead is told of the decision in the inbox, and gets no email of it.
    clock.advance(days=11)
    governance.decide_scope(
        ctx, execu, second, ScopeOutcome.IN_SCOPE, "Fits the year and its themes."
    )
    assert _outbox(ctx) == mailed
    assert notifications.inbox(ctx, lead)[0].kind == EventKind.DECISION
    # A bad address is refused with a sentence and nothing changes.
    before = dump(ctx.engine)
    with pytest.raises(ValidationError, match="email address"):
        notifications.save_email_settings(ctx, member, "not an address", [])
    assert dump(ctx.engine) == before


def test_the_inbox_counts_unread_and_marks_read_only_the_persons_own(
    demo_ctx: Context,
) -> None:
    ctx = demo_ctx
    execu, member, lead = who(ctx, "exec"), who(ctx, "member"), who(ctx, "lead")
    assert notifications.unread_count(ctx, member) == 0
    governance.open_comment_period(ctx, execu, _item(ctx, ItemStatus.PROPOSED))
    governance.open_comment_period(ctx, execu, _item(ctx, ItemStatus.PROPOSED, "jupyter-server"))
    assert notifications.unread_count(ctx, member) == 2
    assert notifications.unread_count(ctx, Actor.public()) == 0
    newest, older = notifications.inbox(ctx, member)
    theirs = notifications.inbox(ctx, lead)[0]
    with pytest.raises(Exception, match="not in your inbox"):
        notifications.mark_read(ctx, member, theirs.id)
    notifications.mark_read(ctx, member, newest.id)
    assert notifications.unread_count(ctx, member) == 1
    assert [n.id for n in notifications.inbox(ctx, member, unread_only=True)] == [older.id]
    assert notifications.unread_count(ctx, lead) == 2, "another person's inbox changed"
    assert notifications.mark_all_read(ctx, member) == 1
    assert notifications.unread_count(ctx, member) == 0
    with pytest.raises(PermissionDenied):
        notifications.inbox(ctx, Actor.public())


def test_unsubscribe_by_token_needs_no_session_and_a_tampered_token_is_refused(
    demo_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = demo_ctx
    monkeypatch.setenv("ROADMAP_SMTP_URL", SMTP)
    execu, member = who(ctx, "exec"), who(ctx, "member")
    notifications.save_email_settings(ctx, member, "member@example.org", list(EventKind))
    assert member.user_id is not None
    token = notifications.unsubscribe_token(member.user_id, EventKind.COMMENT_OPEN)

    before = dump(ctx.engine)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x" + token, "", "a.b"):
        with pytest.raises(ValidationError, match="not valid"):
            notifications.unsubscribe(ctx, bad)
    # A token signed with another secret (another deployment) is refused too.
    monkeypatch.setenv("ROADMAP_SECRET_KEY", "another-secret")
    forged = notifications.unsubscribe_token(member.user_id, EventKind.COMMENT_OPEN)
    monkeypatch.undo()
    monkeypatch.setenv("ROADMAP_SMTP_URL", SMTP)
    with pytest.raises(ValidationError):
        notifications.unsubscribe(ctx, forged)
    assert dump(ctx.engine) == before

    said = notifications.unsubscribe(ctx, token)
    assert "An item opens for comment" in said
    governance.open_comment_period(ctx, execu, _item(ctx, ItemStatus.PROPOSED))
    assert "member@example.org" not in {to for to, _, _ in _outbox(ctx)}
    assert notifications.unread_count(ctx, member) == 1, "unsubscribing emptied the inbox"

    # Only that kind was stopped; "all" stops every kind.
    def stopped() -> set[str]:
        with reading(ctx.engine) as session:
            return set(
                session.scalars(
                    select(EmailOptOutRow.kind).where(EmailOptOutRow.user_id == member.user_id)
                )
            )

    assert stopped() == {EventKind.COMMENT_OPEN.value}
    assert "no more email from the roadmap" in notifications.unsubscribe(ctx, token, True)
    assert stopped() == {EventKind.COMMENT_OPEN.value, "*"}
    assert notifications.email_settings(ctx, member).none_at_all
