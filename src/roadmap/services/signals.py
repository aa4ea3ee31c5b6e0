"""Member organizations' signals: saving them within the period's rules, and reading them
back within what the reader may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roadmap.domain import boundary
from roadmap.domain.access import Actor, require
from roadmap.domain.enums import ItemStatus, OrgStatus, Role
from roadmap.domain.errors import NotFound, ValidationError
from roadmap.domain.privacy import sees_signal
from roadmap.domain.signals import (
    SIGNALLABLE,
    PledgeInput,
    Signal,
    carry_over,
    check_signallable,
    sees_attributed,
)
from roadmap.domain.voice import rank_scores, voice_shares
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.services.periods import Period, find_period_row, period_from_row
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import (
    ItemRow,
    OrganizationRow,
    PeriodRow,
    PledgeRow,
    SignalRow,
    UserRow,
)


@dataclass(frozen=True)
class SignalView:
    organization: str
    submitted_at: datetime | None
    submitted_by: str | None
    approvals: list[int] = field(default_factory=list)
    points: dict[int, int] = field(default_factory=dict)
    ranking: list[int] = field(default_factory=list)
    pledges: list[tuple[int, float, str]] = field(default_factory=list)

    def items(self) -> set[int]:
        return (
            set(self.approvals)
            | set(self.points)
            | set(self.ranking)
            | {p[0] for p in self.pledges}
        )


@dataclass(frozen=True)
class ItemTotals:
    item_id: int
    title: str
    supporters: int
    points: int
    rank_score: int
    pledged_weeks: float


@dataclass(frozen=True)
class SignalBoard:
    period: Period
    attributed: bool  # whether the reader sees who signalled what
    totals: list[ItemTotals]
    signals: list[SignalView]  # only those the reader may see
    voice: dict[str, float]
    names: dict[str, str]


def _org(session: Session, key: str) -> OrganizationRow:
    org = session.scalar(select(OrganizationRow).where(OrganizationRow.key == key))
    if org is None:
        raise NotFound(f"There is no organization {key!r}.")
    return org


def save_signal(
    ctx: Context,
    actor: Actor,
    organization: str,
    approvals: list[int],
    points: dict[int, int],
    ranking: list[int],
    pledges: list[PledgeInput],
    period_key: str | None = None,
) -> SignalView:
    """Record an organization's new signal (the latest counts; earlier ones stay in history)."""
    require(actor, Role.REPRESENTATIVE, organization, to="signal for this organization")
    now = ctx.now()
    for offered in pledges:
        boundary.text(offered.note, "pledge note", max_length=2000)
    with transaction(ctx.engine) as session:
        org = _org(session, organization)
        if org.status != OrgStatus.ACTIVE:
            raise ValidationError(f"{org.name} is not an active member and cannot signal.")
        period_row = find_period_row(session, period_key)
        period = period_from_row(period_row).settings
        period.check_window_open(now.date())
        signal = Signal.within(period, approvals, points, ranking, pledges)
        wanted = signal.items()
        statuses = {
            i: ItemStatus(status)
            for i, status in session.execute(
                select(ItemRow.id, ItemRow.status).where(ItemRow.id.in_(wanted))
            )
        }
        check_signallable(wanted, statuses)
        return _write_signal(session, actor, now, org, period_row.id, period.key, signal)


def _write_signal(
    session: Session,
    actor: Actor,
    now: datetime,
    org: OrganizationRow,
    period_id: int,
    period_key: str,
    signal: Signal,
    copied_from: str | None = None,
) -> SignalView:
    """Write ``signal`` as ``org``'s latest in the period, with its audit event."""
    row = SignalRow(
        organization_id=org.id,
        period_id=period_id,
        submitted_by=actor.user_id,
        submitted_at=now,
        approvals=sorted(set(signal.approvals)),
        points={str(k): v for k, v in sorted(signal.points.items())},
        ranking=list(signal.ranking),
    )
    session.add(row)
    session.flush()
    for pledge in signal.pledges:
        session.add(
            PledgeRow(
                signal_id=row.id, item_id=pledge.item_id, weeks=pledge.weeks, note=pledge.note
            )
        )
    view = SignalView(
        org.key,
        now,
        actor.username,
        row.approvals,
        signal.points,
        row.ranking,
        [(p.item_id, p.weeks, p.note) for p in signal.pledges],
    )
    after = _plain(view, period_key)
    if copied_from is not None:
        after["copied_from"] = copied_from
    record(session, actor, now, "signal", "organization", org.key, None, after)
    return view


@dataclass(frozen=True)
class CopiedSignal:
    """A signal started from the organization's signal in the period's source."""

    signal: SignalView
    source: str  # the key of the period it was copied from
    dropped: list[str]  # a sentence for each thing left out


