"""The sequential Phragmén of before the queue (roadmap.allocation.phragmen as of d7c7acc,
which timed every available item every round): the reference the queued rule is compared to
in test_phragmen_queue. Only renamed (public names), otherwise as it was."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from roadmap.allocation.election import Number
from roadmap.allocation.explanation import Allocation, Reason, Stage
from roadmap.allocation.prepared import Prepared
from roadmap.allocation.prepass import fund_free_items, start
from roadmap.allocation.report import Outcome, build_allocation, default_reason


def reference_phragmen(prep: Prepared, explain: bool, floats: bool) -> Allocation:
    """The old rule on a prepared election: in floats (equal weights only; raises
    :class:`NeedExact` where the old float run gave up) or exactly."""
    if floats:
        return reference_allocate(prep, FloatLoads(prep), explain)
    rate = [Fraction(1)] * prep.n if prep.equal_weights else [w * prep.n for w in prep.weights]
    return reference_allocate(prep, SpentBySupporters(prep, rate), explain)


def reference_allocate(prep: Prepared, spent_of: _Tracker, explain: bool) -> Allocation:
    begin = start(prep)
    funding, stage = begin.funding, begin.stage
    budget = begin.budget
    reasons: dict[int, Reason] = {}
    paid: dict[int, tuple[Any, Any]] = {}
    # The certificate's record (``roadmap.allocation.certificate``): each round's item and
    # time, and the earliest time and items at the stop.
    rounds: list[tuple[int, Any]] = []
    stop: tuple[Any, list[int]] | None = None
    remaining = {
        p
        for p in range(prep.m)
        if prep.eligible[p] and not funding.funded[p] and prep.rule_cost[p] <= budget
    }
    for p in range(prep.m):
        if prep.eligible[p] and not funding.funded[p] and p not in remaining:
            reasons[p] = Reason.NO_BUDGET_LEFT
    while True:
        fund_free_items(prep, funding, stage)
        remaining -= {p for p in remaining if funding.funded[p]}
        for p in [q for q in remaining if not funding.within_caps(q)]:
            remaining.discard(p)
            reasons[p] = Reason.CAP
        available = [p for p in remaining if funding.deps_met(p)]
        if not available:
            break
        earliest, tied = spent_of.earliest(available)
        tied.sort(key=lambda q: prep.ids[q])
        if any(prep.rule_cost[p] > budget for p in tied):
            stop = (earliest, tied)
            break
        chosen = tied[0]
        rounds.append((chosen, earliest))
        if earliest != math.inf:  # an item nobody supports is paid by the pool
            paid[chosen] = spent_of.buy(chosen, earliest)
        funding.add(chosen)
        stage[chosen] = Stage.RULE
        budget -= prep.rule_cost[chosen]
        remaining.discard(chosen)
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


class NeedExact(Exception):
    """Two times too close to order in floats: rerun exactly."""


class _Tracker:
    """What the supporters of each item have spent: the earliest purchase time and buying."""

    def earliest(self, available: list[int]) -> tuple[Any, list[int]]:
        """The earliest time of the available items and the items at that time."""
        raise NotImplementedError

    def buy(self, item: int, time: Any) -> tuple[Any, Any]:
        """Record the purchase; return (supporters, what each paid)."""
        raise NotImplementedError


class FloatLoads(_Tracker):
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

    def earliest(self, available: list[int]) -> tuple[Any, list[int]]:
        self.rounds += 1
        times = {}
        for p in available:
            k = self.counts[p]
            times[p] = (
                (self.costs[p] + float(self.loads[self.prep.supporters[p]].sum())) / k
                if k
                else math.inf
            )
        earliest = min(times.values())
        if earliest == math.inf:
            return earliest, [p for p in available if times[p] == math.inf]
        close = earliest * (1 + 3 * self.rounds * self.relative)
        tied = [p for p in available if times[p] <= close]
        if len(tied) > 1:
            raise NeedExact
        return earliest, tied

    def buy(self, item: int, time: Any) -> tuple[Any, Any]:
        sup = self.prep.supporters[item]
        pay = time - self.loads[sup]
        self.loads[sup] = time
        return sup, pay


def _time(cost: Number, spent: Fraction, rate: Fraction) -> Fraction | float:
    return (cost + spent) / rate if rate else math.inf


class SpentBySupporters(_Tracker):
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
        every = [prep.supporters[p] for p in range(prep.m)]
        flat = np.concatenate(every) if every else np.zeros(0, dtype=np.int64)
        lengths = np.bincount(flat, minlength=prep.n).astype(np.int64)
        self.start = np.concatenate(([0], np.cumsum(lengths)))
        ballots = np.empty(int(self.start[-1]), dtype=np.int64)
        fill = self.start[:-1].copy()
        for p in range(prep.m):
            sup = prep.supporters[p]
            ballots[fill[sup]] = p
            fill[sup] += 1
        self.ballots = ballots

    def earliest(self, available: list[int]) -> tuple[Any, list[int]]:
        costs = self.prep.rule_cost
        times = {p: _time(costs[p], self.total[p], self.rate_sum[p]) for p in available}
        earliest = min(times.values())
        return earliest, [p for p in available if times[p] == earliest]

    def buy(self, item: int, time: Any) -> tuple[Any, Any]:
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
        class_of_entry = np.repeat(old, counts)
        if self.prep.equal_weights:
            key = class_of_entry * self.prep.m + items_of_entry
            uniq, number = np.unique(key, return_counts=True)
            # Equal weights earn at rate 1: a mover adds (time - its class time) to each item.
            step = [time - t for t in self.time_of_class]
            for k, c in zip(uniq.tolist(), number.tolist(), strict=True):
                cls, p = divmod(k, self.prep.m)
                self.total[p] += c * step[cls]
        else:
            voter_of_entry = np.repeat(sup, counts)
            for i, p, cls in zip(
                voter_of_entry.tolist(),
                items_of_entry.tolist(),
                class_of_entry.tolist(),
                strict=True,
            ):
                self.total[p] += self.rate[i] * (time - self.time_of_class[cls])
        self.time_of_class.append(time)
        self.voter_class[sup] = len(self.time_of_class) - 1
        return sup, pay


def _ranges(counts: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Concatenated ``arange(c)`` for each count ``c``."""
    if len(counts) == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.arange(int(ends[-1]), dtype=np.int64) - np.repeat(ends - counts, counts)
