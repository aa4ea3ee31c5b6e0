"""Sequential Phragmén (approval ballots), as pabutools' ``sequential_phragmen``.

Voters earn virtual money continuously, voter ``i`` at rate ``n * weight_i`` (1 each with equal
weights). An item is bought the moment its supporters together have earned its cost plus what
they already spent; each supporter then has spent all it earned (its "load" is the time of the
purchase). Each round buys the item with the earliest time (ties: smallest item id). Like
pabutools, the rule stops at the first round whose earliest item (or any item tied with it)
does not fit the remaining budget; items costing more than the budget are never considered.
An item with no supporters has time infinity: it is bought last, if everything fits.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from roadmap.allocation.constraints import NO_CONSTRAINTS, Constraints
from roadmap.allocation.election import Election, Number
from roadmap.allocation.explanation import Allocation, Reason, Stage
from roadmap.allocation.prepared import (
    FundedSoFar,
    IntArray,
    NotApplicable,
    Prepared,
    concatenated_ranges,
    items_of_voters,
    prepare,
)
from roadmap.allocation.prepass import free_dependencies, fund_free_items, start
from roadmap.allocation.report import Outcome, build_allocation, default_reason


def sequential_phragmen(
    election: Election,
    *,
    weights: Sequence[Number] | None = None,
    constraints: Constraints = NO_CONSTRAINTS,
    explain: bool = True,
) -> Allocation:
    """Allocate by sequential Phragmén (exact arithmetic).

    Parameters
    ----------
    election : Election
        Approval (or choose-1, or ordinal read as approval) ballots.
    weights : Sequence[Number] or None
        Voter weights summing to 1 (None: equal): the rate at which each voter earns.
    constraints : Constraints
        Reserve, eligibility, caps, floors, dependencies, pledges.
    explain : bool
        Build the explanation; a voter's payment for an item is the load it took on.

    Raises
    ------
    NotApplicable
        For points ballots.
    """
    if election.ballot_type.has_points:
        raise NotApplicable("sequential Phragmén needs approval ballots, not points")
    prep = prepare(election, weights, constraints)
    if not explain and prep.equal_weights:
        try:  # the funded set in floats, with a margin on every comparison of times
            return _allocate(prep, _FloatLoads(prep), explain)
        except _NeedExact:
            pass
    rate = [Fraction(1)] * prep.n if prep.equal_weights else [w * prep.n for w in prep.weights]
    return _allocate(prep, _SpentBySupporters(prep, rate), explain)


def _allocate(prep: Prepared, spent_of: _Tracker, explain: bool) -> Allocation:
    begin = start(prep)
    funding, stage = begin.funding, begin.stage
    budget = begin.budget
    reasons: dict[int, Reason] = {}
    paid: dict[int, tuple[Any, Any]] = {}
    # The certificate's record (``roadmap.allocation.certificate``): each round's item and
    # time, and the earliest time and items at the stop.
    rounds: list[tuple[int, Any]] = []
    stop: tuple[Any, list[int]] | None = None
    queue = _Queue(prep, funding, spent_of, reasons)
    for p in range(prep.m):
        if prep.eligible[p] and not funding.funded[p]:
            if prep.rule_cost[p] <= budget:
                queue.enter(p)
            else:
                reasons[p] = Reason.NO_BUDGET_LEFT
    # Funding a free item takes a dependency newly funded (caps only ever refuse more).
    unlocks_free = free_dependencies(prep)
    check_free = True
    while True:
        if check_free:
            fund_free_items(prep, funding, stage)
        queue.arrived()
        found = queue.earliest()
        if found is None:
            break
        earliest, tied = found
        if any(prep.rule_cost[p] > budget for p in tied):
            stop = (earliest, queue.all_tied(earliest, tied))
            break
        chosen = tied[0]
        queue.put_back(tied[1:])
        rounds.append((chosen, earliest))
        funding.add(chosen)
        stage[chosen] = Stage.RULE
        queue.funded(chosen)
        if earliest != math.inf:  # an item nobody supports is paid by the pool
            sup, pay, touched = spent_of.buy(chosen, earliest)
            paid[chosen] = (sup, pay)
            queue.touched(touched)
        budget -= prep.rule_cost[chosen]
        check_free = chosen in unlocks_free
    for p in range(prep.m):
        if not funding.funded[p]:
            reason = default_reason(prep, funding, p, set())
            if reason is None and len(prep.supporters[p]) == 0:
                reason = Reason.TOO_LITTLE_SUPPORT
            reasons[p] = reason or reasons.get(p, Reason.NO_BUDGET_LEFT)
    shares = prep.shares(begin.budget)
    out = Outcome(funding, stage, shares, begin.budget, paid=paid, reasons=reasons)
    allocation = build_allocation("phragmen", prep, out, explain)
    allocation.extra.update(start=begin.budget, rounds=rounds, stop=stop)
    return allocation


_ACTIVE, _PARKED, _DONE = 0, 1, 2
"""An item's state in :class:`_Queue`: queued, waiting for a dependency, or out for good."""


