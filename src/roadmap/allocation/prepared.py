"""The election and its constraints turned into the index-based form every rule runs on,
plus the bookkeeping shared by the rules: what is funded, group totals, availability.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from roadmap.allocation.constraints import NO_CONSTRAINTS, Constraints
from roadmap.allocation.election import Election, Number
from roadmap.allocation.election import voter_ids as ids_of_voters

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def concatenated_ranges(begin: IntArray, end: IntArray) -> IntArray:
    """The indices ``begin[0] .. end[0] - 1``, then ``begin[1] .. end[1] - 1``, ... one after
    the other, in one array (no Python loop)."""
    lengths = end - begin
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if len(ends) else 0
    return np.arange(total) + np.repeat(begin - (ends - lengths), lengths)


class NotApplicable(ValueError):
    """The rule cannot run on this election (for example Phragmén on points ballots)."""


@dataclass
class Prepared:
    """Index-based election: projects ``0..m-1`` and voters ``0..n-1`` in election order.

    ``utility[p]`` is None when every supporter of ``p`` has the same utility ``full_cost[p]``
    (approval ballots), else the exact utility of each supporter in ``supporters[p]`` order.

    The ``rule_`` figures are what the rule itself deals with: ``rule_cost[p]`` is what the
    rule must still pay for ``p``, its full cost less what earmarks pledged to it
    (``pledged[p]``), and ``rule_budget`` what the rule may spend, the budget less the reserve.
    """

    ids: list[str]
    voter_ids: list[str]
    full_cost: list[Number]
    rule_cost: list[Number]
    pledged: list[Number]
    pledges: list[list[tuple[int, Number]]]
    eligible: list[bool]
    supporters: list[IntArray]
    utility: list[list[Number] | None]
    weights: list[Fraction]
    equal_weights: bool
    budget: Number
    rule_budget: Number
    groups_of: list[tuple[int, ...]]
    group_names: list[str]
    caps: list[Number | None]
    floors: list[Number | None]
    depends_on: list[tuple[int, ...]]
    has_points: bool
    cache: dict[object, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def m(self) -> int:
        return len(self.ids)

    @property
    def n(self) -> int:
        return len(self.voter_ids)

    def shares(self, total: Number) -> list[Fraction]:
        """Each voter's share ``total * weight_i`` (computed once when weights are equal)."""
        if self.equal_weights:
            return [total * self.weights[0]] * self.n if self.n else []
        return [total * w for w in self.weights]

    def total_utility(self, p: int) -> Number:
        """Sum over supporters of weight-scaled utility (n * w_i * u_i; equal weights: sum u_i)."""
        util = self.utility[p]
        if self.equal_weights:
            if util is None:
                return self.full_cost[p] * len(self.supporters[p])
            # Integer points sum as ints (exact, and far cheaper than Fraction additions).
            return sum(util)
        n = self.n
        sup = self.supporters[p].tolist()
        if util is None:
            return self.full_cost[p] * n * sum((self.weights[i] for i in sup), Fraction(0))
        return n * sum((self.weights[i] * u for i, u in zip(sup, util, strict=True)), Fraction(0))

    def asked_for(self, p: int) -> bool:
        """Whether any voter supports ``p`` or pledged to it."""
        return len(self.supporters[p]) > 0 or bool(self.pledges[p])

    def voter_utilities(self) -> list[dict[int, Number]]:
        """For each voter, its utility for each project it supports (by project index)."""
        out: list[dict[int, Number]] = [{} for _ in range(self.n)]
        for p in range(self.m):
            util = self.utility[p]
            sup = self.supporters[p].tolist()
            if util is None:
                for i in sup:
                    out[i][p] = self.full_cost[p]
            else:
                for i, u in zip(sup, util, strict=True):
                    out[i][p] = u
        return out


COST_FREE_CACHE = frozenset({"float-weights", "weight-classes", "constrained", "free-items"})
"""Cache entries that do not depend on any item's cost, as long as every rule cost stays
positive (``free-items`` lists the items of rule cost 0): kept by :func:`with_costs`."""


def with_costs(prep: Prepared, costs: Mapping[int, Number]) -> Prepared | None:
    """``prep`` with the full costs of some items changed: what :func:`prepare` builds from the
    election with those costs (same weights and constraints), without reading the ballots
    again and keeping the cache entries that do not depend on costs. Only when none of these
    items has a pledge and their costs stay positive (their rule costs are then their costs);
    else None, and the caller prepares the changed election."""
    for p, cost in costs.items():
        if prep.pledged[p] != 0 or cost <= 0 or prep.full_cost[p] <= 0:
            return None
    full_cost, rule_cost = list(prep.full_cost), list(prep.rule_cost)
    for p, cost in costs.items():
        full_cost[p] = rule_cost[p] = cost
    cache: dict[object, Any] = {k: v for k, v in prep.cache.items() if k in COST_FREE_CACHE}
    return replace(prep, full_cost=full_cost, rule_cost=rule_cost, cache=cache)


