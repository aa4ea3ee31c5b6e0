"""The public events, newest first, for the Atom feed (``/feed.atom``) that forum bots read:
items opened for comment, scope decisions (with amendments and reversals), plan versions
proposed, published final or finalized.

Only what the public may read goes in: items that left draft, with their titles, deadlines
and decisions' rationales (the item page shows them to everyone), and a plan version's
funded items with their effort. No signal, and no organization at all (no payer, share or
objection), so a period whose signals are aggregate-only reveals nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from roadmap.domain.enums import ItemStatus
from roadmap.domain.plans import PlanSnapshot
from roadmap.services.context import Context
from roadmap.store.engine import reading
from roadmap.store.tables import (
    CommentPeriodRow,
    ItemRow,
    PeriodRow,
    PlanFinalizationRow,
    PlanRow,
    ScopeDecisionRow,
)

LIMIT = 50


@dataclass(frozen=True)
class FeedEntry:
    key: str  # stable and unique: what the entry's id is made from
    title: str
    updated: datetime
    link: str  # a path on this site
    summary: str
    category: str  # "comment", "decision" or "plan"


def _funded(snap: PlanSnapshot) -> str:
    lines = [f"#{f.item} {f.title} ({f.effort:g} person-weeks)" for f in snap.funded]
    return ("Funded: " + "; ".join(lines) + ".") if lines else "Funds no item."


def public_events(ctx: Context, limit: int = LIMIT) -> list[FeedEntry]:
    """The newest ``limit`` public events, newest first."""
    entries: list[FeedEntry] = []
    public = ItemRow.status != ItemStatus.DRAFT.value
    with reading(ctx.engine) as session:
        for cp, item_id, title, summary in session.execute(
            select(CommentPeriodRow, ItemRow.id, ItemRow.title, ItemRow.summary)
            .join(ItemRow, ItemRow.id == CommentPeriodRow.item_id)
            .where(public)
            .order_by(CommentPeriodRow.opens_at.desc())
            .limit(limit)
        ):
            entries.append(
                FeedEntry(
                    f"comment-period/{cp.id}",
                    f"Open for comment until {cp.closes_at:%d %b %Y %H:%M} UTC: #{item_id} {title}",
                    cp.opens_at,
                    f"/item?id={item_id}",
                    summary,
                    "comment",
                )
            )
        earlier = aliased(ScopeDecisionRow)
        for d, item_id, title, was in session.execute(
            select(ScopeDecisionRow, ItemRow.id, ItemRow.title, earlier.outcome)
            .join(ItemRow, ItemRow.id == ScopeDecisionRow.item_id)
            .outerjoin(earlier, earlier.id == ScopeDecisionRow.amends_id)
            .where(public)
            .order_by(ScopeDecisionRow.decided_at.desc())
            .limit(limit)
        ):
            outcome = d.outcome.replace("_", " ")
            if was is None:
                said = "Decided"
            elif was == d.outcome:
                said = "Decision amended"
            else:
                said = "Decision reversed"
            text = d.rationale + (f"\n\nReason: {d.reason}" if d.reason else "")
            entries.append(
                FeedEntry(
                    f"decision/{d.id}",
                    f"{said}: #{item_id} {title} is {outcome}",
                    d.decided_at,
                    f"/item?id={item_id}",
                    text,
                    "decision",
                )
            )
        plans = session.execute(
            select(PlanRow, PeriodRow.name, PlanFinalizationRow.finalized_at)
            .join(PeriodRow, PeriodRow.id == PlanRow.period_id)
            .outerjoin(PlanFinalizationRow, PlanFinalizationRow.plan_id == PlanRow.id)
            .order_by(PlanRow.published_at.desc())
            .limit(limit)
        ).all()
        for plan, period_name, finalized_at in plans:
            funded = _funded(PlanSnapshot.model_validate(plan.snapshot))
            name = f"Plan for {period_name}, version {plan.version}"
            if plan.review_until is None:
                entries.append(
                    FeedEntry(
                        f"plan/{plan.id}",
                        f"{name} published",
                        plan.published_at,
                        "/plan",
                        funded,
                        "plan",
                    )
                )
                continue
            entries.append(
                FeedEntry(
                    f"plan/{plan.id}",
                    f"{name} proposed: objections until {plan.review_until:%d %b %Y %H:%M} UTC",
                    plan.published_at,
                    "/plan",
                    funded,
                    "plan",
                )
            )
            if finalized_at is not None:
                entries.append(
                    FeedEntry(
                        f"plan/{plan.id}/final",
                        f"{name} is final",
                        finalized_at,
                        "/plan",
                        funded,
                        "plan",
                    )
                )
    entries.sort(key=lambda e: (e.updated, e.key), reverse=True)
    return entries[:limit]
