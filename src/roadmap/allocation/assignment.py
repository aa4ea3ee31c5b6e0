"""Staff assignment: who works how many person-weeks on which funded item, skill and sub-period.

Step 4 of the allocation in the product brief. The funded items of a run need
person-weeks of skills; staff have skills (level 1-3), earmarks and a capacity per sub-period.
:func:`assign_staff` solves a mixed-integer program with HiGHS (``scipy.optimize.milp``) that
maximizes priority-weighted covered effort; whatever it cannot cover is reported as a gap by
skill and sub-period, never hidden. :func:`prepare_problem` validates the input and
:func:`summarize_plan` turns person-weeks into the result; the greedy baseline in
:mod:`roadmap.allocation.assignment_greedy` shares both. The model is described in
``docs/assignment.md``.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

Weeks = Mapping[tuple[str, str, str, int], float]
"""Person-weeks by (staff id, item id, skill, sub-period)."""

_TOL = 1e-6


@dataclass(frozen=True)
class WorkItem:
    """A funded item as the assignment sees it.

    Parameters
    ----------
    id : str
        The item's id.
    effort : float
        Person-weeks it needs (>= 0).
    skills : Sequence[str]
        Skill slugs it needs; the effort is split evenly across them unless ``skill_split``.
    depends_on : Sequence[str]
        Ids of funded items that must be completed (fully covered) by the end of the sub-period
        before any work on this one.
    weight : float
        Priority weight (> 0); earlier-funded items get larger weights.
    skill_split : Mapping[str, float] or None
        Person-weeks per skill; its keys are exactly ``skills`` and its values sum to ``effort``.
    """

    id: str
    effort: float
    skills: Sequence[str]
    depends_on: Sequence[str] = ()
    weight: float = 1.0
    skill_split: Mapping[str, float] | None = None


@dataclass(frozen=True)
class StaffMember:
    """A paid staff member.

    Parameters
    ----------
    id : str
        The person's id.
    skills : Mapping[str, int]
        Skill slug to level 1 (can do it), 2 (good) or 3 (expert).
    capacity : Sequence[float]
        Person-weeks available in each sub-period; time off is lower capacity.
    active : bool
        Inactive staff are validated but not assigned.
    allowed_items : Collection[str] or None
        Earmark: the only items this person may work on (those their funder paid for);
        None means any item.
    """

    id: str
    skills: Mapping[str, int]
    capacity: Sequence[float]
    active: bool = True
    allowed_items: Collection[str] | None = None


class SolveStatus(StrEnum):
    """How the plan was reached."""

    OPTIMAL = "optimal"  # within the requested relative gap
    TIME_LIMIT = "time limit"  # best plan found when the time limit stopped the solver
    TRIVIAL = "nothing to solve"  # no item can receive work; see ``message``
    NO_SOLUTION = "no solution"  # the solver stopped without a plan; see ``message``
    GREEDY = "greedy"  # the greedy baseline; no bound
    GREEDY_KEPT = "time limit, greedy kept"  # the solver's plan was worse than greedy's


@dataclass(frozen=True)
class Assignment:
    """``weeks`` person-weeks of ``staff_id`` on ``item_id`` using ``skill`` in ``period``."""

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
    assignments : tuple[Assignment, ...]
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

    assignments: tuple[Assignment, ...]
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


@dataclass(frozen=True)
class StaffingProblem:
    """Validated input: items, the staff who can work (active with capacity), requirements.

    Parameters
    ----------
    items : tuple[WorkItem, ...]
        All funded items, in input order.
    staff : tuple[StaffMember, ...]
        Active staff with some capacity, in input order.
    periods : int
        Number of sub-periods (1 when there is no staff to tell).
    requirements : dict[str, dict[str, float]]
        Item id to skill to person-weeks.
    order : tuple[str, ...]
        Item ids with every item after its dependencies (ties by weight, then input order).
    message : str or None
        Why nothing can be assigned, when that is so.
    """

    items: tuple[WorkItem, ...]
    staff: tuple[StaffMember, ...]
    periods: int
    requirements: dict[str, dict[str, float]]
    order: tuple[str, ...]
    message: str | None = None
    index: dict[str, int] = field(default_factory=dict)

    def can_work(self, person: StaffMember, item_id: str, skill: str) -> bool:
        """Whether ``person`` has ``skill`` and their earmark allows ``item_id``."""
        return _may_work(person, item_id, skill)


def _may_work(person: StaffMember, item_id: str, skill: str) -> bool:
    allowed = person.allowed_items
    return skill in person.skills and (allowed is None or item_id in allowed)


def _number(value: float, what: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{what} must be a finite number of at least 0, not {value!r}.")
    return number


def _requirements(item: WorkItem) -> dict[str, float]:
    effort = _number(item.effort, f"The effort of item {item.id!r}")
    skills = list(item.skills)
    if len(set(skills)) != len(skills):
        raise ValueError(f"Item {item.id!r} lists a skill twice.")
    if effort > 0 and not skills:
        raise ValueError(f"Item {item.id!r} needs {effort:g} person-weeks but no skill.")
    if item.skill_split is None:
        return {s: effort / len(skills) for s in skills}
    split = {
        s: _number(w, f"The {s!r} effort of item {item.id!r}") for s, w in item.skill_split.items()
    }
    if set(split) != set(skills):
        raise ValueError(f"The skill split of item {item.id!r} must name exactly its skills.")
    if abs(sum(split.values()) - effort) > 1e-9 * max(1.0, effort):
        raise ValueError(f"The skill split of item {item.id!r} does not add up to its effort.")
    return {s: split[s] for s in skills}


def _dependency_order(items: Sequence[WorkItem]) -> tuple[str, ...]:
    """Items after their dependencies, the heaviest first among those ready; refuses cycles."""
    position = {item.id: n for n, item in enumerate(items)}
    waiting = {item.id: len(set(item.depends_on)) for item in items}
    dependents: dict[str, list[str]] = defaultdict(list)
    for item in items:
        for dep in set(item.depends_on):
            if dep not in position:
                raise ValueError(f"Item {item.id!r} depends on {dep!r}, which is not funded.")
            if dep == item.id:
                raise ValueError(f"Item {item.id!r} depends on itself.")
            dependents[dep].append(item.id)
    weight = {item.id: float(item.weight) for item in items}
    ready = [(-weight[i], position[i], i) for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, _, item_id = heapq.heappop(ready)
        order.append(item_id)
        for later in dependents[item_id]:
            waiting[later] -= 1
            if waiting[later] == 0:
                heapq.heappush(ready, (-weight[later], position[later], later))
    if len(order) < len(items):
        stuck = sorted(set(position) - set(order), key=position.__getitem__)
        raise ValueError(f"Items {', '.join(stuck)} depend on each other in a cycle.")
    return tuple(order)


def _check_staff(staff: Sequence[StaffMember]) -> int:
    lengths = {len(person.capacity) for person in staff}
    if len(lengths) > 1:
        raise ValueError("Every staff member needs one capacity per sub-period (lists differ).")
    if lengths == {0}:
        raise ValueError("Capacities need at least one sub-period.")
    ids = [person.id for person in staff]
    if len(set(ids)) != len(ids):
        raise ValueError("Two staff members share an id.")
    for person in staff:
        for n, cap in enumerate(person.capacity):
            _number(cap, f"The capacity of {person.id!r} in sub-period {n}")
        for skill, level in person.skills.items():
            if level not in (1, 2, 3):
                raise ValueError(f"{person.id!r} has level {level!r} in {skill!r}; use 1, 2 or 3.")
    return lengths.pop() if lengths else 1


def prepare_problem(items: Sequence[WorkItem], staff: Sequence[StaffMember]) -> StaffingProblem:
    """Validate the input and derive the per-skill requirements and a dependency order.

    Parameters
    ----------
    items : Sequence[WorkItem]
        The funded items.
    staff : Sequence[StaffMember]
        All staff; inactive ones and those without capacity are left out of the problem.

    Returns
    -------
    StaffingProblem
        With ``message`` set when nothing can be assigned (no items, no active staff, no
        capacity).

    Raises
    ------
    ValueError
        Negative or non-finite effort or capacity, weight <= 0, unknown or cyclic dependencies,
        capacity lists of different lengths, duplicate ids, a level outside 1-3, or a skill
        split that does not match the item.
    """
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("Two funded items share an id.")
    for item in items:
        if not (math.isfinite(float(item.weight)) and item.weight > 0):
            raise ValueError(f"The weight of item {item.id!r} must be above 0.")
    requirements = {item.id: _requirements(item) for item in items}
    order = _dependency_order(items)
    periods = _check_staff(staff)
    active = [person for person in staff if person.active]
    working = tuple(person for person in active if sum(person.capacity) > 0)
    message = None
    if not items:
        message = "There are no funded items to assign."
    elif not active:
        message = "There is no active staff member, so all funded effort is a gap."
    elif not working:
        message = "Active staff have no capacity in any sub-period, so all funded effort is a gap."
    elif not any(
        r > 0 and _may_work(person, item_id, skill)
        for person in working
        for item_id, needs in requirements.items()
        for skill, r in needs.items()
    ):
        message = "No active staff member can work on any funded item, so all its effort is a gap."
    return StaffingProblem(
        items=tuple(items),
        staff=working,
        periods=periods,
        requirements=requirements,
        order=order,
        message=message,
        index={item_id: n for n, item_id in enumerate(ids)},
    )


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
            if r - by_item_skill[item.id][s] > _TOL * max(1.0, r)
        }
        effort = sum(required.values())
        completed_in = None
        if effort > 0 and not missing[item.id]:
            cumulative = np.cumsum(by_item_period[item.id])
            completed_in = int(np.argmax(cumulative >= effort - _TOL * max(1.0, effort)))
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
            Assignment(staff_id, item_id, skill, period, _pw(amount))
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


class _Model:
    """Sparse MILP under construction: variables with costs and bounds, rows lo <= A x <= hi."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        # Indicators and the work columns they watch: "works on" flags may drop to 0 where the
        # columns are empty, "finished by" flags may rise to 1 where they reach the effort.
        self.works_on: list[tuple[int, list[int]]] = []
        self.finished_by: list[tuple[int, list[int], float]] = []

    def var(self, cost: float, upper: float, integer: bool = False) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        self.integer.append(int(integer))
        return len(self.cost) - 1

    def tidy(self, values: np.ndarray) -> np.ndarray:
        """The solver's point with indicators set to what the work implies: still feasible,
        never worse (a time-limited incumbent may carry flags that only cost)."""
        tidy = values.copy()
        for flag, cols in self.works_on:
            tidy[flag] = 1.0 if values[cols].sum() > 1e-9 else 0.0
        for flag, cols, effort in self.finished_by:
            done = values[cols].sum() >= effort - _TOL * max(1.0, effort)
            tidy[flag] = 1.0 if done or values[flag] > 0.5 else 0.0
        return tidy

    def row(self, terms: Sequence[tuple[int, float]], lo: float, hi: float) -> None:
        n = len(self.lo)
        for col, val in terms:
            self.rows.append(n)
            self.cols.append(col)
            self.vals.append(val)
        self.lo.append(lo)
        self.hi.append(hi)


