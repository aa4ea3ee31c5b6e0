"""The result of the staff assignment: who works what (:class:`StaffingLine`), each item's
coverage, the skill gaps, and how the plan was reached; :func:`summarize_plan` builds it from
person-weeks for the solver and the greedy baseline alike.

A :class:`StaffingLine` is one line of the plan, named apart from the app's ``AssignmentLine``
record (``roadmap.domain.plans``), which keeps such lines in a published plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from roadmap.allocation.staffing.problem import TOLERANCE, StaffingProblem, Weeks


class SolveStatus(StrEnum):
    """How the plan was reached."""

    OPTIMAL = "optimal"  # within the requested relative gap
    TIME_LIMIT = "time limit"  # best plan found when the time limit stopped the solver
    TRIVIAL = "nothing to solve"  # no item can receive work; see ``message``
    NO_SOLUTION = "no solution"  # the solver stopped without a plan; see ``message``
    GREEDY = "greedy"  # the greedy baseline; no bound
    GREEDY_KEPT = "time limit, greedy kept"  # the solver's plan was worse than greedy's


@dataclass(frozen=True)
class StaffingLine:
    """``weeks`` person-weeks of ``staff_id`` on ``item_id`` using ``skill`` in ``period``.

    One line of a staffing plan; the app's ``Assignment`` record stores such lines once a plan
    is published, hence the different name.
    """

    staff_id: str
    item_id: str
    skill: str
    period: int
    weeks: float


@dataclass(frozen=True)
class ItemCoverage:
    """Required against covered effort of one item.

    Parameters
    ----------
    item_id : str
        The item.
    required, covered, gap : float
        Person-weeks needed, assigned, and missing (``required - covered``).
    gap_by_skill : dict[str, float]
        Missing person-weeks per skill (only skills with a gap).
    completed_in : int or None
        The sub-period by whose end the item is fully covered; None if it is not (or needs
        no effort).
    """

    item_id: str
    required: float
    covered: float
    gap: float
    gap_by_skill: dict[str, float]
    completed_in: int | None


@dataclass(frozen=True)
class SkillGap:
    """Uncovered person-weeks of one skill, placed in the earliest sub-period they could be
    worked (after the item's dependencies, were their own gaps filled): a hiring or training
    need."""

    skill: str
    period: int
    weeks: float
    item_ids: tuple[str, ...]


@dataclass(frozen=True)
class StaffPlan:
    """What :func:`assign_staff` (or the greedy baseline) returns.

    Parameters
    ----------
    assignments : tuple[StaffingLine, ...]
        Sorted by sub-period, staff id, item (input order) and skill; weeks rounded to 0.01.
    coverage : tuple[ItemCoverage, ...]
        One per item, in input order.
    gaps : tuple[SkillGap, ...]
        Uncovered effort by skill and sub-period, sorted by skill then sub-period.
    status : SolveStatus
        How the plan was reached.
    objective : float
        Objective value: priority-weighted covered effort (with the level bonus) less the
        continuity penalties.
    bound : float or None
        The solver's bound on the objective (None for the greedy baseline).
    relative_gap : float or None
        ``(bound - objective) / |objective|`` for the plan returned (None for greedy).
    required_effort, covered_effort : float
        Total person-weeks needed and assigned.
    weighted_covered : float
        Sum over items of weight times covered person-weeks.
    periods : int
        Number of sub-periods.
    solve_seconds : float
        Wall time of the solver (0 when it did not run).
    message : str or None
        A sentence when the input leaves nothing to optimize or the solver found no plan.
    """

    assignments: tuple[StaffingLine, ...]
    coverage: tuple[ItemCoverage, ...]
    gaps: tuple[SkillGap, ...]
    status: SolveStatus
    objective: float
    bound: float | None
    relative_gap: float | None
    required_effort: float
    covered_effort: float
    weighted_covered: float
    periods: int
    solve_seconds: float = 0.0
    message: str | None = None

    @property
    def covered_share(self) -> float:
        """Covered over required effort (1.0 when nothing is required)."""
        return self.covered_effort / self.required_effort if self.required_effort else 1.0


def _pw(value: float) -> float:
    """Person-weeks as shown: rounded to 0.01, without a negative zero."""
    return round(value, 2) + 0.0


def _coverage(
    problem: StaffingProblem, weeks: Weeks
) -> tuple[tuple[ItemCoverage, ...], dict[str, dict[str, float]]]:
    by_item_period: dict[str, list[float]] = defaultdict(lambda: [0.0] * problem.periods)
    by_item_skill: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (_, item_id, skill, period), amount in weeks.items():
        by_item_period[item_id][period] += amount
        by_item_skill[item_id][skill] += amount
    coverage, missing = [], {}
    for item in problem.items:
        required = problem.requirements[item.id]
        missing[item.id] = {
            s: r - by_item_skill[item.id][s]
            for s, r in required.items()
            if r - by_item_skill[item.id][s] > TOLERANCE * max(1.0, r)
        }
        effort = sum(required.values())
        completed_in = None
        if effort > 0 and not missing[item.id]:
            cumulative = np.cumsum(by_item_period[item.id])
            completed_in = int(np.argmax(cumulative >= effort - TOLERANCE * max(1.0, effort)))
        covered = sum(by_item_skill[item.id].values())
        coverage.append(
            ItemCoverage(
                item_id=item.id,
                required=_pw(effort),
                covered=_pw(covered),
                gap=_pw(sum(missing[item.id].values())),
                gap_by_skill={s: _pw(g) for s, g in missing[item.id].items() if _pw(g) > 0},
                completed_in=completed_in,
            )
        )
    return tuple(coverage), missing


def _skill_gaps(
    problem: StaffingProblem, coverage: Sequence[ItemCoverage], missing: dict[str, dict[str, float]]
) -> tuple[SkillGap, ...]:
    """Place each item's missing work in the earliest sub-period it could be done, assuming the
    gaps of its dependencies were filled in theirs."""
    done = {c.item_id: c for c in coverage}
    items = {item.id: item for item in problem.items}
    ready_from: dict[str, int] = {}  # first sub-period in which dependents may work
    weeks: dict[tuple[str, int], float] = defaultdict(float)
    names: dict[tuple[str, int], list[str]] = defaultdict(list)
    for item_id in problem.order:
        start = max((ready_from[d] for d in items[item_id].depends_on), default=0)
        place = min(start, problem.periods - 1)
        for skill, amount in missing[item_id].items():
            weeks[skill, place] += amount
            names[skill, place].append(item_id)
        finished = done[item_id].completed_in
        if not missing[item_id]:
            ready_from[item_id] = 0 if finished is None else finished + 1
        else:
            ready_from[item_id] = max(place + 1, 0 if finished is None else finished + 1)
    return tuple(
        SkillGap(skill, period, _pw(weeks[skill, period]), tuple(names[skill, period]))
        for skill, period in sorted(weeks)
        if _pw(weeks[skill, period]) > 0
    )


def summarize_plan(
    problem: StaffingProblem,
    weeks: Weeks,
    status: SolveStatus,
    *,
    objective: float | None = None,
    bound: float | None = None,
    relative_gap: float | None = None,
    solve_seconds: float = 0.0,
    message: str | None = None,
) -> StaffPlan:
    """Turn person-weeks by (staff, item, skill, sub-period) into a :class:`StaffPlan`.

    Parameters
    ----------
    problem : StaffingProblem
        The validated input.
    weeks : Weeks
        Unrounded person-weeks; entries below 0.005 are left out of ``assignments`` but count
        towards coverage.
    status : SolveStatus
        How ``weeks`` was reached.
    objective : float or None
        The objective value; None means the weighted covered effort.
    bound, relative_gap : float or None
        The solver's bound and relative gap.
    solve_seconds : float
        Solver wall time.
    message : str or None
        A sentence for the reader; defaults to ``problem.message``.

    Returns
    -------
    StaffPlan
        Assignments, coverage, gaps and solver figures.
    """
    weeks = {key: amount for key, amount in weeks.items() if amount > 0}
    coverage, missing = _coverage(problem, weeks)
    weight = {item.id: float(item.weight) for item in problem.items}
    weighted = sum(weight[key[1]] * amount for key, amount in weeks.items())
    rows = sorted(
        weeks.items(), key=lambda kv: (kv[0][3], kv[0][0], problem.index[kv[0][1]], kv[0][2])
    )
    return StaffPlan(
        assignments=tuple(
            StaffingLine(staff_id, item_id, skill, period, _pw(amount))
            for (staff_id, item_id, skill, period), amount in rows
            if _pw(amount) > 0
        ),
        coverage=coverage,
        gaps=_skill_gaps(problem, coverage, missing),
        status=status,
        objective=round(weighted if objective is None else objective, 6) + 0.0,
        bound=None if bound is None else round(bound, 6) + 0.0,
        relative_gap=relative_gap,
        required_effort=_pw(sum(sum(r.values()) for r in problem.requirements.values())),
        covered_effort=_pw(sum(weeks.values())),
        weighted_covered=round(weighted, 6) + 0.0,
        periods=problem.periods,
        solve_seconds=solve_seconds,
        message=message if message is not None else problem.message,
    )
