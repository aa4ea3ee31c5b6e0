"""The mixed-integer program of the staff assignment, built sparse as arrays and solved with
HiGHS (``highspy``): work variables, capacity, requirement and dependency rows
(:func:`build_model`), and the continuity part ("works on" flags, their penalty and caps) added
for the (person, item) pairs a solve keeps (:func:`run_mip`); the model's objective for a plan
made elsewhere. The model is described in ``docs/assignment.md``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy.sparse import csc_array, diags_array, hstack, vstack

from roadmap.allocation.staffing.problem import TOLERANCE, StaffingProblem, Weeks


@dataclass
class _Rows:
    """Sparse rows ``lo <= A x <= hi`` under construction, as blocks of coordinates."""

    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    vals: list[np.ndarray] = field(default_factory=list)
    lo: list[np.ndarray] = field(default_factory=list)
    hi: list[np.ndarray] = field(default_factory=list)
    count: int = 0

    def add(
        self, row: np.ndarray, col: np.ndarray, val: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> None:
        """Rows numbered ``row`` (0 to ``len(lo) - 1`` within this block)."""
        self.rows.append(np.asarray(row, dtype=np.int64) + self.count)
        self.cols.append(np.asarray(col, dtype=np.int64))
        self.vals.append(np.asarray(val, dtype=float))
        self.lo.append(np.asarray(lo, dtype=float))
        self.hi.append(np.asarray(hi, dtype=float))
        self.count += len(lo)


@dataclass(frozen=True)
class _Work:
    """The work columns 0 to n - 1: person, item (position in ``problem.items``), skill
    (position in ``skills``) and sub-period (-1: not tied to one) of each."""

    person: np.ndarray
    item: np.ndarray
    skill: np.ndarray
    period: np.ndarray
    skills: tuple[str, ...]


@dataclass(frozen=True)
class _Finished:
    """The "finished by" flags: ``flag[(item id, t)]`` is the column of "item is complete by
    the end of t"; ``watch`` gives each flag with the work columns up to t and the effort."""

    flag: dict[tuple[str, int], int]
    watch: list[tuple[int, np.ndarray, float]]

    def tidy(self, values: np.ndarray) -> np.ndarray:
        """The solver's point with "finished by" flags set where the work completes the item:
        still feasible, never worse."""
        tidy = values.copy()
        for flag, cols, effort in self.watch:
            done = values[cols].sum() >= effort - TOLERANCE * max(1.0, effort)
            tidy[flag] = 1.0 if done or values[flag] > 0.5 else 0.0
        return tidy


