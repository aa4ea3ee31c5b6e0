"""What needs the signed-in person now: the home page's lists, one section per role held,
and the counts the menu shows beside a page where something waits.

Every list is read in one reading transaction and holds only what the person may see:
drafts only of their own sub-communities, objections only of their own organizations (all
of them for the executive), assignments and reports only their own.

"Since your last visit" compares with ``users.previous_visit_at``: the router notes the
person's activity (:func:`note_visit`, at most once a minute per browser session) and a new
visit begins after ``VISIT_GAP`` away, when the last time seen becomes the previous visit
(as forums do). Before any previous visit the look-back is ``FIRST_LOOK_BACK``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, case, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from roadmap.domain.access import Actor, require
from roadmap.domain.enums import ItemStatus, PeriodStatus, Role, ScopeOutcome
from roadmap.domain.errors import NotFound
from roadmap.domain.signals import SIGNALLABLE
from roadmap.services.context import Context
from roadmap.services.delivery import ReportDue, schedule_in
from roadmap.services.periods import find_period_row
from roadmap.services.publishing import final_versions, period_in_effect
from roadmap.services.scenarios import subperiods
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import (
    AssignmentRow,
    AuditEventRow,
    CommentPeriodRow,
    CommentRow,
    ItemRow,
    OrganizationRow,
    PeriodRow,
    PlanFinalizationRow,
    PlanObjectionRow,
    PlanRow,
    ScopeDecisionRow,
    SignalRow,
    StaffRow,
    SubCommunityRow,
    UserRow,
)

VISIT_GAP = timedelta(hours=1)  # away longer than this: the next activity is a new visit
FIRST_LOOK_BACK = timedelta(days=14)  # "since your last visit" before there was one
ENDING_SOON = timedelta(days=3)  # a comment period ending within this is "ending soon"
REPORT_HORIZON = timedelta(days=14)  # a staff member sees reports due within this
NOTE_EVERY = timedelta(minutes=1)  # how often the router writes the time last seen
LINE = (ItemRow.id, ItemRow.title, SubCommunityRow.name)  # an ItemLine's columns


@dataclass(frozen=True)
class ItemLine:
    """An item a home list names: its page is ``/item?id=<item>``."""

    item: int
    title: str
    subcommunity: str  # its name


@dataclass(frozen=True)
class ReviewWait(ItemLine):
    """An item waiting for the executive: proposed (to open for comment), or in comment
    with its period ended and no decision yet (to decide)."""

    comment_ended: datetime | None  # None: proposed

    @property
    def to_decide(self) -> bool:
        return self.comment_ended is not None


@dataclass(frozen=True)
class CommentDeadline(ItemLine):
    closes_at: datetime


@dataclass(frozen=True)
class PlanObjection:
    organization: str  # its key
    organization_name: str
    by: str
    at: datetime


@dataclass(frozen=True)
class ProposedPlan:
    """The newest version of a period's plan while it is proposed (neither final nor
    replaced), with the objections the reader may see."""

    period: str  # its key
    period_name: str
    version: int
    review_until: datetime
    window_closed: bool  # the executive may finalize it now
    objections: tuple[PlanObjection, ...]


@dataclass(frozen=True)
class ExecutiveHome:
    for_review: list[ReviewWait]
    comments_ending: list[CommentDeadline]
    proposed_plans: list[ProposedPlan]
    reports_overdue: list[ReportDue]

    @property
    def to_finalize(self) -> list[ProposedPlan]:
        return [p for p in self.proposed_plans if p.window_closed]


@dataclass(frozen=True)
class DecisionNews(ItemLine):
    outcome: ScopeOutcome
    at: datetime
    changed: bool  # an amendment or a reversal of an earlier decision


@dataclass(frozen=True)
class CommentNews(ItemLine):
    comments: int  # by others, since the last visit
    latest: datetime


@dataclass(frozen=True)
class LeadHome:
    drafts: list[ItemLine]
    decisions: list[DecisionNews]
    comments: list[CommentNews]


@dataclass(frozen=True)
class SignallingWindow:
    period: str
    period_name: str
    status: PeriodStatus
    opens: date | None
    closes: date | None
    today: date

    @property
    def open(self) -> bool:
        return (
            self.status == PeriodStatus.SIGNALLING
            and (self.opens is None or self.opens <= self.today)
            and (self.closes is None or self.today <= self.closes)
        )

    @property
    def days_left(self) -> int | None:
        """Days until signalling closes, today included (1: it closes today); ``None``
        when it is not open or has no end."""
        if not self.open or self.closes is None:
            return None
        return (self.closes - self.today).days + 1


@dataclass(frozen=True)
class ItemChange(ItemLine):
    change: str  # "entered scope" or "effort changed"
    at: datetime


@dataclass(frozen=True)
class OrganizationHome:
    key: str
    name: str
    last_signal: datetime | None  # in the open period
    changes: list[ItemChange]  # signallable items changed since then
    may_object_to: list[ProposedPlan]  # open to objections; objections: this organization's


@dataclass(frozen=True)
class RepresentativeHome:
    window: SignallingWindow | None  # None: there is no planning period
    organizations: list[OrganizationHome]


@dataclass(frozen=True)
class MonthAssignment(ItemLine):
    weeks: float  # the person's person-weeks on the item in the month


@dataclass(frozen=True)
class StaffHome:
    plan: str | None  # "2027-H1 v1": the plan staff work on today
    month: str | None  # "YYYY-MM": this month, or the plan's first month before it starts
    this_month: bool  # False: ``month`` is the plan's first, still to come
    assignments: list[MonthAssignment]  # the person's, in ``month``
    reports_due: list[ReportDue]  # overdue or due within REPORT_HORIZON, soonest first


@dataclass(frozen=True)
class MemberHome:
    open_for_comment: list[CommentDeadline]  # closing soonest first


@dataclass(frozen=True)
class Home:
    since: datetime  # what "since your last visit" compares with
    first_visit: bool  # no previous visit: ``since`` is FIRST_LOOK_BACK ago
    executive: ExecutiveHome | None
    lead: LeadHome | None
    representative: RepresentativeHome | None
    staff: StaffHome | None
    member: MemberHome
    now: datetime

    @property
    def ending_soon(self) -> list[CommentDeadline]:
        """Items open for comment whose period ends within ``ENDING_SOON``."""
        return [c for c in self.member.open_for_comment if c.closes_at <= self.now + ENDING_SOON]

    @property
    def waiting(self) -> int:
        """What the menu counts beside "Home" (:func:`waiting`, from the same rules): items
        for review and plans to finalize (executive), decisions and commented items since
        the last visit (lead), changes since the latest signal and plans open to objection
        (representative), and comment periods ending soon (everyone)."""
        count = len(self.ending_soon)
        if self.executive is not None:
            count += len(self.executive.for_review) + len(self.executive.to_finalize)
        if self.lead is not None:
            count += len(self.lead.decisions) + len(self.lead.comments)
        if self.representative is not None:
            for org in self.representative.organizations:
                count += len(org.changes) + len(org.may_object_to)
        return count

    @property
    def reports(self) -> list[ReportDue]:
        """The progress reports the page lists as owed: those overdue (executive) and the
        person's own, overdue or due within ``REPORT_HORIZON`` (staff), each assignment
        once. Not in :attr:`waiting`: the menu counts without reading any plan."""
        owed = (self.executive.reports_overdue if self.executive else []) + (
            self.staff.reports_due if self.staff else []
        )
        return list({(d.item, d.staff_key): d for d in owed}.values())

    @property
    def unsignalled(self) -> list[str]:
        """The person's organizations (names) with no signal yet while signalling is open.
        Not in :attr:`waiting` either: the menu counts changes since a signal."""
        rep = self.representative
        if rep is None or rep.window is None or not rep.window.open:
            return []
        return [o.name for o in rep.organizations if o.last_signal is None]

    @property
    def nothing_waits(self) -> bool:
        """Nothing new or due for the person: nothing counted, no report owed, no signal
        missing while signalling is open."""
        return not (self.waiting or self.reports or self.unsignalled)


@dataclass(frozen=True)
class Waiting:
    """What waits for the person, counted cheaply for the menu (``0``: nothing, or not one
    of their roles). ``home``: what the home page lists as new or due."""

    review: int  # the executive: items waiting for review
    drafts: int  # a lead: their sub-communities' drafts
    signal_changes: int  # a representative: items changed since its latest signal
    home: int


# -- the visit ------------------------------------------------------------------------------


def note_visit(ctx: Context, actor: Actor) -> None:
    """Note that the person is using the app now; after ``VISIT_GAP`` away, the time they
    were last seen becomes their previous visit. One UPDATE, not an edit of the account:
    its version does not move and nothing is audited."""
    if actor.user_id is None:
        return
    now = ctx.now()
    new_visit = or_(UserRow.last_seen_at.is_(None), UserRow.last_seen_at < now - VISIT_GAP)
    with transaction(ctx.engine) as session:
        session.execute(
            update(UserRow)
            .where(UserRow.id == actor.user_id)
            .values(
                previous_visit_at=case(
                    (new_visit, UserRow.last_seen_at), else_=UserRow.previous_visit_at
                ),
                last_seen_at=now,
            )
            .execution_options(synchronize_session=False)
        )


def _since(session: Session, actor: Actor, now: datetime) -> tuple[datetime, bool]:
    previous = session.scalar(select(UserRow.previous_visit_at).where(UserRow.id == actor.user_id))
    if previous is None:
        return now - FIRST_LOOK_BACK, True
    return previous, False


# -- the lists ------------------------------------------------------------------------------


def home(ctx: Context, actor: Actor) -> Home:
    """The person's home: a section per role they hold, each list only what they may see."""
    require(actor, Role.MEMBER, to="see what needs you")
    now = ctx.now()
    with reading(ctx.engine) as session:
        since, first = _since(session, actor, now)
        in_comment = _in_comment(session)  # the executive's lists and the member's
        return Home(
            since,
            first,
            _executive(session, actor, now, in_comment) if actor.has(Role.EXECUTIVE) else None,
            _lead(session, actor, since) if actor.has(Role.LEAD) else None,
            _representative(session, actor, now) if actor.has(Role.REPRESENTATIVE) else None,
            _staff(session, actor, now) if actor.has(Role.STAFF) else None,
            MemberHome(_open_for_comment(in_comment, now)),
            now,
        )


