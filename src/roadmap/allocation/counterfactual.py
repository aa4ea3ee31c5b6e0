"""What would fund an item the rule left out, found by running the same rule on changed inputs
(everything else unchanged), never estimated.

For an item not funded:

* :func:`largest_funded_cost` / :func:`largest_funded_costs`: the largest integer cost, not
  above its own, at which the rule funds it (a scope cut), or None when no cost of 1 or more
  does;
* :func:`smallest_pledge`: the smallest additional earmarked pledge (an integer amount in the
  rule's units, an :class:`~roadmap.allocation.constraints.Earmark`) that funds it, or None;
* :func:`voter_changes`: for each voter that does not support it (approval) or could give it
  more points (points ballots), whether approving it funds it, and the smallest number of
  points moved to it that does.

How each search is exact is in ``docs/allocation.md`` ("What would fund it"). In short: for
equal shares without completion, greedy and Phragmén, whether an item is funded is monotone in
its own cost and in a pledge to it (unless it belongs to a group with a floor), so a search
that finds ``C`` funded and ``C + 1`` not funded has the answer; for equal shares the search
starts at the exact threshold the run's rounds give (one observed run), so it usually needs
just those two runs. Elsewhere (the add1 completions, floors) the answer is found by running
every candidate in turn. Every answer is re-checked by a run of the rule on the changed input.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np

from roadmap.allocation.constraints import NO_CONSTRAINTS, Constraints, Earmark
from roadmap.allocation.election import Election, Number, Project, Voter
from roadmap.allocation.mes_budgets import Ledger, NeedExact
from roadmap.allocation.mes_core import run_mes
from roadmap.allocation.prepared import FundedSoFar, Prepared, prepare, with_costs
from roadmap.allocation.prepass import start
from roadmap.allocation.rules import allocate

MONOTONE_RULES = frozenset({"equal-shares", "greedy", "phragmen"})
"""Rules under which an item's funding is monotone in its own cost and in a pledge to it, as
long as it is in no group with a floor (``docs/allocation.md`` gives the argument)."""


class TooManyRuns(ValueError):
    """An exact answer would need more runs of the rule than the caller allows."""


@dataclass(frozen=True)
class VoterChange:
    """What one voter could do for an item on its own ballot.

    ``approve``: whether adding the item to its ballot funds it (approval and ordinal ballots;
    None for points ballots). ``points``: the smallest number of points moved to the item
    from its other items that funds it (points ballots; None when no number does, or for
    approval ballots).
    """

    voter_id: str
    approve: bool | None = None
    points: int | None = None


class _Rerun:
    """Runs the rule on changed inputs (all else unchanged) and counts the runs."""

    def __init__(
        self,
        election: Election,
        rule: str,
        weights: Sequence[Number] | None,
        constraints: Constraints,
    ) -> None:
        self.election, self.rule = election, rule
        self.weights, self.constraints = weights, constraints
        self.index = {p.id: k for k, p in enumerate(election.projects)}
        self.prep: Prepared | None = None
        self.runs = 0

    def funded(
        self, election: Election | None = None, constraints: Constraints | None = None
    ) -> frozenset[str]:
        self.runs += 1
        allocation = allocate(
            self.election if election is None else election,
            self.rule,
            weights=self.weights,
            constraints=self.constraints if constraints is None else constraints,
            explain=False,
        )
        return frozenset(allocation.selected)

    def with_cost(self, item: str, cost: Number) -> Election:
        projects = list(self.election.projects)
        k = self.index[item]
        projects[k] = Project(item, cost, projects[k].fields)
        # The voters are the same object: the reader's ballot index still stands for them.
        return replace(self.election, projects=tuple(projects))

    def funded_at_cost(self, item: str, cost: Number) -> bool:
        if self.rule == "equal-shares":
            return item in self.mes_funded_at({item: cost}, until=item)
        return self.funds(item, self.with_cost(item, cost))

    def mes_funded_at(self, costs: dict[str, Number], until: str | None) -> frozenset[str]:
        """:meth:`mes_funded` with these items at these costs: the prepared election is the
        base one with the costs changed (:func:`~roadmap.allocation.prepared.with_costs`)
        when it can be, else the changed election prepared afresh."""
        if self.prep is None:
            self.prep = prepare(self.election, self.weights, self.constraints)
        prep = with_costs(self.prep, {self.index[k]: c for k, c in costs.items()})
        if prep is None:
            projects = list(self.election.projects)
            for item, cost in costs.items():
                k = self.index[item]
                projects[k] = Project(item, cost, projects[k].fields)
            changed = replace(self.election, projects=tuple(projects))
            return self.mes_funded(changed, self.constraints, until)
        return self._run_mes(prep, until)

    def funds(self, item: str, election: Election, constraints: Constraints | None = None) -> bool:
        """Whether the rule funds ``item`` on this input. Plain equal shares stops its run as
        soon as the item is funded (funded items stay funded; the rest is not needed)."""
        constraints = self.constraints if constraints is None else constraints
        if self.rule != "equal-shares":
            return item in self.funded(election, constraints)
        return item in self.mes_funded(election, constraints, until=item)

    def mes_funded(
        self, election: Election, constraints: Constraints, until: str | None = None
    ) -> frozenset[str]:
        """Plain equal shares' funded set (as :func:`~roadmap.allocation.mes.equal_shares`
        funds it), with a round too close to call in floats decided exactly on its own
        (``resolve``), and stopped once ``until`` is funded."""
        return self._run_mes(prepare(election, self.weights, constraints), until)

    def _run_mes(self, prep: Prepared, until: str | None) -> frozenset[str]:
        self.runs += 1
        begin = start(prep)
        stop = None if until is None else self.index[until]
        try:
            run = run_mes(prep, begin, begin.budget, exact=False, until=stop, resolve=True)
        except NeedExact:
            run = run_mes(prep, begin, begin.budget, exact=True, until=stop)
        return frozenset(prep.ids[p] for p in run.funding.order)

    def with_pledge(self, item: str, amount: Number, voter_id: str) -> Constraints:
        extra = Earmark(voter_id, item, amount)
        return replace(self.constraints, pledges=(*self.constraints.pledges, extra))

    def funded_with_pledge(self, item: str, amount: Number, voter_id: str) -> bool:
        return self.funds(item, self.election, self.with_pledge(item, amount, voter_id))

    def funded_with_ballot(self, item: str, k: int, voter: Voter) -> bool:
        voters = list(self.election.voters)
        voters[k] = voter
        return self.funds(item, replace(self.election, voters=tuple(voters)))


def is_monotone(rule: str, constraints: Constraints, item_id: str) -> bool:
    """Whether funding ``item_id`` is provably monotone in its own cost and in a pledge to it:
    a rule of :data:`MONOTONE_RULES` and no floor on any of its groups."""
    floors = {g for g, floor in constraints.floors.items() if floor is not None}
    return rule in MONOTONE_RULES and floors.isdisjoint(constraints.groups.get(item_id, ()))


def largest_funded_cost(
    election: Election,
    item_id: str,
    rule: str = "equal-shares-add1-greedy",
    *,
    weights: Sequence[Number] | None = None,
    constraints: Constraints = NO_CONSTRAINTS,
) -> int | None:
    """The largest integer cost, not above the item's own, at which ``rule`` funds
    ``item_id`` with everything else unchanged; None when no cost of 1 or more does.

    Raises
    ------
    ValueError
        If the rule funds the item at its own cost, or the item is unknown.
    """
    found = largest_funded_costs(
        election, rule, weights=weights, constraints=constraints, items=(item_id,)
    )
    return found[item_id]


def largest_funded_costs(
    election: Election,
    rule: str = "equal-shares-add1-greedy",
    *,
    weights: Sequence[Number] | None = None,
    constraints: Constraints = NO_CONSTRAINTS,
    items: Iterable[str] | None = None,
    funded: Iterable[str] | None = None,
    max_scan: int | None = None,
) -> dict[str, int | None]:
    """:func:`largest_funded_cost` for several items (default: every item not funded), in
    election order. ``funded``: the rule's funded set on this input, if already known.

    Raises
    ------
    TooManyRuns
        When ``max_scan`` is given and an item whose answer needs a scan (the add1
        completions, a floor on its group) has more candidate costs than that, before any
        run is made.
    """
    rerun = _Rerun(election, rule, weights, constraints)
    base = frozenset(funded) if funded is not None else rerun.funded()
    targets = _targets(election, base, items)
    if max_scan is not None:
        for item in targets:
            top = _top(election.projects[rerun.index[item]].cost)
            if not is_monotone(rule, constraints, item) and top > max_scan:
                raise TooManyRuns(
                    f"{rule} is not monotone in an item's cost, so its largest funded cost is "
                    f"found by trying every cost; for {item} that is up to {top:,} runs of the "
                    f"rule (more than {max_scan:,})"
                )
    guesses: dict[str, int] = {}
    if rule == "equal-shares" and targets:
        guesses = _mes_guesses(election, weights, constraints, targets)[0]
    tops = {item: _top(election.projects[rerun.index[item]].cost) for item in targets}
    out: dict[str, int | None] = {}
    pending: list[str] = []
    for item in targets:
        top, guess = tops[item], guesses.get(item)

        def funded_at(c: int, item: str = item) -> bool:
            return rerun.funded_at_cost(item, c)

        if not is_monotone(rule, constraints, item):
            out[item] = _largest_by_scan(funded_at, top)
        elif guess is not None and 1 <= guess < top and funded_at(guess):
            pending.append(item)  # funded at the guess: is it not at guess + 1?
        else:
            out[item] = _largest_monotone(funded_at, top, guess)
    if pending and not _none_funded(rerun, {item: guesses[item] + 1 for item in pending}):
        for item in pending:  # some guess was short: search each from it
            at_cost = partial(rerun.funded_at_cost, item)
            out[item] = _largest_monotone(at_cost, tops[item], guesses[item])
    else:
        out.update((item, guesses[item]) for item in pending)
    return {item: out[item] for item in targets}


def _top(cost: Number) -> int:
    """The largest integer cost below ``cost`` (the rule does not fund the item at ``cost``),
    or ``cost`` rounded down when it is not an integer."""
    down = math.floor(cost)
    return down if down < cost else down - 1


def _none_funded(rerun: _Rerun, costs: dict[str, int]) -> bool:
    """Whether plain equal shares, run once with every item of ``costs`` at that cost at the
    same time, funds none of them. If so, each alone at its cost is not funded either
    (``docs/allocation.md``: while none is chosen, the run makes the same choices as the run
    without them, and each loses every round to the same winner)."""
    return rerun.mes_funded_at(dict(costs), until=None).isdisjoint(costs)


def smallest_pledge(
    election: Election,
    item_id: str,
    rule: str = "equal-shares-add1-greedy",
    *,
    voter_id: str,
    weights: Sequence[Number] | None = None,
    constraints: Constraints = NO_CONSTRAINTS,
) -> int | None:
    """The smallest integer amount (in the rule's units) of an additional earmarked pledge by
    ``voter_id`` to ``item_id`` that makes ``rule`` fund it, all else unchanged; None when even
    pledging all it still costs the rule does not (a dependency, a cap, not eligible).

    Raises
    ------
    ValueError
        If the rule funds the item already, or the item or voter is unknown.
    """
    rerun = _Rerun(election, rule, weights, constraints)
    base = rerun.funded()
    _targets(election, base, (item_id,))
    if voter_id not in {v.id for v in election.voters}:
        raise ValueError(f"unknown voter {voter_id!r}")
    prep = prepare(election, weights, constraints)
    k = rerun.index[item_id]
    top = max(1, math.ceil(prep.rule_cost[k]))  # from there on the item is pledged in full

    def funded_with(amount: int) -> bool:
        return rerun.funded_with_pledge(item_id, amount, voter_id)

    if not is_monotone(rule, constraints, item_id):
        return _smallest_by_scan(funded_with, top)
    guess = None
    if rule == "equal-shares":
        guess = _mes_guesses(election, weights, constraints, [item_id], pledges=True)[1].get(
            item_id
        )
    # Smallest x funded = top + 1 - (largest y with funded(top + 1 - y)): the same search.
    found = _largest_monotone(
        lambda y: funded_with(top + 1 - y),
        top,
        None if guess is None else top + 1 - guess,
    )
    return None if found is None else top + 1 - found


def voter_changes(
    election: Election,
    item_id: str,
    rule: str = "equal-shares-add1-greedy",
    *,
    weights: Sequence[Number] | None = None,
    constraints: Constraints = NO_CONSTRAINTS,
    voter_ids: Iterable[str] | None = None,
) -> dict[str, VoterChange]:
    """For each voter (default: all) that could do more for ``item_id`` on its own ballot,
    what would fund it: approving it (approval and ordinal ballots: voters that do not list
    it), or the smallest number of points moved to it (points ballots: voters with points on
    other items). Points are taken one at a time from the voter's other item holding the most
    points (ties: the earlier on its ballot), so its total stays the same; an item left with
    0 points leaves the ballot. Voters that cannot do more are left out.

    Raises
    ------
    ValueError
        If the rule funds the item already, or the item is unknown.
    """
    rerun = _Rerun(election, rule, weights, constraints)
    base = rerun.funded()
    _targets(election, base, (item_id,))
    wanted = None if voter_ids is None else set(voter_ids)
    points = election.ballot_type.has_points
    out: dict[str, VoterChange] = {}
    for k, voter in enumerate(election.voters):
        if wanted is not None and voter.id not in wanted:
            continue
        if not points:
            if item_id in voter.items:
                continue
            ballot = voter._replace(items=(*voter.items, item_id))
            approve = rerun.funded_with_ballot(item_id, k, ballot)
            out[voter.id] = VoterChange(voter.id, approve=approve)
            continue
        ballots = _points_moved(voter, item_id)
        if not ballots:
            continue

        def funded_with(n: int, k: int = k, ballots: list[Voter] = ballots) -> bool:
            return rerun.funded_with_ballot(item_id, k, ballots[n - 1])

        out[voter.id] = VoterChange(voter.id, points=_smallest_by_scan(funded_with, len(ballots)))
    return out


def _points_moved(voter: Voter, item_id: str) -> list[Voter]:
    """The voter's ballot with 1, 2, ... points moved to ``item_id`` (as in
    :func:`voter_changes`), as many as it has on other items."""
    assert voter.points is not None
    held = dict(zip(voter.items, voter.points, strict=True))
    order = list(voter.items) + ([] if item_id in held else [item_id])
    held.setdefault(item_id, 0)
    rank = {p: k for k, p in enumerate(order)}
    out: list[Voter] = []
    while True:
        others = [p for p in order if p != item_id and held[p] > 0]
        if not others:
            return out
        giver = max(others, key=lambda p: (held[p], -rank[p]))
        held[giver] -= 1
        held[item_id] += 1
        kept = [p for p in order if held[p] > 0]
        out.append(voter._replace(items=tuple(kept), points=tuple(held[p] for p in kept)))


def _targets(election: Election, funded: frozenset[str], items: Iterable[str] | None) -> list[str]:
    ids = [p.id for p in election.projects]
    if items is None:
        return [p for p in ids if p not in funded]
    wanted = set(items)
    for item in wanted:
        if item not in set(ids):
            raise ValueError(f"unknown item {item!r}")
        if item in funded:
            raise ValueError(f"item {item!r} is funded already")
    return [p for p in ids if p in wanted]


def _largest_monotone(funded_at: Callable[[int], bool], top: int, guess: int | None) -> int | None:
    """The largest ``c`` in ``1..top`` with ``funded_at(c)``, for a predicate that is true
    below some point and false above it (``top + 1`` is known false). Starts at ``guess``:
    when it is right, two calls (``guess`` true, ``guess + 1`` false) settle it."""
    if top < 1:
        return None
    lo, hi = 0, top + 1  # funded_at(lo) (or lo == 0), not funded_at(hi)
    probe = min(max(guess if guess is not None else (top + 1) // 2, 1), top)
    step = 1
    if funded_at(probe):
        lo = probe
        while lo + step < hi:  # gallop up: 1, 2, 4, ... past the guess
            if funded_at(lo + step):
                lo += step
                step *= 2
            else:
                hi = lo + step
                break
    else:
        hi = probe
        while hi - step > lo:
            if funded_at(hi - step):
                lo = hi - step
                break
            hi -= step
            step *= 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if funded_at(mid):
            lo = mid
        else:
            hi = mid
    return lo or None


def _largest_by_scan(funded_at: Callable[[int], bool], top: int) -> int | None:
    """The largest ``c`` in ``1..top`` with ``funded_at(c)``, trying every one from the top."""
    for c in range(top, 0, -1):
        if funded_at(c):
            return c
    return None


def _smallest_by_scan(funded_at: Callable[[int], bool], top: int) -> int | None:
    """The smallest ``x`` in ``1..top`` with ``funded_at(x)``, trying every one in turn."""
    for x in range(1, top + 1):
        if funded_at(x):
            return x
    return None


def _mes_guesses(
    election: Election,
    weights: Sequence[Number] | None,
    constraints: Constraints,
    targets: Sequence[str],
    pledges: bool = False,
) -> tuple[dict[str, int], dict[str, int]]:
    """From one observed run of plain equal shares, for each target item not funded: the
    largest integer cost, and (with ``pledges``) the smallest integer added pledge, at which
    some round of the run would have chosen it (the threshold of ``docs/allocation.md``; caps
    are left to the re-check). Computed in floats: a starting point for the exact search, not
    an answer."""
    prep = prepare(election, weights, constraints)
    index = {pid: k for k, pid in enumerate(prep.ids)}
    items = [index[t] for t in targets if prep.eligible[index[t]]]
    items = [p for p in items if len(prep.supporters[p])]
    for exact in (False, True):
        cost_at: dict[int, float] = dict.fromkeys(items, -math.inf)
        gap_at: dict[int, float] = dict.fromkeys(items, math.inf)
        observe = _observer(prep, items, cost_at, gap_at, pledges)
        begin = start(prep)
        try:
            run_mes(prep, begin, begin.budget, exact=exact, observe=observe, resolve=True)
        except NeedExact:
            continue
        break
    costs: dict[str, int] = {}
    amounts: dict[str, int] = {}
    for p in items:
        if cost_at[p] > -math.inf:
            costs[prep.ids[p]] = max(1, math.floor(cost_at[p]))
        if gap_at[p] < math.inf:
            amounts[prep.ids[p]] = max(1, math.ceil(gap_at[p]))
    return costs, amounts


def _observer(
    prep: Prepared,
    items: list[int],
    cost_at: dict[int, float],
    gap_at: dict[int, float],
    pledges: bool,
) -> Callable[[Ledger, FundedSoFar, int | None, Any], None]:
    def observe(ledger: Ledger, funding: FundedSoFar, chosen: int | None, rho: Any) -> None:
        budgets = np.asarray(ledger.leftover(), dtype=np.float64)
        r = math.inf if chosen is None else float(rho)
        for p in items:
            if funding.funded[p] or not funding.deps_met(p):
                continue
            b = budgets[prep.supporters[p]]
            pledged = float(prep.pledged[p])
            util = prep.utility[p]
            full = float(prep.full_cost[p])
            found = cost_at[p]
            if not pledges and (found >= full or pledged + float(b.sum()) <= found):
                # Past the item's own cost already, or no round from here can beat the
                # threshold found (a round's is at most what the supporters hold).
                continue
            if util is None:
                cost_at[p] = max(cost_at[p], _cost_threshold(b, r, pledged))
                held = b.sum() if r == math.inf else np.minimum(b, r * full).sum()
            else:
                u = np.asarray(util, dtype=np.float64)
                held = b.sum() if r == math.inf else np.minimum(b, r * u).sum()
                cost_at[p] = max(cost_at[p], pledged + float(held))
            gap_at[p] = min(gap_at[p], full - pledged - float(held))

    return observe


def _cost_threshold(b: Any, r: float, pledged: float) -> float:
    """The largest real cost ``c`` at which an item with cost utilities (every supporter's
    utility is ``c``) and a pledge ``pledged`` has rho at most ``r`` at budgets ``b``:
    ``c - pledged <= sum_i min(b_i, r c)``. The right side less the left is concave in ``c``
    and not negative at 0, so the costs that pass are an interval from 0; its end is found on
    the sorted budgets (``r`` infinite: only affordability, ``c <= pledged + sum b``)."""
    if r == math.inf:
        return pledged + float(b.sum())
    if r <= 0:
        return pledged
    b = np.sort(b)
    k = len(b)
    held = np.cumsum(b)
    below = np.arange(1, k + 1)
    # h(x) = sum_i min(b_i, x) - x / r + pledged, at each breakpoint x = b_j
    h = held + (k - below) * b - b / r + pledged
    passing = int((h >= 0).sum())  # h is concave with h(0) >= 0: a prefix passes
    if passing == k:
        return float(held[-1]) + pledged
    x0, h0 = (0.0, pledged) if passing == 0 else (float(b[passing - 1]), float(h[passing - 1]))
    slope = (k - passing) - 1 / r
    x = x0 + h0 / -slope if slope < 0 else float(b[passing])
    return x / r
