"""Kept scenario comparisons: the scenarios an executive ran, stored so that a reload or
another member of the executive body sees the same comparison."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from roadmap.domain.access import Actor, require
from roadmap.domain.enums import Role
from roadmap.domain.errors import NotFound, ValidationError
from roadmap.domain.periods import Envelope
from roadmap.domain.plans import PlanSnapshot
from roadmap.domain.records import STORED
from roadmap.services.context import Context
from roadmap.services.periods import find_period_row
from roadmap.services.scenarios import ScenarioResult
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import ScenarioComparisonRow, UserRow

# Comparisons kept per period; older ones are dropped when a new one is kept.
KEEP_COMPARISONS = 20


@dataclass(frozen=True)
class Comparison:
    id: int
    run_by: str
    run_at: datetime
    scenarios: list[ScenarioResult]


@dataclass(frozen=True)
class KeptComparison:
    """One line of the list of kept comparisons."""

    id: int
    run_by: str
    run_at: datetime
    names: list[str]  # its scenarios' names, in the order they were shown


def keep_comparison(
    ctx: Context, actor: Actor, scenarios: list[ScenarioResult], period_key: str | None = None
) -> Comparison:
    """Keep the scenarios an executive just ran; only the newest ``KEEP_COMPARISONS`` of the
    period stay. Not audited: a comparison decides nothing (publishing is audited)."""
    require(actor, Role.EXECUTIVE, to="run scenarios")
    if not scenarios:
        raise ValidationError("Run at least one scenario.")
    if len({s.name for s in scenarios}) < len(scenarios):
        raise ValidationError("Give each scenario a name of its own: two have the same name.")
    stored = [
        {
            "name": s.name,
            "envelope": s.envelope.model_dump(mode="json"),
            "snapshot": s.snapshot.model_dump(mode="json"),
        }
        for s in scenarios
    ]
    with transaction(ctx.engine) as session:
        period = find_period_row(session, period_key)
        row = ScenarioComparisonRow(
            period_id=period.id, run_by=actor.user_id, run_at=ctx.now(), scenarios=stored
        )
        session.add(row)
        session.flush()
        older = session.scalars(
            select(ScenarioComparisonRow.id)
            .where(ScenarioComparisonRow.period_id == period.id)
            .order_by(ScenarioComparisonRow.run_at.desc(), ScenarioComparisonRow.id.desc())
            .offset(KEEP_COMPARISONS)
        ).all()
        if older:
            session.execute(
                delete(ScenarioComparisonRow).where(ScenarioComparisonRow.id.in_(older))
            )
        return _comparison(session, row)


def comparisons(ctx: Context, actor: Actor, period_key: str | None = None) -> list[KeptComparison]:
    """The period's kept comparisons, newest first."""
    require(actor, Role.EXECUTIVE, to="see scenarios")
    with reading(ctx.engine) as session:
        period = find_period_row(session, period_key)
        rows = session.execute(
            select(
                ScenarioComparisonRow.id,
                func.coalesce(func.nullif(UserRow.display_name, ""), UserRow.username),
                ScenarioComparisonRow.run_at,
                ScenarioComparisonRow.scenarios,
            )
            .outerjoin(UserRow, UserRow.id == ScenarioComparisonRow.run_by)
            .where(ScenarioComparisonRow.period_id == period.id)
            .order_by(ScenarioComparisonRow.run_at.desc(), ScenarioComparisonRow.id.desc())
        ).all()
        return [
            KeptComparison(i, who or "", at, [s["name"] for s in kept]) for i, who, at, kept in rows
        ]


def comparison(ctx: Context, actor: Actor, comparison_id: int) -> Comparison:
    """One kept comparison, its scenarios in the order they were shown."""
    require(actor, Role.EXECUTIVE, to="see scenarios")
    with reading(ctx.engine) as session:
        row = session.get(ScenarioComparisonRow, comparison_id)
        if row is None:
            raise NotFound(
                "That comparison is no longer kept; run the scenarios again to compare them."
            )
        return _comparison(session, row)


def _comparison(session: Session, row: ScenarioComparisonRow) -> Comparison:
    who = session.get(UserRow, row.run_by) if row.run_by else None
    return Comparison(
        row.id,
        (who.display_name or who.username) if who else "",
        row.run_at,
        [
            ScenarioResult(
                s["name"],
                Envelope.model_validate(s["envelope"], context=STORED),
                PlanSnapshot.model_validate(s["snapshot"]),
            )
            for s in row.scenarios
        ],
    )
