"""One run of the Method of Equal Shares at a given total budget: the engine behind
:func:`~roadmap.allocation.mes.equal_shares` and its add1 completion.

Voter ``i`` starts with ``total * weight_i``. Each round, every available item ``p`` whose
supporters still hold at least its cost gets the smallest price per unit of utility ``rho`` such
that ``sum_i min(budget_i, rho * u_ip) = cost_p``; the item with the smallest ``rho`` is funded
(ties: smallest item id, as pabutools' lexicographic tie-breaking), each supporter paying
``min(budget_i, rho * u_ip)``. Items are visited lazily in the order of a lower bound on their
``rho`` (their value at an earlier round: budgets only shrink, so ``rho`` only grows), exactly as
pabutools does.

Two arithmetics: exact (``Fraction`` in numpy object arrays) and fast (``float64``). The fast
path stops with :class:`NeedExact` whenever a decision (which item is cheapest, whether an item
is affordable) is within a margin ``E`` of flipping; the caller then reruns exactly. ``E`` is
four times the worst-case rounding error of the sums involved, growing with the rounds (see
:func:`_error_scale` and ``docs/allocation.md``).

With ``track_step`` the run also returns ``stable_for``: the outcome is the same for every total
in ``[total, total + stable_for)`` (the add1 jump; the argument is in ``docs/allocation.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from roadmap.allocation.election import Number
from roadmap.allocation.explanation import Stage
from roadmap.allocation.prepared import Funding, IntArray, Prepared
from roadmap.allocation.prepass import Start, fund_free_items

Array = np.ndarray[Any, Any]
_UNIT = 2.0**-53


class NeedExact(Exception):
    """The float run met a decision too close to call; rerun in exact arithmetic."""


@dataclass
class MESRun:
    """The outcome of one run, with the payments (see module docstring)."""

    funding: Funding
    stage: dict[int, Stage]
    shares: Array
    leftover: Array
    price: dict[int, Any] = field(default_factory=dict)
    paid: dict[int, tuple[IntArray, Array]] = field(default_factory=dict)
    unaffordable: set[int] = field(default_factory=set)
    capped: set[int] = field(default_factory=set)
    exact: bool = True
    stable_for: Any = math.inf
    total: Number = 0


class _Items:
    """Per-item arrays in the run's arithmetic: rule cost, utilities, bounds on rho.

    The fixed part is computed once per prepared election and arithmetic (add1 reruns the
    rule hundreds of times); each run gets fresh copies of the bounds.
    """

    def __init__(self, prep: Prepared, candidates: list[int], exact: bool) -> None:
        key = ("mes-items", exact, tuple(candidates))
        fixed = prep.cache.get(key)
        if fixed is None:
            fixed = prep.cache[key] = _fixed_item_data(prep, candidates, exact)
        self.cost, self.util, self.umin, self.static, self.static_exact = fixed
        self.bound: dict[int, Any] = dict(self.static)
        self.bound_util: dict[int, Any] = dict.fromkeys(candidates, math.inf)
        self.known: dict[int, Fraction | None] = dict.fromkeys(candidates)


def _fixed_item_data(prep: Prepared, candidates: list[int], exact: bool) -> tuple[Any, ...]:
    cost: dict[int, Any] = {}
    utils: dict[int, Any] = {}
    umin: dict[int, float] = {}
    static: dict[int, Any] = {}
    static_exact: dict[int, Fraction] = {}
    for p in candidates:
        util = prep.utility[p]
        k = len(prep.supporters[p])
        if util is None:
            u: Any = prep.full_cost[p] if exact else float(prep.full_cost[p])
            total_util = u * k
            umin[p] = float(prep.full_cost[p])
        else:
            u = np.array(util, dtype=object) if exact else np.array(util, dtype=np.float64)
            total_util = u.sum()
            umin[p] = float(min(util))
        cost[p] = prep.rule_cost[p] if exact else float(prep.rule_cost[p])
        utils[p] = u
        exact_util = sum(util, Fraction(0)) if util is not None else prep.full_cost[p] * k
        # cost / (sum of utilities) <= rho at any budgets: a bound that never moves.
        static_exact[p] = Fraction(prep.rule_cost[p]) / exact_util
        static[p] = static_exact[p] if exact else cost[p] / total_util
    return cost, utils, umin, static, static_exact


def run_mes(
    prep: Prepared, begin: Start, total: Number, *, exact: bool, track_step: bool = False
) -> MESRun:
    """Run equal shares from ``begin`` with voter shares ``total * weight_i``.

    Raises
    ------
    NeedExact
        Only when ``exact`` is False, if a decision is too close to call in floats.
    """
    state = begin.copy()
    funding, stage = state.funding, state.stage
    if exact:
        shares: Array = np.array(prep.shares(total), dtype=object)
        margin: Any = 0
    else:
        shares = np.array([float(w) for w in prep.weights], dtype=np.float64) * float(total)
        margin = 0.0
    budgets = shares.copy()
    candidates = [
        p
        for p in range(prep.m)
        if prep.eligible[p]
        and not funding.funded[p]
        and prep.rule_cost[p] > 0
        and len(prep.supporters[p]) > 0
    ]
    items = _Items(prep, candidates, exact)
    run = MESRun(funding, stage, shares, budgets, exact=exact, total=total)
    gaps: dict[int, Any] = {}
    step: Any = math.inf
    error_scale = 0.0 if exact else _error_scale(prep, shares, candidates)
    rounds = 0
    while True:
        rounds += 1
        if not exact:
            margin = error_scale * rounds
        fund_free_items(prep, funding, stage)
        active = _active(prep, funding, candidates, run, gaps)
        chosen = _cheapest(prep, items, budgets, active, gaps, margin, exact)
        if chosen is None:
            break
        p, rho = chosen
        if track_step and step > 0:
            step = min(step, _overtake_bound(prep, items, active, gaps, p, rho, margin))
        sup = prep.supporters[p]
        pay = np.minimum(budgets[sup], rho * items.util[p])
        budgets[sup] = budgets[sup] - pay
        run.price[p] = rho
        run.paid[p] = (sup, pay)
        funding.add(p)
        stage[p] = Stage.RULE
    run.unaffordable = set(gaps)
    if track_step and gaps and step > 0:
        step = min(step, min(gaps.values()) - margin)
    run.stable_for = max(step, 0)
    return run


def _error_scale(prep: Prepared, shares: Array, candidates: list[int]) -> float:
    """Per round, a bound on the money error of the float run: recursive summation of ``k``
    terms errs by at most ``(k - 1) * u * sum|x|`` (Higham), each item's sums involve at most
    its supporters' shares and its cost, and the error of each round's payments carries into
    the next; we take 4 times that worst case."""
    if not candidates:
        return 0.0
    largest = max(len(prep.supporters[p]) for p in candidates)
    scale = max(
        float(shares[prep.supporters[p]].sum()) + float(prep.rule_cost[p]) for p in candidates
    )
    return 4 * _UNIT * (largest + 2) * scale


def _active(
    prep: Prepared, funding: Funding, candidates: list[int], run: MESRun, gaps: dict[int, Any]
) -> list[int]:
    active = []
    for p in candidates:
        if funding.funded[p] or p in gaps or p in run.capped or not funding.deps_met(p):
            continue
        if not funding.within_caps(p):
            run.capped.add(p)  # group totals only grow: permanent
            continue
        active.append(p)
    return active


def _cheapest(
    prep: Prepared,
    items: _Items,
    budgets: Array,
    active: list[int],
    gaps: dict[int, Any],
    margin: Any,
    exact: bool,
) -> tuple[int, Any] | None:
    """The item to fund this round and its rho, or None; removes unaffordable items."""
    best: Any = None
    best_item = -1
    tied: list[int] = []
    for p in sorted(active, key=lambda q: items.bound[q]):
        if best is not None and items.bound[p] > best + _rho_margin(items, p, best_item, margin):
            break
        b = budgets[prep.supporters[p]]
        gap = items.cost[p] - b.sum()
        if gap > margin:
            gaps[p] = gap  # budgets only shrink: unaffordable for good
            continue
        if not exact and gap >= -margin:
            raise NeedExact
        rho, util_from, slack = _rho(b, items.util[p], items.cost[p], exact)
        items.bound[p], items.bound_util[p] = rho, util_from
        # Every supporter pays rho * u with room to spare: rho is exactly cost / total utility.
        sure = not exact and slack > _rho_margin(items, p, -1, margin)
        items.known[p] = items.static_exact[p] if sure else None
        if best is None or rho < best - _rho_margin(items, p, best_item, margin):
            best, best_item, tied = rho, p, [p]
        elif rho <= best + _rho_margin(items, p, best_item, margin):
            if exact:
                tied.append(p)
                continue
            mine, theirs = items.known[p], items.known[best_item]
            if mine is None or theirs is None:
                raise NeedExact
            if mine == theirs:
                tied.append(p)
            elif mine < theirs:
                best, best_item, tied = rho, p, [p]
    if not tied:
        return None
    chosen = min(tied, key=lambda q: prep.ids[q])
    return chosen, items.bound[chosen]


def _rho_margin(items: _Items, p: int, q: int, margin: Any) -> Any:
    # A money error of at most `margin` moves rho = money / utility by at most margin / umin.
    if not margin:
        return 0
    return margin / items.umin[p] + (margin / items.umin[q] if q >= 0 else 0.0)


def _rho(b: Array, u: Any, cost: Any, exact: bool) -> tuple[Any, Any, Any]:
    """Smallest rho with ``sum min(b_i, rho * u_i) >= cost``, the utility of the voters
    paying ``rho * u_i`` (not their whole budget) at that rho, and, when all of them pay
    that way, by how much the poorest could pay more per unit (else -1).
    Needs ``sum(b) >= cost``."""
    k = len(b)
    if np.ndim(u) == 0:
        order = np.argsort(b, kind="stable")
        ratio = b[order] / u
        paid = b[order]
        util_from = u * np.arange(k, 0, -1)
    else:
        ratio_all = b / u
        order = np.argsort(ratio_all, kind="stable")
        ratio = ratio_all[order]
        paid = b[order]
        util_from = np.cumsum(u[order][::-1])[::-1]
    head: Array = np.array([Fraction(0)], dtype=object) if exact else np.zeros(1)
    before: Array = np.concatenate((head, np.cumsum(paid)[:-1]))
    rho = (cost - before) / util_from
    hits = np.flatnonzero(rho <= ratio)
    if len(hits) == 0:
        if exact:  # pragma: no cover - guarded by the affordability test
            raise AssertionError("rho requested for an unaffordable item")
        raise NeedExact
    j = int(hits[0])
    return rho[j], util_from[j], (ratio[0] - rho[0] if j == 0 else -1)


def _overtake_bound(
    prep: Prepared,
    items: _Items,
    active: list[int],
    gaps: dict[int, Any],
    chosen: int,
    rho: Any,
    margin: Any,
) -> Any:
    """How much the total may grow before another item could overtake ``chosen`` this round.

    With the selections so far unchanged, raising the total by ``d`` raises no budget by more
    than ``d`` in all, so an item whose rho (or lower bound on it) was ``r`` with paying utility
    ``U`` cannot get below ``r - d / U``, nor below ``cost / (total utility)``; the chosen
    item's rho does not grow.
    """
    bound: Any = math.inf
    for q in active:
        if q == chosen or q in gaps:
            continue
        static = items.static[q]
        if static > rho + _rho_margin(items, q, chosen, margin):
            continue
        if prep.ids[q] > prep.ids[chosen] and _exact_tie(items, q, chosen, static, rho, margin):
            continue  # q can at best tie again, and loses the tie again
        ahead = items.bound[q] - rho
        if ahead <= 0:
            return 0  # a tie (or better): the next total may already change the order
        util = items.bound_util[q]
        if util == math.inf:
            continue
        if margin:  # float run: shrink by the largest rounding error of `ahead` and `util`
            ahead -= _rho_margin(items, q, chosen, margin)
            if ahead <= 0:
                return 0
            bound = min(bound, ahead * util * (1 - 1e-9) - margin)
        else:
            bound = min(bound, ahead * util)
    return bound


def _exact_tie(items: _Items, q: int, chosen: int, static: Any, rho: Any, margin: Any) -> bool:
    """Whether q's rho can never drop below the chosen item's rho (it sits at its lower bound,
    equal to the chosen rho), known exactly."""
    if margin == 0:
        return bool(static == rho)
    mine, theirs = items.known.get(q), items.known.get(chosen)
    return mine is not None and mine == theirs == items.static_exact[q]
