"""Staff plans: scenarios with an assignment, publishing, the staff's view and progress.

A published plan is a snapshot: a new row per publish (version 1, 2, ...) that no use case
updates; the store refuses any UPDATE of a plan row (see ``roadmap.store.tables``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from roadmap.allocation.assignment import StaffMember, StaffPlan, WorkItem, assign_staff
from roadmap.domain import boundary
from roadmap.domain.access import Actor, require
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.errors import ConflictError, NotFound, ValidationError
from roadmap.domain.models import Envelope
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.services.periods import find_period_row
from roadmap.services.planning import Funding, run_funding
from roadmap.services.transitions import move_item
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import (
    AssignmentRow,
    ItemRow,
    OrganizationRow,
    PlanRow,
    ProgressReportRow,
    ScenarioComparisonRow,
    StaffRow,
    UserRow,
)


@dataclass(frozen=True)
class Scenario:
    funding: Funding
    staffing: StaffPlan
    staff_names: dict[str, str]
    subperiods: list[str]


@dataclass(frozen=True)
class PlanView:
    period: str
    version: int
    published_by: str
    published_at: Any
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    envelope: Envelope
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class Comparison:
    id: int
    run_by: str
    run_at: datetime
    scenarios: list[ScenarioResult]


# Comparisons kept per period; older ones are dropped when a new one is kept.
KEEP_COMPARISONS = 20


@dataclass(frozen=True)
class PlanDiff:
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    effort_changed: dict[int, tuple[float, float]] = field(default_factory=dict)
    reassigned: list[int] = field(default_factory=list)


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
) -> Scenario:
    """Fund items by the envelope's rule, then assign staff to them (nothing is written)."""
    name = boundary.text(name, "scenario name")
    funding = run_funding(ctx, actor, envelope, name, period_key)
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
        StaffMember(
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
    return Scenario(funding, staffing, {s.key: s.name for s in staff_rows}, months)


def _capacity(by_month: list[Any] | None, total: float, months: int) -> list[float]:
    if by_month and len(by_month) == months:
        return [float(x) for x in by_month]
    return [total / months] * months


def snapshot(scenario: Scenario) -> dict[str, Any]:
    """Everything a reader of the published plan needs, frozen as plain JSON."""
    f, s = scenario.funding, scenario.staffing
    return {
        "name": f.name,
        "envelope": f.envelope.model_dump(mode="json"),
        "budget": f.budget,
        "reserve": f.reserve,
        "spent": f.spent,
        "subperiods": scenario.subperiods,
        "funded": [
            {
                "item": x.item.id,
                "title": x.item.title,
                "subcommunity": x.item.subcommunity,
                "theme": x.item.theme,
                "effort": x.item.cost,
                "stage": x.stage,
                "pledged": x.pledged,
                "payments": x.payments,
            }
            for x in f.funded
        ],
        "unfunded": [
            {"item": u.item.id, "title": u.item.title, "effort": u.item.cost, "reason": u.reason}
            for u in f.unfunded
        ],
        "accounts": [
            {
                "org": a.key,
                "name": a.name,
                "voice": a.voice,
                "paid": a.paid,
                "supported_effort": a.supported_effort,
                "effort_share": a.effort_share,
            }
            for a in f.accounts
        ],
        "assignments": [
            {
                "staff": a.staff_id,
                "name": scenario.staff_names.get(a.staff_id, a.staff_id),
                "item": int(a.item_id),
                "skill": a.skill,
                "subperiod": a.period,
                "weeks": a.weeks,
            }
            for a in s.assignments
        ],
        "coverage": [
            {"item": int(c.item_id), "required": c.required, "covered": c.covered, "gap": c.gap}
            for c in s.coverage
        ],
        "gaps": [
            {
                "skill": g.skill,
                "subperiod": g.period,
                "weeks": g.weeks,
                "items": [int(i) for i in g.item_ids],
            }
            for g in s.gaps
        ],
        "solver": {"status": s.status.value, "gap": s.relative_gap, "message": s.message},
    }


def publish_plan(
    ctx: Context,
    actor: Actor,
    envelope: Envelope,
    name: str = "plan",
    period_key: str | None = None,
    reviewed: dict[str, Any] | None = None,
) -> PlanView:
    """Publish a scenario as the period's plan: a new immutable version; funded items become
    ``planned``.

    The scenario is run again here. With ``reviewed`` (the snapshot the executive looked
    at) a funding that differs from it is refused as a conflict and nothing is written: a
    signal, item or envelope changed meanwhile, and the plan would not be the one reviewed.
    """
    require(actor, Role.EXECUTIVE, to="publish plans")
    scenario = run_scenario(ctx, actor, envelope, name, period_key)
    frozen = snapshot(scenario)
    if reviewed is not None:
        _same_funding(reviewed, frozen)
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
            snapshot=frozen,
        )
        session.add(row)
        session.flush()
        staff_ids = dict(session.execute(select(StaffRow.key, StaffRow.id)).all())
        for a in frozen["assignments"]:
            session.add(
                AssignmentRow(
                    plan_id=row.id,
                    staff_id=staff_ids[a["staff"]],
                    item_id=a["item"],
                    weeks=a["weeks"],
                    subperiod=a["subperiod"],
                )
            )
        for funded in frozen["funded"]:
            item = session.get(ItemRow, funded["item"])
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
            {"funded": [f["item"] for f in frozen["funded"]], "name": name},
        )
        return PlanView(period.key, version, actor.username or "", now, frozen)


