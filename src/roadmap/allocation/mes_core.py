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
from roadmap.allocation.prepared import Funding, IntArray, Prepared, concatenated_ranges
from roadmap.allocation.prepass import Start, free_items, fund_free_items

Array = np.ndarray[Any, Any]
_UNIT = 2.0**-53
CLASSES_FROM = 2_000
"""Float runs on approval ballots group voters by budget from this many voters (exact runs
always do): below it, numpy calls on a few hundred voters cost less than grouping them
(measured: Assen, 84 voters, and Cambridge 2015, 941, are faster per voter; Świecie, 2,553,
and Cambridge 2019, 6,447, faster grouped)."""


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
    # What _active already knows: items whose dependencies are funded (for good), and how
    # much of funding.order it has seen (caps are checked again only for the items sharing a
    # group with an item funded since).
    deps_met: set[int] = field(default_factory=set, repr=False)
    caps_seen: int = field(default=-1, repr=False)


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
        self.cost, self.util, self.umin, self.static, self.static_exact, self.static_err = fixed
        self.bound: dict[int, Any] = dict(self.static)
        # Exact runs: the float of each bound (correctly rounded, so monotone), for ordering.
        self.fbound: dict[int, float] = (
            {p: float(b) for p, b in self.static.items()} if exact else self.bound
        )
        # How far the float bound may be from the exact value it stands for (0 when exact).
        self.err: dict[int, Any] = dict(self.static_err)
        self.bound_util: dict[int, Any] = dict.fromkeys(candidates, math.inf)
        self.known: dict[int, Fraction | None] = dict.fromkeys(candidates)


def _fixed_item_data(prep: Prepared, candidates: list[int], exact: bool) -> tuple[Any, ...]:
    cost: dict[int, Any] = {}
    utils: dict[int, Any] = {}
    umin: dict[int, float] = {}
    static: dict[int, Any] = {}
    static_exact: dict[int, Fraction] = {}
    static_err: dict[int, Any] = {}
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
        # Exact: a Fraction even for an integer cost, so that (cost - money held) / utility
        # stays a Fraction when the money is an int 0 (an int / int would be a float).
        cost[p] = Fraction(prep.rule_cost[p]) if exact else float(prep.rule_cost[p])
        utils[p] = u
        exact_util = sum(util) if util is not None else prep.full_cost[p] * k  # ints stay ints
        # cost / (sum of utilities) <= rho at any budgets: a bound that never moves.
        static_exact[p] = Fraction(prep.rule_cost[p]) / exact_util
        static[p] = static_exact[p] if exact else cost[p] / total_util
        # A float cost / (sum of k utilities): (k + 1) roundings, relative; 4 times that.
        static_err[p] = 0 if exact else 4 * _UNIT * (k + 2) * static[p]
    return cost, utils, umin, static, static_exact, static_err


