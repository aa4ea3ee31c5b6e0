"""Staff assignment: who works how many person-weeks on which funded item, skill and sub-period.

Step 4 of the allocation in the product brief. The funded items of a run need
person-weeks of skills; staff have skills (level 1-3), earmarks and a capacity per sub-period.
:func:`assign_staff` maximizes priority-weighted covered effort less continuity penalties over
a mixed-integer program solved with HiGHS (``highspy``): on large inputs the model gathered
into a flow network first gives a proven bound and a plan in a fraction of a second, and the
call ends there when that is within the gap asked; otherwise the linear relaxation by pricing
gives a proven bound and a rounded plan, then MIPs over the (person, item) pairs the
relaxation uses improve dependency timing and continuity from the best plan so far, the greedy
plan being the floor. Whatever it cannot cover is reported as a gap by skill and sub-period,
never hidden. The steps are described in ``docs/assignment.md``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np

from roadmap.allocation.staffing.flow import (
    build_network,
    consolidate,
    repair,
    solve_network,
    split_flow,
)
from roadmap.allocation.staffing.greedy import greedy_weeks
from roadmap.allocation.staffing.model import (
    Built,
    build_model,
    feasible_point,
    objective_of,
    point_of,
    run_mip,
    to_weeks,
)
from roadmap.allocation.staffing.plan import SolveStatus, StaffPlan, summarize_plan
from roadmap.allocation.staffing.problem import (
    StaffingProblem,
    Weeks,
    Worker,
    WorkItem,
    prepare_problem,
)
from roadmap.allocation.staffing.search import Relaxed, relaxation, relaxed_cost


def assign_staff(
    items: Sequence[WorkItem],
    staff: Sequence[Worker],
    *,
    person_item_penalty: float = 0.1,
    max_people_per_item: int | None = None,
    max_items_per_person: int | None = None,
    level_bonus: float = 0.0,
    early_finish_bonus: float = 0.01,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-4,
) -> StaffPlan:
    """Assign staff to funded items by a MILP solved with HiGHS.

    Maximizes the priority-weighted covered effort, never exceeding anyone's capacity in any
    sub-period, using only skills a person has and items their earmark allows, and working on
    an item only in sub-periods after everything it depends on is fully covered.

    Parameters
    ----------
    items : Sequence[WorkItem]
        The funded items of the run.
    staff : Sequence[Worker]
        The staff; every capacity list has one entry per sub-period.
    person_item_penalty : float
        Cost of each (person, item) pair that has any work, in person-weeks of the least
        important item: keeps few people per item and few items per person. 0 turns it off.
    max_people_per_item, max_items_per_person : int or None
        Hard caps on those counts; None means no cap.
    level_bonus : float
        Covering with level ``l`` earns ``weight * (1 + level_bonus * (l - 1))`` per
        person-week; 0 (the default) ignores levels beyond having the skill.
    early_finish_bonus : float
        Reward, in person-weeks of the least important item, for each sub-period an item that
        others depend on is finished before the end: prefers plans that unblock dependents
        sooner. 0 turns it off.
    time_limit : float
        Seconds the call may take, model building included (HiGHS may overrun it a little);
        the best plan found is returned with its bound.
    mip_rel_gap : float
        Relative gap at which the solver stops as optimal.

    Returns
    -------
    StaffPlan
        The plan; ``message`` is a sentence when nothing can be assigned.

    Raises
    ------
    ValueError
        For bad input (see :func:`prepare_problem`) or bad parameters.
    """
    if min(person_item_penalty, level_bonus, early_finish_bonus) < 0:
        raise ValueError("The penalty and bonuses must be at least 0.")
    for cap in (max_people_per_item, max_items_per_person):
        if cap is not None and cap < 1:
            raise ValueError("A cap on people per item or items per person must be at least 1.")
    if not (time_limit > 0 and mip_rel_gap >= 0):
        raise ValueError("The time limit must be above 0 and the relative gap at least 0.")
    clock = time.perf_counter()
    deadline = clock + float(time_limit)
    problem = prepare_problem(items, staff)
    if problem.message is not None:
        return summarize_plan(problem, {}, SolveStatus.TRIVIAL, bound=0.0, relative_gap=0.0)
    timed = {i.id for i in problem.items if i.depends_on}
    timed |= {d for i in problem.items for d in i.depends_on}
    capped = not (max_people_per_item is max_items_per_person is None)
    penalty = person_item_penalty * min(float(item.weight) for item in problem.items)

    def value(weeks: Weeks) -> float:
        return objective_of(problem, weeks, level_bonus, person_item_penalty, early_finish_bonus)

    candidates: list[tuple[float, Weeks, str]] = []  # (objective, plan, source)
    if not capped:
        # The greedy plan obeys the model (it has no caps to break): a floor for every run,
        # and the first columns of the relaxation.
        greedy = greedy_weeks(problem)
        candidates.append((value(greedy), greedy, "greedy"))
    # The model gathered into a flow network: a bound (caps and continuity flags relaxed) and,
    # by a dive to integral "finished by" flags, a plan, in a fraction of a second.
    bound: float | None = None
    network = None
    if len(problem.staff) * len(problem.items) >= _FLOW_FIRST:
        network = build_network(problem, timed, level_bonus, early_finish_bonus, penalty)
    if network is not None:
        flow = solve_network(network, problem, clock + _FLOW_SHARE * time_limit)
        bound = flow.bound
        if flow.values is not None and not capped:
            split = repair(problem, split_flow(problem, network, flow.values))
            weeks: Weeks = consolidate(problem, split, timed)
            candidates.append((value(weeks), weeks, "flow"))
    if _within(_top(candidates), bound, mip_rel_gap):
        return _finish(problem, candidates, bound, True, clock)
    built = build_model(problem, timed, level_bonus, early_finish_bonus)
    if built is None:
        return _nothing_workable(problem)
    best_point = np.zeros(len(built.cost))
    if candidates:
        # The best plan so far (the flow's, where it ran) gives the relaxation its first
        # columns and the MIPs their start unless the rounded relaxation beats greedy's.
        best_point = feasible_point(problem, built, point_of(problem, built, _best(candidates)))
    # The linear relaxation, by pricing: a proven bound, and a plan once rounded.
    relaxed = relaxation(
        built, penalty, built.is_work & (best_point > 0), clock + _RELAXATION_SHARE * time_limit
    )
    if math.isfinite(relaxed.bound):
        bound = relaxed.bound if bound is None else min(bound, relaxed.bound)
    if not capped and relaxed.rounds:
        point = feasible_point(problem, built, relaxed.values)
        weeks = to_weeks(problem, built, point)
        candidates.append((value(weeks), weeks, "relaxation"))
        # The MIPs start from the rounded relaxation whenever it beats greedy's plan, even
        # when the flow's is better: measured, HiGHS improves on it far more (200 x 3,000:
        # 0.42 % after 30 s, against 0.71 % from the flow's plan).
        if candidates[-1][0] > candidates[0][0]:
            best_point = point
    # The MIP over the pairs the relaxation uses (and the best plan's), from the best plan;
    # when HiGHS proves that restricted model before the time limit, over twice as many pairs
    # (the most promising by reduced cost), up to all of them.
    chosen = np.zeros(len(built.most), dtype=bool)
    chosen[built.pair[built.is_work & ((relaxed.values > 1e-9) | (best_point > 1e-9))]] = True
    post = _post_seconds(problem, time_limit)
    if len(built.cost) <= _WHOLE_MODEL:
        chosen[:] = True
    if not capped and penalty > 0 and not _within(_top(candidates), bound, mip_rel_gap):
        # Dependency timing first, without continuity flags (fast: only "finished by" flags
        # are integer) but with the relaxation's per-week price of continuity: its plan is the
        # continuity MIP's start. Rounding the relaxation keeps only the work whose
        # dependencies it completed, which can be far from this.
        columns = np.flatnonzero(~built.is_work | chosen[np.maximum(built.pair, 0)])
        left = deadline - post - time.perf_counter()
        timing = run_mip(
            built,
            columns,
            0.0,
            None,
            None,
            best_point,
            _TIMING_SHARE * left,
            mip_rel_gap,
            relaxed_cost(built, penalty),
        )
        if timing.values is not None:
            weeks = to_weeks(problem, built, timing.values)
            candidates.append((value(weeks), weeks, "timing"))
            if candidates[-1][0] >= _top(candidates):
                best_point = timing.values
    ranking = _pair_ranking(built, relaxed)
    rest = ranking[~chosen[ranking]]  # the pairs to add when HiGHS proves the restricted model
    added = 0
    optimal = _within(_top(candidates), bound, mip_rel_gap)
    while not optimal:
        columns = np.flatnonzero(~built.is_work | chosen[np.maximum(built.pair, 0)])
        everything = bool(chosen.all())
        solved = run_mip(
            built,
            columns,
            penalty,
            max_people_per_item,
            max_items_per_person,
            best_point if best_point.any() else None,
            (1.0 if everything else _MIP_SHARE) * (deadline - post - time.perf_counter()),
            mip_rel_gap,
        )
        if solved.values is not None:
            weeks = to_weeks(problem, built, solved.values)
            candidates.append((value(weeks), weeks, "mip"))
            if candidates[-1][0] >= _top(candidates):
                best_point = solved.values
        if everything and solved.bound is not None:
            bound = solved.bound if bound is None else min(bound, solved.bound)
        if (everything and solved.optimal) or _within(_top(candidates), bound, mip_rel_gap):
            optimal = True
            break
        if everything or not solved.optimal or time.perf_counter() >= deadline - post:
            break
        more = rest[added : added + max(int(chosen.sum()), 1)]
        chosen[more] = True
        added += len(more)
    return _finish(problem, candidates, bound, optimal, clock)


def _best(candidates: list[tuple[float, Weeks, str]]) -> Weeks:
    """The best plan so far (ties to the later one)."""
    return max(reversed(candidates), key=lambda c: c[0])[1]


def _finish(
    problem: StaffingProblem,
    candidates: list[tuple[float, Weeks, str]],
    bound: float | None,
    optimal: bool,
    clock: float,
) -> StaffPlan:
    """The best candidate as a plan, with the bound, the gap and the status."""
    seconds = time.perf_counter() - clock
    if not candidates:
        message = "The solver stopped without a plan within the time limit."
        return summarize_plan(
            problem, {}, SolveStatus.NO_SOLUTION, solve_seconds=seconds, message=message
        )
    # Ties go to the later candidate (the MIP's plan over the relaxation's over greedy's).
    objective, weeks, source = max(reversed(candidates), key=lambda c: c[0])
    gap = None if bound is None else max(bound - objective, 0.0) / max(abs(objective), 1e-9)
    if optimal:
        status = SolveStatus.OPTIMAL
    elif source == "greedy":
        status = SolveStatus.GREEDY_KEPT
    else:
        status = SolveStatus.TIME_LIMIT
    return summarize_plan(
        problem,
        weeks,
        status,
        objective=objective,
        bound=bound,
        relative_gap=gap,
        solve_seconds=seconds,
        message=_FALLBACK.get(source) if not optimal else None,
    )


def _post_seconds(problem: StaffingProblem, time_limit: float) -> float:
    """Time kept at the end for writing the plan up (measured: 0.2 to 0.4 ms an item on the
    shared 2-core machine) and for HiGHS overrunning its time limit (a few percent)."""
    return 4e-4 * len(problem.items) + 0.03 * time_limit + 0.02


_FLOW_FIRST = 100_000
"""The flow network runs first from this many staff x items on (400 x 1,200: 0.5 s instead of
17 s to the time limit). Below, the steps after it reach their gap in a few seconds and the
flow's 0.3 s would only take from them (60 x 600 in 5 s: 0.34 % with it, 0.32 % without)."""