class _Queue:
    """The items the rule may still buy, in the order of their times (ties: item id), kept
    up to date round by round instead of recomputed for every item each round.

    Only the supporters of the item bought change their spending, so only the items they
    support get a new time (:meth:`touched`); entries of a heap carry a version and older
    versions are dropped when they surface. (Times do not only grow: an item waiting for a
    dependency may be bought later at a time before its supporters' last purchases, so every
    new time is computed when it changes, not when it surfaces.) The heap orders finite
    times by a float (:meth:`_Tracker.key`), then id; the items sharing the first float are
    compared exactly. Items with an infinite time (no supporter earns)
    never change it: they wait in a heap by id and a heap by cost (the rule stops when one of
    them is earliest and does not fit). Availability is checked when an item surfaces, with
    the funding of the moment, as the rule asks every round: funded or over a cap is for good
    (group totals only grow); an item whose dependency is not funded waits, out of the heaps,
    until that dependency is funded.
    """

    def __init__(
        self, prep: Prepared, funding: FundedSoFar, tracker: _Tracker, reasons: dict[int, Reason]
    ) -> None:
        self.prep, self.funding, self.tracker, self.reasons = prep, funding, tracker, reasons
        self.state = [_DONE] * prep.m
        self.version = [0] * prep.m
        self.time: list[Any] = [math.inf] * prep.m
        self.infinite = [not tracker.earns(p) for p in range(prep.m)]
        self.key: list[Any] = [None] * prep.m
        self.finite: list[tuple[Any, int, int]] = []
        self.inf_by_id: list[tuple[str, int, int]] = []
        self.inf_by_cost: list[tuple[Any, str, int, int]] = []
        self.waiting: dict[int, list[int]] = {}
        self.seen = len(funding.order)

    def enter(self, p: int) -> None:
        """Queue ``p`` with its current time (a new version: older entries are dropped)."""
        self.state[p] = _ACTIVE
        self.version[p] += 1
        ver = self.version[p]
        time = self.time[p] = self.tracker.time(p)
        if self.infinite[p]:
            heapq.heappush(self.inf_by_id, (self.prep.ids[p], p, ver))
            cost = self.prep.rule_cost[p]
            heapq.heappush(self.inf_by_cost, (-cost, self.prep.ids[p], p, ver))
        else:
            key = self.key[p] = self.tracker.key(time, self.prep.ids[p])
            heapq.heappush(self.finite, (key, p, ver))

    def touched(self, items: Any) -> None:
        """New times for the queued items among ``items`` (their supporters spent)."""
        if 2 * len(items) < len(self.finite):
            for p in items:
                if self.state[p] == _ACTIVE and not self.infinite[p]:
                    self.enter(p)
            return
        # About as many as are queued (many voters, few items: real pabulib files): the heap
        # is built again, with every queued item's entry renewed (and no stale ones).
        state, version, ids = self.state, self.version, self.prep.ids
        time_of, key_of = self.tracker.time, self.tracker.key
        every = len(items) == self.prep.m  # (all items: no set of them to look up)
        changed = set() if every else set(items)
        entries = []
        for _, p, ver in self.finite:
            if ver != version[p] or state[p] != _ACTIVE:
                continue
            if every or p in changed:
                ver = version[p] = ver + 1
                time = self.time[p] = time_of(p)
                self.key[p] = key_of(time, ids[p])
            entries.append((self.key[p], p, ver))
        heapq.heapify(entries)
        self.finite = entries

    def funded(self, p: int) -> None:
        self.state[p] = _DONE

    def arrived(self) -> None:
        """Queue again the items waiting for a dependency funded since the last call."""
        order = self.funding.order
        for q in order[self.seen :]:
            self.state[q] = _DONE
            for p in self.waiting.pop(q, ()):
                if self.state[p] == _PARKED:
                    self.enter(p)
        self.seen = len(order)

    def _available(self, p: int) -> bool:
        """Whether ``p`` may be bought now; else it leaves the queue (for good, or until one
        of its missing dependencies is funded)."""
        funding = self.funding
        if funding.funded[p]:
            self.state[p] = _DONE
            return False
        if not funding.within_caps(p):
            self.state[p] = _DONE
            self.reasons[p] = Reason.CAP
            return False
        for d in self.prep.depends_on[p]:
            if not funding.funded[d]:
                self.state[p] = _PARKED
                self.waiting.setdefault(d, []).append(p)
                return False
        return True

    def _top(self, heap: list[Any]) -> int | None:
        """The first available item of a heap (left on it), dropping what is not."""
        while heap:
            entry = heap[0]
            p, ver = entry[-2], entry[-1]
            if ver == self.version[p] and self.state[p] == _ACTIVE and self._available(p):
                return int(p)
            heapq.heappop(heap)
        return None

    def earliest(self) -> tuple[Any, list[int]] | None:
        """The earliest time of the available items and the items at it, in id order, or None
        when no item is available. The finite items returned are off their heap. At an
        infinite time, only the first and the dearest (whether one does not fit the budget
        is all the round asks of the others; :meth:`all_tied` lists them all)."""
        first = self._top(self.finite)
        if first is not None:
            # The queue is in the order of the times' floats (then ids): the items sharing
            # the first float are all looked at, in exact arithmetic.
            approx = self.key[heapq.heappop(self.finite)[1]][0]
            near = [first]
            while (q := self._top(self.finite)) is not None and self.key[q][0] == approx:
                near.append(heapq.heappop(self.finite)[1])
            time = min(self.time[p] for p in near)
            tied = [p for p in near if self.time[p] == time]
            if len(tied) < len(near):
                self.put_back([p for p in near if self.time[p] != time])
            after = None if q is None else self.time[q]
            self.tracker.round(time, len(tied), after)
            return time, tied
        first = self._top(self.inf_by_id)
        if first is None:
            return None
        self.tracker.round(math.inf, 0, None)
        dearest = self._top(self.inf_by_cost)
        assert dearest is not None
        return math.inf, [first] if dearest == first else [first, dearest]

    def all_tied(self, time: Any, tied: list[int]) -> list[int]:
        """Every available item at the (stopping) time, in id order."""
        if time != math.inf:
            return tied
        # One entry per item carries its current version.
        every = [p for _, p, ver in self.inf_by_id if ver == self.version[p]]
        return sorted(
            (p for p in every if self.state[p] == _ACTIVE and self._available(p)),
            key=self.prep.ids.__getitem__,
        )

    def put_back(self, items: list[int]) -> None:
        """Items :meth:`earliest` took off their heap and the round did not buy."""
        for p in items:
            if not self.infinite[p]:
                heapq.heappush(self.finite, (self.key[p], p, self.version[p]))