def run_mes(
    prep: Prepared,
    begin: Start,
    total: Number,
    *,
    exact: bool,
    track_step: bool = False,
    step_floor: Number = 0,
) -> MESRun:
    """Run equal shares from ``begin`` with voter shares ``total * weight_i``.

    With ``track_step``, ``stable_for`` is computed; once it is known to be at most
    ``step_floor`` (a jump too short to skip any total the caller would run), the rest of the
    run stops refining it and it is returned as is (still a valid bound).

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
    items = _Items(prep, candidates, exact)
    ledger = _ledger(prep, items, shares, total, exact)
    run = MESRun(funding, stage, shares, shares, exact=exact, total=total)
    gaps: dict[int, Any] = {}
    step: Any = math.inf
    error_scale = 0.0 if exact else _error_scale(prep, shares, candidates)
    free = bool(free_items(prep))  # else no round can fund an item for free
    rounds = 0
    while True:
        rounds += 1
        if not exact:
            margin = error_scale * rounds
        if free:
            fund_free_items(prep, funding, stage)
        active = _active(prep, funding, candidates, run, gaps)
        chosen = _cheapest(prep, items, ledger, active, gaps, margin, exact)
        if chosen is None:
            break
        p, rho = chosen
        if track_step and step > step_floor:
            step = min(step, _overtake_bound(prep, items, active, gaps, p, rho, margin))
        run.price[p] = rho
        run.paid[p] = ledger.pay(p, rho, margin)
        funding.add(p)
        stage[p] = Stage.RULE
    run.leftover = ledger.leftover()
    run.unaffordable = set(gaps)
    if track_step and gaps and step > 0:
        step = min(step, min(gaps.values()) - margin)
    run.stable_for = max(step, 0)
    return run


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
    items = _Items(prep, _candidates(prep, funding), True)
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


def _candidates(prep: Prepared, funding: Funding) -> list[int]:
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


def _ledger(prep: Prepared, items: _Items, shares: Array, total: Number, exact: bool) -> _Ledger:
    """One budget per voter for points ballots and for small float runs, else classes."""
    if prep.has_points or (not exact and prep.n < CLASSES_FROM):
        return _VoterLedger(prep, items, shares, exact, total)
    return _ClassLedger(prep, items, shares, total, exact)


def _items_of_voters(prep: Prepared) -> tuple[IntArray, IntArray]:
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


class _Ledger:
    """Where the voters' money is kept during a run: what an item's supporters hold, its rho,
    and the payments when it is funded."""

    items: _Items

    def money(self, p: int) -> tuple[Any, Any]:
        """The supporters' money, and what :meth:`rho` needs of it."""
        raise NotImplementedError

    def rho(self, p: int, held: Any) -> tuple[Any, Any, Any, Any]:
        """As :func:`_rho`."""
        raise NotImplementedError

    def pay(self, p: int, rho: Any, margin: Any) -> tuple[IntArray, Array]:
        """Fund ``p`` at ``rho`` (float runs: budgets off by at most ``margin``): the
        supporters and what each pays."""
        raise NotImplementedError

    def same_rho(self, p: int, q: int, margin: Any) -> bool:
        """Whether ``p`` and ``q`` provably have the same exact rho (float runs)."""
        return False

    def exact_rho(self, p: int, margin: Any) -> Fraction | None:
        """The exact rho of ``p`` at this round, when the float run can prove it."""
        return None

    def known_rho(self, p: int) -> Fraction:
        """The exact rho of ``p`` when :meth:`rho` has just found (with its slack) that every
        supporter holding money pays ``rho * u`` with room to spare: ``cost / total utility``
        of the supporters holding money."""
        return self.items.static_exact[p]

    def leftover(self) -> Array:
        """Each voter's money left."""
        raise NotImplementedError


