"""The linear relaxation of the staff assignment's model, solved by pricing, and the bound it
proves.

Most work columns of a large model are zero at the optimum: an item-skill is done by one or
two of the dozens of people who could do it. So HiGHS solves the relaxation over a few columns
(those of a starting plan), and each round adds the missing columns whose reduced cost says
they would pay, until none would. Every round yields a proven upper bound on the model's
optimum (a Lagrangian bound over all columns, from the round's row duals), not only the last,
so a round cut short by the time limit still leaves a real bound. See ``docs/assignment.md``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np

from roadmap.allocation.staffing.model import Built, dual_bound, highs, pass_lp

_START = 4
"""Columns of each item-skill in the first round, besides the starting plan's."""
_ROUND = 3
"""Most columns of each item-skill added in one pricing round (those of lowest reduced cost)."""


@dataclass(frozen=True)
class Relaxed:
    """The relaxation's point on the whole model (zero outside the columns priced in), the
    best proven bound on the model's optimum (to maximize), and whether the point is optimal
    for the relaxation of the whole model; with the last round's reduced costs, which tell the
    columns most worth trying next."""

    values: np.ndarray
    bound: float
    exact: bool
    rounds: int
    reduced: np.ndarray | None  # the last round's reduced costs (None without a round)


def relaxed_cost(built: Built, penalty: float) -> np.ndarray:
    """The cost of each column in the linear relaxation with the "works on" flags eliminated.

    Relaxed, a pair's flag is at least its work over ``most`` (the pair's big M) and costs
    ``penalty``; at an optimum it equals that (it only costs), and it never needs to exceed 1
    since the pair's work is at most ``most``. So the relaxation of the whole model is the
    model without flags in which each person-week of a pair costs ``penalty / most`` more.
    """
    cost = built.cost.copy()
    work = built.is_work
    cost[work] += penalty / np.maximum(built.most[built.pair[work]], 1e-12)
    return cost


def lagrangian_bound(built: Built, cost: np.ndarray, duals: np.ndarray) -> tuple[float, np.ndarray]:
    """An upper bound on the model's optimum from any row multipliers, with the reduced costs.

    For ``lo <= A x <= hi`` and ``0 <= x <= u``, and multipliers ``y`` that are >= 0 only on
    rows with a finite ``lo`` and <= 0 only on rows with a finite ``hi``, every feasible ``x``
    has ``c x = (c - A'y) x + y A x >= sum_j min(0, (c - A'y)_j) u_j + sum_i y_i (lo_i or
    hi_i)``: a lower bound on the minimized cost whatever ``y`` is (the dual's optimum makes
    it the relaxation's value). Multipliers of the wrong sign are set to 0 first.
    """
    return dual_bound(built.matrix, cost, built.upper, built.lo, built.hi, duals)


def relaxation(built: Built, penalty: float, start: np.ndarray, deadline: float) -> Relaxed:
    """Solve the linear relaxation (with the continuity ``penalty`` per pair, see
    :func:`relaxed_cost`) by pricing, from the work columns in the boolean mask ``start``.

    "Finished by" flags are always in. Stops when no missing column has a negative reduced
    cost (then the point is the relaxation's optimum) or at ``deadline``
    (``time.perf_counter()``), keeping the best bound of any round.
    """
    n = len(built.cost)
    cost = relaxed_cost(built, penalty)
    work = np.flatnonzero(built.is_work)
    demand = np.full(n, -1, dtype=np.int64)  # a work column's requirement row (its first row)
    demand[work] = built.matrix.indices[built.matrix.indptr[work]]
    # A few columns of every item-skill besides the starting plan's, so that the first rounds'
    # prices already know that capacity is short.
    rng = np.random.default_rng(0)
    active = start | ~built.is_work
    active[work[_first_per_row(demand[work], rng.random(len(work)), _START)]] = True
    solver = highs()
    columns = np.flatnonzero(active)
    pass_lp(
        solver, built.matrix[:, columns], cost[columns], built.upper[columns], built.lo, built.hi
    )
    bound = math.inf
    values = np.zeros(n)
    exact = False
    rounds = 0
    reduced: np.ndarray | None = None
    while True:
        left = max(deadline - time.perf_counter(), 0.01)
        solver.setOptionValue("time_limit", solver.getRunTime() + left)
        solver.run()
        rounds += 1
        if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        solution = solver.getSolution()
        values = np.zeros(n)
        values[columns] = np.asarray(solution.col_value)
        found, reduced = lagrangian_bound(built, cost, np.asarray(solution.row_dual))
        bound = min(bound, found)
        missing = np.flatnonzero(~active & (reduced < -1e-9))
        if not len(missing):
            exact = True
            break
        if time.perf_counter() >= deadline:
            break
        added = np.sort(missing[_first_per_row(demand[missing], reduced[missing], _ROUND)])
        sub = built.matrix[:, added]
        solver.addCols(
            len(added),
            cost[added],
            np.zeros(len(added)),
            built.upper[added],
            sub.nnz,
            sub.indptr[:-1].astype(np.int32),
            sub.indices.astype(np.int32),
            sub.data,
        )
        active[added] = True
        columns = np.concatenate((columns, added))
    return Relaxed(values, bound, exact, rounds, reduced)


def _first_per_row(rows: np.ndarray, keys: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` smallest ``keys`` of each value of ``rows``."""
    order = np.lexsort((keys, rows))
    grouped = rows[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return order[rank < k]
