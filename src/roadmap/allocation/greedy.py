"""Greedy by support: fund items in order of weighted total utility per unit of cost, skipping
what does not fit (pabutools' ``greedy_utilitarian_welfare``). Also the greedy completion that
spends what equal shares leaves.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import cast

from roadmap.allocation.constraints import NO_CONSTRAINTS, Constraints
from roadmap.allocation.election import Election, Number
from roadmap.allocation.explanation import Allocation, Reason, Stage
from roadmap.allocation.prepared import FundedSoFar, Prepared, prepare
from roadmap.allocation.prepass import fund_free_items, start
from roadmap.allocation.report import Outcome, build_allocation, default_reason


@dataclass(frozen=True)
class Decision:
    """One item the greedy rule took from its queue: its density, the budget left before it,
    whether it was funded, and how many items were funded before it (all stages)."""

    item: int
    density: Number
    budget: Number
    funded: bool
    after: int


def greedy_density(prep: Prepared, p: int) -> Number:
    """Weighted total utility per unit of the cost the rule pays (ties: item id)."""
    return Fraction(prep.total_utility(p)) / prep.rule_cost[p]


def greedy_fill(
    prep: Prepared,
    funding: FundedSoFar,
    stage: dict[int, Stage],
    budget: Number,
    label: Stage,
    reasons: dict[int, Reason],
    log: list[Decision] | None = None,
) -> Number:
    """Fund available items by decreasing :func:`greedy_density`, skipping those that do not
    fit ``budget`` or would exceed a cap; an item enters the queue once its dependencies are
    funded. Returns what is left of ``budget``.

    Without dependencies this is exactly one pass in density order, as pabutools does. Items
    with no support have density 0 and are funded last if money is left (also as pabutools).
    """
    queued: set[int] = set()
    heap: list[tuple[Number, str, int]] = []
    dependents = _dependents(prep)
    seen = len(funding.order)

    def enqueue(items: Iterable[int]) -> None:
        for p in items:
            if (
                p not in queued
                and not funding.funded[p]
                and prep.eligible[p]
                and prep.rule_cost[p] > 0
                and funding.deps_met(p)
            ):
                queued.add(p)
                heapq.heappush(heap, (-greedy_density(prep, p), prep.ids[p], p))

    enqueue(range(prep.m))
    while heap:
        density, _, p = heapq.heappop(heap)
        if log is not None:
            fits = prep.rule_cost[p] <= budget and funding.within_caps(p)
            log.append(Decision(p, -density, budget, fits, len(funding.order)))
        if prep.rule_cost[p] > budget:
            # An item nobody asked for comes last (density 0): that is why, not the budget
            # (the caller's default_reason says so, after any cap or dependency).
            if prep.asked_for(p):
                reasons[p] = Reason.NO_BUDGET_LEFT
        elif not funding.within_caps(p):
            reasons[p] = Reason.CAP
        else:
            funding.add(p)
            stage[p] = label
            budget -= prep.rule_cost[p]
            fund_free_items(prep, funding, stage)
            if dependents:
                # Only items depending on what was just funded can have become available
                # (the heap's order does not depend on the order items enter it).
                new, seen = funding.order[seen:], len(funding.order)
                enqueue(sorted({q for d in new for q in dependents.get(d, ())}))
    return budget


def _dependents(prep: Prepared) -> dict[int, list[int]]:
    """Each item's dependents (items that depend on it), once per prepared election."""
    known = prep.cache.get("dependents")
    if known is None:
        known = {}
        for q in range(prep.m):
            for d in prep.depends_on[q]:
                known.setdefault(d, []).append(q)
        prep.cache["dependents"] = known
    return cast(dict[int, list[int]], known)


def greedy_by_support(
    election: Election,
    *,
    weights: Sequence[Number] | None = None,
    constraints: Constraints = NO_CONSTRAINTS,
    explain: bool = True,
) -> Allocation:
    """Greedy by total support (what product tools do).

    Parameters
    ----------
    election : Election
        Items, ballots, budget.
    weights : Sequence[Number] or None
        Voter weights summing to 1 (None: equal); an item's support is
        ``sum_i n * weight_i * utility_i``.
    constraints : Constraints
        Reserve, eligibility, caps, floors, dependencies, pledges.
    explain : bool
        Build the explanation (skip it for speed when only the funded set is needed).

    Returns
    -------
    Allocation
        Funded items in order; greedy has no per-voter payments, so items are paid by the
        pool (pledged parts by their pledgers).
    """
    prep = prepare(election, weights, constraints)
    begin = start(prep)
    funding, stage = begin.funding, begin.stage
    reasons: dict[int, Reason] = {}
    log: list[Decision] = []
    greedy_fill(prep, funding, stage, begin.budget, Stage.RULE, reasons, log)
    _default_reasons(prep, funding, reasons)
    shares = prep.shares(begin.budget)
    out = Outcome(funding, stage, shares, begin.budget, reasons=reasons)
    allocation = build_allocation("greedy", prep, out, explain)
    allocation.extra.update(start=begin.budget, decisions=log)
    return allocation


def _default_reasons(prep: Prepared, funding: FundedSoFar, reasons: dict[int, Reason]) -> None:
    for p in range(prep.m):
        if not funding.funded[p]:
            reason = default_reason(prep, funding, p, set())
            if reason is not None:
                reasons[p] = reason
            reasons.setdefault(p, Reason.NO_BUDGET_LEFT)