def _funding(snap: dict[str, Any]) -> dict[int, tuple[float, Any]]:
    return {f["item"]: (f["effort"], f["payments"]) for f in snap["funded"]}


def _same_funding(reviewed: dict[str, Any], now: dict[str, Any]) -> None:
    """Refuse to publish a funding other than the one reviewed, naming what moved."""
    seen, fresh = _funding(reviewed), _funding(now)
    if seen == fresh and reviewed["accounts"] == now["accounts"]:
        return
    moved = plan_diff(reviewed, now)
    repaid = sorted(i for i in set(seen) & set(fresh) if seen[i] != fresh[i])
    parts = [
        f"{label} {', '.join(f'#{i}' for i in ids)}"
        for label, ids in (
            ("now funded:", moved.added),
            ("no longer funded:", moved.removed),
            ("paid differently:", repaid),
        )
        if ids
    ] or ["the organizations' shares moved"]
    raise ConflictError(
        "The signals or items changed since you ran this scenario ("
        + "; ".join(parts)
        + "). Nothing was published; run the scenarios again and review the new result."
    )


def keep_comparison(
    ctx: Context, actor: Actor, scenarios: list[ScenarioResult], period_key: str | None = None
) -> Comparison:
    """Keep the scenarios an executive just ran, so that a reload or another member of the
    executive body sees the same comparison; only the newest ``KEEP_COMPARISONS`` of the
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
            "snapshot": s.snapshot,
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


def comparisons(
    ctx: Context, actor: Actor, period_key: str | None = None
) -> list[tuple[int, str, datetime, list[str]]]:
    """The period's kept comparisons, newest first: id, who ran it, when, scenario names."""
    require(actor, Role.EXECUTIVE, to="see scenarios")
    with reading(ctx.engine) as session:
        period = find_period_row(session, period_key)
        rows = session.execute(
            select(
                ScenarioComparisonRow.id,
                UserRow.username,
                ScenarioComparisonRow.run_at,
                ScenarioComparisonRow.scenarios,
            )
            .outerjoin(UserRow, UserRow.id == ScenarioComparisonRow.run_by)
            .where(ScenarioComparisonRow.period_id == period.id)
            .order_by(ScenarioComparisonRow.run_at.desc(), ScenarioComparisonRow.id.desc())
        ).all()
        return [(i, who or "", at, [s["name"] for s in kept]) for i, who, at, kept in rows]


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


def _username(session: Session, user_id: int | None) -> str:
    who = session.get(UserRow, user_id) if user_id else None
    return who.username if who else ""


