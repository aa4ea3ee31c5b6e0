"""The executive's and the community's use cases: comment periods, comments, scope decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roadmap.domain.access import Actor, require
from roadmap.domain.enums import ItemStatus, Role, ScopeOutcome
from roadmap.domain.errors import ConflictError, NotFound, ValidationError
from roadmap.domain.governance import (
    DEFAULT_COMMENT_DAYS,
    Comment,
    CommentPeriod,
    ScopeDecision,
    check_amendment,
    check_comment_end,
    check_decidable,
    check_extension,
)
from roadmap.domain.validation import parse
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.services.notifications import EventKind, everyone, item_people, notify
from roadmap.services.transitions import move_item
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import (
    CommentPeriodRow,
    CommentRow,
    ItemRow,
    ScopeDecisionRow,
    ThemeRow,
    UserRow,
)


@dataclass(frozen=True)
class CommentView:
    id: int
    author: str
    author_name: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class DecisionView:
    """One entry of an item's decision history. ``kind``: "decision" (the first),
    "amendment" (the rationale corrected, same outcome) or "reversal" (a new outcome);
    the last two name the entry they change (``amends_id``) and their ``reason``."""

    outcome: ScopeOutcome
    rationale: str
    decided_by: str
    decided_at: datetime
    id: int = 0
    kind: str = "decision"
    amends_id: int | None = None
    reason: str | None = None


def _item(session: Session, item_id: int) -> ItemRow:
    row = session.get(ItemRow, item_id)
    if row is None or row.status == ItemStatus.DRAFT:
        raise NotFound(f"There is no item #{item_id}.")
    return row


def _latest_period(session: Session, item_id: int) -> CommentPeriodRow | None:
    return session.scalars(
        select(CommentPeriodRow)
        .where(CommentPeriodRow.item_id == item_id)
        .order_by(CommentPeriodRow.id.desc())
    ).first()


def _period(row: CommentPeriodRow) -> CommentPeriod:
    return CommentPeriod(row.opens_at, row.closes_at, row.closed_at is not None)


def open_comment_period(
    ctx: Context, actor: Actor, item_id: int, closes_at: datetime | None = None
) -> CommentPeriod:
    """Open a proposed item for comment until ``closes_at`` (default: ten days from now)."""
    require(actor, Role.EXECUTIVE, to="open comment periods")
    now = ctx.now()
    closes = closes_at or now + timedelta(days=DEFAULT_COMMENT_DAYS)
    check_comment_end(now, closes)
    with transaction(ctx.engine) as session:
        row = _item(session, item_id)
        move_item(session, actor, now, row, ItemStatus.IN_COMMENT, "comment period opened")
        period = CommentPeriodRow(
            item_id=item_id, opened_by=actor.user_id, opens_at=now, closes_at=closes
        )
        session.add(period)
        notify(
            session,
            EventKind.COMMENT_OPEN,
            everyone(session),
            now,
            f"Open for comment until {closes:%d %b %Y %H:%M} UTC: #{item_id} {row.title}",
            f"/item?id={item_id}",
            "Read the proposal and comment on its page before the deadline.",
            actor=actor,
        )
        return CommentPeriod(now, closes, False)


def _open_period(session: Session, item_id: int, now: datetime) -> CommentPeriodRow:
    period = _latest_period(session, item_id)
    if period is None or not _period(period).is_open(now):
        raise ValidationError(f"Item #{item_id} has no open comment period.")
    return period


def extend_comment_period(
    ctx: Context, actor: Actor, item_id: int, closes_at: datetime
) -> CommentPeriod:
    require(actor, Role.EXECUTIVE, to="extend comment periods")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        _item(session, item_id)
        period = _open_period(session, item_id, now)
        check_extension(_period(period), closes_at)
        before = {"closes_at": period.closes_at}
        period.closes_at = closes_at
        record(
            session,
            actor,
            now,
            "extend_comment",
            "item",
            item_id,
            before,
            {"closes_at": closes_at},
        )
        return CommentPeriod(period.opens_at, closes_at, False)


def close_comment_period(ctx: Context, actor: Actor, item_id: int) -> CommentPeriod:
    """Close an open comment period now, before its planned end."""
    require(actor, Role.EXECUTIVE, to="close comment periods")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        _item(session, item_id)
        period = _open_period(session, item_id, now)
        before = {"closes_at": period.closes_at}
        period.closes_at = now
        period.closed_at = now
        record(session, actor, now, "close_comment", "item", item_id, before, {"closes_at": now})
        return CommentPeriod(period.opens_at, now, True)  # closed early


def add_comment(ctx: Context, actor: Actor, item_id: int, body: str) -> CommentView:
    """Anyone signed in comments while the item's comment period is open."""
    require(actor, Role.MEMBER, to="comment")
    now = ctx.now()
    data = parse(
        Comment, {"item_id": item_id, "author": actor.username, "body": body, "created_at": now}
    )
    with transaction(ctx.engine) as session:
        _item(session, item_id)
        latest = _latest_period(session, item_id)
        if latest is None or not _period(latest).is_open(now):
            raise ValidationError("Comments are closed: this item has no open comment period.")
        row = CommentRow(item_id=item_id, author_id=actor.user_id, body=data.body, created_at=now)
        session.add(row)
        session.flush()
        record(session, actor, now, "comment", "item", item_id, None, {"comment": row.id})
        item = _item(session, item_id)
        excerpt = data.body if len(data.body) <= 500 else data.body[:499] + "…"
        notify(
            session,
            EventKind.COMMENT,
            item_people(session, item),
            now,
            f"{actor.display_name or actor.username} commented on #{item_id} {item.title}",
            f"/item?id={item_id}",
            excerpt,
            actor=actor,
        )
        return CommentView(row.id, actor.username or "", actor.display_name, data.body, now)


