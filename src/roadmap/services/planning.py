"""From the period's signals to funded items: the executive's scenarios.

How the database becomes an allocation election (the choices the issues left open):
- items: the items in scope, planned or in progress; an item's cost is the midpoint of its
  effort estimate, in person-weeks, kept exact, less the share done as last reported on it
  in a plan of an earlier period (work carried over costs what is left of it; reports in
  the period's own plans do not change its cost, so re-planning within a period is stable);
- voters: the active member organizations; an organization supports every item it approved,
  gave points to, ranked or pledged to (approval ballots: a funder's utility is the effort
  it gets, as in real equal-shares elections); its weight is its voice in the scenario;
- budget: the active staff's capacity in the period, plus the effort an earlier period left
  unspent (unallocated, and its reserve) and returned to the pool (the period's
  ``carried_weeks``); the reserve, caps
  and floors, dependencies and earmarked pledges come from the scenario's envelope.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roadmap.allocation import (
    Allocation,
    Constraints,
    Election,
    SharedSearch,
    allocate,
    effective_supports,
)
from roadmap.allocation.mes_core import RunTrace
from roadmap.allocation.support import runs_exactly
from roadmap.domain.access import Actor, require
from roadmap.domain.bundle import BundleElection
from roadmap.domain.enums import AllocationRule, GroupKind, ItemStatus, OrgStatus, Role
from roadmap.domain.errors import ValidationError
from roadmap.domain.items import PLANNABLE, remaining_effort
from roadmap.domain.periods import Envelope
from roadmap.domain.voice import voice_shares
from roadmap.services.context import Context
from roadmap.services.election_record import EngineInput, engine_input, record_election
from roadmap.services.periods import find_period_row
from roadmap.services.signals import SignalView, signal_views
from roadmap.store.engine import reading
from roadmap.store.tables import (
    ItemDependencyRow,
    ItemRow,
    OrganizationRow,
    PeriodRow,
    PlanRow,
    ProgressReportRow,
    StaffRow,
    SubCommunityRow,
    ThemeRow,
)

# A dependency on a done item is met; one on another candidate is decided with it (the
# dependent item is funded only with it); one on an item that is not a candidate keeps the
# dependent item unfunded ("a missing dependency").
DELIVERED = {ItemStatus.DONE.value}

RULE_NAMES = {
    # What real equal-shares elections run: add1, then a greedy fill of what is left.
    AllocationRule.EQUAL_SHARES: "equal-shares-add1-greedy",
    AllocationRule.GREEDY: "greedy",
    AllocationRule.PHRAGMEN: "phragmen",
}


@dataclass(frozen=True)
class PlanItem:
    id: int
    title: str
    subcommunity: str
    theme: str | None
    cost: float
    skills: list[str]
    depends_on: list[int]


@dataclass(frozen=True)
class FundedView:
    item: PlanItem
    stage: str
    pledged: float
    payments: dict[str, float]  # organization key (or "(pool)") -> person-weeks
    # Organization key -> person-weeks its earmarked pledge paid (they sum to ``pledged``).
    pledges: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class UnfundedView:
    item: PlanItem
    reason: str
    # Equal shares only: the item's effective support, in whole percent
    # (``roadmap.allocation.support``); None for the other rules.
    effective_support: int | None = None


@dataclass(frozen=True)
class OrgAccount:
    key: str
    name: str
    voice: float
    paid: float
    supported_effort: float
    effort_share: float  # share of all funded effort that went to items it asked for


@dataclass(frozen=True)
class FundingRun:
    record: BundleElection
    inputs: EngineInput
    allocation: Allocation


@dataclass(frozen=True)
class Funding:
    name: str
    envelope: Envelope
    budget: float
    reserve: float
    spent: float
    funded: list[FundedView]
    unfunded: list[UnfundedView]
    accounts: list[OrgAccount]
    notes: list[str] = field(default_factory=list)
    # What each organization asked for, from the signals the run read.
    supported: dict[str, set[int]] = field(default_factory=dict)
    # Person-weeks an earlier period left unspent (its reserve included), returned to this
    # period's pool: part of ``budget`` (the staff's capacity is ``budget - carried``).
    carried: float = 0.0
    # The election the rule ran on, its input and its result: what publishing keeps for the
    # plan's bundle (``services.bundles``).
    run: FundingRun | None = field(default=None, compare=False, repr=False)

    @property
    def funded_ids(self) -> list[int]:
        return [f.item.id for f in self.funded]


def _exact(value: float) -> Fraction:
    return Fraction(str(value))


def earlier_progress(session: Session, period: PeriodRow) -> dict[int, int]:
    """The percent done last reported on each item in a plan of a period that starts before
    ``period`` (reports in ``period``'s own plans are left out)."""
    rows = session.execute(
        select(ProgressReportRow.item_id, ProgressReportRow.percent_done)
        .join(PlanRow, PlanRow.id == ProgressReportRow.plan_id)
        .join(PeriodRow, PeriodRow.id == PlanRow.period_id)
        .where(PeriodRow.start < period.start)
        .order_by(ProgressReportRow.reported_at, ProgressReportRow.id)
    )
    return {item: percent for item, percent in rows}


def run_funding(
    ctx: Context,
    actor: Actor,
    envelope: Envelope,
    name: str = "scenario",
    period_key: str | None = None,
) -> Funding:
    """Run the envelope's rule on the period's latest signals (nothing is written)."""
    require(actor, Role.EXECUTIVE, to="run allocation scenarios")
    return fund(_load(ctx, envelope, period_key), envelope, name)


def fund(
    loaded: Loaded,
    envelope: Envelope,
    name: str = "scenario",
    supports: bool = True,
    shared: SharedSearch | None = None,
) -> Funding:
    """Run the envelope's rule on what :func:`read` loaded (pure: no database, no role
    check; :func:`check_envelope` has accepted the envelope). ``supports=False`` leaves the
    effective supports out (equal shares; another process works them out from
    :func:`support_request`, and :func:`with_supports` adds them). ``shared``: equal
    shares' search shared with other processes funding the same (raises
    ``HeldElsewhere`` in all but the one that returns the funding)."""
    funding = _fund(
        name,
        envelope,
        loaded.items,
        loaded.orgs,
        loaded.signals,
        loaded.budget,
        loaded.carried,
        supports,
        shared,
    )
    if not loaded.carried:
        return funding
    note = (
        f"The budget includes {loaded.carried:g} person-weeks {loaded.source} left "
        "unspent (unallocated, and its reserve), returned to the pool."
    )
    return replace(funding, notes=[*funding.notes, note])


@dataclass(frozen=True)
class Loaded:
    """What a scenario reads from the database (the same for every envelope of a period)."""

    items: dict[int, PlanItem]
    orgs: dict[str, tuple[str, float]]
    signals: list[SignalView]
    budget: float
    carried: float
    source: str | None


@dataclass(frozen=True)
class FundingInput:
    """The election a scenario runs, as the allocation engine takes it: what the
    counterfactuals of ``roadmap.allocation.counterfactual`` rerun on changed inputs."""

    election: Election
    rule: str  # a name of ``roadmap.allocation.RULES``
    weights: list[Fraction]
    constraints: Constraints
    names: dict[str, str]  # organization key -> name
    # Each in-scope item's organizations that support it, by item id.
    supporters: dict[int, set[str]]


def funding_input(ctx: Context, envelope: Envelope, period_key: str | None = None) -> FundingInput:
    """The election :func:`run_funding` runs for ``envelope`` on the period's latest
    signals, unchanged (nothing is written). No role check: it holds every organization's
    signal, so a service that calls it checks the role and filters what it returns."""
    loaded = _load(ctx, envelope, period_key)
    _, inputs = _election(
        envelope, loaded.items, loaded.orgs, loaded.signals, loaded.budget, loaded.carried
    )
    supporters: dict[int, set[str]] = {}
    for signal in loaded.signals:
        if signal.organization in loaded.orgs:
            for i in signal.items():
                if i in loaded.items:
                    supporters.setdefault(i, set()).add(signal.organization)
    return FundingInput(
        inputs.election,
        inputs.rule,
        list(inputs.weights),
        inputs.constraints,
        {k: name for k, (name, _) in loaded.orgs.items()},
        supporters,
    )


def _load(ctx: Context, envelope: Envelope, period_key: str | None) -> Loaded:
    """Read what a scenario of ``envelope`` runs on, refusing what cannot be funded."""
    loaded = read(ctx, period_key)
    check_envelope(loaded, envelope)
    return loaded


def read(ctx: Context, period_key: str | None) -> Loaded:
    """Read what every scenario of the period runs on, refusing what cannot be funded
    whatever the envelope (no role check: it holds every organization's signal, so a caller
    checks the role and filters what it returns)."""
    with reading(ctx.engine) as session:
        return read_in(session, find_period_row(session, period_key))


def read_in(session: Session, period_row: PeriodRow) -> Loaded:
    """:func:`read`, in the caller's session."""
    signals = signal_views(session, period_row.id, latest_only=True)
    statuses = dict(session.execute(select(ItemRow.id, ItemRow.status)).all())
    # Columns, not rows: 2,000 item rows with their joined sub-community and theme cost
    # SQLAlchemy more to assemble than the query itself (a large period's scenarios wait).
    rows = session.execute(
        select(
            ItemRow.id,
            ItemRow.title,
            SubCommunityRow.slug,
            ThemeRow.slug,
            ItemRow.effort_low,
            ItemRow.effort_high,
            ItemRow.skills,
        )
        .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
        .outerjoin(ThemeRow, ThemeRow.id == ItemRow.theme_id)
        .where(ItemRow.status.in_([s.value for s in PLANNABLE]))
        .order_by(ItemRow.id)
    ).all()
    done = earlier_progress(session, period_row)
    carried = float(period_row.carried_weeks or 0.0)
    source = (
        session.scalar(select(PeriodRow.key).where(PeriodRow.id == period_row.source_id))
        if period_row.source_id is not None
        else None
    )
    deps: dict[int, list[int]] = {}
    for dep in session.scalars(select(ItemDependencyRow)):
        deps.setdefault(dep.item_id, []).append(dep.depends_on_id)
    items = {
        item_id: PlanItem(
            item_id,
            title,
            subcommunity,
            theme,
            remaining_effort(low, high, done.get(item_id)),
            list(skills),
            sorted(d for d in deps.get(item_id, []) if statuses.get(d) not in DELIVERED),
        )
        for item_id, title, subcommunity, theme, low, high, skills in rows
    }
    orgs = {
        o.key: (o.name, o.annual_commitment)
        for o in session.scalars(
            select(OrganizationRow)
            .where(OrganizationRow.status == OrgStatus.ACTIVE.value)
            .order_by(OrganizationRow.key)
        )
    }
    capacity = sum(
        s.capacity_weeks for s in session.scalars(select(StaffRow).where(StaffRow.active.is_(True)))
    )
    if not items:
        raise ValidationError("No item is in scope: there is nothing to fund.")
    if not orgs:
        raise ValidationError("There is no active member organization to signal.")
    if capacity <= 0:
        raise ValidationError("No active staff member has capacity: there is nothing to allocate.")
    return Loaded(items, orgs, signals, capacity + carried, carried, source)


def candidate_count(session: Session) -> int:
    """How many items a scenario would consider (in scope, planned or in progress)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(ItemRow)
            .where(ItemRow.status.in_([s.value for s in PLANNABLE]))
        )
        or 0
    )


def check_envelope(loaded: Loaded, envelope: Envelope) -> None:
    """Refuse an envelope the period cannot fund (a reserve above the budget)."""
    if envelope.reserve_weeks > loaded.budget:
        capacity, carried = loaded.budget - loaded.carried, loaded.carried
        raise ValidationError(
            f"The reserve ({envelope.reserve_weeks:g} person-weeks) is larger than the staff's "
            f"capacity ({capacity:g} person-weeks)"
            + (f" and the {carried:g} carried in from {loaded.source}." if carried else ".")
        )


def _fund(
    name: str,
    envelope: Envelope,
    items: dict[int, PlanItem],
    orgs: dict[str, tuple[str, float]],
    signals: list[SignalView],
    capacity: float,
    carried: float = 0.0,
    with_effective_supports: bool = True,
    shared: SharedSearch | None = None,
) -> Funding:
    by_org = {s.organization: s for s in signals if s.organization in orgs}
    record, inputs = _election(envelope, items, orgs, signals, capacity, carried)
    result = allocate(
        inputs.election,
        inputs.rule,
        weights=inputs.weights,
        constraints=inputs.constraints,
        shared=shared,
    )
    explanation = result.explanation
    request = _support_request(envelope, inputs, result, items)
    supports = effective_support(request) if request is not None and with_effective_supports else {}
    funded = [
        FundedView(
            items[int(f.item_id)],
            f.stage.value,
            float(f.pledged),
            {k: float(v) for k, v in f.payments.items()},
            {k: float(v) for k, v in f.pledges.items()},
        )
        for f in explanation.funded
    ]
    unfunded = [
        UnfundedView(items[int(u.item_id)], u.reason.value, supports.get(u.item_id))
        for u in explanation.unfunded
        if int(u.item_id) in items
    ]
    total = sum(f.item.cost for f in funded) or 1.0
    accounts = [
        OrgAccount(
            a.voter_id,
            orgs[a.voter_id][0],
            float(a.weight),
            float(a.paid),
            float(a.supported_effort),
            float(a.supported_effort) / total,
        )
        for a in explanation.voters
    ]
    return Funding(
        name,
        envelope,
        capacity,
        float(envelope.reserve_weeks),
        float(result.spent),
        funded,
        unfunded,
        accounts,
        list(explanation.notes),
        {key: signal.items() for key, signal in by_org.items()},
        carried,
        FundingRun(record, inputs, result),
    )


@dataclass(frozen=True)
class SupportRequest:
    """What working out the effective supports of an equal-shares funding takes (plain
    data: it crosses to a worker process while another one assigns the staff)."""

    inputs: EngineInput
    total: Fraction | int | None  # the total the rule kept (add1), pabutools' final_budget
    items: list[str]  # the items not funded, as the engine names them
    # The rounds of the run kept, in the arithmetic the supports run in, when the rule
    # recorded them: read instead of running it again.
    trace: RunTrace | None = None


def support_request(funding: Funding) -> SupportRequest | None:
    """The effective supports' request of a funding run without them (None: not equal
    shares, or nothing left unfunded)."""
    if funding.run is None:
        return None
    items = {f.item.id: f.item for f in funding.funded} | {
        u.item.id: u.item for u in funding.unfunded
    }
    return _support_request(funding.envelope, funding.run.inputs, funding.run.allocation, items)


def _support_request(
    envelope: Envelope, inputs: EngineInput, result: Allocation, items: dict[int, PlanItem]
) -> SupportRequest | None:
    if envelope.rule != AllocationRule.EQUAL_SHARES:
        return None
    unfunded = [u.item_id for u in result.explanation.unfunded if int(u.item_id) in items]
    if not unfunded:
        return None
    traces = cast(dict[bool, RunTrace], result.extra.get("traces", {}))
    return SupportRequest(
        inputs,
        cast(Fraction | int | None, result.extra.get("total")),
        unfunded,
        traces.get(runs_exactly(inputs.election)),
    )


def effective_support(request: SupportRequest) -> dict[str, int]:
    """Each unfunded item's effective support, in whole percent, at the total the rule kept
    (``roadmap.allocation.support``)."""
    return effective_supports(
        request.inputs.election,
        weights=request.inputs.weights,
        constraints=request.inputs.constraints,
        total=request.total,
        items=request.items,
        trace=request.trace,
    )


def with_supports(funding: Funding, supports: dict[str, int]) -> Funding:
    """``funding`` with the effective supports :func:`effective_support` worked out."""
    return replace(
        funding,
        unfunded=[
            replace(u, effective_support=supports.get(str(u.item.id))) for u in funding.unfunded
        ],
    )


def _election(
    envelope: Envelope,
    items: dict[int, PlanItem],
    orgs: dict[str, tuple[str, float]],
    signals: list[SignalView],
    capacity: float,
    carried: float,
) -> tuple[BundleElection, EngineInput]:
    """The record of the election, and the engine's input made from it: what a published
    plan keeps for its bundle is what ran (``services.election_record``)."""
    by_org = {s.organization: s for s in signals if s.organization in orgs}
    voice = voice_shares(
        {k: money for k, (_, money) in orgs.items()}, envelope.voice, envelope.blend_alpha
    )
    weights = [_exact(round(voice[k], 12)) for k in orgs]
    weights[-1] += 1 - sum(weights)  # exact sum of 1 despite rounding
    caps, floors = _caps_and_floors(envelope)
    record = record_election(
        RULE_NAMES[envelope.rule],
        capacity,
        carried,
        envelope.reserve_weeks,
        caps,
        floors,
        items,
        {i: item.cost for i, item in items.items()},
        [(key, name, w) for (key, (name, _)), w in zip(orgs.items(), weights, strict=True)],
        list(by_org.values()),
    )
    return record, engine_input(record)


def _caps_and_floors(envelope: Envelope) -> tuple[dict[str, float], dict[str, float]]:
    """The envelope's caps and floors by group name (``theme:<slug>``, ``subcommunity:<slug>``)."""
    caps, floors = {}, {}
    for c in envelope.constraints:
        prefix = "theme" if c.group_kind == GroupKind.THEME else "subcommunity"
        if c.cap_weeks is not None:
            caps[f"{prefix}:{c.group}"] = c.cap_weeks
        if c.floor_weeks is not None:
            floors[f"{prefix}:{c.group}"] = c.floor_weeks
    return caps, floors
