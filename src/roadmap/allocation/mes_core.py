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

import heapq
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from roadmap.allocation.election import Number
from roadmap.allocation.explanation import Stage
from roadmap.allocation.mes_budgets import (
    UNIT,
    Array,
    ClassLedger,
    ItemFigures,
    Ledger,
    NeedExact,
    VoterLedger,
)
from roadmap.allocation.prepared import CAP_SLACK, FundedSoFar, IntArray, Prepared
from roadmap.allocation.prepass import Start, free_dependencies, free_items, fund_free_items

CLASSES_FROM = 2_000
"""Float runs on approval ballots group voters by budget from this many voters (exact runs
always do): below it, numpy calls on a few hundred voters cost less than grouping them
(measured: Assen, 84 voters, and Cambridge 2015, 941, are faster per voter; Świecie, 2,553,
and Cambridge 2019, 6,447, faster grouped)."""


Observer = Callable[[Ledger, FundedSoFar, int | None, Any], None]
"""See :func:`run_mes`: called with the ledger, the funding so far, the item chosen this round
(None at the end) and its rho."""


@dataclass
class MESRun:
    """The outcome of one run, with the payments (see module docstring)."""

    funding: FundedSoFar
    stage: dict[int, Stage]
    shares: Array
    leftover: Array
    price: dict[int, Any] = field(default_factory=dict)
    paid: dict[int, tuple[IntArray, Array]] = field(default_factory=dict)
    unaffordable: set[int] = field(default_factory=set)
    capped: set[int] = field(default_factory=set)
    exact: bool = True
    # How much the total may grow with this outcome unchanged: every total in
    # [total, total + stable_for) funds the same (add1 jumps by it; see the module docstring).
    stable_for: Any = math.inf
    total: Number = 0
    # The items the rule may fund next round, kept from round to round (see _Available).
    available: _Available | None = field(default=None, repr=False)


class Unwanted(Exception):
    """A run stopped because it was no longer wanted (``run_mes(wanted=...)``)."""


ASK_EVERY = 32
"""Rounds between two questions to a run's ``wanted`` (a few milliseconds of a large run)."""