class _VoterLedger(_Ledger):
    """One budget per voter (points ballots: each supporter has its own utility)."""

    def __init__(
        self,
        prep: Prepared,
        items: _Items,
        shares: Array,
        exact: bool,
        total: Number | None = None,
    ) -> None:
        self.prep, self.items, self.exact = prep, items, exact
        self.budgets = shares.copy()
        # Float runs: the voters whose budget is exactly 0, not merely 0.0 (they paid their
        # whole budget for an item whose exact price per utility surely exceeded it).
        self.emptied = np.zeros(len(shares), dtype=bool)
        # Float runs, approval: voters of one class hold exactly the same budget. Classes
        # start by weight; after a payment, a class's voters paying rho * u move to the class
        # of (that class, what provably fixes the exact rho), shared by every item with the
        # same key; those at exactly 0 are in class -1; any payer in doubt gets its own.
        labels, first = _weight_classes(prep)
        self.klass: IntArray = labels.copy()
        self.classes = int(labels.max()) + 1 if len(labels) else 0
        self.after: dict[tuple[int, Any], int] = {}
        # Each class's exact budget where known (the run's own arithmetic, one number per
        # class and payment): the start by weight, then less each exact payment. A class's
        # budget never changes, so it is worked out only when a near tie asks for it
        # (:meth:`_worth`): a class made by a payment records where it came from and the key
        # that fixes what each of its voters paid (None: not known exactly).
        self.worth: dict[int, Fraction | None] = {-1: Fraction(0)}
        self.came_from: dict[int, tuple[int, tuple[Any, ...] | None]] = {}
        self.paid: dict[tuple[Any, ...], Fraction | None] = {}  # sure key -> exact payment
        if total is not None and not exact:
            for c, i in enumerate(first.tolist()):
                self.worth[c] = Fraction(total) * prep.weights[i]
        self.holding: dict[int, int] = {}  # item -> its supporters holding money, when known
        # item -> (classes of the voters paying their whole budget, not exactly at 0, sorted;
        # the largest budget per utility among them, or None; how many pay rho * u; the room
        # above rho), float runs, this round
        self.split: dict[int, tuple[IntArray, float | None, int, float]] = {}
        # What money() and rho() found for an item, kept while none of its supporters has
        # paid since: the budgets, classes and zeros they read only change for the payers of
        # a funded item (pay()), and most items are looked at round after round unchanged.
        # item -> [money, held, rho's result or None]
        self.memo: dict[int, list[Any]] = {}
        self.items_of = _items_of_voters(prep)

    def money(self, p: int) -> tuple[Any, Any]:
        memo = self.memo.get(p)
        if memo is not None:
            return memo[0], memo[1]
        b = self.budgets[self.prep.supporters[p]]
        total = b.sum()
        self.memo[p] = [total, b, None]
        return total, b

    def rho(self, p: int, held: Any) -> tuple[Any, Any, Any, Any]:
        memo = self.memo.get(p)
        if memo is not None and memo[1] is held and memo[2] is not None:
            # What this computation also left in split[p] and holding[p] is still there:
            # only a computation for p changes them.
            return memo[2]
        result = self._rho(p, held)
        if memo is not None and memo[1] is held:
            memo[2] = result
        return result

    def _rho(self, p: int, held: Any) -> tuple[Any, Any, Any, Any]:
        u = self.items.util[p]
        rho, util_from, slack, room, first = _rho(held, u, self.items.cost[p], self.exact)
        self.holding.pop(p, None)
        if not self.exact and np.ndim(u) == 0:
            sup = self.prep.supporters[p]
            order = np.argsort(held, kind="stable")  # as _rho sorts them
            whole = sup[order[:first]]
            whole = np.sort(self.klass[whole[~self.emptied[whole]]])
            top = float(held[order[first - 1]]) / u if first else None
            self.split[p] = (whole, top, len(held) - first, float(room))
        if not self.exact and first > 0 and np.ndim(u) == 0:
            # The voters paying their whole budget are exactly those at 0.0: if each of them
            # is exactly at 0, they pay nothing exactly too, and the slack of the first voter
            # with money tells whether everyone with money pays rho * u (known_rho).
            zero = held == 0.0
            if int(zero.sum()) == first and self.emptied[self.prep.supporters[p][zero]].all():
                slack = room
                self.holding[p] = len(held) - first
        return rho, util_from, slack, room

    def same_rho(self, p: int, q: int, margin: Any) -> bool:
        """Whether ``p`` and ``q`` (same cost, same utility) provably have the same exact rho.

        Either their supporters apart from those exactly at 0 (who pay nothing for either)
        hold the same budgets, class for class: the same ``sum_i min(b_i, x u)`` for every
        ``x``. Or their rho is fixed by the same key (:meth:`_key`)."""
        prep, items = self.prep, self.items
        if self.exact or np.ndim(items.util[p]) or np.ndim(items.util[q]):
            return False
        if prep.rule_cost[p] != prep.rule_cost[q] or prep.full_cost[p] != prep.full_cost[q]:
            return False
        a, b = prep.supporters[p], prep.supporters[q]
        held_a, held_b = self.klass[a[~self.emptied[a]]], self.klass[b[~self.emptied[b]]]
        if len(held_a) == len(held_b) and np.array_equal(np.sort(held_a), np.sort(held_b)):
            return True
        key = self._key(p, margin)
        return key is not None and key == self._key(q, margin)

    def _key(self, p: int, margin: Any) -> tuple[Any, ...] | None:
        """What fixes the exact rho of ``p`` at this round, if its split is sure: the voters
        (not exactly at 0) paying their whole budget, by class, and how many pay ``rho * u``
        (every budget per utility further from rho than their errors, so the exact split is
        the float one): then rho is exactly ``(cost - their budgets) / (u * that number)``."""
        split = self.split.get(p)
        if split is None:
            return None
        whole, top, paying, room = split
        items = self.items
        u, rho = float(items.util[p]), float(items.bound[p])
        # How far a budget per utility may be from its float, plus rho's error.
        off = items.err[p] + margin / u * (1 + 8 * _UNIT) + 8 * _UNIT * rho
        if room <= off or (top is not None and top >= rho - off):
            return None
        prep = self.prep
        return (prep.rule_cost[p], prep.full_cost[p], tuple(whole.tolist()), paying)

    def exact_rho(self, p: int, margin: Any) -> Fraction | None:
        """From the key (a sure split) and the full payers' exact class budgets."""
        key = self._key(p, margin) if not self.exact and np.ndim(self.items.util[p]) == 0 else None
        return None if key is None else self._rho_of(key)

    def _rho_of(self, key: tuple[Any, ...]) -> Fraction | None:
        cost, util, whole, paying = key
        held = Fraction(0)
        for c in whole:
            worth = self._worth(c)
            if worth is None:
                return None
            held += worth
        if paying == 0:
            return None
        return (Fraction(cost) - held) / (util * paying)

    def _worth(self, c: int) -> Fraction | None:
        """The exact budget of each voter of class ``c``, or None if not known exactly."""
        chain = []
        while c not in self.worth and c in self.came_from:
            chain.append(c)
            c = self.came_from[c][0]
        value = self.worth.get(c)
        for k in reversed(chain):
            key = self.came_from[k][1]
            paid = None if value is None or key is None else self._paid(key)
            value = None if value is None or paid is None else value - paid
            self.worth[k] = value
        return value

    def _paid(self, key: tuple[Any, ...]) -> Fraction | None:
        """What each voter paying ``rho * u`` paid for an item with this sure key."""
        if key not in self.paid:
            rho = self._rho_of(key)
            self.paid[key] = None if rho is None else rho * key[1]
        return self.paid[key]

    def known_rho(self, p: int) -> Fraction:
        holding = self.holding.get(p)
        if holding is None:
            return self.items.static_exact[p]
        prep = self.prep
        return Fraction(prep.rule_cost[p]) / (prep.full_cost[p] * holding)

    def pay(self, p: int, rho: Any, margin: Any) -> tuple[IntArray, Array]:
        sup = self.prep.supporters[p]
        self._forget(sup)
        b = self.budgets[sup]
        u = self.items.util[p]
        pay = np.minimum(b, rho * u)
        self.budgets[sup] = b - pay
        if not self.exact:
            key = self._key(p, margin) if np.ndim(u) == 0 else None
            if key is not None:
                # A sure split: the full payers pay exactly their whole budget, the others
                # exactly rho * u, the same for every item with this key.
                full = b <= rho * u
                self.emptied[sup] |= full
                self._reclass(sup, ~full, ("rho", key), priced=key)
            else:
                # Exact budget <= b + margin < (exact rho) * u: the voter pays exactly its
                # whole budget (rho is off by at most err; both sides padded for rounding).
                err = self.items.err[p]
                full = (b + margin) * (1 + 8 * _UNIT) < (rho - err) * u * (1 - 8 * _UNIT)
                self.emptied[sup] |= full
                if np.ndim(u) == 0:
                    part = (b - margin) * (1 - 8 * _UNIT) > (rho + err) * u * (1 + 8 * _UNIT)
                    self._reclass(sup, part, ("item", p), doubt=~(full | part))
        return sup, pay

    def _forget(self, voters: IntArray) -> None:
        """Drop what was kept for every item these voters support (they are about to pay)."""
        starts, items = self.items_of
        memo = self.memo
        for q in np.unique(items[concatenated_ranges(starts[voters], starts[voters + 1])]).tolist():
            memo.pop(q, None)

    def _reclass(
        self,
        sup: IntArray,
        moving: Array,
        key: Any,
        doubt: Array | None = None,
        priced: tuple[Any, ...] | None = None,
    ) -> None:
        """After a payment: ``moving`` voters (paying exactly rho * u, fixed by the sure key
        ``priced`` if known) go, class by class, to the class of (their class, ``key``);
        voters at exactly 0 to class -1; voters in ``doubt`` each to a class of its own (exact
        budget unknown)."""
        k = self.klass[sup]
        zero = self.emptied[sup]
        k[zero] = -1
        moving = moving & ~zero
        if moving.any():
            old, where = np.unique(k[moving], return_inverse=True)
            k[moving] = np.array([self._class_after(int(c), key, priced) for c in old])[where]
        if doubt is not None:
            doubt = doubt & ~zero
            count = int(doubt.sum())
            k[doubt] = self.classes + np.arange(count)
            self.classes += count
        self.klass[sup] = k

    def _class_after(self, c: int, key: Any, priced: tuple[Any, ...] | None) -> int:
        new = self.after.get((c, key))
        if new is None:
            new = self.after[(c, key)] = self.classes
            self.classes += 1
            self.came_from[new] = (c, priced)
        return new

    def leftover(self) -> Array:
        return self.budgets