def prepare(
    election: Election,
    weights: Sequence[Number] | None = None,
    constraints: Constraints = NO_CONSTRAINTS,
) -> Prepared:
    """Build the index-based form (see :class:`Prepared`).

    Parameters
    ----------
    election : Election
        Projects, voters, budget.
    weights : Sequence[Number] or None
        One weight per voter, summing to 1 (see
        :func:`~roadmap.allocation.constraints.voice_weights`); None for equal weights.
    constraints : Constraints
        The envelope.

    Raises
    ------
    ValueError
        If weights or constraints do not fit the election (unknown ids, negative amounts,
        a reserve larger than the budget, weights not summing to 1).
    """
    ids = [p.id for p in election.projects]
    index = {pid: k for k, pid in enumerate(ids)}
    n = len(election.voters)
    voter_ids = ids_of_voters(election.voters)
    full_cost = [p.cost for p in election.projects]
    weights_exact, equal = _weights(weights, n)
    supporters, utility = _supporters(election, index, full_cost)
    eligible = _eligible(constraints, ids, index)
    pledged, pledges = _pledges(constraints, index, voter_ids, full_cost, eligible)
    rule_cost = [c - pl for c, pl in zip(full_cost, pledged, strict=True)]
    if constraints.reserve < 0 or constraints.reserve > election.budget:
        raise ValueError("the reserve must be between 0 and the budget")
    group_names = sorted(
        {g for gs in constraints.groups.values() for g in gs}
        | set(constraints.caps)
        | set(constraints.floors)
    )
    gindex = {g: k for k, g in enumerate(group_names)}
    groups_of: list[tuple[int, ...]] = [() for _ in ids]
    for item, gs in constraints.groups.items():
        groups_of[_item(index, item)] = tuple(sorted({gindex[g] for g in gs}))
    for label, limits in (("cap", constraints.caps), ("floor", constraints.floors)):
        if any(v < 0 for v in limits.values()):
            raise ValueError(f"a {label} cannot be negative")
    depends_on: list[tuple[int, ...]] = [() for _ in ids]
    for item, deps in constraints.depends_on.items():
        depends_on[_item(index, item)] = tuple(sorted({_item(index, d) for d in deps}))
    return Prepared(
        ids=ids,
        voter_ids=voter_ids,
        full_cost=full_cost,
        rule_cost=rule_cost,
        pledged=pledged,
        pledges=pledges,
        eligible=eligible,
        supporters=supporters,
        utility=utility,
        weights=weights_exact,
        equal_weights=equal,
        budget=election.budget,
        rule_budget=election.budget - constraints.reserve,
        groups_of=groups_of,
        group_names=group_names,
        caps=[constraints.caps.get(g) for g in group_names],
        floors=[constraints.floors.get(g) for g in group_names],
        depends_on=depends_on,
        has_points=election.ballot_type.has_points,
    )


def _item(index: dict[str, int], item: str) -> int:
    if item not in index:
        raise ValueError(f"unknown item {item!r}")
    return index[item]


def _weights(weights: Sequence[Number] | None, n: int) -> tuple[list[Fraction], bool]:
    if weights is None:
        return [Fraction(1, n)] * n if n else [], True
    if len(weights) != n:
        raise ValueError(f"{len(weights)} weights for {n} voters")
    exact = [Fraction(w) for w in weights]
    if any(w < 0 for w in exact) or sum(exact) != 1:
        raise ValueError("weights must be non-negative and sum to 1")
    return exact, len(set(exact)) <= 1


def _supporters(
    election: Election, index: dict[str, int], full_cost: list[Number]
) -> tuple[list[IntArray], list[list[Number] | None]]:
    m = len(index)
    built = election.index_of_ballots()
    if built is not None:
        return built.supporters, built.utility
    if not election.ballot_type.has_points:
        lengths = [len(v.items) for v in election.voters]
        flat = [index[p] for v in election.voters for p in v.items]
        proj = np.array(flat, dtype=np.int64)
        voter = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        order = np.argsort(proj, kind="stable")
        bounds = np.searchsorted(proj[order], np.arange(m + 1))
        by_project = voter[order]
        sup = [by_project[bounds[p] : bounds[p + 1]] for p in range(m)]
        return sup, [None] * m
    lists: list[list[int]] = [[] for _ in range(m)]
    utils: list[list[Number]] = [[] for _ in range(m)]
    for i, v in enumerate(election.voters):
        assert v.points is not None
        for pid, pts in zip(v.items, v.points, strict=True):
            if pts > 0:
                k = index[pid]
                lists[k].append(i)
                utils[k].append(pts)
    return [np.array(s, dtype=np.int64) for s in lists], list(utils)


