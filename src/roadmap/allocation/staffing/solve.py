"""Staff assignment: who works how many person-weeks on which funded item, skill and sub-period.

Step 4 of the allocation in the product brief. The funded items of a run need
person-weeks of skills; staff have skills (level 1-3), earmarks and a capacity per sub-period.
:func:`assign_staff` solves a mixed-integer program with HiGHS (``scipy.optimize.milp``) that
maximizes priority-weighted covered effort; whatever it cannot cover is reported as a gap by
skill and sub-period, never hidden. When the time limit stops the solver, the easier model
without continuity and the greedy baseline compete with its plan under the full objective.
The model is described in ``docs/assignment.md``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from roadmap.allocation.staffing.greedy import greedy_weeks
from roadmap.allocation.staffing.model import objective_of, solve_model
from roadmap.allocation.staffing.plan import SolveStatus, StaffPlan, summarize_plan
from roadmap.allocation.staffing.problem import (
    StaffingProblem,
    Weeks,
    Worker,
    WorkItem,
    prepare_problem,
)


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
        Seconds the solver may run; the best plan found is returned with its bound.
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
    problem = prepare_problem(items, staff)
    if problem.message is not None:
        return summarize_plan(problem, {}, SolveStatus.TRIVIAL, bound=0.0, relative_gap=0.0)
    timed = {i.id for i in problem.items if i.depends_on}
    timed |= {d for i in problem.items for d in i.depends_on}
    capped = not (max_people_per_item is max_items_per_person is None)
    options = (level_bonus, early_finish_bonus, mip_rel_gap)
    clock = time.perf_counter()
    candidates: list[tuple[float, Weeks, str]] = []  # (objective of the full model, plan, source)
    bounds: list[float] = []
    first = None
    if person_item_penalty > 0 and not capped:
        # Without continuity indicators the model is far easier, and its plan is feasible for
        # the full model (penalties only subtract, so its bound holds too): solve it first as
        # a safe incumbent for when the full model hits the time limit.
        first = solve_model(problem, timed, 0.0, None, None, time_limit, *options)
        if first is None:
            return _nothing_workable(problem)
        value = objective_of(
            problem, first.weeks, level_bonus, person_item_penalty, early_finish_bonus
        )
        candidates.append((value, first.weeks, "coverage"))
        bounds += [first.bound] if first.bound is not None else []
    left = time_limit - (time.perf_counter() - clock)
    full = None
    if first is None or (first.optimal and left > 0.01 * time_limit):
        full = solve_model(
            problem,
            timed,
            person_item_penalty,
            max_people_per_item,
            max_items_per_person,
            left,
            *options,
        )
        if full is None:
            return _nothing_workable(problem)
        if full.weeks or full.objective > -math.inf:
            candidates.insert(0, (full.objective, full.weeks, "full"))
        bounds += [full.bound] if full.bound is not None else []
    seconds = time.perf_counter() - clock
    optimal = full is not None and full.optimal
    if not optimal and not capped:
        # A time-limited incumbent can be poor on large runs; greedy is feasible for the model
        # (it has no caps to break), so it competes under the model's objective.
        fallback = greedy_weeks(problem)
        value = objective_of(
            problem, fallback, level_bonus, person_item_penalty, early_finish_bonus
        )
        candidates.append((value, fallback, "greedy"))
    if not candidates:
        message = "The solver stopped without a plan within the time limit."
        return summarize_plan(
            problem, {}, SolveStatus.NO_SOLUTION, solve_seconds=seconds, message=message
        )
    objective, weeks, source = candidates[0] if optimal else max(candidates, key=lambda c: c[0])
    bound = min(bounds) if bounds else None
    gap = None if bound is None else max(bound - objective, 0.0) / max(abs(objective), 1e-9)
    status = SolveStatus.OPTIMAL if optimal else SolveStatus.TIME_LIMIT
    return summarize_plan(
        problem,
        weeks,
        SolveStatus.GREEDY_KEPT if source == "greedy" else status,
        objective=objective,
        bound=bound,
        relative_gap=gap,
        solve_seconds=seconds,
        message=_FALLBACK.get(source) if not optimal else None,
    )


_FALLBACK = {
    "greedy": "Within the time limit the solver found no plan better than the greedy one, which"
    " is shown with the solver's bound.",
    "coverage": "Within the time limit the solver found no plan better than the one that"
    " maximizes covered effort without weighing continuity, which is shown with the bound.",
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
