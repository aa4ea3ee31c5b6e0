"""The Method of Equal Shares (Peters and Skowron) and its completions.

* ``completion="none"``: plain equal shares (may leave money unspent).
* ``completion="add1"``: rerun with every voter's share one unit higher per step (the total
  budget grows by the number of voters per step) and keep the last outcome before the first one
  that costs more than the budget; no early stop when an outcome spends everything. This is
  pabutools' ``exhaustion_by_budget_increase(..., budget_step=n, exhaustive_stop=False)`` and what
  Assen, Świecie and Wieliczka ran. Instead of one run per unit we jump over totals at which the
  outcome provably cannot change (see ``docs/allocation.md``); :func:`add1_unit_steps` is the
  literal loop, kept to test the jump against.
* ``completion="add1-greedy"``: add1, then greedy by support spends what is left.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal, Protocol

from roadmap.allocation.constraints import NO_CONSTRAINTS, Constraints
from roadmap.allocation.election import Election, Number
from roadmap.allocation.explanation import Allocation, Reason, Stage
from roadmap.allocation.greedy import Decision, greedy_fill
from roadmap.allocation.mes_core import (
    MESRun,
    NeedExact,
    Unwanted,
    replay_exact,
    run_mes,
    trace_of,
)
from roadmap.allocation.prepared import Prepared, prepare
from roadmap.allocation.prepass import Start, start
from roadmap.allocation.report import Outcome, build_allocation, default_reason

Completion = Literal["none", "add1", "add1-greedy"]
EXACT_UP_TO = 20_000
"""Elections with at most this many (voter, supported item) pairs report exact amounts."""

_RULE_NAMES = {
    "none": "equal-shares",
    "add1": "equal-shares-add1",
    "add1-greedy": "equal-shares-add1-greedy",
}


def equal_shares(
    election: Election,
    *,
    weights: Sequence[Number] | None = None,
    constraints: Constraints = NO_CONSTRAINTS,
    completion: Completion = "none",
    exact: bool | None = None,
    explain: bool = True,
    shared: SharedSearch | None = None,
) -> Allocation:
    """Allocate the budget by the Method of Equal Shares.

    Parameters
    ----------
    election : Election
        Items, ballots, budget. Utilities: the item's cost for approval (and ordinal, read as
        approval of the listed items) ballots, the points for points ballots.
    weights : Sequence[Number] or None
        Voter weights summing to 1 (None: equal). Voter ``i``'s share is ``budget * weight_i``.
    constraints : Constraints
        Reserve, eligibility, caps, floors, dependencies, pledges (``docs/allocation.md``).
    completion : {"none", "add1", "add1-greedy"}
        How to spend what plain equal shares leaves.
    exact : bool or None
        True: exact arithmetic throughout; False: floats, falling back to exact arithmetic for
        any run with a decision too close to call (the funded set is the exact one either way,
        only the amounts in the explanation are floats); None: exact amounts for elections of
        up to :data:`EXACT_UP_TO` ballot entries when an explanation is asked for.
    explain : bool
        Build the explanation (payments, reasons, accounts).
    shared : SharedSearch or None
        The add1 search shared with other processes running this same call on the same
        election (see :class:`SharedSearch`): each runs some of its totals. The one that ran
        the total kept returns the allocation; the others raise :class:`HeldElsewhere`.

    Returns
    -------
    Allocation
        Funded items in funding order, with payments; ``extra["runs"]`` counts the equal-shares
        runs and ``extra["total"]`` is the total budget of the outcome kept;
        ``extra["traces"]`` holds that run's rounds (``mes_core.RunTrace``) by exactness.

    Raises
    ------
    HeldElsewhere
        With ``shared``, when another process holds the outcome kept.
    """
    prep = prepare(election, weights, constraints)
    begin = start(prep)
    # Exact amounts matter only in an explanation; the funded set is exact either way.
    small = explain and sum(len(s) for s in prep.supporters) <= EXACT_UP_TO
    if completion == "none":
        if shared is not None and not shared.claim(0):
            raise HeldElsewhere  # one run, and another process makes it
        run, runs = _run(prep, begin, begin.budget, bool(exact), False), 1
    elif shared is not None:
        run, runs = _add1_shared(prep, begin, bool(exact), shared)
    else:
        # The search runs many times: floats (each run exact where a decision is too close).
        run, runs = _add1(prep, begin, bool(exact))
    # The kept run's rounds, in each arithmetic it is known in (effective supports read
    # them instead of running it again).
    traces = {run.exact: trace_of(begin, run)}
    if exact is None and small:
        run = replay_exact(prep, begin, run)  # exact amounts for the explanation
        traces[True] = trace_of(begin, run)
    out = _outcome(prep, run)
    log: list[Decision] = []
    budget_left = prep.rule_budget - run.funding.spent
    if completion == "add1-greedy":
        greedy_fill(prep, run.funding, run.stage, budget_left, Stage.COMPLETION, out.reasons, log)
        _reasons(prep, run, out.reasons)
    allocation = build_allocation(_RULE_NAMES[completion], prep, out, explain)
    allocation.extra.update(
        runs=runs,
        total=_total_of(run),
        start=begin.budget,
        completion_budget=budget_left,
        decisions=log,
        traces=traces,
    )
    return allocation


def _total_of(run: MESRun) -> Number:
    """The total budget of a run (exact: the floats are shares of an exact total)."""
    return run.total


def _run(
    prep: Prepared,
    begin: Start,
    total: Number,
    exact: bool,
    track_step: bool,
    step_floor: Number = 0,
    spend_at_most: Number | None = None,
    wanted: Callable[[], bool] | None = None,
) -> MESRun:
    for exactly in (True,) if exact else (False, True):
        try:
            return run_mes(
                prep,
                begin,
                total,
                exact=exactly,
                track_step=track_step,
                step_floor=step_floor,
                spend_at_most=spend_at_most,
                wanted=wanted,
            )
        except NeedExact:
            continue  # too close to call in floats: the same run, exactly
    raise AssertionError("an exact run never needs to be exact")


def _step(
    prep: Prepared,
    begin: Start,
    k: int,
    exact: bool,
    wanted: Callable[[], bool] | None = None,
) -> MESRun:
    """add1's run at step ``k`` (total ``B + k * n``): its jump refined only down to one step
    (a shorter one skips nothing), and stopped as soon as it overspends."""
    return _run(
        prep,
        begin,
        begin.budget + k * prep.n,
        exact,
        track_step=True,
        step_floor=prep.n,
        spend_at_most=prep.rule_budget,
        wanted=wanted,
    )


def _add1(prep: Prepared, begin: Start, exact: bool) -> tuple[MESRun, int]:
    """add1 with jumps: from a run at total ``T`` that is stable on ``[T, T + d)``, the next total
    worth computing is the first ``B + k * n`` at or above ``T + d``; all totals skipped give
    the same outcome as ``T``, which is within budget, so the unit-step loop would have kept
    going through them too.

    Two runs are spared, with the same outcome as the literal loop. The run at the budget
    itself (``k = 0``) never overspends, so the loop always goes past it: the search starts
    at ``k = 1`` and runs ``k = 0`` only if that overspends (its outcome is then the one
    kept; from any run within budget, the next total worth computing is still found as
    above, whether or not ``k = 0`` ran). And a run is stopped as soon as it overspends."""
    n, base = prep.n, begin.budget
    bound = base * (n + 1)
    k, runs = (1 if n > 0 and base + n <= bound else 0), 0
    kept: MESRun | None = None
    while base + k * n <= bound:
        run = _step(prep, begin, k, exact)
        runs += 1
        if run.funding.spent > prep.rule_budget:
            break
        kept = run
        if run.stable_for == math.inf or n == 0:
            break
        k += max(1, math.ceil(run.stable_for / n))
    if kept is None:  # k = 1 overspent: the run at the budget itself is the one kept
        kept, runs = _step(prep, begin, 0, exact), runs + 1
        assert kept.funding.spent <= prep.rule_budget, "equal shares at the budget never overspends"
    return kept, runs


class HeldElsewhere(Exception):
    """This process's part of a shared add1 search is done; another one ran the total kept
    and returns the allocation."""


@dataclass(frozen=True)
class Probe:
    """What one run of the add1 search tells the others: whether it overspends, and how far
    the total may grow with its outcome unchanged."""

    over: bool
    stable_for: Number


class SharedSearch(Protocol):
    """The add1 search's runs shared between processes running the same allocation: a total
    (by its step ``k``) is run by the process that claims it, and its :class:`Probe` is
    recorded for all. Claims are only hints: a run is deterministic, so a total run twice
    gives the same probe (a process that waits too long on another's claim runs it)."""

    def claim(self, k: int) -> bool:
        """Whether this process may run step ``k`` (True once, for the first to ask)."""

    def record(self, k: int, probe: Probe) -> None:
        """Make step ``k``'s probe known to every process."""

    def result(self, k: int) -> Probe | None:
        """Step ``k``'s probe, if some process recorded it."""


SHARED_AHEAD = 2
"""How many steps past the first one still unknown a process of a shared search may run
ahead (the step they jump to is rarely more than one further)."""

SHARED_PATIENCE = 5.0
"""Seconds a process waits for a step another one claimed before it runs it itself (that
process may have died), at least; more once runs are seen to take longer."""


def _add1_shared(
    prep: Prepared, begin: Start, exact: bool, shared: SharedSearch
) -> tuple[MESRun, int]:
    """:func:`_add1`, its runs shared with other processes (:class:`SharedSearch`): each
    walks the steps the search needs from the probes known so far, exactly as :func:`_add1`
    would, and runs the first one nobody has claimed, or one a little ahead of it. The walk
    ends where :func:`_add1` ends; the process that ran the step kept returns its run (same
    outcome, same count of runs), the others raise :class:`HeldElsewhere`."""
    n, base = prep.n, begin.budget
    bound = base * (n + 1)
    first = 1 if n > 0 and base + n <= bound else 0
    mine: dict[int, MESRun] = {}
    longest = 0.0
    waited_since: tuple[int, float] | None = None

    def known(k: int) -> Probe | None:
        if k in mine:
            return _probe(prep, mine[k])
        return shared.result(k)

    def wanted(k: int) -> bool:
        # Still needed: the search has not ended, nor gone past step k (run by another
        # process meanwhile, or jumped over).
        _, _, frontier = _walk(known, first, n, base, bound)
        return frontier is not None and frontier <= k

    def run(k: int) -> None:
        nonlocal longest
        began = time.perf_counter()
        try:
            mine[k] = _step(prep, begin, k, exact, None if k == 0 else partial(wanted, k))
        except Unwanted:
            return
        longest = max(longest, time.perf_counter() - began)
        shared.record(k, _probe(prep, mine[k]))

    while True:
        kept, runs, frontier = _walk(known, first, n, base, bound)
        if frontier is None:
            assert kept is not None
            if kept == 0 and 0 not in mine and known(0) is None and shared.claim(0):
                run(0)  # step 1 overspent: the run at the budget itself is kept
            if kept in mine:
                return mine[kept], runs
            raise HeldElsewhere
        ahead = [
            k
            for k in range(frontier, frontier + SHARED_AHEAD + 1)
            if base + k * n <= bound and k not in mine
        ]
        chosen = next((k for k in ahead if known(k) is None and shared.claim(k)), None)
        if chosen is not None:
            run(chosen)
            waited_since = None
            continue
        # Everything within reach is claimed: wait for the first of it, or run it.
        now = time.perf_counter()
        if waited_since is None or waited_since[0] != frontier:
            waited_since = (frontier, now)
        elif now - waited_since[1] > max(SHARED_PATIENCE, 10 * longest):
            run(frontier)
            continue
        time.sleep(0.002)


def _walk(
    known: Callable[[int], Probe | None], first: int, n: int, base: Number, bound: Number
) -> tuple[int | None, int, int | None]:
    """The steps :func:`_add1` would run, from the probes known: (the step kept, the runs
    counted, None) where it ends, else (None, runs so far, the first step still unknown).
    Step 0 is kept when step ``first`` = 1 overspends (whether or not it is known)."""
    k, runs, kept = first, 0, None
    while base + k * n <= bound:
        probe = known(k)
        if probe is None:
            return None, runs, k
        runs += 1
        if probe.over:
            if kept is None:  # the run at the budget itself, which never overspends
                return 0, runs + 1, None
            return kept, runs, None
        kept = k
        if probe.stable_for == math.inf or n == 0:
            return kept, runs, None
        k += max(1, math.ceil(probe.stable_for / n))
    assert kept is not None, "equal shares at the budget itself never overspends"
    return kept, runs, None


def _probe(prep: Prepared, run: MESRun) -> Probe:
    return Probe(run.funding.spent > prep.rule_budget, run.stable_for)


def add1_unit_steps(
    election: Election,
    *,
    weights: Sequence[Number] | None = None,
    constraints: Constraints = NO_CONSTRAINTS,
    exact: bool = True,
    max_steps: int | None = None,
) -> tuple[tuple[str, ...], int]:
    """The literal add1 loop, one unit per voter per step (slow; for tests).

    Returns
    -------
    tuple[tuple[str, ...], int]
        The funded item ids (funding order) and the number of runs.
    """
    prep = prepare(election, weights, constraints)
    begin = start(prep)
    n, base = prep.n, begin.budget
    kept: MESRun | None = None
    k = 0
    while base + k * n <= base * (n + 1) and (max_steps is None or k < max_steps):
        run = _run(prep, begin, base + k * n, exact, track_step=False)
        if run.funding.spent > prep.rule_budget:
            break
        kept = run
        k += 1
        if n == 0:
            break
    assert kept is not None
    return tuple(prep.ids[p] for p in kept.funding.order), k + 1


def _outcome(prep: Prepared, run: MESRun) -> Outcome:
    reasons: dict[int, Reason] = {}
    _reasons(prep, run, reasons)
    return Outcome(
        run.funding,
        run.stage,
        run.shares.tolist(),
        _total_of(run),
        exact=run.exact,
        paid=run.paid,
        price=run.price,
        reasons=reasons,
    )


def _reasons(prep: Prepared, run: MESRun, reasons: dict[int, Reason]) -> None:
    shares = run.shares
    for p in range(prep.m):
        if run.funding.funded[p]:
            reasons.pop(p, None)
            continue
        reason = default_reason(prep, run.funding, p, run.capped)
        if reason is None:
            sup = prep.supporters[p]
            reachable = shares[sup].sum() if len(sup) else 0
            # Could its supporters have paid for it with their whole shares? Then they spent
            # their money on other items; else the support was too small to begin with.
            if len(sup) and reachable >= prep.rule_cost[p]:
                reason = Reason.NO_BUDGET_LEFT
            else:
                reason = Reason.TOO_LITTLE_SUPPORT
        reasons.setdefault(p, reason)