_FLOW_SHARE = 0.8
"""At most this share of the time limit goes to the flow network (its LP and dive: 0.2 to 0.4 s
at 400 staff x 1,200 items)."""

_WHOLE_MODEL = 20_000
"""Models with at most this many columns go to the MIP whole (HiGHS's cuts and branching
prove more than the relaxation; measured on the tests' instances and the 600-item bench)."""

_RELAXATION_SHARE = 0.6
"""At most this share of the time limit goes to the linear relaxation (200 x 3,000: 5 to 12 s
of 30, by load); its bound is what the gap is measured against."""

_MIP_SHARE = 0.8
"""HiGHS's MIP may overrun its time limit by seconds on large models (measured: 4 s over 10 s
at 200 x 3,000 on a loaded machine), so a restricted MIP gets this share of the time left (one
over all columns, of a model of at most ``_WHOLE_MODEL`` columns, gets all of it)."""

_TIMING_SHARE = 0.3
"""At most this share of the time left goes to dependency timing without continuity."""


def _top(candidates: list[tuple[float, Weeks, str]]) -> float:
    return max((c[0] for c in candidates), default=-math.inf)


def _within(objective: float, bound: float | None, mip_rel_gap: float) -> bool:
    if bound is None or not math.isfinite(objective):
        return False
    return bound - objective <= mip_rel_gap * max(abs(objective), 1e-9)


def _pair_ranking(built: Built, relaxed: Relaxed) -> np.ndarray:
    """Pairs by the least reduced cost of their work columns in the relaxation's last round
    (the pairs it uses have 0), ties by number; every pair once."""
    pairs = len(built.most)
    if relaxed.reduced is None:
        return np.arange(pairs)
    least = np.full(pairs, np.inf)
    work = built.is_work
    np.minimum.at(least, built.pair[work], relaxed.reduced[work])
    return np.lexsort((np.arange(pairs), least))


_FALLBACK = {
    "greedy": "Within the time limit the solver found no plan better than the greedy one, which"
    " is shown with the solver's bound.",
}


def _nothing_workable(problem: StaffingProblem) -> StaffPlan:
    return summarize_plan(
        problem,
        {},
        SolveStatus.TRIVIAL,
        bound=0.0,
        relative_gap=0.0,
        message="No staff member can work on a funded item in a sub-period its dependencies"
        " allow, so all funded effort is a gap.",
    )