def _work_columns(
    problem: StaffingProblem, timed: set[str], level_bonus: float
) -> tuple[_Work, np.ndarray, np.ndarray, np.ndarray]:
    """One column per person, item, skill and sub-period for items in a dependency relation;
    one per person, item and skill for the rest, whose sub-period is chosen afterwards. Also
    each column's item-skill (numbered in order), cost and upper bound."""
    staff, periods = problem.staff, problem.periods
    skills = tuple(sorted({s for needs in problem.requirements.values() for s in needs}))
    capacity = np.array([[float(c) for c in p.capacity] for p in staff]).reshape(-1, periods)
    total = capacity.sum(axis=1)
    level = np.zeros((len(staff), len(skills)))
    for n, person in enumerate(staff):
        for k, skill in enumerate(skills):
            level[n, k] = person.skills.get(skill, 0)
    earmarked = [n for n, p in enumerate(staff) if p.allowed_items is not None]
    effort = {i: sum(r.values()) for i, r in problem.requirements.items()}
    parts: list[tuple[np.ndarray, ...]] = []
    need = 0
    for n, item in enumerate(problem.items):
        allowed = np.ones(len(staff), dtype=bool)
        for e in earmarked:
            allowed[e] = item.id in (staff[e].allowed_items or ())
        # An item that needs nothing counts as completed from the start.
        first = 1 if any(effort[d] > 0 for d in item.depends_on) else 0
        for skill, required in problem.requirements[item.id].items():
            if required <= 0:
                continue
            k = skills.index(skill)
            people = np.flatnonzero((level[:, k] > 0) & allowed)
            gain = -float(item.weight) * (1 + level_bonus * (level[people, k] - 1))
            if item.id not in timed:
                t = np.full(len(people), -1)
                upper = np.minimum(required, total[people])
            else:
                people = np.repeat(people, periods - first)
                gain = np.repeat(gain, periods - first)
                t = np.tile(np.arange(first, periods), len(people) // max(periods - first, 1))
                upper = np.minimum(required, capacity[people, t])
                keep = upper > 0
                people, gain, t, upper = people[keep], gain[keep], t[keep], upper[keep]
            if len(people):
                size = len(people)
                parts.append(
                    (
                        people,
                        np.full(size, n),
                        np.full(size, k),
                        t,
                        np.full(size, need),
                        gain,
                        upper,
                    )
                )
                need += 1
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return _Work(empty, empty, empty, empty, skills), empty, np.zeros(0), np.zeros(0)
    columns = [np.concatenate(c) for c in zip(*parts, strict=True)]
    work = _Work(columns[0], columns[1], columns[2], columns[3], skills)
    return work, columns[4], columns[5], columns[6]


def _work_rows(problem: StaffingProblem, work: _Work, demand: np.ndarray, rows: _Rows) -> None:
    """Requirement rows (first, so a work column's first row is its item-skill's), capacity per
    person and sub-period, and each person's total capacity for sub-period-free work."""
    cols = np.arange(len(work.person))
    required = np.array(
        [
            problem.requirements[problem.items[i].id][work.skills[k]]
            for i, k in zip(
                work.item[np.r_[0, np.flatnonzero(np.diff(demand)) + 1]],
                work.skill[np.r_[0, np.flatnonzero(np.diff(demand)) + 1]],
                strict=True,
            )
        ]
    )
    rows.add(demand, cols, np.ones(len(cols)), np.zeros(len(required)), required)
    capacity = np.array([[float(c) for c in p.capacity] for p in problem.staff])
    timed = work.period >= 0
    keys, row = np.unique(
        work.person[timed] * problem.periods + work.period[timed], return_inverse=True
    )
    rows.add(
        row,
        cols[timed],
        np.ones(int(timed.sum())),
        np.zeros(len(keys)),
        capacity.reshape(-1)[keys],
    )
    loose = np.unique(work.person[~timed])
    if len(loose):
        mine = np.isin(work.person, loose)
        rows.add(
            np.searchsorted(loose, work.person[mine]),
            cols[mine],
            np.ones(int(mine.sum())),
            np.zeros(len(loose)),
            capacity[loose].sum(axis=1),
        )


def _dependency_rows(
    problem: StaffingProblem,
    work: _Work,
    rows: _Rows,
    first_flag: int,
    bonus: float,
) -> tuple[_Finished, np.ndarray]:
    """finished[a, t] = 1 only if item a is fully covered by the end of t; work on b in t + 1
    needs finished[a, t] for each a that b depends on. Each finished flag earns ``bonus`` so
    that, of equally good plans, the one finishing dependencies sooner is chosen. Returns the
    flags and their costs (the flags are columns from ``first_flag`` on)."""
    unit = min(float(item.weight) for item in problem.items)
    effort = {i: sum(r.values()) for i, r in problem.requirements.items()}
    periods = problem.periods
    timed = np.flatnonzero(work.period >= 0)
    order = timed[np.lexsort((work.period[timed], work.item[timed]))]
    keys = work.item[order] * periods + work.period[order]
    starts = np.r_[0, np.flatnonzero(np.diff(keys)) + 1, len(order)] if len(order) else np.r_[0]
    by_item_period = {
        int(keys[starts[n]]): order[starts[n] : starts[n + 1]] for n in range(len(starts) - 1)
    }
    empty = np.zeros(0, dtype=np.int64)

    def cols_of(item_id: str, t: int) -> np.ndarray:
        return by_item_period.get(problem.index[item_id] * periods + t, empty)

    flag: dict[tuple[str, int], int] = {}
    watch: list[tuple[int, np.ndarray, float]] = []
    needed = {d for item in problem.items for d in item.depends_on if effort[d] > 0}
    block_rows: list[np.ndarray] = []
    block_cols: list[np.ndarray] = []
    block_vals: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []

    def row(cols: np.ndarray, extra: list[tuple[int, float]], low: float, high: float) -> None:
        n = len(lo)
        block_rows.append(np.full(len(cols) + len(extra), n))
        block_cols.append(np.concatenate((cols, np.array([c for c, _ in extra], np.int64))))
        block_vals.append(np.concatenate((np.ones(len(cols)), [v for _, v in extra])))
        lo.append(low)
        hi.append(high)

    for dep in sorted(needed, key=problem.index.__getitem__):
        cumulative = empty
        for t in range(periods - 1):
            cumulative = np.concatenate((cumulative, cols_of(dep, t)))
            column = first_flag + len(flag)
            flag[dep, t] = column
            watch.append((column, cumulative, effort[dep]))
            row(cumulative, [(column, -effort[dep])], 0.0, math.inf)
            if t > 0:
                row(empty, [(flag[dep, t - 1], 1.0), (column, -1.0)], -math.inf, 0.0)
    for item in problem.items:
        for dep in sorted(set(item.depends_on) & needed, key=problem.index.__getitem__):
            for t in range(1, periods):
                cols = cols_of(item.id, t)
                if len(cols):
                    row(cols, [(flag[dep, t - 1], -effort[item.id])], -math.inf, 0.0)
    if lo:
        rows.add(
            np.concatenate(block_rows),
            np.concatenate(block_cols),
            np.concatenate(block_vals),
            np.array(lo),
            np.array(hi),
        )
    return _Finished(flag, watch), np.full(len(flag), -bonus * unit)


def _place_untimed(
    problem: StaffingProblem, work: _Work, values: np.ndarray
) -> dict[tuple[str, str, str, int], float]:
    """Put the work of items outside dependency relations into sub-periods (see
    :func:`place_loose`)."""
    weeks: dict[tuple[str, str, str, int], float] = {}
    loose: list[tuple[int, str, str, float]] = []
    for col in np.flatnonzero(values[: len(work.person)] > 1e-9):
        amount = float(values[col])
        p, t = int(work.person[col]), int(work.period[col])
        item_id, skill = problem.items[work.item[col]].id, work.skills[work.skill[col]]
        if t >= 0:
            weeks[problem.staff[p].id, item_id, skill, t] = amount
        else:
            loose.append((p, item_id, skill, amount))
    return place_loose(problem, weeks, loose)


def place_loose(
    problem: StaffingProblem,
    weeks: dict[tuple[str, str, str, int], float],
    loose: list[tuple[int, str, str, float]],
) -> dict[tuple[str, str, str, int], float]:
    """Add to ``weeks`` (work already tied to sub-periods) the ``loose`` work (person's
    position in ``problem.staff``, item id, skill, person-weeks) of items outside dependency
    relations: each person's leftover capacity, earliest sub-period first, the heaviest item
    first (any rest in the last sub-period)."""
    position = {person.id: n for n, person in enumerate(problem.staff)}
    left = [[float(c) for c in person.capacity] for person in problem.staff]
    for (staff_id, _, _, t), amount in weeks.items():
        left[position[staff_id]][t] -= amount
    weight = {item.id: float(item.weight) for item in problem.items}
    loose = sorted(loose, key=lambda x: (x[0], -weight[x[1]], problem.index[x[1]], x[2]))
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

    work: _Work
    finished: _Finished
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
    work, demand, work_cost, work_upper = _work_columns(problem, timed, level_bonus)
    n_work = len(work.person)
    if not n_work:  # e.g. one sub-period and every workable item waits for another
        return None
    rows = _Rows()
    _work_rows(problem, work, demand, rows)
    finished, flag_cost = _dependency_rows(problem, work, rows, n_work, early_bonus)
    n = n_work + len(flag_cost)
    matrix = csc_array(
        (np.concatenate(rows.vals), (np.concatenate(rows.rows), np.concatenate(rows.cols))),
        shape=(rows.count, n),
    )
    matrix.sort_indices()
    numbers = work.person * len(problem.items) + work.item
    codes, pair_of_work = np.unique(numbers, return_inverse=True)
    person, pair_item = codes // len(problem.items), codes % len(problem.items)
    minus = np.full(n - n_work, -1, dtype=np.int64)
    upper = np.r_[work_upper, np.ones(n - n_work)]
    effort = np.array([sum(problem.requirements[i.id].values()) for i in problem.items])
    carry = np.bincount(pair_of_work, weights=work_upper, minlength=len(codes))
    return Built(
        work,
        finished,
        matrix,
        np.r_[work_cost, flag_cost],
        upper,
        np.concatenate(rows.lo),
        np.concatenate(rows.hi),
        np.r_[np.zeros(n_work, dtype=bool), np.ones(n - n_work, dtype=bool)],
        np.r_[pair_of_work, minus],
        np.r_[work.item, minus],
        np.r_[work.period, minus],
        np.r_[np.ones(n_work, dtype=bool), np.zeros(n - n_work, dtype=bool)],
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


def dual_bound(
    matrix: csc_array,
    cost: np.ndarray,
    upper: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    duals: np.ndarray,
) -> tuple[float, np.ndarray]:
    """An upper bound on the optimum of max ``-cost x`` over ``lo <= matrix x <= hi``,
    ``0 <= x <= upper`` (every ``upper`` finite) from any row multipliers, with the reduced
    costs: ``cost x >= sum_j min(0, (cost - A'y)_j) u_j + sum_i y_i (lo_i or hi_i)`` for every
    feasible ``x`` once multipliers of the wrong sign are set to 0 (see
    :func:`roadmap.allocation.staffing.search.lagrangian_bound`). Computed here in floating
    point from the multipliers alone, so it holds whatever the solver's tolerances."""
    y = np.asarray(duals, dtype=float).copy()
    y[(y > 0) & ~np.isfinite(lo)] = 0.0
    y[(y < 0) & ~np.isfinite(hi)] = 0.0
    reduced = cost - matrix.T @ y
    rows = np.zeros_like(y)
    up, down = y > 0, y < 0
    rows[up] = y[up] * lo[up]
    rows[down] = y[down] * hi[down]
    lowest = float(np.minimum(reduced, 0.0) @ upper + rows.sum())
    return -lowest, reduced


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
    cost: np.ndarray | None = None,
) -> Solved:
    """Solve the model restricted to ``columns`` (the "finished by" flags and the work columns
    of some pairs) with HiGHS, its continuity part added for those pairs: a "works on" flag
    costing ``penalty`` per pair, ``work <= most * flag``, and the caps. ``start`` is a
    feasible point on the built model's columns, zero outside ``columns``. The bound is valid
    for the restricted model only, unless ``columns`` are all the columns. ``cost`` replaces
    the model's column costs (then the bound is of that objective)."""
    matrix = built.matrix[:, columns]
    cost = (built.cost if cost is None else cost)[columns]
    upper, integer = built.upper[columns], built.integer[columns]
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
        values = built.finished.tidy(values)
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
    for (dep, t), flag in built.finished.flag.items():
        x[flag] = 1.0 if done[problem.index[dep]][t] else 0.0
    return x


def point_of(problem: StaffingProblem, built: Built, weeks: Weeks) -> np.ndarray:
    """The model's work columns for a plan made elsewhere, flags not set (see
    :func:`feasible_point`); work without a column (which the model forbids) is left out."""
    work, periods = built.work, problem.periods
    people, skills = len(problem.staff), len(work.skills)

    def code(p: np.ndarray, i: np.ndarray, k: np.ndarray, t: np.ndarray) -> np.ndarray:
        return ((i * skills + k) * people + p) * (periods + 1) + t + 1

    codes = code(work.person, work.item, work.skill, work.period)
    order = np.argsort(codes, kind="stable")
    person = {p.id: n for n, p in enumerate(problem.staff)}
    skill = {s: k for k, s in enumerate(work.skills)}
    x = np.zeros(len(built.cost))
    for (staff_id, item_id, name, t), amount in weeks.items():
        p, i, k = person[staff_id], problem.index[item_id], skill[name]
        for period in (t, -1):
            wanted = code(np.array(p), np.array(i), np.array(k), np.array(period))
            at = int(np.searchsorted(codes, wanted, sorter=order))
            if at < len(order) and codes[order[at]] == wanted:
                x[order[at]] += amount
                break
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
