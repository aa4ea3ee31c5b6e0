"""The pre-pass: what every rule does before it runs: fund items paid in full by earmarked
pledges, then the floors (each group's minimum funded total, paid from the pool).

Both depend only on the ballots and the constraints, never on the voters' shares, so the
add1 completion (which reruns the rule with larger shares) starts every run from the same
state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import cast

from roadmap.allocation.election import Number
from roadmap.allocation.explanation import Stage
from roadmap.allocation.prepared import FundedSoFar, Prepared


@dataclass
class Start:
    """The state a rule starts from.

    Parameters
    ----------
    funding : FundedSoFar
        Items funded before the rule (pledged in full, or by a floor).
    stage : dict[int, Stage]
        What funded each of them.
    budget : Number
        What is left for the rule: the budget less reserve and floor-funded costs.
    """

    funding: FundedSoFar
    stage: dict[int, Stage] = field(default_factory=dict)
    budget: Number = 0

    def copy(self) -> Start:
        return Start(self.funding.copy(), dict(self.stage), self.budget)


def support_density(prep: Prepared, p: int) -> Number:
    """Weighted total utility per unit of cost: the greedy rule's measure of support."""
    total = prep.total_utility(p)
    cost = prep.full_cost[p]
    if cost == 0:
        return total * 10**30 if total else 0
    return Fraction(total) / cost


def free_items(prep: Prepared) -> tuple[int, ...]:
    """The eligible items the rule pays nothing for, pledged in full or free and supported, in
    item order (computed once per prepared election: none of it changes)."""
    free = prep.cache.get("free-items")
    if free is None:
        free = prep.cache["free-items"] = tuple(
            p
            for p in range(prep.m)
            if prep.eligible[p]
            and prep.rule_cost[p] == 0
            and (prep.pledged[p] > 0 or len(prep.supporters[p]) > 0)
        )
    return free


def free_dependencies(prep: Prepared) -> frozenset[int]:
    """The items some free item depends on: only funding one of them can make another free
    item fundable (caps only ever refuse more), computed once per prepared election."""
    deps = prep.cache.get("free-dependencies")
    if deps is None:
        deps = prep.cache["free-dependencies"] = frozenset(
            d for q in free_items(prep) for d in prep.depends_on[q]
        )
    return cast(frozenset[int], deps)


def fund_free_items(prep: Prepared, funding: FundedSoFar, stage: dict[int, Stage]) -> None:
    """Fund every available item the rule pays nothing for (:func:`free_items`), repeating
    while funding one unlocks another (in item order)."""
    changed = True
    while changed:
        changed = False
        for p in free_items(prep):
            if not funding.funded[p] and funding.deps_met(p) and funding.within_caps(p):
                funding.add(p)
                stage[p] = Stage.PLEDGES
                changed = True


def start(prep: Prepared) -> Start:
    """Fund pledged-in-full items, then each floor group (groups in name order): its eligible
    items by support density (ties: item id), each only if it fits the remaining budget, its
    dependencies are funded and no cap is exceeded, until the group's funded total reaches the
    floor. The floor items are paid from the pool, before the rule; the rule gets the rest."""
    funding = FundedSoFar(prep)
    stage: dict[int, Stage] = {}
    fund_free_items(prep, funding, stage)
    budget = prep.rule_budget
    for g, floor in enumerate(prep.floors):
        if floor is None:
            continue
        members = [p for p in range(prep.m) if g in prep.groups_of[p] and prep.eligible[p]]
        members.sort(key=lambda p: (-support_density(prep, p), prep.ids[p]))
        for p in members:
            if funding.group_total[g] >= floor:
                break
            cost = prep.rule_cost[p]
            if (
                not funding.funded[p]
                and cost <= budget
                and funding.deps_met(p)
                and funding.within_caps(p)
            ):
                funding.add(p)
                stage[p] = Stage.FLOOR
                budget -= cost
                fund_free_items(prep, funding, stage)
    return Start(funding, stage, budget)