def _latest_periods() -> ColumnElement[bool]:
    """Comment periods that are their item's latest (no later one exists: on SQLite far
    faster than comparing with a grouped maximum)."""
    later = aliased(CommentPeriodRow)
    return ~exists().where(
        later.item_id == CommentPeriodRow.item_id, later.id > CommentPeriodRow.id
    )


InComment = list[tuple[int, str, str, datetime, datetime | None]]


def _in_comment(session: Session) -> InComment:
    """Items in comment with their latest period: id, title, sub-community, end, closed."""
    rows = session.execute(
        select(*LINE, CommentPeriodRow.closes_at, CommentPeriodRow.closed_at)
        .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
        .join(CommentPeriodRow, CommentPeriodRow.item_id == ItemRow.id)
        .where(ItemRow.status == ItemStatus.IN_COMMENT.value, _latest_periods())
        .order_by(CommentPeriodRow.closes_at, ItemRow.id)
    ).all()
    return [(i, t, s, closes, closed) for i, t, s, closes, closed in rows]


def _open_for_comment(in_comment: InComment, now: datetime) -> list[CommentDeadline]:
    return [
        CommentDeadline(i, t, s, closes)
        for i, t, s, closes, closed in in_comment
        if closed is None and closes >= now
    ]


def _executive(
    session: Session, actor: Actor, now: datetime, in_comment: InComment
) -> ExecutiveHome:
    ended = [
        ReviewWait(i, t, s, closed or closes)
        for i, t, s, closes, closed in in_comment
        if closed is not None or closes < now
    ]
    proposed = [
        ReviewWait(i, t, s, None)
        for i, t, s in session.execute(
            select(*LINE)
            .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
            .where(ItemRow.status == ItemStatus.PROPOSED.value)
            .order_by(ItemRow.created_at, ItemRow.id)
        )
    ]
    ending = [
        CommentDeadline(i, t, s, closes)
        for i, t, s, closes, closed in in_comment
        if closed is None and now <= closes <= now + ENDING_SOON
    ]
    schedule = schedule_in(session, now, None, before=now)  # only what is overdue
    return ExecutiveHome(
        ended + proposed,  # deciding first: their comment has ended
        ending,
        _proposed_plans(session, actor, now),
        schedule.overdue if schedule is not None else [],
    )