def run_mes(
    prep: Prepared,
    begin: Start,
    total: Number,
    *,
    exact: bool,
    track_step: bool = False,
    step_floor: Number = 0,
    observe: Observer | None = None,
    until: int | None = None,
    resolve: bool = False,
    spend_at_most: Number | None = None,
    wanted: Callable[[], bool] | None = None,
) -> MESRun:
    """Run equal shares from ``begin`` with voter shares ``total * weight_i``.

    With ``track_step``, ``stable_for`` is computed; once it is known to be at most
    ``step_floor`` (a jump too short to skip any total the caller would run), the rest of the
    run stops refining it and it is returned as is (still a valid bound).

    ``observe(ledger, funding, item, rho)`` is called each round once the item to fund is
    chosen, before it is paid for, and once at the end with ``item`` None (no item is
    affordable): what ``counterfactual`` reads each round's budgets and winning rho from.
    With ``until``, the run stops as soon as that item is funded (the rest of the run is then
    not computed: only whether it was funded is meant to be read). With ``resolve`` (float runs
    without ``track_step``), a round too close to call in floats is decided in exact arithmetic
    (:func:`_exact_round`) and the run goes on in floats, instead of raising
    :class:`NeedExact`: the same choices as the exact run, for the price of a replay.
    With ``spend_at_most``, the run stops as soon as what it has funded costs more (what is
    spent only grows during a run, so the whole run would too; add1 reads only that): the
    returned run is then cut short, meant only to be seen to overspend. ``wanted`` is asked
    every :data:`ASK_EVERY` rounds whether the run is still worth finishing (a shared add1
    search: another process may have made it useless); :class:`Unwanted` when not.

    Raises
    ------
    NeedExact
        Only when ``exact`` is False, if a decision is too close to call in floats.
    """
    state = begin.copy()
    funding, stage = state.funding, state.stage
    shares = _shares(prep, total, exact)
    margin: Any = 0 if exact else 0.0
    candidates = _candidates(prep, funding)
    items = ItemFigures(prep, candidates, exact)
    ledger = _ledger(prep, items, shares, total, exact)
    run = MESRun(funding, stage, shares, shares, exact=exact, total=total)
    gaps: dict[int, Any] = {}
    tie: set[int] = set()
    step: Any = math.inf
    error_scale = 0.0 if exact else _error_scale(prep, shares, candidates)
    # Free items wait only for dependencies (caps only tighten): look again once one is funded.
    free_deps = free_dependencies(prep)
    free = bool(free_items(prep))  # else no round can fund an item for free
    rounds = 0
    while True:
        rounds += 1
        if wanted is not None and rounds % ASK_EVERY == 0 and not wanted():
            raise Unwanted
        if not exact:
            margin = error_scale * rounds
        if free and (rounds == 1 or funding.order[-1] in free_deps):
            fund_free_items(prep, funding, stage)
        if until is not None and funding.funded[until]:
            break
        available = _available(prep, funding, candidates, run, items, gaps)
        refining = track_step and step > step_floor
        keep, skip = (None, set()) if refining else _still_tied(prep, ledger, available, tie, gaps)
        available.park(skip)
        tied: list[int] = []
        try:
            order = available.visit(items, gaps)
            chosen = _cheapest(prep, items, ledger, order, gaps, margin, exact, tied_out=tied)
        except NeedExact:
            if exact or not resolve or track_step:
                raise
            tied = []
            chosen = _exact_round(prep, begin, total, funding, stage, available.items(), gaps)
        finally:
            available.after_visit(gaps)
        # The items tied with this round's choice (exactly the same rho), for the next round.
        tie = set(tied) | skip if keep in tied else set(tied)
        if chosen is None:
            if observe is not None:
                observe(ledger, funding, None, None)
            break
        p, rho = chosen
        tie.discard(p)
        if observe is not None:
            observe(ledger, funding, p, rho)
        if track_step and step > step_floor:
            step = min(step, _overtake_bound(prep, items, available, gaps, p, rho, margin))
        run.price[p] = rho
        run.paid[p] = ledger.pay(p, rho, margin)
        funding.add(p)
        stage[p] = Stage.RULE
        if spend_at_most is not None and funding.spent > spend_at_most:
            break  # cut short: it overspends (see the docstring)
    run.leftover = ledger.leftover()
    run.unaffordable = set(gaps)
    if track_step and gaps and step > 0:
        step = min(step, min(gaps.values()) - margin)
    run.stable_for = max(step, 0)
    return run


@dataclass(frozen=True, eq=False)
class RunTrace:
    """A run's rounds, to read its budgets round by round without running it again (what
    the effective supports read: ``support.effective_supports(trace=...)``): its shares,
    then each item it funded after the pre-pass, in order, with the price and the payments
    (voters, amounts) of those it bought; ``None`` for the free items it added. Equal when
    every number is."""

    exact: bool
    total: Number
    shares: Array
    steps: list[tuple[int, Any, IntArray | None, Array | None]]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RunTrace):
            return NotImplemented
        return (
            (self.exact, self.total) == (other.exact, other.total)
            and _same_array(self.shares, other.shares)
            and len(self.steps) == len(other.steps)
            and all(
                a[:2] == b[:2] and _same_array(a[2], b[2]) and _same_array(a[3], b[3])
                for a, b in zip(self.steps, other.steps, strict=True)
            )
        )

    __hash__ = None  # type: ignore[assignment]


