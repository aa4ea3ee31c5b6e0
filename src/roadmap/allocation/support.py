"""Effective support: how close an item equal shares left out came to being funded.

The definition is pabutools' equal-shares analysis
(``pabutools.analysis.mesanalytics.calculate_effective_support``, which equalshares.net
reports per project), carried to pledges and voter weights:

    Run equal shares without the item. After each round, at the price per unit of utility
    ``rho`` the round's winner was bought for, the item's supporters could have paid
    ``cover = sum_i min(b_i, rho * u_i)`` towards it (``b_i``: what each has left once the
    winner is paid for, as pabutools reads the budgets; ``u_i``: its utility for the item,
    the item's cost with approval ballots); when no item is affordable any more, they could
    pay ``sum_i b_i``. The item's effective support is the largest of these covers, with
    what is pledged to it, as a whole percentage of its cost (rounded down, as pabutools'
    ``int(cover / cost * 100)``).

pabutools knows no caps or dependencies; here a round counts only while the item could be
bought (its dependencies funded, its groups' caps not reached), and an item that never could
(a missing dependency from the start) has no effective support (left out).

So 100 % or more means that its supporters held enough, at a price no worse than a winner's,
to buy it; below 100 %, the item needed that share of its cost from them. An item the rule
did not fund changes nothing in a run of equal shares (a candidate that does not win leaves
every budget as it was), so the run on the input is the run without it.

Exact for elections of up to :data:`EXACT_UP_TO` ballot entries; above, the run is in floats
(an exact run with voice weights is ruinous there) and each figure is read with a slack of
1e-9 of a percent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from roadmap.allocation.constraints import NO_CONSTRAINTS, Constraints
from roadmap.allocation.election import Election, Number
from roadmap.allocation.mes_budgets import Ledger, NeedExact
from roadmap.allocation.mes_core import RunTrace, run_mes
from roadmap.allocation.prepared import FundedSoFar, Prepared, prepare
from roadmap.allocation.prepass import Start, start

EXACT_UP_TO = 2_000
"""Elections of at most this many ballot entries are run exactly; larger ones in floats, where
a figure is read as ``floor(x + 1e-9)`` (a float within 1e-9 below a whole percent is taken
for it)."""
FLOAT_SLACK = 1e-9


def effective_supports(
    election: Election,
    *,
    weights: Sequence[Number] | None = None,
    constraints: Constraints = NO_CONSTRAINTS,
    total: Number | None = None,
    items: Iterable[str] | None = None,
    trace: RunTrace | None = None,
) -> dict[str, int]:
    """Each item's effective support, in whole percent, from one run of plain equal shares
    at ``total`` (default: the rule's budget after the reserve and floors; the add1
    completions pass the total of the outcome they kept, as pabutools' ``final_budget``).

    ``items``: the items to report (default: every eligible item of positive cost that the
    run does not fund). An item the run funds reads at least 100, as in pabutools. Items
    not eligible, of cost 0, or never available (a dependency never funded) are left out.

    ``trace``: that run's rounds, as the rule recorded them (``extra["traces"]`` of
    ``equal_shares``); when it is the run this needs (same total, same arithmetic), its
    budgets are read round by round from the payments instead of running it again: the same
    budgets, the same figures.
    """
    prep = prepare(election, weights, constraints)
    index = {pid: k for k, pid in enumerate(prep.ids)}
    wanted = None if items is None else {index[i] for i in items}
    targets = [
        p
        for p in range(prep.m)
        if prep.eligible[p] and prep.full_cost[p] > 0 and (wanted is None or p in wanted)
    ]
    begin = start(prep)
    budget = begin.budget if total is None else total
    # Whole percentages are floors: exact amounts on small elections. An exact run with
    # voice weights is ruinous on large ones (``docs/allocation.md``), so they run in floats.
    small = sum(len(s) for s in prep.supporters) <= EXACT_UP_TO
    for exact in (True,) if small else (False, True):
        best = dict.fromkeys(targets, -math.inf)
        observe = _observer(prep, targets, best, exact)
        if trace is not None and trace.exact == exact and trace.total == budget:
            funding = _replayed(begin, trace, observe)
            break
        try:
            run = run_mes(prep, begin, budget, exact=exact, observe=observe, resolve=True)
        except NeedExact:
            continue
        funding = run.funding
        break
    out: dict[str, int] = {}
    for p in targets:
        if funding.funded[p]:
            if wanted is not None:
                out[prep.ids[p]] = max(int(best[p]), 100) if best[p] > -math.inf else 100
        elif best[p] > -math.inf:
            out[prep.ids[p]] = max(0, int(best[p]))
    return out


def runs_exactly(election: Election) -> bool:
    """Whether :func:`effective_supports` runs this election in exact arithmetic (at most
    :data:`EXACT_UP_TO` ballot entries): which of the rule's traces it can read."""
    return sum(len(v.items) for v in election.voters) <= EXACT_UP_TO