def _eligible(constraints: Constraints, ids: list[str], index: dict[str, int]) -> list[bool]:
    if constraints.eligible is None:
        return [True] * len(ids)
    for item in constraints.eligible:
        _item(index, item)
    return [pid in constraints.eligible for pid in ids]


def _pledges(
    constraints: Constraints,
    index: dict[str, int],
    voter_ids: list[str],
    full_cost: list[Number],
    eligible: list[bool],
) -> tuple[list[Number], list[list[tuple[int, Number]]]]:
    vindex = {v: k for k, v in enumerate(voter_ids)} if constraints.pledges else {}
    pledges: list[list[tuple[int, Number]]] = [[] for _ in full_cost]
    pledged: list[Number] = [0] * len(full_cost)
    for pledge in constraints.pledges:
        if pledge.amount < 0:
            raise ValueError("a pledge cannot be negative")
        if pledge.voter_id not in vindex:
            raise ValueError(f"pledge from unknown voter {pledge.voter_id!r}")
        p = _item(index, pledge.item_id)
        if not eligible[p]:
            continue
        # Pledges are applied in the order given; what exceeds the cost is not spent.
        amount = min(pledge.amount, full_cost[p] - pledged[p])
        if amount > 0:
            pledges[p].append((vindex[pledge.voter_id], amount))
            pledged[p] += amount
    return pledged, pledges


@dataclass
class FundedSoFar:
    """What is funded so far, with the group totals; answers "may this item be funded now?".

    The running tally of one rule run, named apart from the app's ``Funding`` (the result of
    funding a scenario, in ``roadmap.services.planning``).
    """

    prep: Prepared
    funded: list[bool] = field(init=False)
    order: list[int] = field(default_factory=list)
    group_total: list[Number] = field(init=False)
    spent: Number = 0
    # What is left under each capped group's cap, in floats (None: no cap): a shadow of
    # ``cap - group_total`` that answers ``within_caps`` without exact arithmetic except
    # within a hair of the cap (it is asked of every candidate in every round).
    room: list[float | None] = field(init=False)
    costs: list[float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.costs = _float_costs(self.prep)
        self.funded = [False] * self.prep.m
        self.group_total = [0] * len(self.prep.group_names)
        self.room = [None if cap is None else float(cap) for cap in self.prep.caps]

    def copy(self) -> FundedSoFar:
        """A copy sharing the (read-only) prepared election."""
        other = FundedSoFar(self.prep)
        other.funded = list(self.funded)
        other.order = list(self.order)
        other.group_total = list(self.group_total)
        other.spent = self.spent
        other.room = list(self.room)
        return other

    def deps_met(self, p: int) -> bool:
        return all(self.funded[d] for d in self.prep.depends_on[p])

    def within_caps(self, p: int) -> bool:
        """Whether funding ``p`` keeps every group it is in within its cap (exactly: the
        float shadow decides only where it is far from the cap)."""
        groups = self.prep.groups_of[p]
        if not groups:
            return True
        cost = self.costs[p]
        for g in groups:
            room = self.room[g]
            if room is None:
                continue
            slack = CAP_SLACK * max(1.0, abs(room), cost)
            if cost <= room - slack:
                continue
            if cost > room + slack:
                return False
            cap = self.prep.caps[g]
            assert cap is not None
            if self.group_total[g] + self.prep.full_cost[p] > cap:
                return False
        return True

    def add(self, p: int) -> None:
        self.funded[p] = True
        self.order.append(p)
        self.spent += self.prep.rule_cost[p]
        for g in self.prep.groups_of[p]:
            self.group_total[g] += self.prep.full_cost[p]
            cap = self.prep.caps[g]
            if cap is not None:
                self.room[g] = float(cap - self.group_total[g])


CAP_SLACK = 1e-9
"""Relative distance from a cap within which ``within_caps`` compares exactly."""


def _float_costs(prep: Prepared) -> list[float]:
    """Each item's full cost in floats, computed once per prepared election."""
    costs = prep.cache.get("float-costs")
    if costs is None:
        costs = prep.cache["float-costs"] = [float(c) for c in prep.full_cost]
    return cast(list[float], costs)


def items_of_voters(prep: Prepared) -> tuple[IntArray, IntArray]:
    """Each voter's items, as (starts, items): voter ``i`` supports
    ``items[starts[i]:starts[i + 1]]`` (computed once per prepared election)."""
    known = prep.cache.get("items-of-voters")
    if known is None:
        counts = [len(s) for s in prep.supporters]
        voters = np.concatenate([*prep.supporters, np.zeros(0, dtype=np.int64)])
        items = np.repeat(np.arange(prep.m, dtype=np.int64), counts)
        order = np.argsort(voters, kind="stable")
        starts = np.searchsorted(voters[order], np.arange(prep.n + 1))
        known = prep.cache["items-of-voters"] = (starts, items[order])
    return known
