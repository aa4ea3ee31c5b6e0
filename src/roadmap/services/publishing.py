"""Publishing a scenario as the period's plan, and reading the published versions.

A published plan is a snapshot: a new row per publish (version 1, 2, ...) that no use case
updates; the store refuses any UPDATE of a plan row (see ``roadmap.store.tables``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from roadmap.domain.access import Actor, require
from roadmap.domain.enums import ItemStatus, Privacy, Role
from roadmap.domain.errors import ConflictError
from roadmap.domain.periods import Envelope
from roadmap.domain.plans import FundingChange, PlanSnapshot, funding_change
from roadmap.domain.privacy import plan_as_seen, sees_signal
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.services.periods import find_period_row
from roadmap.services.scenarios import run_scenario, snapshot
from roadmap.services.transitions import move_item
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import AssignmentRow, ItemRow, PlanRow, StaffRow, UserRow


@dataclass(frozen=True)
class PlanView:
    period: str
    version: int
    published_by: str
    published_at: datetime
    snapshot: PlanSnapshot


def publish_plan(
    ctx: Context,
    actor: Actor,
    envelope: Envelope,
    name: str = "plan",
    period_key: str | None = None,
    reviewed: PlanSnapshot | None = None,
) -> PlanView:
    """Publish a scenario as the period's plan: a new immutable version; funded items become
    ``planned``.

    The scenario is run again here. With ``reviewed`` (the snapshot the executive looked
    at) a funding that differs from it is refused as a conflict and nothing is written: a
    signal, item or envelope changed meanwhile, and the plan would not be the one reviewed.
    """
    require(actor, Role.EXECUTIVE, to="publish plans")
    frozen = snapshot(run_scenario(ctx, actor, envelope, name, period_key))
    if reviewed is not None and (change := funding_change(reviewed, frozen)) is not None:
        raise ConflictError(_refusal(change))
    now = ctx.now()
    with transaction(ctx.engine) as session:
        period = find_period_row(session, period_key)
        version = 1 + int(
            session.scalar(select(func.max(PlanRow.version)).where(PlanRow.period_id == period.id))
            or 0
        )
        row = PlanRow(
            period_id=period.id,
            version=version,
            published_by=actor.user_id,
            published_at=now,
            snapshot=frozen.model_dump(mode="json"),
        )
        session.add(row)
        session.flush()
        staff_ids = dict(session.execute(select(StaffRow.key, StaffRow.id)).all())
        for a in frozen.assignments:
            session.add(
                AssignmentRow(
                    plan_id=row.id,
                    staff_id=staff_ids[a.staff],
                    item_id=a.item,
                    weeks=a.weeks,
                    subperiod=a.subperiod,
                )
            )
        for funded in frozen.funded:
            item = session.get(ItemRow, funded.item)
            if item is not None and item.status == ItemStatus.IN_SCOPE.value:
                why = f"funded by plan {period.key} v{version}"
                move_item(session, actor, now, item, ItemStatus.PLANNED, why)
        record(
            session,
            actor,
            now,
            "publish",
            "plan",
            f"{period.key} v{version}",
            None,
            {"funded": [f.item for f in frozen.funded], "name": name},
        )
        return PlanView(period.key, version, actor.username or "", now, frozen)


def _refusal(change: FundingChange) -> str:
    """The sentence refusing a publish whose funding moved since it was reviewed."""
    parts = [
        f"{label} {', '.join(f'#{i}' for i in ids)}"
        for label, ids in (
            ("now funded:", change.now_funded),
            ("no longer funded:", change.no_longer_funded),
            ("paid differently:", change.paid_differently),
        )
        if ids
    ] or ["the organizations' shares moved"]
    return (
        "The signals or items changed since you ran this scenario ("
        + "; ".join(parts)
        + "). Nothing was published; run the scenarios again and review the new result."
    )


def published_plans(ctx: Context, actor: Actor, period_key: str | None = None) -> list[PlanView]:
    """Every published version of the period's plan, newest first (public), as ``actor``
    may see it: the payments and accounts of organizations whose signals the period keeps
    private from ``actor`` are totals (``roadmap.domain.privacy``)."""
    with reading(ctx.engine) as session:
        period = find_period_row(session, period_key)
        privacy = Privacy(period.privacy)
        rows = session.execute(
            select(PlanRow, UserRow.username)
            .outerjoin(UserRow, UserRow.id == PlanRow.published_by)
            .where(PlanRow.period_id == period.id)
            .order_by(PlanRow.version.desc())
        ).all()
        return [
            PlanView(
                period.key,
                row.version,
                who or "",
                row.published_at,
                plan_as_seen(
                    PlanSnapshot.model_validate(row.snapshot),
                    lambda org: sees_signal(actor, privacy, org),
                ),
            )
            for row, who in rows
        ]