def _proposed_plans(session: Session, actor: Actor, now: datetime) -> list[ProposedPlan]:
    """Each period's newest version while it is proposed, with the objections ``actor`` may
    see (the executive: all; a representative: its own organizations')."""
    other = aliased(PlanRow)
    newest = select(func.max(other.version)).where(other.period_id == PlanRow.period_id)
    rows = session.execute(
        select(PlanRow.id, PeriodRow.key, PeriodRow.name, PlanRow.version, PlanRow.review_until)
        .join(PeriodRow, PeriodRow.id == PlanRow.period_id)
        .outerjoin(PlanFinalizationRow, PlanFinalizationRow.plan_id == PlanRow.id)
        .where(
            PeriodRow.archived_at.is_(None),
            PlanRow.review_until.is_not(None),
            PlanFinalizationRow.plan_id.is_(None),
            PlanRow.version == newest.scalar_subquery(),
        )
        .order_by(PeriodRow.start)
    ).all()
    found: dict[int, list[PlanObjection]] = {}
    for plan_id, key, name, who, at in session.execute(
        select(
            PlanObjectionRow.plan_id,
            OrganizationRow.key,
            OrganizationRow.name,
            UserRow.display_name,
            PlanObjectionRow.submitted_at,
        )
        .join(OrganizationRow, OrganizationRow.id == PlanObjectionRow.organization_id)
        .outerjoin(UserRow, UserRow.id == PlanObjectionRow.submitted_by)
        .where(PlanObjectionRow.plan_id.in_([r[0] for r in rows]))
        .order_by(PlanObjectionRow.id)
    ):
        if actor.has(Role.EXECUTIVE) or actor.has(Role.REPRESENTATIVE, key):
            found.setdefault(plan_id, []).append(PlanObjection(key, name, who or "", at))
    return [
        ProposedPlan(key, name, version, until, now >= until, tuple(found.get(plan_id, [])))
        for plan_id, key, name, version, until in rows
        if until is not None  # the query's condition, for the type checker
    ]