def _standing(session: Session, item_id: int) -> ScopeDecisionRow | None:
    """The item's latest decision entry: the one standing now."""
    return session.scalars(
        select(ScopeDecisionRow)
        .where(ScopeDecisionRow.item_id == item_id)
        .order_by(ScopeDecisionRow.decided_at.desc(), ScopeDecisionRow.id.desc())
    ).first()


def decide_scope(
    ctx: Context,
    actor: Actor,
    item_id: int,
    outcome: ScopeOutcome | str,
    rationale: str,
    reason: str | None = None,
    reverses: int | None = None,
) -> DecisionView:
    """Decide an item's scope with a written rationale, once comment has closed, or reverse
    the decision on a decided item (in scope, out of scope, deferred) with a new rationale
    and a reason. A reversal is a new entry naming the one it reverses; the status move is
    the one audited event, its reason the reversal's. A planned, in-progress or done item is
    refused: a published plan acted on its decision. ``reverses``: the entry the person
    read; if another has been recorded since, the reversal is refused."""
    require(actor, Role.EXECUTIVE, to="decide scope")
    now = ctx.now()
    data = parse(
        ScopeDecision,
        {
            "item_id": item_id,
            "outcome": outcome,
            "rationale": rationale,
            "decided_by": actor.username or "",
            "decided_at": now,
            "reason": (reason or "").strip() or None,
        },
    )
    with transaction(ctx.engine) as session:
        row = _item(session, item_id)
        status = ItemStatus(row.status)
        latest = _latest_period(session, item_id) if status == ItemStatus.IN_COMMENT else None
        period = _period(latest) if latest is not None else None
        target = check_decidable(status, period, now, data.outcome, data.reason, item_id)
        standing = _standing(session, item_id) if status != ItemStatus.IN_COMMENT else None
        if reverses is not None and (standing is None or standing.id != reverses):
            raise ConflictError(
                f"The decision on #{item_id} changed while you were reversing it (now: "
                f"{status.label}). Read it again, then decide.",
                {"decision": (reverses, standing.id if standing else None)},
            )
        entry = ScopeDecisionRow(
            item_id=item_id,
            outcome=data.outcome.value,
            rationale=data.rationale,
            decided_by=actor.user_id,
            decided_at=now,
            amends_id=standing.id if standing is not None else None,
            reason=data.reason if status != ItemStatus.IN_COMMENT else None,
        )
        session.add(entry)
        session.flush()
        why = data.rationale if status == ItemStatus.IN_COMMENT else data.reason
        move_item(session, actor, now, row, target, why)
        kind = "decision" if status == ItemStatus.IN_COMMENT else "reversal"
        said = "Decided" if kind == "decision" else "Decision reversed"
        notify(
            session,
            EventKind.DECISION,
            item_people(session, row),
            now,
            f"{said}: #{item_id} {row.title} is {data.outcome.value.replace('_', ' ')}",
            f"/item?id={item_id}",
            data.rationale + (f"\n\nWhy it was reversed: {entry.reason}" if entry.reason else ""),
            actor=actor,
        )
        return DecisionView(
            data.outcome,
            data.rationale,
            actor.display_name or actor.username or "",
            now,
            entry.id,
            kind,
            entry.amends_id,
            entry.reason,
        )