class _NeedExact(Exception):
    """Two times too close to order in floats: rerun exactly."""


class _Tracker:
    """What the supporters of each item have spent: each item's purchase time, and buying."""

    def time(self, p: int) -> Any:
        """The time at which the supporters of ``p`` have earned its cost (math.inf if none
        earns)."""
        raise NotImplementedError

    def earns(self, p: int) -> bool:
        """Whether the supporters of ``p`` earn anything (else its time is infinite)."""
        raise NotImplementedError

    def key(self, time: Any, item_id: str) -> tuple[Any, str]:
        """The queue's order of a finite time: a float, monotone in the time, then the id."""
        return (time, item_id)

    def round(self, earliest: Any, tied: int, after: Any) -> None:
        """A round begins: its earliest time, how many items have it, and the next time of
        an available item (None if there is none)."""

    def buy(self, item: int, time: Any) -> tuple[Any, Any, Any]:
        """Record the purchase; return (supporters, what each paid, the items whose time
        changed)."""
        raise NotImplementedError


class _FloatLoads(_Tracker):
    """Equal weights, floats: each voter's load is the time of its last purchase, an item's
    time is ``(cost + sum of its supporters' loads) / (number of supporters)``.

    Error bound: a time computed from loads each off by at most ``E`` (times only grow, so
    every load is at most the time ``t`` being computed) is off by at most
    ``E + (k + 3) u t`` (``k`` terms summed, a division; ``u = 2^-53``), so after ``r`` rounds
    by ``r (k + 3) u t``; we take 4 times that, and any two times closer than their errors
    (the factor ``1 + 3 r e`` above the earliest, ``e`` the relative error per round)
    (an exact tie included) send the whole rule to the exact run. Times of items nobody
    supports are infinite, exactly.
    """

    def __init__(self, prep: Prepared) -> None:
        self.prep = prep
        self.loads = np.zeros(prep.n, dtype=np.float64)
        self.costs = [float(c) for c in prep.rule_cost]
        self.counts = [len(s) for s in prep.supporters]
        self.rounds = 0
        self.relative = 4 * 2.0**-53 * (max(self.counts, default=0) + 3)
        self.index: tuple[IntArray, IntArray] | None = None  # built if ever needed

    def earns(self, p: int) -> bool:
        return self.counts[p] > 0

    def time(self, p: int) -> Any:
        k = self.counts[p]
        if not k:
            return math.inf
        return (self.costs[p] + float(self.loads[self.prep.supporters[p]].sum())) / k

    def round(self, earliest: Any, tied: int, after: Any) -> None:
        self.rounds += 1
        if earliest == math.inf:
            return
        close = earliest * (1 + 3 * self.rounds * self.relative)
        if tied > 1 or (after is not None and after <= close):
            raise _NeedExact

    def buy(self, item: int, time: Any) -> tuple[Any, Any, Any]:
        sup = self.prep.supporters[item]
        pay = time - self.loads[sup]
        self.loads[sup] = time
        if len(sup) >= self.prep.m:
            # As many movers as items (real pabulib files): likely every item, and timing
            # them all costs less than finding which.
            return sup, pay, range(self.prep.m)
        if self.index is None:
            self.index = items_of_voters(self.prep)
        begin, ballots = self.index
        entries = concatenated_ranges(begin[sup], begin[sup + 1])
        return sup, pay, np.unique(ballots[entries]).tolist()


