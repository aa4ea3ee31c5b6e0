"""Scenarios: fund items by an envelope's rule, assign staff to them, and freeze the result
as a plan snapshot. Nothing here writes; publishing and keeping a comparison do.

The one place the app speaks to the staff-assignment engine of ``roadmap.allocation``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from roadmap.allocation.staffing import StaffPlan, Worker, WorkItem, assign_staff
from roadmap.domain import boundary
from roadmap.domain.access import Actor
from roadmap.domain.periods import Envelope
from roadmap.domain.plans import (
    AccountLine,
    AssignmentLine,
    CoverageLine,
    FundedLine,
    GapLine,
    PlanSnapshot,
    SolverOutcome,
    UnfundedLine,
)
from roadmap.services.context import Context
from roadmap.services.periods import find_period_row
from roadmap.services.planning import Funding, run_funding
from roadmap.store.engine import reading
from roadmap.store.tables import OrganizationRow, StaffRow


@dataclass(frozen=True)
class Scenario:
    funding: Funding
    staffing: StaffPlan
    staff_names: dict[str, str]
    subperiods: list[str]


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario as an executive compares it: its name, envelope and snapshot."""

    name: str
    envelope: Envelope
    snapshot: PlanSnapshot


def subperiods(start: date, end: date) -> list[str]:
    """The months of a period, as ``YYYY-MM`` labels: the plan's sub-periods."""
    labels, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


def run_scenario(
    ctx: Context,
    actor: Actor,
    envelope: Envelope,
    name: str = "scenario",
    period_key: str | None = None,
    time_limit: float = 20.0,
    progress: Callable[[str], None] | None = None,
) -> Scenario:
    """Fund items by the envelope's rule, then assign staff to them (nothing is written);
    ``progress`` hears a sentence as each of the two stages ends."""
    name = boundary.text(name, "scenario name")
    began = time.perf_counter()
    funding = run_funding(ctx, actor, envelope, name, period_key)
    if progress is not None:
        progress(
            f"{name}: {len(funding.funded)} items funded by {envelope.rule.label}, each "
            f"explained, in {time.perf_counter() - began:.1f} s."
        )
        began = time.perf_counter()
    with reading(ctx.engine) as session:
        period = find_period_row(session, period_key)
        months = subperiods(period.start, period.end)
        org_keys = dict(session.execute(select(OrganizationRow.id, OrganizationRow.key)).all())
        staff_rows = list(session.scalars(select(StaffRow).order_by(StaffRow.key)))
    funded = set(funding.funded_ids)
    n = len(funding.funded)
    work = [
        WorkItem(
            str(f.item.id),
            f.item.cost,
            f.item.skills or ["general"],
            tuple(str(d) for d in f.item.depends_on if d in funded),
            # Funded earlier means more important: weights n, n-1, ..., 1.
            weight=float(n - rank),
        )
        for rank, f in enumerate(funding.funded)
    ]
    staff = [
        Worker(
            s.key,
            dict(s.skills),
            _capacity(s.capacity_by_subperiod, s.capacity_weeks, len(months)),
            s.active,
            # Restricted money: only items the paying organization asked for.
            None
            if s.paid_by_id is None
            else [
                str(i) for i in funding.supported.get(org_keys[s.paid_by_id], set()) if i in funded
            ],
        )
        for s in staff_rows
    ]
    staffing = assign_staff(work, staff, time_limit=time_limit)
    if progress is not None:
        progress(f"{name}: staff assigned in {time.perf_counter() - began:.1f} s.")
    return Scenario(funding, staffing, {s.key: s.name for s in staff_rows}, months)


def scenario_result(
    ctx: Context,
    actor: Actor,
    envelope: Envelope,
    name: str,
    period_key: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScenarioResult:
    """Run a scenario and freeze it, ready to compare (nothing is written); ``progress``
    hears a sentence as each stage ends (:func:`run_scenario`)."""
    return ScenarioResult(
        name,
        envelope,
        snapshot(run_scenario(ctx, actor, envelope, name, period_key, progress=progress)),
    )


def _capacity(by_month: list[Any] | None, total: float, months: int) -> list[float]:
    if by_month and len(by_month) == months:
        return [float(x) for x in by_month]
    return [total / months] * months


def snapshot(scenario: Scenario) -> PlanSnapshot:
    """Everything a reader of the published plan needs, frozen."""
    f, s = scenario.funding, scenario.staffing
    candidates = {x.item.id for x in f.funded} | {u.item.id for u in f.unfunded}
    return PlanSnapshot(
        format=3,
        name=f.name,
        envelope=f.envelope,
        budget=f.budget,
        reserve=f.reserve,
        spent=f.spent,
        subperiods=scenario.subperiods,
        funded=[
            FundedLine(
                item=x.item.id,
                title=x.item.title,
                subcommunity=x.item.subcommunity,
                theme=x.item.theme,
                effort=x.item.cost,
                stage=x.stage,
                pledged=x.pledged,
                payments=x.payments,
                pledges=x.pledges,
            )
            for x in f.funded
        ],
        unfunded=[
            UnfundedLine(
                item=u.item.id,
                title=u.item.title,
                effort=u.item.cost,
                reason=u.reason,
                effective_support=u.effective_support,
            )
            for u in f.unfunded
        ],
        accounts=[
            AccountLine(
                org=a.key,
                name=a.name,
                voice=a.voice,
                paid=a.paid,
                supported_effort=a.supported_effort,
                effort_share=a.effort_share,
                supported=sorted(i for i in f.supported.get(a.key, set()) if i in candidates),
            )
            for a in f.accounts
        ],
        assignments=[
            AssignmentLine(
                staff=a.staff_id,
                name=scenario.staff_names.get(a.staff_id, a.staff_id),
                item=int(a.item_id),
                skill=a.skill,
                subperiod=a.period,
                weeks=a.weeks,
            )
            for a in s.assignments
        ],
        coverage=[
            CoverageLine(item=int(c.item_id), required=c.required, covered=c.covered, gap=c.gap)
            for c in s.coverage
        ],
        gaps=[
            GapLine(
                skill=g.skill,
                subperiod=g.period,
                weeks=g.weeks,
                items=[int(i) for i in g.item_ids],
            )
            for g in s.gaps
        ],
        solver=SolverOutcome(status=s.status.value, gap=s.relative_gap, message=s.message),
        carried=f.carried,
    )