class _ClassLedger(_Ledger):
    """Voters grouped by budget history (approval ballots: every supporter of an item has
    the same utility, its cost).

    Voters with the same budget pay the same for any item they support, ``min(b, rho * u)``,
    and so keep equal budgets. Every voter starts in the class of its share (one class with
    equal weights); funding an item moves the supporters of each class that pays to a new
    class (all emptied budgets to one class of zeros). An item's money and rho are computed
    over its supporters' classes, with their counts: fewer numbers than voters (on Warszawa
    2026, one class early on, about 19,000 for 61,668 voters after 49 items). The float
    budgets are the very numbers the per-voter run computes (the same ``b - min(b, rho * u)``
    on the same values); only the sums group differently, within the same error bound.
    """

    def __init__(
        self, prep: Prepared, items: _Items, shares: Array, total: Number, exact: bool
    ) -> None:
        self.prep, self.items, self.exact = prep, items, exact
        labels, first = _weight_classes(prep)
        self.cls: IntArray = labels.copy()
        size = len(first)
        self.bud: Array = np.zeros(max(64, 2 * size), dtype=object if exact else np.float64)
        start = shares[first] if size else shares[:0]
        self.bud[:size] = start
        self.size = size
        self.zero = -1
        self.held: dict[int, Any] = {}  # this round's classes of each item looked at

    def money(self, p: int) -> tuple[Any, Any]:
        c = self.cls[self.prep.supporters[p]]
        counts = np.bincount(c, minlength=self.size)
        nz = counts.nonzero()[0]
        b, cnt = self.bud[nz], counts[nz]
        if self.exact:
            cnt = cnt.astype(object)
        held = self.held[p] = (c, nz, b, cnt)
        return (b * cnt).sum(), held

    def rho(self, p: int, held: Any) -> tuple[Any, Any, Any, Any]:
        _, _, b, cnt = held
        u, cost = self.items.util[p], self.items.cost[p]
        order = np.argsort(b, kind="stable")
        b, cnt = b[order], cnt[order]
        ratio = b / u
        head: Array = np.array([Fraction(0)], dtype=object) if self.exact else np.zeros(1)
        before: Array = np.concatenate((head, np.cumsum(b * cnt)[:-1]))
        util_from = np.cumsum(cnt[::-1])[::-1] * u
        rho = (cost - before) / util_from
        hits = rho <= ratio
        j = int(hits.argmax())
        if not hits[j]:
            if self.exact:  # pragma: no cover - guarded by the affordability test
                raise AssertionError("rho requested for an unaffordable item")
            raise NeedExact
        return rho[j], util_from[j], (ratio[0] - rho[0] if j == 0 else -1), ratio[j] - rho[j]

    def pay(self, p: int, rho: Any, margin: Any) -> tuple[IntArray, Array]:
        sup = self.prep.supporters[p]
        c, nz, b, _ = self.held[p] if p in self.held else self.money(p)[1]
        self.held.clear()  # the budgets change
        pays = np.minimum(b, rho * self.items.util[p])
        after = b - pays
        # Each paying class moves to a class of its own (voters who paid the same from the
        # same budget), except that every emptied budget joins one class of zeros.
        moving = (pays != 0).nonzero()[0]
        emptied = after[moving] == 0
        fresh = moving[~emptied]
        remap = np.arange(self.size)
        pay_by: Array = np.zeros(self.size, dtype=self.bud.dtype)
        pay_by[nz] = pays
        if emptied.any():
            remap[nz[moving[emptied]]] = self._zero_class()
        remap[nz[fresh]] = self._new(after[fresh])
        self.cls[sup] = remap[c]
        return sup, pay_by[c]

    def _zero_class(self) -> int:
        if self.zero < 0:
            self.zero = int(self._new(np.zeros(1, dtype=self.bud.dtype))[0])
        return self.zero

    def _new(self, budgets: Array) -> IntArray:
        """Open one class per budget given; their ids."""
        k = len(budgets)
        if self.size + k > len(self.bud):
            grown = np.zeros(2 * (self.size + k), dtype=self.bud.dtype)
            grown[: self.size] = self.bud[: self.size]
            self.bud = grown
        self.bud[self.size : self.size + k] = budgets
        self.size += k
        return np.arange(self.size - k, self.size)

    def leftover(self) -> Array:
        result: Array = self.bud[: self.size][self.cls]
        return result


