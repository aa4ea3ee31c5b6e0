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
from collections.abc import Sequence
from typing import Literal

from roadmap.allocation.constraints import NO_CONSTRAINTS, Constraints
from roadmap.allocation.election import Election, Number
from roadmap.allocation.explanation import Allocation, Reason, Stage
from roadmap.allocation.greedy import Decision, greedy_fill
from roadmap.allocation.mes_core import MESRun, NeedExact, replay_exact, run_mes
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

    Returns
    -------
    Allocation
        Funded items in funding order, with payments; ``extra["runs"]`` counts the equal-shares
        runs and ``extra["total"]`` is the total budget of the outcome kept.
    """
    prep = prepare(election, weights, constraints)
    begin = start(prep)
    # Exact amounts matter only in an explanation; the funded set is exact either way.
    small = explain and sum(len(s) for s in prep.supporters) <= EXACT_UP_TO
    if completion == "none":
        run, runs = _run(prep, begin, begin.budget, bool(exact), False), 1
    else:
        # The search runs many times: floats (each run exact where a decision is too close).
        run, runs = _add1(prep, begin, bool(exact))
    if exact is None and small:
        run = replay_exact(prep, begin, run)  # exact amounts for the explanation
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
            )
        except NeedExact:
            continue  # too close to call in floats: the same run, exactly
    raise AssertionError("an exact run never needs to be exact")


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
        # A jump shorter than one step skips nothing: stop refining it below n.
        run = _run(
            prep,
            begin,
            base + k * n,
            exact,
            track_step=True,
            step_floor=n,
            spend_at_most=prep.rule_budget,
        )
        runs += 1
        if run.funding.spent > prep.rule_budget:
            break
        kept = run
        if run.stable_for == math.inf or n == 0:
            break
        k += max(1, math.ceil(run.stable_for / n))
    if kept is None:  # k = 1 overspent: the run at the budget itself is the one kept
        kept, runs = _run(prep, begin, base, exact, track_step=True, step_floor=n), runs + 1
        assert kept.funding.spent <= prep.rule_budget, "equal shares at the budget never overspends"
    return kept, runs


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