def _comparison(session: Session, row: ScenarioComparisonRow) -> Comparison:
    return Comparison(
        row.id,
        _username(session, row.run_by),
        row.run_at,
        [
            ScenarioResult(s["name"], Envelope.model_validate(s["envelope"]), s["snapshot"])
            for s in row.scenarios
        ],
    )


def _view(session: Session, row: PlanRow, period_key: str) -> PlanView:
    return PlanView(
        period_key,
        row.version,
        _username(session, row.published_by),
        row.published_at,
        row.snapshot,
    )


def published_plans(ctx: Context, period_key: str | None = None) -> list[PlanView]:
    """Every published version of the period's plan, newest first (public)."""
    with reading(ctx.engine) as session:
        period = find_period_row(session, period_key)
        rows = session.scalars(
            select(PlanRow).where(PlanRow.period_id == period.id).order_by(PlanRow.version.desc())
        )
        return [_view(session, r, period.key) for r in rows]


def plan_diff(old: dict[str, Any], new: dict[str, Any]) -> PlanDiff:
    """What a new version changed: items added or removed, effort changed, people moved."""
    before = {f["item"]: f["effort"] for f in old["funded"]}
    after = {f["item"]: f["effort"] for f in new["funded"]}

    def people(snap: dict[str, Any]) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {}
        for a in snap["assignments"]:
            out.setdefault(a["item"], set()).add(a["staff"])
        return out

    old_people, new_people = people(old), people(new)
    return PlanDiff(
        added=sorted(set(after) - set(before)),
        removed=sorted(set(before) - set(after)),
        effort_changed={
            i: (before[i], after[i])
            for i in sorted(set(before) & set(after))
            if before[i] != after[i]
        },
        reassigned=sorted(
            i
            for i in set(before) & set(after)
            if old_people.get(i, set()) != new_people.get(i, set())
        ),
    )


def my_assignments(ctx: Context, actor: Actor) -> tuple[PlanView | None, list[dict[str, Any]]]:
    """The latest published plan and the signed-in staff member's part of it."""
    require(actor, Role.STAFF, to="see your assignments")
    plans = published_plans(ctx)
    if not plans:
        return None, []
    with reading(ctx.engine) as session:
        keys = set(session.scalars(select(StaffRow.key).where(StaffRow.user_id == actor.user_id)))
    return plans[0], [a for a in plans[0].snapshot["assignments"] if a["staff"] in keys]


def report_progress(ctx: Context, actor: Actor, item_id: int, percent: int, note: str) -> None:
    """A staff member reports progress on an item they are assigned to in the latest plan."""
    require(actor, Role.STAFF, to="report progress")
    note = boundary.text(note, "progress note")
    if not 0 <= percent <= 100:
        raise ValidationError("Percent done must be between 0 and 100.", {"percent": "0 to 100."})
    latest, mine = my_assignments(ctx, actor)
    if latest is None or item_id not in {a["item"] for a in mine}:
        raise ValidationError(f"You are not assigned to item #{item_id} in the published plan.")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        period = find_period_row(session, latest.period)
        plan = session.scalar(
            select(PlanRow).where(PlanRow.period_id == period.id, PlanRow.version == latest.version)
        )
        if plan is None:
            raise NotFound("The plan is gone.")
        session.add(
            ProgressReportRow(
                plan_id=plan.id,
                item_id=item_id,
                reported_by=actor.user_id,
                reported_at=now,
                percent_done=percent,
                note=note.strip()[:4000],
            )
        )
        record(
            session,
            actor,
            now,
            "progress",
            "item",
            item_id,
            None,
            {"percent": percent, "note": note},
        )


def progress(ctx: Context) -> dict[int, tuple[int, str, str]]:
    """The latest progress report per item: percent, note, who (what the executive sees)."""
    with reading(ctx.engine) as session:
        rows = session.execute(
            select(ProgressReportRow, UserRow.username)
            .outerjoin(UserRow, UserRow.id == ProgressReportRow.reported_by)
            .order_by(ProgressReportRow.id)
        ).all()
        return {r.item_id: (r.percent_done, r.note, name or "") for r, name in rows}