def _lead(session: Session, actor: Actor, since: datetime) -> LeadHome:
    mine = SubCommunityRow.slug.in_(sorted(actor.scopes(Role.LEAD)))
    drafts = [
        ItemLine(i, t, s)
        for i, t, s in session.execute(
            select(*LINE)
            .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
            .where(mine, ItemRow.status == ItemStatus.DRAFT.value)
            .order_by(ItemRow.id)
        )
    ]
    decisions = [
        DecisionNews(i, t, s, ScopeOutcome(outcome), at, amends is not None)
        for i, t, s, outcome, at, amends in session.execute(
            select(
                *LINE,
                ScopeDecisionRow.outcome,
                ScopeDecisionRow.decided_at,
                ScopeDecisionRow.amends_id,
            )
            .join(ItemRow, ItemRow.id == ScopeDecisionRow.item_id)
            .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
            .where(mine, ScopeDecisionRow.decided_at > since)
            .order_by(ScopeDecisionRow.decided_at.desc(), ScopeDecisionRow.id.desc())
        )
    ]
    latest = func.max(CommentRow.created_at)
    comments = [
        CommentNews(i, t, s, int(n), at)
        for i, t, s, n, at in session.execute(
            select(*LINE, func.count(CommentRow.id), latest)
            .join(ItemRow, ItemRow.id == CommentRow.item_id)
            .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
            .where(
                mine,
                CommentRow.created_at > since,
                or_(CommentRow.author_id.is_(None), CommentRow.author_id != actor.user_id),
            )
            .group_by(ItemRow.id, ItemRow.title, SubCommunityRow.name)
            .order_by(latest.desc(), ItemRow.id)
        )
    ]
    return LeadHome(drafts, decisions, comments)