def copy_previous_signal(
    ctx: Context, actor: Actor, organization: str, period_key: str | None = None
) -> CopiedSignal:
    """Save, as the organization's first signal in the period (the open one by default),
    its latest signal in the period this one was started from: the items still open to
    signals, in the forms the period takes, points within its budget (what is left out is
    said in ``dropped``). Refused, writing nothing, while signalling is not open, when the
    period was not started from another, when the organization already signalled in it or
    had no signal there, and when nothing of that signal still applies."""
    require(actor, Role.REPRESENTATIVE, organization, to="signal for this organization")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        org = _org(session, organization)
        if org.status != OrgStatus.ACTIVE:
            raise ValidationError(f"{org.name} is not an active member and cannot signal.")
        period_row = find_period_row(session, period_key)
        period = period_from_row(period_row).settings
        period.check_window_open(now.date())
        source = session.get(PeriodRow, period_row.source_id) if period_row.source_id else None
        if source is None:
            raise ValidationError(
                f"{period.name} was not started from an earlier period: there is no earlier "
                "signal to start from. Nothing was saved."
            )
        if signal_views(session, period_row.id, latest_only=True, org_id=org.id):
            raise ValidationError(
                f"{org.name} has already signalled for {period.name}; change that signal "
                "instead. Nothing was saved."
            )
        earlier = signal_views(session, source.id, latest_only=True, org_id=org.id)
        if not earlier:
            raise ValidationError(
                f"{org.name} has no signal in {source.key} to start from. Nothing was saved."
            )
        previous = earlier[0]
        statuses = {
            i: ItemStatus(status)
            for i, status in session.execute(
                select(ItemRow.id, ItemRow.status).where(ItemRow.id.in_(previous.items()))
            )
        }
        signal, dropped = carry_over(
            period,
            previous.approvals,
            previous.points,
            previous.ranking,
            previous.pledges,
            statuses,
        )
        if not signal.items():
            raise ValidationError(
                f"Nothing of {org.name}'s {source.key} signal applies in {period.name}: "
                + " ".join(dropped)
                + " Nothing was saved."
            )
        view = _write_signal(
            session, actor, now, org, period_row.id, period.key, signal, copied_from=source.key
        )
        return CopiedSignal(view, source.key, dropped)


def _plain(view: SignalView, period: str) -> dict[str, Any]:
    return {
        "period": period,
        "approvals": view.approvals,
        "points": {str(k): v for k, v in view.points.items()},
        "ranking": view.ranking,
        "pledges": [list(p) for p in view.pledges],
    }


def signal_views(
    session: Session, period_id: int, latest_only: bool, org_id: int | None = None
) -> list[SignalView]:
    # Plain columns, not ORM objects: a period's hundreds of signals load in milliseconds.
    query = (
        select(
            SignalRow.id,
            SignalRow.submitted_at,
            SignalRow.submitted_by,
            SignalRow.approvals,
            SignalRow.points,
            SignalRow.ranking,
            OrganizationRow.key,
        )
        .join(OrganizationRow, OrganizationRow.id == SignalRow.organization_id)
        .where(SignalRow.period_id == period_id)
    )
    if org_id is not None:
        query = query.where(SignalRow.organization_id == org_id)
    if latest_only:
        latest = (
            select(func.max(SignalRow.id))
            .where(SignalRow.period_id == period_id)
            .group_by(SignalRow.organization_id)
        )
        query = query.where(SignalRow.id.in_(latest))
    rows = session.execute(query.order_by(SignalRow.id.desc())).all()
    ids = [s.id for s in rows]
    pledges: dict[int, list[tuple[int, float, str]]] = {}
    for p in session.execute(
        select(PledgeRow.signal_id, PledgeRow.item_id, PledgeRow.weeks, PledgeRow.note)
        .where(PledgeRow.signal_id.in_(ids))
        .order_by(PledgeRow.id)
    ):
        pledges.setdefault(p.signal_id, []).append((p.item_id, p.weeks, p.note))
    who = {s.submitted_by for s in rows if s.submitted_by is not None}
    names: dict[int, str] = {
        uid: name
        for uid, name in session.execute(
            select(UserRow.id, UserRow.username).where(UserRow.id.in_(who))
        )
    }
    return [
        SignalView(
            s.key,
            s.submitted_at,
            names.get(s.submitted_by or -1),
            list(s.approvals),
            {int(k): int(v) for k, v in s.points.items()},
            list(s.ranking),
            pledges.get(s.id, []),
        )
        for s in rows
    ]


def signal_board(ctx: Context, actor: Actor, period_key: str | None = None) -> SignalBoard:
    """Totals per in-scope item, and the individual signals the reader may see."""
    with reading(ctx.engine) as session:
        period_row = find_period_row(session, period_key)
        period = period_from_row(period_row)
        latest = signal_views(session, period_row.id, latest_only=True)
        in_scope = dict(
            session.execute(
                select(ItemRow.id, ItemRow.title).where(
                    ItemRow.status.in_([s.value for s in SIGNALLABLE])
                )
            ).all()
        )
        orgs = session.execute(
            select(OrganizationRow.key, OrganizationRow.name, OrganizationRow.annual_commitment)
            .where(OrganizationRow.status == OrgStatus.ACTIVE.value)
            .order_by(OrganizationRow.id)
        ).all()
    totals = _totals(latest, in_scope)
    attributed = sees_attributed(actor, period.settings)
    privacy = period.settings.privacy
    visible = [s for s in latest if sees_signal(actor, privacy, s.organization)]
    voice = voice_shares(
        {o.key: o.annual_commitment for o in orgs},
        period.settings.envelope.voice,
        period.settings.envelope.blend_alpha,
    )
    return SignalBoard(period, attributed, totals, visible, voice, {o.key: o.name for o in orgs})