def _weight_classes(prep: Prepared) -> tuple[IntArray, IntArray]:
    """Voters by weight: each voter's class and one voter of each class."""
    cached = prep.cache.get("weight-classes")
    if cached is None:
        if prep.equal_weights or prep.n == 0:
            labels = np.zeros(prep.n, dtype=np.int64)
            first = np.zeros(min(prep.n, 1), dtype=np.int64)
        else:
            index: dict[Fraction, int] = {}
            labels = np.array([index.setdefault(w, len(index)) for w in prep.weights])
            first = np.zeros(len(index), dtype=np.int64)
            first[labels[::-1]] = np.arange(prep.n - 1, -1, -1)
        cached = prep.cache["weight-classes"] = (labels.astype(np.int64), first)
    return cached


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
    return 4 * _UNIT * (largest + 2) * scale


def _active(
    prep: Prepared, funding: Funding, candidates: list[int], run: MESRun, gaps: dict[int, Any]
) -> list[int]:
    if not _constrained(prep):
        funded = funding.funded
        return [p for p in candidates if not funded[p] and p not in gaps]
    # Group totals only change when an item is funded: caps are checked again only for the
    # items sharing a group with one funded since the last round (all of them at the first).
    new = funding.order[run.caps_seen :] if run.caps_seen >= 0 else None
    run.caps_seen = len(funding.order)
    touched = (
        None
        if new is None
        else {g for q in new for g in prep.groups_of[q] if prep.caps[g] is not None}
    )
    active = []
    for p in candidates:
        if funding.funded[p] or p in gaps or p in run.capped:
            continue
        if p not in run.deps_met:
            if not funding.deps_met(p):
                continue
            run.deps_met.add(p)  # funded items stay funded: met for good
        recheck = touched is None or not touched.isdisjoint(prep.groups_of[p])
        if recheck and not funding.within_caps(p):
            run.capped.add(p)  # group totals only grow: permanent
            continue
        active.append(p)
    return active