def _window(session: Session, now: datetime) -> tuple[PeriodRow, SignallingWindow] | None:
    """The open planning period (the one signalling, else the latest) and its window."""
    try:
        row = find_period_row(session, None)
    except NotFound:
        return None
    window = SignallingWindow(
        row.key,
        row.name,
        PeriodStatus(row.status),
        row.signal_window_start,
        row.signal_window_end,
        now.date(),
    )
    return row, window


def _representative(session: Session, actor: Actor, now: datetime) -> RepresentativeHome:
    found = _window(session, now)
    orgs = session.execute(
        select(OrganizationRow.id, OrganizationRow.key, OrganizationRow.name)
        .where(OrganizationRow.key.in_(sorted(actor.scopes(Role.REPRESENTATIVE))))
        .order_by(OrganizationRow.name)
    ).all()
    plans = [p for p in _proposed_plans(session, actor, now) if not p.window_closed]
    if found is None:
        return RepresentativeHome(None, [OrganizationHome(k, n, None, [], []) for _, k, n in orgs])
    period, window = found
    last = dict(
        session.execute(
            select(SignalRow.organization_id, func.max(SignalRow.submitted_at))
            .where(
                SignalRow.period_id == period.id,
                SignalRow.organization_id.in_([o[0] for o in orgs]),
            )
            .group_by(SignalRow.organization_id)
        ).all()
    )
    homes = []
    for org_id, key, name in orgs:
        at = last.get(org_id)
        changes = _changes_since(session, at) if at is not None and window.open else []
        mine = [
            ProposedPlan(
                p.period,
                p.period_name,
                p.version,
                p.review_until,
                p.window_closed,
                tuple(o for o in p.objections if o.organization == key),
            )
            for p in plans
        ]
        homes.append(OrganizationHome(key, name, at, changes, mine))
    return RepresentativeHome(window, homes)


def _changes_since(session: Session, at: datetime) -> list[ItemChange]:
    """Signallable items that entered scope, or whose effort changed, after ``at`` (from
    the audit log: every status move and item edit is audited), newest first."""
    events = session.execute(
        select(AuditEventRow.entity_id, AuditEventRow.action, AuditEventRow.after, AuditEventRow.at)
        .where(
            AuditEventRow.entity == "item",
            AuditEventRow.action.in_(["status", "update"]),
            AuditEventRow.at > at,
        )
        .order_by(AuditEventRow.at.desc(), AuditEventRow.id.desc())
    ).all()
    changed: dict[int, tuple[str, datetime]] = {}
    for entity_id, action, after, when in events:
        after = after or {}
        if action == "status" and after.get("status") == ItemStatus.IN_SCOPE.value:
            change = "entered scope"
        elif action == "update" and ({"effort_low", "effort_high"} & set(after)):
            change = "effort changed"
        else:
            continue
        changed.setdefault(int(entity_id), (change, when))  # newest first: keep the first
    if not changed:
        return []
    rows = session.execute(
        select(*LINE, ItemRow.status)
        .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
        .where(ItemRow.id.in_(sorted(changed)))
    ).all()
    lines = [
        ItemChange(i, t, s, *changed[i])
        for i, t, s, status in rows
        if ItemStatus(status) in SIGNALLABLE
    ]
    return sorted(lines, key=lambda c: (c.at, c.item), reverse=True)


