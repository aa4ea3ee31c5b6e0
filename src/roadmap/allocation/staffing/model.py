"""The mixed-integer program of the staff assignment, built sparse as arrays and solved with
HiGHS (``highspy``): work variables, capacity, requirement and dependency rows
(:func:`build_model`), and the continuity part ("works on" flags, their penalty and caps) added
for the (person, item) pairs a solve keeps (:func:`run_mip`); the model's objective for a plan
made elsewhere. The model is described in ``docs/assignment.md``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy.sparse import csc_array, diags_array, hstack, vstack

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
        # "Finished by" flags and the work columns they watch: a flag may rise to 1 where the
        # columns reach the effort.
        self.finished_by: list[tuple[int, list[int], float]] = []
        self.finished: dict[tuple[str, int], int] = {}  # (item id, sub-period) -> flag

    def var(self, cost: float, upper: float, integer: bool = False) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        self.integer.append(int(integer))
        return len(self.cost) - 1

    def tidy(self, values: np.ndarray) -> np.ndarray:
        """The solver's point with "finished by" flags set where the work completes the item:
        still feasible, never worse."""
        tidy = values.copy()
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


def _add_rows(problem: StaffingProblem, model: _Model, work: _Work, early_bonus: float) -> None:
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_person_period: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_person: dict[int, list[int]] = defaultdict(list)
    by_item_period: dict[tuple[str, int], list[int]] = defaultdict(list)
    for (p, item_id, skill, t), col in zip(work.key, work.col, strict=True):
        by_pair[item_id, skill].append(col)
        by_person[p].append(col)
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
            model.finished[dep, t] = flag
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
class Built:
    """The model without its continuity part, as arrays (HiGHS minimizes ``cost``; the
    objective is its negative), and what each column stands for.

    Work columns come first: ``pair[j]`` numbers the (person, item) pair of work column ``j``,
    ``item[j]`` and ``period[j]`` give its item (position in ``problem.items``) and sub-period
    (-1 when not tied to one); the "finished by" flags follow (-1 in all three). ``most[k]`` is
    the most work pair ``k`` can carry (the big M of its "works on" flag), ``person[k]`` and
    ``pair_item[k]`` say whose pair it is.
    """

    model: _Model
    work: _Work
    matrix: csc_array
    cost: np.ndarray
    upper: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    integer: np.ndarray
    pair: np.ndarray
    item: np.ndarray
    period: np.ndarray
    is_work: np.ndarray
    most: np.ndarray
    person: np.ndarray
    pair_item: np.ndarray


def build_model(
    problem: StaffingProblem, timed: set[str], level_bonus: float, early_bonus: float
) -> Built | None:
    """Build the model without continuity; None when no one can work on anything."""
    model = _Model()
    work = _work_variables(problem, model, timed, level_bonus)
    if not work.col:  # e.g. one sub-period and every workable item waits for another
        return None
    _add_rows(problem, model, work, early_bonus)
    n = len(model.cost)
    matrix = csc_array((model.vals, (model.rows, model.cols)), shape=(len(model.lo), n))
    pair = np.full(n, -1, dtype=np.int64)
    item = np.full(n, -1, dtype=np.int64)
    period = np.full(n, -1, dtype=np.int64)
    numbers: dict[tuple[int, str], int] = {}
    cols = np.array(work.col, dtype=np.int64)
    pair[cols] = [numbers.setdefault((p, i), len(numbers)) for p, i, _, _ in work.key]
    item[cols] = [problem.index[i] for _, i, _, _ in work.key]
    period[cols] = [t for _, _, _, t in work.key]
    upper = np.array(model.upper)
    effort = np.array([sum(problem.requirements[i.id].values()) for i in problem.items])
    person = np.array([p for p, _ in numbers], dtype=np.int64)
    pair_item = np.array([problem.index[i] for _, i in numbers], dtype=np.int64)
    carry = np.bincount(pair[cols], weights=upper[cols], minlength=len(numbers))
    is_work = np.zeros(n, dtype=bool)
    is_work[cols] = True
    return Built(
        model,
        work,
        matrix,
        np.array(model.cost),
        upper,
        np.array(model.lo),
        np.array(model.hi),
        np.array(model.integer, dtype=bool),
        pair,
        item,
        period,
        is_work,
        np.minimum(effort[pair_item], carry),
        person,
        pair_item,
    )


def highs() -> highspy.Highs:
    """A quiet HiGHS instance."""
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    return solver


def pass_lp(
    solver: highspy.Highs,
    matrix: csc_array,
    cost: np.ndarray,
    upper: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    integer: np.ndarray | None = None,
) -> None:
    """Give ``solver`` the problem min ``cost x``, ``lo <= matrix x <= hi``, ``0 <= x <= upper``
    (``integer`` marks integer columns)."""
    n = matrix.shape[1]
    solver.passModel(
        n,
        matrix.shape[0],
        matrix.nnz,
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        np.ascontiguousarray(cost, dtype=float),
        np.zeros(n),
        np.ascontiguousarray(upper, dtype=float),
        np.ascontiguousarray(lo, dtype=float),
        np.ascontiguousarray(hi, dtype=float),
        matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32),
        np.ascontiguousarray(matrix.data, dtype=float),
        np.zeros(n, np.int32) if integer is None else integer.astype(np.int32),
    )


@dataclass(frozen=True)
class Solved:
    """A MIP run: its point on the built model's columns (None without one), its bound on the
    objective (None without one) and whether HiGHS proved the requested gap."""

    values: np.ndarray | None
    bound: float | None
    optimal: bool


def run_mip(
    built: Built,
    columns: np.ndarray,
    penalty: float,
    max_people: int | None,
    max_items: int | None,
    start: np.ndarray | None,
    time_limit: float,
    mip_rel_gap: float,
) -> Solved:
    """Solve the model restricted to ``columns`` (the "finished by" flags and the work columns
    of some pairs) with HiGHS, its continuity part added for those pairs: a "works on" flag
    costing ``penalty`` per pair, ``work <= most * flag``, and the caps. ``start`` is a
    feasible point on the built model's columns, zero outside ``columns``. The bound is valid
    for the restricted model only, unless ``columns`` are all the columns."""
    matrix = built.matrix[:, columns]
    cost, upper, integer = built.cost[columns], built.upper[columns], built.integer[columns]
    lo, hi = built.lo, built.hi
    pairs = np.unique(built.pair[columns][built.is_work[columns]])
    flagged = penalty > 0 or max_people is not None or max_items is not None
    if flagged and len(pairs):
        n, k = len(columns), len(pairs)
        work = np.flatnonzero(built.is_work[columns])
        local = np.searchsorted(pairs, built.pair[columns][work])
        link = csc_array((np.ones(len(work)), (local, work)), shape=(k, n))  # a pair's work
        stack = [
            hstack([matrix, csc_array((matrix.shape[0], k))]),
            hstack([link, diags_array(-built.most[pairs])]),
        ]
        row_lo, row_hi = [lo, np.full(k, -np.inf)], [hi, np.zeros(k)]
        for limit, owner in (
            (max_people, built.pair_item[pairs]),
            (max_items, built.person[pairs]),
        ):
            if limit is None:
                continue
            groups, group = np.unique(owner, return_inverse=True)
            caps = csc_array((np.ones(k), (group, np.arange(k))), shape=(len(groups), k))
            stack.append(hstack([csc_array((len(groups), n)), caps]))
            row_lo.append(np.zeros(len(groups)))
            row_hi.append(np.full(len(groups), float(limit)))
        matrix = csc_array(vstack(stack).tocsc())
        lo, hi = np.concatenate(row_lo), np.concatenate(row_hi)
        cost = np.concatenate((cost, np.full(k, penalty)))
        upper = np.concatenate((upper, np.ones(k)))
        integer = np.concatenate((integer, np.ones(k, dtype=bool)))
    solver = highs()
    pass_lp(solver, matrix, cost, upper, lo, hi, integer)
    solver.setOptionValue("time_limit", max(float(time_limit), 0.01))
    solver.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if start is not None:
        point = start[columns]
        if flagged and len(pairs):
            used = np.bincount(
                np.searchsorted(pairs, built.pair[columns][built.is_work[columns]]),
                weights=point[built.is_work[columns]],
                minlength=len(pairs),
            )
            point = np.concatenate((point, (used > 1e-9).astype(float)))
        solution = highspy.HighsSolution()
        solution.col_value = point
        solution.value_valid = True
        solver.setSolution(solution)
    solver.run()
    info = solver.getInfo()
    status = solver.getModelStatus()
    bound = None
    if math.isfinite(info.mip_dual_bound) and abs(info.mip_dual_bound) < 1e20:
        bound = -float(info.mip_dual_bound)
    if status == highspy.HighsModelStatus.kOptimal and not integer.any():
        bound = -float(info.objective_function_value)
    values = None
    if info.primal_solution_status == 2:  # feasible
        values = np.zeros(len(built.cost))
        found = np.asarray(solver.getSolution().col_value)[: len(columns)]
        values[columns] = np.clip(found, 0, None)
        values = built.model.tidy(values)
    return Solved(values, bound, status == highspy.HighsModelStatus.kOptimal)


def feasible_point(problem: StaffingProblem, built: Built, values: np.ndarray) -> np.ndarray:
    """A point of the model from a relaxation's ``values``: work on an item in a sub-period
    whose dependencies were not completed by the end of the one before is dropped (items taken
    after their dependencies), then the "finished by" flags are set to what the work implies."""
    x = np.where(built.is_work & (values > 1e-9), np.clip(values, 0, built.upper), 0.0)
    effort = [sum(problem.requirements[i.id].values()) for i in problem.items]
    periods = problem.periods
    by_item: dict[int, list[int]] = defaultdict(list)
    for col in np.flatnonzero(built.is_work & (built.period >= 0)):
        by_item[int(built.item[col])].append(int(col))
    done: dict[int, np.ndarray] = {}
    for item_id in problem.order:
        n = problem.index[item_id]
        cols = np.array(by_item.get(n, []), dtype=np.int64)
        if not len(cols):
            done[n] = np.full(periods, effort[n] <= 0)
            continue
        for dep in problem.items[n].depends_on:
            d = problem.index[dep]
            if effort[d] <= 0:
                continue
            ready = np.concatenate(([False], done[d][:-1]))  # finished by the end of t - 1
            x[cols[~ready[built.period[cols]]]] = 0.0
        per_period = np.bincount(built.period[cols], weights=x[cols], minlength=periods)
        done[n] = np.cumsum(per_period) >= effort[n] - TOLERANCE * max(1.0, effort[n])
    for (dep, t), flag in built.model.finished.items():
        x[flag] = 1.0 if done[problem.index[dep]][t] else 0.0
    return x


def point_of(problem: StaffingProblem, built: Built, weeks: Weeks) -> np.ndarray:
    """The model's work columns for a plan made elsewhere, flags not set (see
    :func:`feasible_point`); work without a column (which the model forbids) is left out."""
    person = {p.id: n for n, p in enumerate(problem.staff)}
    col = {key: c for key, c in zip(built.work.key, built.work.col, strict=True)}
    x = np.zeros(len(built.cost))
    for (staff_id, item_id, skill, t), amount in weeks.items():
        p = person[staff_id]
        c = col.get((p, item_id, skill, t), col.get((p, item_id, skill, -1)))
        if c is not None:
            x[c] += amount
    return x


def pairs_used(built: Built, values: np.ndarray) -> int:
    """How many (person, item) pairs have work at a point."""
    return len(np.unique(built.pair[built.is_work & (values > 1e-9)]))


def to_weeks(problem: StaffingProblem, built: Built, values: np.ndarray) -> Weeks:
    """The person-weeks of a point of the model, sub-period-free work placed."""
    return _place_untimed(problem, built.work, values)


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