def _constrained(prep: Prepared) -> bool:
    """Whether any item has a dependency or a group with a cap."""
    known = prep.cache.get("constrained")
    if known is None:
        known = prep.cache["constrained"] = any(prep.depends_on) or any(
            cap is not None for cap in prep.caps
        )
    return bool(known)


def _cheapest(
    prep: Prepared,
    items: _Items,
    ledger: _Ledger,
    active: list[int],
    gaps: dict[int, Any],
    margin: Any,
    exact: bool,
) -> tuple[int, Any] | None:
    """The item to fund this round and its rho, or None; removes unaffordable items."""
    best: Any = None
    best_item = -1
    tied: list[int] = []
    # Exact bounds are visited in the order of their floats: float() is monotone, so once
    # float(bound) > float(best), every later bound exceeds best exactly (and sorting floats
    # is far cheaper than sorting fractions; items with equal floats are all looked at).
    for p in sorted(active, key=items.fbound.__getitem__):
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
            elif mine == theirs:
                tied.append(p)
            elif mine < theirs:
                best, best_item, tied = rho, p, [p]
    if not tied:
        return None
    chosen = min(tied, key=lambda q: prep.ids[q])
    return chosen, items.bound[chosen]


def _rho_margin(items: _Items, p: int, q: int) -> Any:
    """How far apart two float rhos (the current bounds of ``p`` and ``q``) must be for their
    exact order to be the float order: the sum of their errors."""
    return items.err[p] + items.err[q]


def _rho_error(items: _Items, p: int, rho: float, util: float, room: float, margin: float) -> float:
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
    near = 2 * margin / util + 8 * _UNIT * rho
    if room >= 2 * near:
        return near
    return 2 * margin / items.umin[p] + 8 * _UNIT * rho


def _rho(b: Array, u: Any, cost: Any, exact: bool) -> tuple[Any, Any, Any, Any, int]:
    """Smallest rho with ``sum min(b_i, rho * u_i) >= cost``, the utility of the voters
    paying ``rho * u_i`` (not their whole budget) at that rho, when all of them pay
    that way, by how much the poorest could pay more per unit (else -1), how far rho is
    from the smallest ``b_i / u_i`` of the voters paying ``rho * u_i``, and how many voters
    pay their whole budget. Needs ``sum(b) >= cost``."""
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
    return rho[j], util_from[j], (ratio[0] - rho[0] if j == 0 else -1), ratio[j] - rho[j], j


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


def _exact_tie(items: _Items, q: int, chosen: int, static: Any, rho: Any, margin: Any) -> bool:
    """Whether q's rho can never drop below the chosen item's rho (it sits at its lower bound,
    equal to the chosen rho), known exactly."""
    if margin == 0:
        return bool(static == rho)
    mine, theirs = items.known.get(q), items.known.get(chosen)
    return mine is not None and mine == theirs == items.static_exact[q]