def _staff(session: Session, actor: Actor, now: datetime) -> StaffHome:
    """The person's part of the plan in effect (from its assignment rows: the snapshot is
    not read) in this month, or in the plan's first month before it starts; and the reports
    they owe soon."""
    period = period_in_effect(session, now.date())
    finals = final_versions(session, period) if period is not None else []
    if period is None or not finals:
        return StaffHome(None, None, True, [], [])
    months = subperiods(period.start, period.end)
    current = f"{now:%Y-%m}"
    month = current if current in months else next((m for m in months if m > current), None)
    mine = select(StaffRow.id).where(StaffRow.user_id == actor.user_id)
    assigned: list[MonthAssignment] = []
    if month is not None:
        weeks = func.sum(AssignmentRow.weeks)
        assigned = [
            MonthAssignment(i, t, s, float(w))
            for i, t, s, w in session.execute(
                select(*LINE, weeks)
                .join(AssignmentRow, AssignmentRow.item_id == ItemRow.id)
                .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
                .where(
                    AssignmentRow.plan_id == finals[0].plan_id,
                    AssignmentRow.subperiod == months.index(month),
                    AssignmentRow.staff_id.in_(mine),
                )
                .group_by(*LINE)
                .order_by(ItemRow.id)
            )
        ]
    # Only the person's items, and of those only what is due within the horizon.
    theirs = session.scalars(
        select(AssignmentRow.item_id).where(
            AssignmentRow.plan_id == finals[0].plan_id, AssignmentRow.staff_id.in_(mine)
        )
    )
    schedule = schedule_in(session, now, period.key, before=now + REPORT_HORIZON, among=set(theirs))
    keys = set(session.scalars(select(StaffRow.key).where(StaffRow.user_id == actor.user_id)))
    due = [d for d in (schedule.items if schedule is not None else []) if d.staff_key in keys]
    return StaffHome(f"{period.key} v{finals[0].version}", month, month == current, assigned, due)


# -- the menu's counts ----------------------------------------------------------------------


def waiting(ctx: Context, actor: Actor) -> Waiting:
    """What waits for the person, for the menu: a few COUNT queries in one reading
    transaction (no plan snapshot is read), so every run can afford it."""
    if not actor.signed_in:
        return Waiting(0, 0, 0, 0)
    now = ctx.now()
    with reading(ctx.engine) as session:
        review = _count_review(session, now) if actor.has(Role.EXECUTIVE) else 0
        to_finalize = 0
        if actor.has(Role.EXECUTIVE):
            to_finalize = sum(p.window_closed for p in _proposed_plans(session, actor, now))
        drafts = news = 0
        if actor.has(Role.LEAD):
            since, _ = _since(session, actor, now)
            lead = _lead(session, actor, since)
            drafts, news = len(lead.drafts), len(lead.decisions) + len(lead.comments)
        changes = 0
        if actor.has(Role.REPRESENTATIVE):
            rep = _representative(session, actor, now)
            changes = sum(len(o.changes) for o in rep.organizations)
            news += sum(len(o.may_object_to) for o in rep.organizations)
        ending = _count_ending(session, now)
    return Waiting(review, drafts, changes, review + to_finalize + news + changes + ending)


def _count_review(session: Session, now: datetime) -> int:
    proposed = session.scalar(
        select(func.count()).select_from(ItemRow).where(ItemRow.status == ItemStatus.PROPOSED.value)
    )
    ended = session.scalar(
        select(func.count())
        .select_from(ItemRow)
        .join(CommentPeriodRow, CommentPeriodRow.item_id == ItemRow.id)
        .where(
            ItemRow.status == ItemStatus.IN_COMMENT.value,
            _latest_periods(),
            or_(CommentPeriodRow.closed_at.is_not(None), CommentPeriodRow.closes_at < now),
        )
    )
    return int(proposed or 0) + int(ended or 0)


def _count_ending(session: Session, now: datetime) -> int:
    """Items open for comment whose period ends within ``ENDING_SOON``."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(ItemRow)
            .join(CommentPeriodRow, CommentPeriodRow.item_id == ItemRow.id)
            .where(
                ItemRow.status == ItemStatus.IN_COMMENT.value,
                _latest_periods(),
                CommentPeriodRow.closed_at.is_(None),
                CommentPeriodRow.closes_at >= now,
                CommentPeriodRow.closes_at <= now + ENDING_SOON,
            )
        )
        or 0
    )