@dataclass
class _Work:
    """The work variables: x[(person, item, skill, period)] (period -1: not tied to one)."""

    key: list[tuple[int, str, str, int]] = field(default_factory=list)
    col: list[int] = field(default_factory=list)


def _work_variables(
    problem: StaffingProblem, model: _Model, timed: set[str], level_bonus: float
) -> _Work:
    """One variable per person, item, skill and sub-period for items in a dependency relation;
    one per person, item and skill for the rest, whose sub-period is chosen afterwards."""
    work = _Work()
    effort = {i: sum(r.values()) for i, r in problem.requirements.items()}
    for item in problem.items:
        # An item that needs nothing counts as completed from the start.
        first = 1 if any(effort[d] > 0 for d in item.depends_on) else 0
        for skill, required in problem.requirements[item.id].items():
            if required <= 0:
                continue
            for p, person in enumerate(problem.staff):
                if not problem.can_work(person, item.id, skill):
                    continue
                gain = -float(item.weight) * (1 + level_bonus * (person.skills[skill] - 1))
                if item.id not in timed:
                    total = float(sum(person.capacity))
                    work.key.append((p, item.id, skill, -1))
                    work.col.append(model.var(gain, min(required, total)))
                    continue
                for t in range(first, problem.periods):
                    if person.capacity[t] > 0:
                        work.key.append((p, item.id, skill, t))
                        work.col.append(model.var(gain, min(required, float(person.capacity[t]))))
    return work


