"""The greedy baseline for staff assignment, against which the MILP's coverage is measured.

Items are taken by priority (heaviest weight first, an item only after its dependencies); each
skill's effort is filled from the most skilled eligible person first, earliest sub-period first,
starting in the sub-period after its dependencies were completed. An item whose dependency was
not completed gets no work. Nothing is revisited, so a heavy item may take the only person who
could have covered a lighter one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from roadmap.allocation.staffing.plan import SolveStatus, StaffPlan, summarize_plan
from roadmap.allocation.staffing.problem import StaffingProblem, Worker, WorkItem, prepare_problem

_TOL = 1e-9


def greedy_assignment(items: Sequence[WorkItem], staff: Sequence[Worker]) -> StaffPlan:
    """Assign staff greedily in priority order (the baseline of ``bench/assignment.py``).

    Parameters
    ----------
    items : Sequence[WorkItem]
        The funded items.
    staff : Sequence[Worker]
        The staff; every capacity list has one entry per sub-period.

    Returns
    -------
    StaffPlan
        With status ``greedy``, objective the weighted covered effort and no bound.

    Raises
    ------
    ValueError
        For bad input (see :func:`roadmap.allocation.staffing.problem.prepare_problem`).
    """
    problem = prepare_problem(items, staff)
    if problem.message is not None:
        return summarize_plan(problem, {}, SolveStatus.GREEDY)
    return summarize_plan(problem, greedy_weeks(problem), SolveStatus.GREEDY)


def greedy_weeks(problem: StaffingProblem) -> dict[tuple[str, str, str, int], float]:
    """The greedy plan's unrounded person-weeks by (staff id, item id, skill, sub-period).

    Parameters
    ----------
    problem : StaffingProblem
        Validated input (from :func:`roadmap.allocation.staffing.problem.prepare_problem`).

    Returns
    -------
    dict[tuple[str, str, str, int], float]
        Feasible for the MILP without caps: capacity, skills, earmarks and dependency order hold.
    """
    by_id = {item.id: item for item in problem.items}
    staff, periods = problem.staff, problem.periods
    ids = [person.id for person in staff]
    left = np.array([[float(c) for c in person.capacity] for person in staff]).reshape(-1, periods)
    # Who has each skill, in staff order, and at which level; earmarks checked per item.
    having: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for skill in {s for needs in problem.requirements.values() for s in needs}:
        who = [n for n, person in enumerate(staff) if skill in person.skills]
        having[skill] = (
            np.array(who, dtype=np.int64),
            np.array([-staff[n].skills[skill] for n in who], dtype=float),
        )
    earmarked = [n for n, person in enumerate(staff) if person.allowed_items is not None]
    ready_from: dict[str, int | None] = {}  # first sub-period dependents may work; None: never
    weeks: dict[tuple[str, str, str, int], float] = {}
    for item_id in problem.order:
        required = problem.requirements[item_id]
        if sum(required.values()) <= 0:
            ready_from[item_id] = 0
            continue
        starts = [ready_from[d] for d in by_id[item_id].depends_on]
        if None in starts:
            ready_from[item_id] = None
            continue
        start = max((s for s in starts if s is not None), default=0)
        allowed = np.ones(len(staff), dtype=bool)
        for e in earmarked:
            allowed[e] = item_id in (staff[e].allowed_items or ())
        last_used = -1
        complete = True
        for skill, need in required.items():
            people, levels = having[skill]
            ok = allowed[people]
            people, levels = people[ok], levels[ok]
            # The most skilled first, then the one with most capacity left (staff order).
            room = left[people, start:].sum(axis=1)
            order = np.lexsort((np.arange(len(people)), -room, levels))
            for p in people[order][room[order] > _TOL]:
                for t in range(start, periods):
                    take = min(need, float(left[p, t]))
                    if take > _TOL:
                        weeks[ids[p], item_id, skill, t] = take
                        left[p, t] -= take
                        need -= take
                        last_used = max(last_used, t)
                if need <= _TOL:
                    break
            complete = complete and need <= _TOL * max(1.0, required[skill])
        ready_from[item_id] = last_used + 1 if complete else None
    return weeks