def _time(cost: Number, spent: Fraction, rate: Fraction) -> Fraction | float:
    return (cost + spent) / rate if rate else math.inf


class _SpentBySupporters(_Tracker):
    """For every item, the total its supporters have spent so far, kept exactly.

    A voter's spending is ``rate_i * (time of its last purchase)``, so voters fall into a few
    classes by that time; buying an item moves its supporters to the new time and each item's
    total changes by (count or rate of movers from each class) * (time difference).
    """

    def __init__(self, prep: Prepared, rate: list[Fraction]) -> None:
        self.prep = prep
        self.rate = rate
        if prep.equal_weights:
            self.rate_sum = [Fraction(len(prep.supporters[p])) for p in range(prep.m)]
        else:
            self.rate_sum = [
                sum((rate[i] for i in prep.supporters[p].tolist()), Fraction(0))
                for p in range(prep.m)
            ]
        self.total: list[Fraction] = [Fraction(0)] * prep.m
        self.time_of_class: list[Fraction] = [Fraction(0)]
        self.voter_class = np.zeros(prep.n, dtype=np.int64)
        self.start, self.ballots = items_of_voters(prep)

    def earns(self, p: int) -> bool:
        return bool(self.rate_sum[p])

    def time(self, p: int) -> Any:
        return _time(self.prep.rule_cost[p], self.total[p], self.rate_sum[p])

    def key(self, time: Any, item_id: str) -> tuple[Any, str]:
        # Floats first: float() is monotone, so where they differ they order the times as
        # the fractions do, for far less than comparing fractions.
        return (float(time), item_id)

    def buy(self, item: int, time: Any) -> tuple[Any, Any, Any]:
        assert isinstance(time, Fraction)
        sup = self.prep.supporters[item]
        old = self.voter_class[sup]
        if self.prep.equal_weights:
            rate0 = self.rate[0] if self.rate else Fraction(0)
            by_class = np.array([rate0 * (time - t) for t in self.time_of_class], dtype=object)
            pay = by_class[old]
        else:
            pay = np.array(
                [
                    self.rate[i] * (time - self.time_of_class[c])
                    for i, c in zip(sup.tolist(), old.tolist(), strict=True)
                ],
                dtype=object,
            )
        counts = np.diff(self.start)[sup]
        entries = np.repeat(self.start[sup], counts) + _ranges(counts)
        items_of_entry = self.ballots[entries]
        if self.prep.equal_weights:
            class_of_entry = np.repeat(old, counts)
            key = class_of_entry * self.prep.m + items_of_entry
            uniq, number = np.unique(key, return_counts=True)
            touched = np.unique(uniq % self.prep.m).tolist()
            # Equal weights earn at rate 1: a mover adds (time - its class time) to each item.
            step = [time - t for t in self.time_of_class]
            for k, c in zip(uniq.tolist(), number.tolist(), strict=True):
                cls, p = divmod(k, self.prep.m)
                self.total[p] += c * step[cls]
        else:
            touched = np.unique(items_of_entry).tolist()
            # A mover adds what it pays now to each item it supports.
            for p, amount in zip(
                items_of_entry.tolist(), np.repeat(pay, counts).tolist(), strict=True
            ):
                self.total[p] += amount
        self.time_of_class.append(time)
        self.voter_class[sup] = len(self.time_of_class) - 1
        return sup, pay, touched


def _ranges(counts: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Concatenated ``arange(c)`` for each count ``c``."""
    if len(counts) == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.arange(int(ends[-1]), dtype=np.int64) - np.repeat(ends - counts, counts)