def _add_rows(
    problem: StaffingProblem,
    model: _Model,
    work: _Work,
    penalty: float,
    early_bonus: float,
    max_people: int | None,
    max_items: int | None,
) -> None:
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_person_period: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_person: dict[int, list[int]] = defaultdict(list)
    by_item_period: dict[tuple[str, int], list[int]] = defaultdict(list)
    by_person_item: dict[tuple[int, str], list[int]] = defaultdict(list)
    for (p, item_id, skill, t), col in zip(work.key, work.col, strict=True):
        by_pair[item_id, skill].append(col)
        by_person[p].append(col)
        by_person_item[p, item_id].append(col)
        if t >= 0:
            by_person_period[p, t].append(col)
            by_item_period[item_id, t].append(col)
    for (item_id, skill), cols in by_pair.items():
        model.row([(c, 1.0) for c in cols], 0.0, problem.requirements[item_id][skill])
    for (p, t), cols in by_person_period.items():
        model.row([(c, 1.0) for c in cols], 0.0, float(problem.staff[p].capacity[t]))
    for p, cols in by_person.items():
        if len(cols) > sum(len(by_person_period[p, t]) for t in range(problem.periods)):
            model.row([(c, 1.0) for c in cols], 0.0, float(sum(problem.staff[p].capacity)))
    _dependency_rows(problem, model, by_item_period, early_bonus)
    if penalty > 0 or max_people is not None or max_items is not None:
        _continuity_rows(problem, model, by_person_item, penalty, max_people, max_items)


