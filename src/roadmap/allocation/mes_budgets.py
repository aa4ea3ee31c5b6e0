"""Where the voters' money is kept during one run of the Method of Equal Shares (the engine in
:mod:`roadmap.allocation.mes_core`): a ledger of one budget per voter, or of budget classes
(voters whose budgets are provably equal, grouped), and the per-item figures it prices with.

A ledger answers what an item's supporters hold, the item's price per unit of utility
``rho``, and what each supporter pays when it is funded; float runs also keep what proves a
near tie exact (see :class:`VoterLedger`).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from roadmap.allocation.election import Number
from roadmap.allocation.prepared import IntArray, Prepared, concatenated_ranges, items_of_voters

Array = np.ndarray[Any, Any]
UNIT = 2.0**-53
"""The unit roundoff of float64: the relative error of one rounding."""


class NeedExact(Exception):
    """The float run met a decision too close to call; rerun in exact arithmetic."""


class ItemFigures:
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
        static_err[p] = 0 if exact else 4 * UNIT * (k + 2) * static[p]
    return cost, utils, umin, static, static_exact, static_err


class Ledger:
    """Where the voters' money is kept during a run: what an item's supporters hold, its rho,
    and the payments when it is funded."""

    items: ItemFigures

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

    def take_changed(self) -> set[int] | None:
        """The items some of whose supporters paid since the last call (their money and rho
        may have changed; every other item's are what they were, exactly), and forget them;
        None when not known."""
        return None

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


class VoterLedger(Ledger):
    """One budget per voter (points ballots: each supporter has its own utility)."""

    def __init__(
        self,
        prep: Prepared,
        items: ItemFigures,
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
        labels, first = weight_classes(prep)
        self.budget_class: IntArray = labels.copy()
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
        self.changed: set[int] = set()  # items whose memo was dropped (take_changed)
        self.items_of = items_of_voters(prep)

    def money(self, p: int) -> tuple[Any, Any]:
        memo = self.memo.get(p)
        if memo is not None:
            return memo[0], memo[1]
        b = self.budgets[self.prep.supporters[p]]
        total = b.sum()
        self.memo[p] = [total, b, None]
        return total, b

    def take_changed(self) -> set[int] | None:
        changed, self.changed = self.changed, set()
        return changed

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
            whole = np.sort(self.budget_class[whole[~self.emptied[whole]]])
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
        held_a, held_b = (
            self.budget_class[a[~self.emptied[a]]],
            self.budget_class[b[~self.emptied[b]]],
        )
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
        off = items.err[p] + margin / u * (1 + 8 * UNIT) + 8 * UNIT * rho
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
                full = (b + margin) * (1 + 8 * UNIT) < (rho - err) * u * (1 - 8 * UNIT)
                self.emptied[sup] |= full
                if np.ndim(u) == 0:
                    part = (b - margin) * (1 - 8 * UNIT) > (rho + err) * u * (1 + 8 * UNIT)
                    self._reclass(sup, part, ("item", p), doubt=~(full | part))
        return sup, pay

    def _forget(self, voters: IntArray) -> None:
        """Drop what was kept for every item these voters support (they are about to pay)."""
        starts, items = self.items_of
        memo = self.memo
        dropped = np.unique(items[concatenated_ranges(starts[voters], starts[voters + 1])]).tolist()
        for q in dropped:
            memo.pop(q, None)
        self.changed.update(dropped)

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
        k = self.budget_class[sup]
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
        self.budget_class[sup] = k

    def _class_after(self, c: int, key: Any, priced: tuple[Any, ...] | None) -> int:
        new = self.after.get((c, key))
        if new is None:
            new = self.after[(c, key)] = self.classes
            self.classes += 1
            self.came_from[new] = (c, priced)
        return new

    def leftover(self) -> Array:
        return self.budgets


class ClassLedger(Ledger):
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
        self, prep: Prepared, items: ItemFigures, shares: Array, total: Number, exact: bool
    ) -> None:
        self.prep, self.items, self.exact = prep, items, exact
        labels, first = weight_classes(prep)
        self.budget_class: IntArray = labels.copy()
        size = len(first)
        self.bud: Array = np.zeros(max(64, 2 * size), dtype=object if exact else np.float64)
        start = shares[first] if size else shares[:0]
        self.bud[:size] = start
        self.size = size
        self.zero = -1
        self.held: dict[int, Any] = {}  # this round's classes of each item looked at

    def money(self, p: int) -> tuple[Any, Any]:
        c = self.budget_class[self.prep.supporters[p]]
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
        if self.exact:
            located = _exact_rho_located(b, cnt, u, cost)
            if located is not None:
                return located
        order = _exact_order(b) if self.exact else np.argsort(b, kind="stable")
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
        self.budget_class[sup] = remap[c]
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
        result: Array = self.bud[: self.size][self.budget_class]
        return result


def weight_classes(prep: Prepared) -> tuple[IntArray, IntArray]:
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


def _exact_rho_located(b: Array, cnt: Array, u: Any, cost: Any) -> tuple[Any, ...] | None:
    """:meth:`ClassLedger.rho` in exact arithmetic for classes of budgets ``b`` (``Fraction``s)
    with ``cnt`` voters each, all of utility ``u``, without sorting or summing every budget
    exactly: the float computation says how many classes ``j`` pay in full (those of the ``j``
    smallest budgets); then one exact sum over those ``j`` classes gives the candidate
    ``rho = (cost - their budgets) / (u * voters of the others)``, and it is the exact rho
    if ``b_(j-1) / u < rho <= b_(j) / u`` (then ``F(x) = sum min(b_i, x u)`` meets ``cost`` at
    ``rho``, is below it before, and ``j`` is the first class with ``rho_j <= b_(j) / u``, as
    the full computation finds). The ``j`` smallest in float order are the ``j`` smallest
    exactly when their largest float is below the next one (floats of ``Fraction``s are
    correctly rounded, so monotone). None when any of this does not hold: the caller computes
    it in full."""
    floats = b.astype(np.float64)
    order = np.argsort(floats, kind="stable")
    fb = floats[order]
    fcnt = cnt[order].astype(np.float64)
    fu, fcost = float(u), float(cost)
    before = np.concatenate((np.zeros(1), np.cumsum(fb * fcnt)[:-1]))
    util_from = np.cumsum(fcnt[::-1])[::-1] * fu
    hits = np.flatnonzero((fcost - before) / util_from <= fb / fu)
    if len(hits) == 0:
        return None
    j = int(hits[0])
    if j > 0 and not fb[j - 1] < fb[j]:
        return None
    ranked = b[order]
    counts = cnt[order]
    paid_in_full = sum((ranked[i] * counts[i] for i in range(j)), Fraction(0))
    util = int(counts[j:].sum()) * u
    rho = (cost - paid_in_full) / util
    low = ranked[j] / u
    if not rho <= low or (j > 0 and not ranked[j - 1] / u < rho):
        return None
    return rho, util, (low - rho if j == 0 else -1), low - rho


def _exact_order(b: Array) -> IntArray:
    """The order that sorts exact budgets ``b`` (``Fraction``s): that of their floats when it
    provably sorts them exactly (each next budget not below the one before: one comparison
    per budget, where sorting fractions makes ``k log k``), else the exact sort. The float of
    a ``Fraction`` is correctly rounded, hence monotone, so only budgets with equal floats
    can be out of order, and the check finds them."""
    order: IntArray = np.argsort(b.astype(np.float64), kind="stable")
    ranked = b[order]
    if len(ranked) < 2 or bool(np.all(ranked[1:] >= ranked[:-1])):
        return order
    exact_order: IntArray = np.argsort(b, kind="stable")
    return exact_order


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