def amend_decision(
    ctx: Context,
    actor: Actor,
    item_id: int,
    rationale: str,
    reason: str | None,
    amends: int | None = None,
) -> DecisionView:
    """Correct the standing decision's rationale, whatever the item's status now (the
    outcome stays; reversing it is ``decide_scope``). Needs a reason; the original entry is
    kept and the amendment added after it, with one audited event. ``amends``: the entry the
    person read; if another has been recorded since, the amendment is refused."""
    require(actor, Role.EXECUTIVE, to="amend scope decisions")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        row = _item(session, item_id)
        standing = _standing(session, item_id)
        if amends is not None and standing is not None and standing.id != amends:
            raise ConflictError(
                f"The decision on #{item_id} changed while you were amending it (now: "
                f"{standing.outcome.replace('_', ' ')}). Read it again, then amend it.",
                {"decision": (amends, standing.id)},
            )
        why = check_amendment(standing.rationale if standing else None, rationale, reason)
        assert standing is not None  # check_amendment refuses an item without a decision
        data = parse(
            ScopeDecision,
            {
                "item_id": item_id,
                "outcome": standing.outcome,
                "rationale": rationale,
                "decided_by": actor.username or "",
                "decided_at": now,
                "amends_id": standing.id,
                "reason": why,
            },
        )
        entry = ScopeDecisionRow(
            item_id=item_id,
            outcome=data.outcome.value,
            rationale=data.rationale,
            decided_by=actor.user_id,
            decided_at=now,
            amends_id=standing.id,
            reason=why,
        )
        session.add(entry)
        row.updated_at = now  # the item's public record changed: its version moves on
        session.flush()
        record(
            session,
            actor,
            now,
            "amend_decision",
            "item",
            item_id,
            {"decision": standing.id, "rationale": standing.rationale},
            {"decision": entry.id, "rationale": data.rationale, "version": row.version},
            why,
        )
        notify(
            session,
            EventKind.DECISION,
            item_people(session, row),
            now,
            f"Decision amended: #{item_id} {row.title} "
            f"(still {data.outcome.value.replace('_', ' ')})",
            f"/item?id={item_id}",
            f"{data.rationale}\n\nReason for the amendment: {why}",
            actor=actor,
        )
        return DecisionView(
            data.outcome,
            data.rationale,
            actor.display_name or actor.username or "",
            now,
            entry.id,
            "amendment",
            standing.id,
            why,
        )