def _dependency_rows(
    problem: StaffingProblem,
    model: _Model,
    by_item_period: Mapping[tuple[str, int], list[int]],
    bonus: float,
) -> None:
    """finished[a, t] = 1 only if item a is fully covered by the end of t; work on b in t + 1
    needs finished[a, t] for each a that b depends on. Each finished flag earns ``bonus`` so
    that, of equally good plans, the one finishing dependencies sooner is chosen."""
    unit = min(float(item.weight) for item in problem.items)
    effort = {i: sum(r.values()) for i, r in problem.requirements.items()}
    finished: dict[tuple[str, int], int] = {}
    needed = {d for item in problem.items for d in item.depends_on if effort[d] > 0}
    for dep in sorted(needed, key=problem.index.__getitem__):
        cumulative: list[int] = []
        for t in range(problem.periods - 1):
            cumulative += by_item_period.get((dep, t), [])
            flag = model.var(-bonus * unit, 1.0, integer=True)
            finished[dep, t] = flag
            model.finished_by.append((flag, list(cumulative), effort[dep]))
            model.row([(c, 1.0) for c in cumulative] + [(flag, -effort[dep])], 0.0, math.inf)
            if t > 0:
                model.row([(finished[dep, t - 1], 1.0), (flag, -1.0)], -math.inf, 0.0)
    for item in problem.items:
        for dep in sorted(set(item.depends_on) & needed, key=problem.index.__getitem__):
            for t in range(1, problem.periods):
                cols = by_item_period.get((item.id, t), [])
                if cols:
                    flag = finished[dep, t - 1]
                    terms = [(c, 1.0) for c in cols] + [(flag, -effort[item.id])]
                    model.row(terms, -math.inf, 0.0)


def _continuity_rows(
    problem: StaffingProblem,
    model: _Model,
    by_person_item: Mapping[tuple[int, str], list[int]],
    penalty: float,
    max_people: int | None,
    max_items: int | None,
) -> None:
    """works[p, i] = 1 if person p does any work on item i; each such pair costs ``penalty``
    (in person-weeks of the least important item), and their counts may be capped."""
    unit = min(float(item.weight) for item in problem.items)
    effort = {i: sum(r.values()) for i, r in problem.requirements.items()}
    people: dict[str, list[int]] = defaultdict(list)
    items: dict[int, list[int]] = defaultdict(list)
    for (p, item_id), cols in by_person_item.items():
        most = min(effort[item_id], float(sum(model.upper[c] for c in cols)))
        flag = model.var(penalty * unit, 1.0, integer=True)
        model.row([(c, 1.0) for c in cols] + [(flag, -most)], -math.inf, 0.0)
        model.works_on.append((flag, cols))
        people[item_id].append(flag)
        items[p].append(flag)
    for limit, groups in ((max_people, people.values()), (max_items, items.values())):
        if limit is None:
            continue
        for flags in groups:
            if len(flags) > limit:
                model.row([(f, 1.0) for f in flags], 0.0, float(limit))


def _place_untimed(
    problem: StaffingProblem, work: _Work, values: np.ndarray
) -> dict[tuple[str, str, str, int], float]:
    """Put the work of items outside dependency relations into sub-periods: each person's
    leftover capacity, earliest sub-period first, the heaviest item first."""
    weeks: dict[tuple[str, str, str, int], float] = {}
    left = [[float(c) for c in person.capacity] for person in problem.staff]
    loose: list[tuple[int, str, str, float]] = []
    for (p, item_id, skill, t), col in zip(work.key, work.col, strict=True):
        amount = float(values[col])
        if amount <= 1e-9:
            continue
        if t >= 0:
            weeks[problem.staff[p].id, item_id, skill, t] = amount
            left[p][t] -= amount
        else:
            loose.append((p, item_id, skill, amount))
    weight = {item.id: float(item.weight) for item in problem.items}
    loose.sort(key=lambda x: (x[0], -weight[x[1]], problem.index[x[1]], x[2]))
    for p, item_id, skill, amount in loose:
        t = 0
        while amount > 1e-9:
            last = t == problem.periods - 1
            take = amount if last else min(amount, max(left[p][t], 0.0))
            if take > 0:
                key = (problem.staff[p].id, item_id, skill, t)
                weeks[key] = weeks.get(key, 0.0) + take
                left[p][t] -= take
                amount -= take
            t += 1
    return weeks