def period_voice(ctx: Context, period_key: str | None = None) -> tuple[Period, dict[str, float]]:
    """The period and each active organization's share of its voice (what ``signal_board``
    reports as ``voice``), without reading the signals."""
    with reading(ctx.engine) as session:
        period = period_from_row(find_period_row(session, period_key))
        commitments = dict(
            session.execute(
                select(OrganizationRow.key, OrganizationRow.annual_commitment).where(
                    OrganizationRow.status == OrgStatus.ACTIVE.value
                )
            ).all()
        )
    envelope = period.settings.envelope
    return period, voice_shares(commitments, envelope.voice, envelope.blend_alpha)


def _totals(signals: list[SignalView], titles: dict[int, str]) -> list[ItemTotals]:
    supporters: dict[int, int] = dict.fromkeys(titles, 0)
    points: dict[int, int] = dict.fromkeys(titles, 0)
    ranks: dict[int, int] = dict.fromkeys(titles, 0)
    pledged: dict[int, float] = dict.fromkeys(titles, 0.0)
    for signal in signals:
        for item in signal.items():
            if item in titles:
                supporters[item] += 1
        for item, value in signal.points.items():
            if item in titles:
                points[item] += value
        for item, score in rank_scores(signal.ranking).items():
            if item in titles:
                ranks[item] += score
        for item, weeks, _ in signal.pledges:
            if item in titles:
                pledged[item] += weeks
    return sorted(
        (ItemTotals(i, titles[i], supporters[i], points[i], ranks[i], pledged[i]) for i in titles),
        key=lambda t: (-t.supporters, -t.points, -t.rank_score, t.item_id),
    )


def my_signal(
    ctx: Context, actor: Actor, organization: str, period_key: str | None = None
) -> tuple[SignalView | None, list[int]]:
    """An organization's current signal and the items in it that are no longer in scope."""
    require(actor, Role.REPRESENTATIVE, organization, to="see this organization's signal")
    with reading(ctx.engine) as session:
        org = _org(session, organization)
        period_row = find_period_row(session, period_key)
        views = signal_views(session, period_row.id, latest_only=True, org_id=org.id)
        if not views:
            return None, []
        current = views[0]
        statuses = dict(
            session.execute(
                select(ItemRow.id, ItemRow.status).where(ItemRow.id.in_(current.items()))
            ).all()
        )
        inactive = sorted(
            i
            for i in current.items()
            if ItemStatus(statuses.get(i, "withdrawn")) not in SIGNALLABLE
        )
        return current, inactive


def signal_history(
    ctx: Context, actor: Actor, organization: str, period_key: str | None = None
) -> list[SignalView]:
    """Every signal an organization saved in a period, newest first (its rep and the executive)."""
    if not actor.has(Role.EXECUTIVE):
        require(actor, Role.REPRESENTATIVE, organization, to="see this organization's signals")
    with reading(ctx.engine) as session:
        org = _org(session, organization)
        period_row = find_period_row(session, period_key)
        return signal_views(session, period_row.id, latest_only=False, org_id=org.id)


def signals_csv(ctx: Context, actor: Actor, period_key: str | None = None) -> str:
    """The signals the reader may see, one row per organization and item, as CSV."""
    import io

    from roadmap.services import csv_export

    board = signal_board(ctx, actor, period_key)
    titles = {t.item_id: t.title for t in board.totals}
    out = io.StringIO()
    writer = csv_export.writer(out)
    if board.signals:
        writer.writerow(
            ["organization", "item", "title", "approved", "points", "rank", "pledged_weeks"]
        )
        for signal in board.signals:
            ranks = {item: pos + 1 for pos, item in enumerate(signal.ranking)}
            pledged = {item: weeks for item, weeks, _ in signal.pledges}
            for item in sorted(signal.items()):
                writer.writerow(
                    [
                        signal.organization,
                        item,
                        titles.get(item, ""),
                        item in signal.approvals,
                        signal.points.get(item, 0),
                        ranks.get(item, ""),
                        pledged.get(item, 0.0),
                    ]
                )
        writer.writerow([])
    writer.writerow(["item", "title", "supporters", "points", "rank_score", "pledged_weeks"])
    for t in board.totals:
        writer.writerow([t.item_id, t.title, t.supporters, t.points, t.rank_score, t.pledged_weeks])
    return out.getvalue()
