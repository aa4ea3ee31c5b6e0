"""The home page's lists on the demo data (SQLite and PostgreSQL): each role's section holds
exactly what the data says, made here step by step (a comment period ends, a plan is
proposed and objected to, a decision is taken, a signal goes stale), and nothing the
person may not see; the menu's counts agree with the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from support import Clock

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, Role, ScopeOutcome
from roadmap.domain.errors import PermissionDenied
from roadmap.services import (
    accounts,
    delivery,
    demo,
    governance,
    home,
    items,
    periods,
    progress,
    publishing,
    signals,
)
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate
from roadmap.store.engine import reading
from roadmap.store.tables import ItemRow, OrganizationRow, SubCommunityRow, UserRow

# Demo items (ids in the order of data/demo/items.json) and whose they are.
FRONTENDS_IN_COMMENT = (8, 14)  # the lead's (jupyter-frontends)
ACCESSIBILITY_IN_COMMENT = 49  # the lead's too (jupyter-accessibility)
OTHERS_IN_COMMENT = (20, 27, 33)  # other sub-communities'
PROPOSED = (9, 21, 28, 56)
OTHER_DRAFTS = (35, 39, 41)  # jupyter-kernels, foundations-standards: not the lead's


@pytest.fixture
def demo_ctx(ctx: Context, clock: Clock) -> Context:
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    return ctx


def who(ctx: Context, username: str) -> Actor:
    actor = authenticate(ctx, username, "demo")
    assert actor is not None
    return actor


def ids(
    lines: list[home.ItemLine] | list[home.ReviewWait] | list[home.CommentDeadline],
) -> list[int]:
    return [line.item for line in lines]


def _statuses(ctx: Context, status: ItemStatus) -> set[int]:
    with reading(ctx.engine) as s:
        return set(s.scalars(select(ItemRow.id).where(ItemRow.status == status.value)))


def _agrees_with_the_menu(ctx: Context, actor: Actor) -> home.Home:
    view = home.home(ctx, actor)
    counts = home.waiting(ctx, actor)
    assert counts.home == view.waiting, "the menu's count differs from the home page"
    if view.executive is not None:
        assert counts.review == len(view.executive.for_review)
    if view.lead is not None:
        assert counts.drafts == len(view.lead.drafts)
    return view


def test_the_executive_sees_proposed_items_then_ended_comment_periods_to_decide(
    demo_ctx: Context, clock: Clock
) -> None:
    execu = who(demo_ctx, "exec")
    in_comment = sorted((*FRONTENDS_IN_COMMENT, ACCESSIBILITY_IN_COMMENT, *OTHERS_IN_COMMENT))
    assert _statuses(demo_ctx, ItemStatus.PROPOSED) == set(PROPOSED)
    assert _statuses(demo_ctx, ItemStatus.IN_COMMENT) == set(in_comment)
    # Loaded: comment ends in 7 days; nothing ended, nothing ending soon.
    view = _agrees_with_the_menu(demo_ctx, execu).executive
    assert view is not None
    assert sorted(ids(view.for_review)) == sorted(PROPOSED)
    assert not any(w.to_decide for w in view.for_review)
    assert view.comments_ending == []
    # Five days on, every period ends within three days.
    clock.advance(days=5)
    view = _agrees_with_the_menu(demo_ctx, execu).executive
    assert view is not None
    assert sorted(ids(view.comments_ending)) == in_comment
    # Three more: all have ended and wait for a decision, listed before the proposed ones.
    clock.advance(days=3)
    governance.open_comment_period(demo_ctx, execu, 9, clock.now + timedelta(days=2))
    view = _agrees_with_the_menu(demo_ctx, execu).executive
    assert view is not None
    assert ids(view.comments_ending) == [9]
    decide = [w.item for w in view.for_review if w.to_decide]
    assert sorted(decide) == in_comment
    assert [w.item for w in view.for_review if not w.to_decide] == [21, 28, 56]
    assert ids(view.for_review)[: len(decide)] == decide
    governance.decide_scope(demo_ctx, execu, 20, ScopeOutcome.IN_SCOPE, "Worth doing now.")
    view = _agrees_with_the_menu(demo_ctx, execu).executive
    assert view is not None
    assert 20 not in ids(view.for_review)
    assert len(view.for_review) == len(in_comment) - 1 + 3


def test_a_proposed_plan_shows_its_objections_to_the_executive_and_to_each_objector_only(
    demo_ctx: Context, clock: Clock
) -> None:
    execu, rep = who(demo_ctx, "exec"), who(demo_ctx, "orgrep")
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    period = periods.get_period(demo_ctx)
    periods.update_period(demo_ctx, execu, period.key, {"review_days": 3}, period.version)
    # A second representative, of another organization.
    admin = Actor.system()
    other_org = next(o for o in _organizations(demo_ctx) if o != org)
    accounts.create_user(demo_ctx, admin, "rep2", "Second Rep", "a long enough password")
    accounts.grant_role(demo_ctx, admin, "rep2", Role.REPRESENTATIVE.value, other_org)
    rep2 = authenticate(demo_ctx, "rep2", "a long enough password")
    assert rep2 is not None
    envelope = periods.get_period(demo_ctx).settings.envelope
    publishing.publish_plan(demo_ctx, execu, envelope, "A")

    plans = _agrees_with_the_menu(demo_ctx, execu).executive
    assert plans is not None and [(p.version, p.window_closed) for p in plans.proposed_plans] == [
        (1, False)
    ]
    assert plans.proposed_plans[0].objections == () and plans.to_finalize == []
    publishing.object_to_plan(demo_ctx, rep, org, 1, "It drops our security work.")
    seen = _agrees_with_the_menu(demo_ctx, execu).executive
    assert seen is not None
    assert [o.organization for o in seen.proposed_plans[0].objections] == [org]
    mine = _agrees_with_the_menu(demo_ctx, rep).representative
    assert mine is not None
    (ours,) = mine.organizations
    assert [(p.version, [o.organization for o in p.objections]) for p in ours.may_object_to] == [
        (1, [org])
    ]
    theirs = _agrees_with_the_menu(demo_ctx, rep2).representative
    assert theirs is not None
    (other,) = theirs.organizations
    assert other.key == other_org
    assert [p.objections for p in other.may_object_to] == [()], "saw another's objection"
    # The window closes: the executive is to finalize it; representatives no longer object.
    clock.advance(days=3, seconds=1)
    closed = _agrees_with_the_menu(demo_ctx, execu).executive
    assert closed is not None and [p.version for p in closed.to_finalize] == [1]
    rep_view = home.home(demo_ctx, rep).representative
    assert rep_view is not None and rep_view.organizations[0].may_object_to == []
    publishing.finalize_plan(demo_ctx, execu, 1)
    done = _agrees_with_the_menu(demo_ctx, execu).executive
    assert done is not None and done.proposed_plans == []


def _organizations(ctx: Context) -> list[str]:
    with reading(ctx.engine) as s:
        return sorted(s.scalars(select(OrganizationRow.key)))


def test_reports_overdue_and_due_match_the_delivery_schedule_and_staff_see_their_month(
    demo_ctx: Context, clock: Clock
) -> None:
    execu, staff = who(demo_ctx, "exec"), who(demo_ctx, "staff")
    envelope = periods.get_period(demo_ctx).settings.envelope
    publishing.publish_plan(demo_ctx, execu, envelope, "A")  # final at once
    plan, mine = progress.my_assignments(demo_ctx, staff)
    assert plan is not None and mine, "the demo staff account needs assignments"
    # November 2026, before the plan's period: the staff see its first month, January.
    view = _agrees_with_the_menu(demo_ctx, staff).staff
    assert view is not None and view.plan == "2027-H1 v1"
    assert (view.month, view.this_month) == ("2027-01", False)
    january: dict[int, float] = {}
    for line in mine:
        if plan.snapshot.month(line.subperiod) == "2027-01":
            january[line.item] = january.get(line.item, 0) + line.weeks
    assert {a.item: a.weeks for a in view.assignments} == pytest.approx(january)
    assert view.reports_due == []  # the first reports are due in eight weeks
    # Seven weeks on: due within two weeks, none overdue yet.
    clock.advance(weeks=7)
    view = home.home(demo_ctx, staff).staff
    assert view is not None
    mine_due = delivery.my_report_dates(demo_ctx, staff)
    assert sorted(ids(view.reports_due)) == sorted(mine_due) and mine_due
    executive = home.home(demo_ctx, execu).executive
    assert executive is not None and executive.reports_overdue == []
    # Ten weeks on (mid-January): overdue for the executive, exactly as the plan page says;
    # the staff's own month is now this month.
    clock.advance(weeks=3)
    executive = home.home(demo_ctx, execu).executive
    schedule = delivery.reports_overdue(demo_ctx, execu)
    assert schedule is not None and schedule.overdue
    assert executive is not None and executive.reports_overdue == schedule.overdue
    view = home.home(demo_ctx, staff).staff
    assert view is not None and (view.month, view.this_month) == ("2027-01", True)
    # Another person's reports never show on the staff member's home.
    keys = {line.staff for line in mine}
    assert view.reports_due and all(d.staff_key in keys for d in view.reports_due)
    others = [d for d in schedule.items if d.staff_key not in keys]
    assert others and not set(others) & set(view.reports_due)


def test_a_lead_sees_their_own_drafts_and_what_happened_to_their_items_since_the_last_visit(
    demo_ctx: Context, clock: Clock
) -> None:
    lead, execu, member = who(demo_ctx, "lead"), who(demo_ctx, "exec"), who(demo_ctx, "member")
    draft = items.create_item(
        demo_ctx,
        lead,
        {
            "title": "A draft of ours",
            "subcommunity": "jupyter-frontends",
            "effort_low": 1,
            "effort_high": 2,
        },
    )
    # The previous visit: noted now, then a new visit two hours later.
    home.note_visit(demo_ctx, lead)
    visit = clock.now
    clock.advance(hours=2)
    home.note_visit(demo_ctx, lead)
    view = home.home(demo_ctx, lead)
    assert (view.since, view.first_visit) == (visit, False)
    assert view.lead is not None and ids(view.lead.drafts) == [draft.id]
    assert not set(ids(view.lead.drafts)) & set(OTHER_DRAFTS)
    assert view.lead.decisions == [] and view.lead.comments == []
    # A member comments on one of the lead's items and on another's; the lead on their own.
    clock.advance(minutes=1)
    governance.add_comment(demo_ctx, member, 8, "Please keep keyboard navigation.")
    governance.add_comment(demo_ctx, member, 8, "And screen readers.")
    governance.add_comment(demo_ctx, member, 20, "Not the lead's item.")
    governance.add_comment(demo_ctx, lead, 14, "The lead's own comment is not news.")
    clock.advance(days=8)  # every comment period has ended
    governance.decide_scope(demo_ctx, execu, 14, ScopeOutcome.DEFERRED, "Next year, not now.")
    governance.decide_scope(demo_ctx, execu, 27, ScopeOutcome.IN_SCOPE, "Not the lead's item.")
    # The lead comes back: a new visit, since they were last seen.
    home.note_visit(demo_ctx, lead)
    view = _agrees_with_the_menu(demo_ctx, lead)
    assert view.since == visit + timedelta(hours=2)
    assert view.lead is not None
    assert [(d.item, d.outcome, d.changed) for d in view.lead.decisions] == [
        (14, ScopeOutcome.DEFERRED, False)
    ]
    assert [(c.item, c.comments) for c in view.lead.comments] == [(8, 2)]
    # Later in the same visit (within the hour): still listed.
    clock.advance(minutes=30)
    home.note_visit(demo_ctx, lead)
    again = home.home(demo_ctx, lead)
    assert again.since == view.since and again.lead == view.lead
    # The next visit, after this one saw them: nothing new.
    clock.advance(hours=2)
    home.note_visit(demo_ctx, lead)
    later = home.home(demo_ctx, lead)
    assert later.lead is not None and later.lead.decisions == [] and later.lead.comments == []
    assert ids(later.lead.drafts) == [draft.id]  # drafts are not news: still there


def test_noting_a_visit_changes_neither_the_account_version_nor_the_audit_log(
    demo_ctx: Context, clock: Clock
) -> None:
    member = who(demo_ctx, "member")
    with reading(demo_ctx.engine) as s:
        before = s.scalar(select(UserRow.version).where(UserRow.username == "member"))
    home.note_visit(demo_ctx, member)
    first = home.home(demo_ctx, member)
    assert first.first_visit and first.since == clock.now - home.FIRST_LOOK_BACK
    with reading(demo_ctx.engine) as s:
        user = s.scalars(select(UserRow).where(UserRow.username == "member")).one()
        assert (user.version, user.last_seen_at, user.previous_visit_at) == (
            before,
            clock.now,
            None,
        )


def test_a_representative_sees_the_window_days_left_and_items_changed_since_its_signal(
    demo_ctx: Context, clock: Clock
) -> None:
    rep, execu = who(demo_ctx, "orgrep"), who(demo_ctx, "exec")
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    view = _agrees_with_the_menu(demo_ctx, rep).representative
    assert view is not None and view.window is not None
    assert view.window.open and view.window.days_left is None  # no end set
    (ours,) = view.organizations
    assert ours.key == org and ours.last_signal is not None and ours.changes == []
    # Comment ends; one item goes in scope, one out: only the first is a change to signal.
    clock.advance(days=8)
    period = periods.get_period(demo_ctx)
    closes = clock.now.date() + timedelta(days=4)
    periods.update_period(
        demo_ctx, execu, period.key, {"signal_window_end": closes}, period.version
    )
    governance.decide_scope(demo_ctx, execu, 33, ScopeOutcome.IN_SCOPE, "Worth doing now.")
    governance.decide_scope(demo_ctx, execu, 27, ScopeOutcome.OUT_OF_SCOPE, "Not for the staff.")
    view = _agrees_with_the_menu(demo_ctx, rep).representative
    assert view is not None and view.window is not None and view.window.days_left == 5
    (ours,) = view.organizations
    assert [(c.item, c.change) for c in ours.changes] == [(33, "entered scope")]
    # A new signal: nothing has changed since it.
    current, _ = signals.my_signal(demo_ctx, rep, org)
    assert current is not None
    clock.advance(minutes=1)
    signals.save_signal(demo_ctx, rep, org, [*current.approvals, 33], {}, [], [])
    view = _agrees_with_the_menu(demo_ctx, rep).representative
    assert view is not None and view.organizations[0].changes == []
    # After the window: not open, no days left, and changes are not listed.
    clock.advance(days=6)
    governance.decide_scope(demo_ctx, execu, 20, ScopeOutcome.IN_SCOPE, "Worth doing now.")
    view = home.home(demo_ctx, rep).representative
    assert view is not None and view.window is not None
    assert not view.window.open and view.window.days_left is None
    assert view.organizations[0].changes == []


def test_a_member_sees_the_items_open_for_comment_closing_soonest_first_and_no_other_role(
    demo_ctx: Context, clock: Clock
) -> None:
    member, execu = who(demo_ctx, "member"), who(demo_ctx, "exec")
    governance.open_comment_period(demo_ctx, execu, 9, clock.now + timedelta(days=2))
    governance.close_comment_period(demo_ctx, execu, 20)
    view = _agrees_with_the_menu(demo_ctx, member)
    expected = sorted((*FRONTENDS_IN_COMMENT, ACCESSIBILITY_IN_COMMENT, 27, 33))
    assert ids(view.member.open_for_comment)[0] == 9  # closes first
    assert sorted(ids(view.member.open_for_comment)[1:]) == expected
    assert [view.executive, view.lead, view.representative, view.staff] == [None] * 4
    assert ids(view.ending_soon) == [9] and view.waiting == 1


def test_the_public_has_no_home_and_nothing_waits_for_it(demo_ctx: Context) -> None:
    with pytest.raises(PermissionDenied):
        home.home(demo_ctx, Actor.public())
    assert home.waiting(demo_ctx, Actor.public()) == home.Waiting(0, 0, 0, 0)


def test_a_lead_never_sees_another_sub_communitys_drafts(demo_ctx: Context) -> None:
    lead = who(demo_ctx, "lead")
    with reading(demo_ctx.engine) as s:
        drafts = dict(
            s.execute(
                select(ItemRow.id, SubCommunityRow.slug)
                .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
                .where(ItemRow.status == ItemStatus.DRAFT.value)
            ).all()
        )
    assert set(drafts) == set(OTHER_DRAFTS)
    assert not set(drafts.values()) & lead.scopes(Role.LEAD)
    view = home.home(demo_ctx, lead)
    assert view.lead is not None and view.lead.drafts == []
    assert home.waiting(demo_ctx, lead).drafts == 0