def assign_staff(
    items: Sequence[WorkItem],
    staff: Sequence[StaffMember],
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
    staff : Sequence[StaffMember]
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
        first = _solve(problem, timed, 0.0, None, None, time_limit, *options)
        if first is None:
            return _nothing_workable(problem)
        value = _objective_of(
            problem, first.weeks, level_bonus, person_item_penalty, early_finish_bonus
        )
        candidates.append((value, first.weeks, "coverage"))
        bounds += [first.bound] if first.bound is not None else []
    left = time_limit - (time.perf_counter() - clock)
    full = None
    if first is None or (first.optimal and left > 0.01 * time_limit):
        full = _solve(
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
        from roadmap.allocation.assignment_greedy import greedy_weeks  # imports this module

        fallback = greedy_weeks(problem)
        value = _objective_of(
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


@dataclass(frozen=True)
class _Solved:
    weeks: Weeks
    objective: float  # -inf without a plan
    bound: float | None
    optimal: bool


def _solve(
    problem: StaffingProblem,
    timed: set[str],
    penalty: float,
    max_people: int | None,
    max_items: int | None,
    time_limit: float,
    level_bonus: float,
    early_bonus: float,
    mip_rel_gap: float,
) -> _Solved | None:
    """Build and solve one model; None when no one can work on anything."""
    model = _Model()
    work = _work_variables(problem, model, timed, level_bonus)
    if not work.col:  # e.g. one sub-period and every workable item waits for another
        return None
    _add_rows(problem, model, work, penalty, early_bonus, max_people, max_items)
    matrix = csr_array(
        (model.vals, (model.rows, model.cols)), shape=(len(model.lo), len(model.cost))
    )
    result = milp(
        c=np.array(model.cost),
        integrality=np.array(model.integer),
        bounds=Bounds(np.zeros(len(model.cost)), np.array(model.upper)),
        constraints=LinearConstraint(matrix, np.array(model.lo), np.array(model.hi)),
        options={"time_limit": max(float(time_limit), 0.01), "mip_rel_gap": float(mip_rel_gap)},
    )
    bound = None
    if result.mip_dual_bound is not None and math.isfinite(result.mip_dual_bound):
        bound = -float(result.mip_dual_bound)
    if result.x is None:
        return _Solved({}, -math.inf, bound, False)
    solution = model.tidy(np.asarray(result.x))
    objective = -float(np.dot(model.cost, solution))
    if result.mip_dual_bound is None and result.status == 0:  # a linear program, solved
        bound = objective
    weeks = _place_untimed(problem, work, solution)
    return _Solved(weeks, objective, bound, result.status == 0)


def _objective_of(
    problem: StaffingProblem,
    weeks: Weeks,
    level_bonus: float,
    penalty: float,
    early_bonus: float,
) -> float:
    """The model's objective for a plan given as person-weeks (for plans made elsewhere)."""
    people = {person.id: person for person in problem.staff}
    weight = {item.id: float(item.weight) for item in problem.items}
    effort = {i: sum(r.values()) for i, r in problem.requirements.items()}
    unit = min(weight.values())
    value = 0.0
    done: dict[str, list[float]] = defaultdict(lambda: [0.0] * problem.periods)
    for (staff_id, item_id, skill, t), amount in weeks.items():
        level = people[staff_id].skills[skill]
        value += weight[item_id] * (1 + level_bonus * (level - 1)) * amount
        done[item_id][t] += amount
    value -= penalty * unit * len({(k[0], k[1]) for k, w in weeks.items() if w > 1e-9})
    needed = {d for item in problem.items for d in item.depends_on if effort[d] > 0}
    for dep in needed:
        cumulative = np.cumsum(done[dep])[: problem.periods - 1]
        finished = cumulative >= effort[dep] - _TOL * max(1.0, effort[dep])
        value += early_bonus * unit * int(finished.sum())
    return value