def file_under_theme(ctx: Context, actor: Actor, item_id: int, theme: str | None) -> None:
    """The executive files an item under one of its themes (or none)."""
    require(actor, Role.EXECUTIVE, to="file items under themes")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        row = _item(session, item_id)
        theme_id = None
        if theme:
            found = session.scalar(select(ThemeRow).where(ThemeRow.slug == theme))
            if found is None:
                raise ValidationError(f"There is no theme {theme!r}.", {"theme": "Unknown theme."})
            if found.archived_at is not None and found.id != row.theme_id:
                sentence = f"The theme {found.name} is archived; file the item under another."
                raise ValidationError(sentence, {"theme": sentence})
            theme_id = found.id
        before = {"theme": row.theme.slug if row.theme else None}
        row.theme_id = theme_id
        row.updated_at = now
        session.flush()
        record(
            session,
            actor,
            now,
            "file_theme",
            "item",
            item_id,
            before,
            {"theme": theme, "version": row.version},
        )


def review_queue(ctx: Context, actor: Actor) -> list[int]:
    """Proposed items, oldest first: what awaits the executive."""
    require(actor, Role.EXECUTIVE, to="see the review queue")
    with reading(ctx.engine) as session:
        return list(
            session.scalars(
                select(ItemRow.id)
                .where(ItemRow.status == ItemStatus.PROPOSED.value)
                .order_by(ItemRow.created_at, ItemRow.id)
            )
        )


def comment_period(ctx: Context, item_id: int) -> CommentPeriod | None:
    with reading(ctx.engine) as session:
        period = _latest_period(session, item_id)
        return _period(period) if period is not None else None


def comment_periods(ctx: Context, item_ids: list[int]) -> dict[int, CommentPeriod]:
    """The latest comment period of each of these items (those that have one), in one query."""
    latest = (
        select(func.max(CommentPeriodRow.id))
        .where(CommentPeriodRow.item_id.in_(item_ids))
        .group_by(CommentPeriodRow.item_id)
    )
    with reading(ctx.engine) as session:
        rows = session.execute(
            select(
                CommentPeriodRow.item_id,
                CommentPeriodRow.opens_at,
                CommentPeriodRow.closes_at,
                CommentPeriodRow.closed_at,
            ).where(CommentPeriodRow.id.in_(latest))
        ).all()
        return {
            item_id: CommentPeriod(opens, closes, closed is not None)
            for item_id, opens, closes, closed in rows
        }


def comments(ctx: Context, item_id: int) -> list[CommentView]:
    with reading(ctx.engine) as session:
        rows = session.execute(
            select(CommentRow, UserRow)
            .outerjoin(UserRow, UserRow.id == CommentRow.author_id)
            .where(CommentRow.item_id == item_id)
            .order_by(CommentRow.created_at, CommentRow.id)
        ).all()
        return [
            CommentView(
                c.id, u.username if u else "?", u.display_name if u else "?", c.body, c.created_at
            )
            for c, u in rows
        ]


def decisions(ctx: Context, item_id: int) -> list[DecisionView]:
    """Every entry of an item's decision history, newest first: the first decision, then
    each amendment and reversal with its reason; the newest is the one standing."""
    with reading(ctx.engine) as session:
        rows = session.execute(
            select(ScopeDecisionRow, UserRow)
            .outerjoin(UserRow, UserRow.id == ScopeDecisionRow.decided_by)
            .where(ScopeDecisionRow.item_id == item_id)
            .order_by(ScopeDecisionRow.decided_at.desc(), ScopeDecisionRow.id.desc())
        ).all()
        outcomes = {d.id: d.outcome for d, _ in rows}
        return [
            DecisionView(
                ScopeOutcome(d.outcome),
                d.rationale,
                (u.display_name or u.username) if u else "?",
                d.decided_at,
                d.id,
                _kind(d.amends_id, d.outcome, outcomes),
                d.amends_id,
                d.reason,
            )
            for d, u in rows
        ]


def _kind(amends_id: int | None, outcome: str, outcomes: dict[int, str]) -> str:
    if amends_id is None:
        return "decision"
    return "amendment" if outcomes.get(amends_id) == outcome else "reversal"
