"""The mixed-integer program of the staff assignment, built sparse and solved once with HiGHS
(``scipy.optimize.milp``): work variables, capacity, requirement, dependency and continuity
rows, and the model's objective for a plan made elsewhere. The model is described in
``docs/assignment.md``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from roadmap.allocation.staffing.problem import TOLERANCE, StaffingProblem, Weeks


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
            done = values[cols].sum() >= effort - TOLERANCE * max(1.0, effort)
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


@dataclass(frozen=True)
class Solved:
    """One model's plan, its objective and bound, and whether the solver proved it optimal."""

    weeks: Weeks
    objective: float  # -inf without a plan
    bound: float | None
    optimal: bool


def solve_model(
    problem: StaffingProblem,
    timed: set[str],
    penalty: float,
    max_people: int | None,
    max_items: int | None,
    time_limit: float,
    level_bonus: float,
    early_bonus: float,
    mip_rel_gap: float,
) -> Solved | None:
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
        return Solved({}, -math.inf, bound, False)
    solution = model.tidy(np.asarray(result.x))
    objective = -float(np.dot(model.cost, solution))
    if result.mip_dual_bound is None and result.status == 0:  # a linear program, solved
        bound = objective
    weeks = _place_untimed(problem, work, solution)
    return Solved(weeks, objective, bound, result.status == 0)


def objective_of(
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
        finished = cumulative >= effort[dep] - TOLERANCE * max(1.0, effort[dep])
        value += early_bonus * unit * int(finished.sum())
    return value