class _Held:
    """What the observer reads of a ledger: the budgets left."""

    def __init__(self, budgets: Any) -> None:
        self.budgets = budgets

    def leftover(self) -> Any:
        return self.budgets


def _replayed(begin: Start, trace: RunTrace, observe: Any) -> FundedSoFar:
    """The traced run's rounds again, without choosing: each round's observation (after the
    free items it added, before its winner pays, as ``run_mes`` makes it), then the winner's
    payments taken from the budgets (the same subtraction the ledger made: the same
    numbers); the last observation once every item is in. Returns what the run funded."""
    funding = begin.copy().funding
    budgets = trace.shares.copy()
    held = _Held(budgets)
    for p, rho, voters, amounts in trace.steps:
        if rho is not None:
            observe(held, funding, p, rho)
            budgets[voters] = budgets[voters] - amounts
        funding.add(p)
    observe(held, funding, None, None)
    return funding


def _observer(prep: Prepared, targets: list[int], best: dict[int, Any], exact: bool) -> Any:
    pending: list[Any] = []  # the previous round's winning rho, once it has been paid
    floats = _Floats(prep, targets)

    def observe(ledger: Ledger, funding: FundedSoFar, chosen: int | None, rho: Any) -> None:
        price = pending[0] if pending else None  # the previous round's, now paid for
        if price is not None or chosen is None:
            budgets = ledger.leftover()
            if not exact:
                floats.update(budgets, price, chosen is None, funding, best)
            else:
                for p in targets:
                    if not _available(funding, p):
                        continue
                    if price is not None:
                        _update(prep, p, budgets, price, best)
                    if chosen is None:  # the end: nothing is affordable any more
                        _update(prep, p, budgets, None, best)
        pending[:] = [rho]

    return observe


def _available(funding: FundedSoFar, p: int) -> bool:
    """Whether ``p`` could be bought now: not funded, its dependencies funded, within caps."""
    return not funding.funded[p] and funding.deps_met(p) and funding.within_caps(p)


class _Floats:
    """Every target's cover at once, in floats (one array over all their supporters): the
    large elections' path, where a loop over items per round would cost more than the run."""

    def __init__(self, prep: Prepared, targets: list[int]) -> None:
        self.targets = targets
        sizes = [len(prep.supporters[p]) for p in targets]
        self.owner = np.repeat(np.arange(len(targets)), sizes)
        self.index = (
            np.concatenate([np.asarray(prep.supporters[p], dtype=np.int64) for p in targets])
            if targets
            else np.zeros(0, dtype=np.int64)
        )
        utilities = []
        for p, size in zip(targets, sizes, strict=True):
            util = prep.utility[p]
            utilities.append(
                np.full(size, float(prep.full_cost[p]))
                if util is None
                else np.asarray(util, dtype=np.float64)
            )
        self.utility = np.concatenate(utilities) if utilities else np.zeros(0)
        self.pledged = np.array([float(prep.pledged[p]) for p in targets])
        self.cost = np.array([float(prep.full_cost[p]) for p in targets])
        # Each target's best figure so far (as in ``best``), and whether it can never be
        # bought again in this run (funded, or over a cap: group totals only grow).
        self.best = np.full(len(targets), -np.inf)
        self.dead = np.zeros(len(targets), dtype=bool)

    def update(
        self, budgets: Any, price: Any, end: bool, funding: FundedSoFar, best: dict[int, Any]
    ) -> None:
        held = np.asarray(budgets, dtype=np.float64)[self.index]
        covers = []
        if price is not None:
            covers.append(np.minimum(held, float(price) * self.utility))
        if end:
            covers.append(held)
        for paid in covers:
            cover = np.bincount(self.owner, weights=paid, minlength=len(self.targets))
            figures = np.floor(100 * (self.pledged + cover) / self.cost + FLOAT_SLACK)
            for k in np.flatnonzero((figures > self.best) & ~self.dead):
                p = self.targets[k]
                if funding.funded[p] or not funding.within_caps(p):
                    self.dead[k] = True  # for the rest of the run
                elif funding.deps_met(p):
                    self.best[k] = figures[k]
                    best[p] = int(figures[k])


def _update(prep: Prepared, p: int, budgets: Any, rho: Any, best: dict[int, Any]) -> None:
    b = np.asarray(budgets)[prep.supporters[p]]
    if rho is None:
        cover = b.sum()
    else:
        util = prep.utility[p]
        u = prep.full_cost[p] if util is None else np.asarray(util)
        cover = np.minimum(b, rho * u).sum()
    figure = math.floor(100 * (prep.pledged[p] + cover) / prep.full_cost[p])
    if figure > best[p]:
        best[p] = figure