def _same_array(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return bool(np.array_equal(a, b))


def trace_of(begin: Start, run: MESRun) -> RunTrace:
    """The :class:`RunTrace` of ``run`` (started from ``begin``), before any completion."""
    steps: list[tuple[int, Any, IntArray | None, Array | None]] = []
    for p in run.funding.order[len(begin.funding.order) :]:
        if run.stage[p] is Stage.RULE:
            voters, amounts = run.paid[p]
            steps.append((p, run.price[p], voters, amounts))
        elif run.stage[p] is Stage.PLEDGES:  # free: pledged in full, added by the run
            steps.append((p, None, None, None))
        else:
            break  # a completion's (greedy fill): not the run's own
    return RunTrace(run.exact, run.total, run.shares, steps)


def replay_exact(prep: Prepared, begin: Start, run: MESRun) -> MESRun:
    """The exact amounts of a float run: the same items funded in the same order, each at the
    exact rho of the exact budgets of the moment.

    The float run proved each of its decisions (which item, whether affordable) exact, so
    this is the exact run's outcome, payments and prices included, at the cost of one rho
    per funded item instead of every comparison the exact run makes again (a minute on
    planning-sized elections with voice weights, whose exact budgets grow long
    denominators)."""
    if run.exact:
        return run
    state = begin.copy()
    funding, stage = state.funding, state.stage
    shares = _shares(prep, run.total, True)
    items = ItemFigures(prep, _candidates(prep, funding), True)
    ledger = _ledger(prep, items, shares, run.total, True)
    out = MESRun(funding, stage, shares, shares, exact=True, total=run.total)
    for p in run.funding.order[len(funding.order) :]:
        if run.stage[p] is Stage.RULE:
            _, held = ledger.money(p)
            rho = ledger.rho(p, held)[0]
            out.price[p] = rho
            out.paid[p] = ledger.pay(p, rho, 0)
        funding.add(p)
        stage[p] = run.stage[p]
    out.leftover = ledger.leftover()
    out.unaffordable = set(run.unaffordable)
    out.capped = set(run.capped)
    out.stable_for = run.stable_for
    return out


def _exact_round(
    prep: Prepared,
    begin: Start,
    total: Number,
    funding: FundedSoFar,
    stage: dict[int, Stage],
    active: list[int],
    gaps: dict[int, Any],
) -> tuple[int, float] | None:
    """This round of a float run decided in exact arithmetic: the exact budgets are replayed
    from ``begin`` along the run's choices so far (each proven when it was made, as in
    :func:`replay_exact`), then the exact round picks the item (or finds none affordable).
    Items it finds unaffordable join ``gaps``. Returns the item and the float of its exact rho:
    the float run pays with it, its budgets then within their error bounds as before."""
    state = begin.copy()
    shares = _shares(prep, total, True)
    items = ItemFigures(prep, _candidates(prep, state.funding), True)
    ledger = _ledger(prep, items, shares, total, True)
    for p in funding.order[len(state.funding.order) :]:
        if stage[p] is Stage.RULE:
            _, held = ledger.money(p)
            ledger.pay(p, ledger.rho(p, held)[0], 0)
    found: dict[int, Any] = {}
    order = iter(sorted(active, key=items.fbound.__getitem__))
    chosen = _cheapest(prep, items, ledger, order, found, 0, True)
    gaps.update((p, float(gap)) for p, gap in found.items())
    return None if chosen is None else (chosen[0], float(chosen[1]))


def _candidates(prep: Prepared, funding: FundedSoFar) -> list[int]:
    """The items the rule may fund from this start: eligible, not funded yet, costing it
    something, and supported."""
    return [
        p
        for p in range(prep.m)
        if prep.eligible[p]
        and not funding.funded[p]
        and prep.rule_cost[p] > 0
        and len(prep.supporters[p]) > 0
    ]


def _ledger(
    prep: Prepared, items: ItemFigures, shares: Array, total: Number, exact: bool
) -> Ledger:
    """One budget per voter for points ballots and for small float runs, else classes."""
    if prep.has_points or (not exact and prep.n < CLASSES_FROM):
        return VoterLedger(prep, items, shares, exact, total)
    return ClassLedger(prep, items, shares, total, exact)


def _shares(prep: Prepared, total: Number, exact: bool) -> Array:
    """Each voter's share ``total * weight_i``: exact, or the float of each weight times the
    float of the total (the same floats whichever ledger runs)."""
    if exact:
        if prep.equal_weights:
            return np.full(prep.n, total * prep.weights[0] if prep.n else 0, dtype=object)
        return np.array(prep.shares(total), dtype=object)
    weights = prep.cache.get("float-weights")
    if weights is None:
        if prep.equal_weights:  # one conversion, not one per voter
            weights = np.full(prep.n, float(prep.weights[0]) if prep.n else 0.0)
        else:
            weights = np.array([float(w) for w in prep.weights], dtype=np.float64)
        prep.cache["float-weights"] = weights
    result: Array = weights * float(total)
    return result


def _error_scale(prep: Prepared, shares: Array, candidates: list[int]) -> float:
    """Per round, a bound on the money error of the float run: recursive summation of ``k``
    terms errs by at most ``(k - 1) * u * sum|x|`` (Higham), each item's sums involve at most
    its supporters' shares and its cost, and the error of each round's payments carries into
    the next; we take 4 times that worst case."""
    if not candidates:
        return 0.0
    key = ("mes-error-scale", tuple(candidates))
    fixed = prep.cache.get(key)
    if fixed is None:  # the supporters' weights (their shares per unit of total), and costs
        weights = shares / shares.sum() if shares.sum() else shares
        fixed = prep.cache[key] = (
            max(len(prep.supporters[p]) for p in candidates),
            [
                (float(weights[prep.supporters[p]].sum()), float(prep.rule_cost[p]))
                for p in candidates
            ],
        )
    largest, sums = fixed
    total = float(shares.sum())
    scale = max(w * total + c for w, c in sums) * (1 + 1e-6)
    return 4 * UNIT * (largest + 2) * scale


def _available(
    prep: Prepared,
    funding: FundedSoFar,
    candidates: list[int],
    run: MESRun,
    items: ItemFigures,
    gaps: dict[int, Any],
) -> _Available:
    """The items the rule may fund this round: candidates not funded, not found unaffordable,
    not over a cap, with their dependencies funded. Kept from round to round and updated only
    where the last round's fundings can have changed it."""
    if run.available is None:
        run.available = _Available(prep, funding, candidates, run.capped, items)
    else:
        run.available.update(funding, gaps)
    return run.available


class _Available:
    """The available items of one run, and the order :func:`_cheapest` visits them in.

    Every change comes from an item being funded: it leaves; items waiting for it as a
    dependency may arrive (checked against their caps then); the groups it is in have less
    room under their caps, and only the items of such a group costing about that room or more
    can go over (rooms only shrink, so an item over a cap stays over it). Unaffordable items
    (``gaps``) leave for good. The items are kept in a heap by their bound on rho (ties: item
    index), which is the order of ``sorted(active, key=bound)`` on the ascending list of
    available items: each round pops only the items it visits, and puts them back under their
    new bounds. Items :meth:`park` ed are left out of the visits until unparked.
    """

    def __init__(
        self,
        prep: Prepared,
        funding: FundedSoFar,
        candidates: list[int],
        capped: set[int],
        items: ItemFigures,
    ) -> None:
        self.prep, self.funding, self.fbound = prep, funding, items.fbound
        self.candidates = candidates
        self._by_static: list[int] | None = None
        self.largest_static_err: Any = 0
        self.live: set[int] = set()
        self.waiting: dict[int, list[int]] = {}  # dependency -> items waiting for it
        self.seen = len(funding.order)  # fundings already taken into account
        self.capped = capped  # the run's: over a cap for good
        self.gaps: dict[int, Any] = {}
        self.parked: set[int] = set()
        # The heap of (bound, item, stamp): an entry counts only while its stamp is the
        # item's (an item has at most one entry that counts).
        self.heap: list[tuple[Any, int, int]] = []
        self.stamp: dict[int, int] = {}
        self.pushes = 0
        self.popped: list[int] = []
        # Each capped group's candidates, costliest first.
        self.by_cost: dict[int, list[int]] = {}
        costs = funding.costs
        if any(cap is not None for cap in prep.caps):
            for p in candidates:
                for g in prep.groups_of[p]:
                    if prep.caps[g] is not None:
                        self.by_cost.setdefault(g, []).append(p)
            for members in self.by_cost.values():
                members.sort(key=lambda q: -costs[q])
        for p in candidates:
            if not funding.funded[p]:
                self._arrive(p)

    def _push(self, p: int) -> None:
        self.pushes += 1
        self.stamp[p] = self.pushes
        heapq.heappush(self.heap, (self.fbound[p], p, self.pushes))

    def _arrive(self, p: int) -> None:
        """``p`` may be available: wait for an unfunded dependency, or check its caps."""
        funding = self.funding
        for d in self.prep.depends_on[p]:
            if not funding.funded[d]:
                self.waiting.setdefault(d, []).append(p)
                return
        if not funding.within_caps(p):
            self.capped.add(p)
            return
        self.live.add(p)
        self._push(p)

    def update(self, funding: FundedSoFar, gaps: dict[int, Any]) -> None:
        """Take in what was funded since the last round."""
        new = funding.order[self.seen :]
        self.seen = len(funding.order)
        if not new:
            return
        live, prep = self.live, self.prep
        woken: list[int] = []
        for q in new:
            live.discard(q)
            woken.extend(self.waiting.pop(q, ()))
        touched = {g for q in new for g in prep.groups_of[q] if prep.caps[g] is not None}
        for g in sorted(touched):
            self._over_cap(g)
        for p in sorted(woken):
            if not funding.funded[p] and p not in gaps:
                self._arrive(p)

    def _over_cap(self, g: int) -> None:
        """Drop the available items of group ``g`` that its shrunken room no longer takes."""
        funding, live = self.funding, self.live
        room = funding.room[g]
        assert room is not None
        costs = funding.costs
        for p in self.by_cost.get(g, ()):
            cost = costs[p]
            if cost <= room - CAP_SLACK * max(1.0, abs(room), cost):
                break  # so is every item after it: all within this group's cap
            if p in live and not funding.within_caps(p):
                live.discard(p)
                self.capped.add(p)

    def park(self, skip: set[int]) -> None:
        """Leave ``skip`` out of this round's visits (and later ones, until parked anew)."""
        for p in self.parked - skip:
            if p in self.live and p not in self.gaps and p not in self.stamp:
                self._push(p)
        self.parked = skip

    def visit(self, items: ItemFigures, gaps: dict[int, Any]) -> Iterator[int]:
        """The available items by bound (ties: index), popped as they are visited."""
        self.fbound, self.gaps = items.fbound, gaps
        return self._pop()

    def _pop(self) -> Iterator[int]:
        heap, live, popped, gaps = self.heap, self.live, self.popped, self.gaps
        stamp, parked = self.stamp, self.parked
        while heap:
            _, p, pushed = heapq.heappop(heap)
            if stamp.get(p) != pushed:
                continue  # an entry that no longer counts
            del stamp[p]
            if p in live and p not in gaps and p not in parked:
                popped.append(p)
                yield p

    def after_visit(self, gaps: dict[int, Any]) -> None:
        """Put the visited items back under their new bounds (the unaffordable ones leave)."""
        live = self.live
        for p in self.popped:
            if p in gaps:
                live.discard(p)
            else:
                self._push(p)
        self.popped = []

    def by_static(self, items: ItemFigures) -> list[int]:
        """The candidates by their fixed lower bound on rho (``static``), computed once."""
        if self._by_static is None:
            self._by_static = sorted(self.candidates, key=items.static.__getitem__)
            self.largest_static_err = max(items.static_err.values(), default=0)
        return self._by_static

    def items(self) -> list[int]:
        """The available items, ascending."""
        return sorted(p for p in self.live if p not in self.gaps)


def _still_tied(
    prep: Prepared, ledger: Ledger, available: _Available, tie: set[int], gaps: dict[int, Any]
) -> tuple[int | None, set[int]]:
    """Last round's ties that this round need not look at again, and the one it must.

    ``tie`` holds the items last round found tied with its choice: exactly the same rho,
    proven. Those none of whose supporters paid since (the ledger has not changed their
    money) still have that rho exactly, and affordable. Every other item's rho was above it
    last round and has not come down (budgets only shrink), except items just become
    available. So the one with the smallest id among them (kept) stands for all: if it is
    chosen or tied again, they all tie with the choice again and the smallest id among the
    tied is the same with or without them; if something beats it, it beats them all. Without
    this, a tie of ``k`` items is looked at ``k`` times over (``k**2 / 2`` visits)."""
    changed = ledger.take_changed()
    if changed is None or len(tie) < 2:
        return None, set()
    same = (tie & available.live) - changed
    same.difference_update(gaps.keys())
    if len(same) < 2:
        return None, set()
    keep = min(same, key=_id_rank(prep).__getitem__)
    same.discard(keep)
    return keep, same


def _id_rank(prep: Prepared) -> list[int]:
    """Each item's place in the order of ids (the order ties are broken in)."""
    rank = prep.cache.get("id-rank")
    if rank is None:
        order = sorted(range(prep.m), key=prep.ids.__getitem__)
        rank = prep.cache["id-rank"] = [0] * prep.m
        for place, p in enumerate(order):
            rank[p] = place
    return cast(list[int], rank)


def _cheapest(
    prep: Prepared,
    items: ItemFigures,
    ledger: Ledger,
    order: Iterator[int],
    gaps: dict[int, Any],
    margin: Any,
    exact: bool,
    tied_out: list[int] | None = None,
) -> tuple[int, Any] | None:
    """The item to fund this round and its rho, or None; removes unaffordable items. ``order``
    gives the available items by their bound on rho (ties: index), and is read only as far as
    a bound can still beat the best rho found.
    ``tied_out`` receives the items tied with the choice."""
    best: Any = None
    best_item = -1
    tied: list[int] = []
    # Exact bounds are visited in the order of their floats: float() is monotone, so once
    # float(bound) > float(best), every later bound exceeds best exactly (and sorting floats
    # is far cheaper than sorting fractions; items with equal floats are all looked at).
    for p in order:
        if best is not None:
            if exact:
                if items.fbound[p] > float(best):
                    break
            elif items.bound[p] > best + _rho_margin(items, p, best_item):
                break
        money, held = ledger.money(p)
        gap = items.cost[p] - money
        if gap > margin:
            gaps[p] = gap  # budgets only shrink: unaffordable for good
            continue
        if not exact and gap >= -margin:
            raise NeedExact
        rho, util_from, slack, room = ledger.rho(p, held)
        items.bound[p], items.bound_util[p] = rho, util_from
        if exact:
            items.fbound[p] = float(rho)
        else:
            items.err[p] = _rho_error(items, p, rho, util_from, room, margin)
        # Every supporter pays rho * u with room to spare (each voter's budget is off by at most
        # `margin`): rho is exactly cost / total utility.
        sure = not exact and slack > margin / items.umin[p] + items.err[p]
        items.known[p] = ledger.known_rho(p) if sure else None
        if best is None or rho < best - _rho_margin(items, p, best_item):
            best, best_item, tied = rho, p, [p]
        elif rho <= best + _rho_margin(items, p, best_item):
            if exact:
                tied.append(p)
                continue
            mine, theirs = items.known[p], items.known[best_item]
            if mine is None:
                mine = ledger.exact_rho(p, margin)
            if theirs is None:
                theirs = ledger.exact_rho(best_item, margin)
            if mine is None or theirs is None:
                if not ledger.same_rho(p, best_item, margin):
                    raise NeedExact
                tied.append(p)
            # Fractions are kept in lowest terms: equal exactly when their parts are (cheaper
            # than Fraction.__eq__, asked of every tied pair).
            elif mine.numerator == theirs.numerator and mine.denominator == theirs.denominator:
                tied.append(p)
            elif mine < theirs:
                best, best_item, tied = rho, p, [p]
    if tied_out is not None:
        tied_out.extend(tied)
    if not tied:
        return None
    chosen = min(tied, key=lambda q: prep.ids[q])
    return chosen, items.bound[chosen]


def _rho_margin(items: ItemFigures, p: int, q: int) -> Any:
    """How far apart two float rhos (the current bounds of ``p`` and ``q``) must be for their
    exact order to be the float order: the sum of their errors."""
    return items.err[p] + items.err[q]


def _rho_error(
    items: ItemFigures, p: int, rho: float, util: float, room: float, margin: float
) -> float:
    """A bound on ``|rho - exact rho|`` for a float rho computed from money off by at most
    ``margin`` (on any sum of the supporters' budgets, hence on
    ``F(x) = sum_i min(b_i, x u_i)``).

    ``F`` rises with slope at least ``util`` (the utility of the voters paying ``x u_i``) below
    ``rho``, and with exactly that slope up to the next voter's ``b_i / u_i``, ``room`` above
    ``rho``. So with ``d = 2 * margin / util`` (plus the rounding of the division),
    ``F(rho - d) < cost - margin`` and, when ``room >= 2 d``, ``F(rho + d) > cost + margin``:
    the exact rho lies within ``d``. Otherwise the bound that holds whichever voters pay in
    full: ``margin`` over the smallest utility of one voter (as many as 1 voter may pay rho u).
    """
    near = 2 * margin / util + 8 * UNIT * rho
    if room >= 2 * near:
        return near
    return 2 * margin / items.umin[p] + 8 * UNIT * rho


def _overtake_bound(
    prep: Prepared,
    items: ItemFigures,
    available: _Available,
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

    Only items whose fixed lower bound (``static``) is within reach of ``rho`` can overtake:
    they are looked at in the order of that bound, up to the first out of reach of any.
    """
    bound: Any = math.inf
    live, order = available.live, available.by_static(items)
    reach = rho + available.largest_static_err + items.err[chosen]
    for q in order:
        static = items.static[q]
        if static > reach:
            break  # so is every later item's: none can overtake
        if q == chosen or q in gaps or q not in live:
            continue
        if static > rho + items.static_err[q] + items.err[chosen]:
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
            ahead -= _rho_margin(items, q, chosen)
            if ahead <= 0:
                return 0
            bound = min(bound, ahead * util * (1 - 1e-9) - margin)
        else:
            bound = min(bound, ahead * util)
    return bound


def _exact_tie(items: ItemFigures, q: int, chosen: int, static: Any, rho: Any, margin: Any) -> bool:
    """Whether q's rho can never drop below the chosen item's rho (it sits at its lower bound,
    equal to the chosen rho), known exactly."""
    if margin == 0:
        return bool(static == rho)
    theirs = items.known.get(chosen)
    if theirs is None:
        return False
    mine = items.known.get(q)
    if mine is None:
        return False
    exact = items.static_exact[q]
    # Fractions (and ints) are kept in lowest terms: equal exactly when their parts are
    # (cheaper than Fraction.__eq__, asked of every item within reach while the bound is
    # refined).
    return (
        mine.numerator == theirs.numerator == exact.numerator
        and mine.denominator == theirs.denominator == exact.denominator
    )
