"""The staff assignment's model gathered into a flow network: a proven bound and a plan in a
fraction of a second at a few hundred staff and thousands of items.

Without its continuity flags the model sees the work only through three kinds of sums: each
person's per sub-period (capacity), each item-skill's (requirement) and each item's per
sub-period (dependency rows). People who share a skill, an earmark and (with a level bonus) a
level are interchangeable for all three, so the work can pass through one node per such
*group* and sub-period::

    person p, sub-period t --supply--> group g = (skill, earmark, level), t
        --> item-skill (an item in a dependency relation: worked in t)
        --> the group's pool --> item-skill (any other item: its sub-period chosen later)

A flow of this network is exactly the per-item, per-skill (and for dependency-bound items per
sub-period) coverage of a plan of the model, and any such flow is split back into person-weeks
(:func:`split_flow`). The continuity penalty of a pair is replaced by ``penalty / effort(i)``
per person-week of item ``i``: a pair's flag is 1 when it works at all and its work is at most
``effort(i)``, so a plan pays at least that much; the "finished by" flags and their
early-finish bonus are the model's own. So the network's LP is a relaxation of the model and
its value is an upper bound (:func:`solve_network` computes it from the duals); a dive that
fixes the flags to what the LP's point completes and re-solves gives a point whose plan obeys
dependency timing (:func:`split_flow`, :func:`repair`, :func:`consolidate` make it
person-weeks). ``docs/assignment.md`` gives the argument.
"""

from __future__ import annotations

import bisect
import math
import time
from collections import defaultdict
from dataclasses import dataclass

import highspy
import numpy as np
from scipy.sparse import csc_array

from roadmap.allocation.staffing.model import dual_bound, highs, pass_lp, place_loose
from roadmap.allocation.staffing.problem import TOLERANCE, StaffingProblem, Weeks


@dataclass(frozen=True)
class Network:
    """The flow network as an LP ``min cost x``, ``lo <= matrix x <= hi``, ``0 <= x <= upper``
    (every upper bound finite), and what each column stands for.

    Columns, in this order: supply ``(kind, group, t)`` (a kind: people with the same groups
    and capacities, who are interchangeable); use ``(group, demand, t)`` with
    ``t = -1`` for a draw from the group's pool; pool ``(group, t)``; the "finished by" flags.
    ``demands[d]`` is ``(item position, skill)``; ``groups[g]`` is ``(skill, earmark, level)``.
    """

    matrix: csc_array
    cost: np.ndarray
    upper: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    integer: np.ndarray
    supply: np.ndarray  # (n, 3): kind, group, t
    use: np.ndarray  # (n, 3): group, demand, t
    pool: np.ndarray  # (n, 2): group, t
    flags: dict[tuple[int, int], int]  # (item position, t) -> column
    demands: list[tuple[int, str]]
    groups: list[tuple[str, int, int]]
    kinds: list[list[int]]  # people (positions in problem.staff) of each kind

    @property
    def first_use(self) -> int:
        return len(self.supply)

    @property
    def first_pool(self) -> int:
        return len(self.supply) + len(self.use)


def build_network(
    problem: StaffingProblem,
    timed: set[str],
    level_bonus: float,
    early_bonus: float,
    penalty: float,
) -> Network | None:
    """The network of ``problem`` (``timed``: items in a dependency relation; ``penalty`` per
    pair, already in the objective's units). None when no one can work on anything."""
    periods = problem.periods
    staff = problem.staff
    unit = min(float(item.weight) for item in problem.items)
    effort = [sum(problem.requirements[i.id].values()) for i in problem.items]
    needed_skills = {s for needs in problem.requirements.values() for s in needs}
    earmarks: dict[frozenset[str], int] = {}
    group_of: dict[tuple[str, int, int], int] = {}
    groups: list[tuple[str, int, int]] = []
    kind_of: dict[tuple[tuple[int, ...], tuple[float, ...]], int] = {}
    kinds: list[list[int]] = []  # people with the same groups and capacities: interchangeable
    kind_groups: list[tuple[int, ...]] = []
    for p, person in enumerate(staff):
        mark = -1
        if person.allowed_items is not None:
            mark = earmarks.setdefault(frozenset(person.allowed_items), len(earmarks))
        mine = []
        for skill, level in sorted(person.skills.items()):
            if skill not in needed_skills:
                continue
            key = (skill, mark, int(level) if level_bonus > 0 else 0)
            if key not in group_of:
                group_of[key] = len(groups)
                groups.append(key)
            mine.append(group_of[key])
        if not mine:
            continue
        kind = (tuple(mine), tuple(float(c) for c in person.capacity))
        if kind not in kind_of:
            kind_of[kind] = len(kinds)
            kinds.append([])
            kind_groups.append(tuple(mine))
        kinds[kind_of[kind]].append(p)
    capacity = np.array(
        [[len(people) * float(c) for c in staff[people[0]].capacity] for people in kinds]
    ).reshape(-1, periods)
    supply = [
        (k, g, t)
        for k in range(len(kinds))
        for g in kind_groups[k]
        for t in range(periods)
        if capacity[k, t] > 0
    ]
    has = np.zeros((len(groups), periods))
    for k, g, t in supply:
        has[g, t] += capacity[k, t]
    ever = has.sum(axis=1) > 0
    by_mark: dict[tuple[str, int], list[int]] = defaultdict(list)  # (skill, earmark) -> groups
    for g, (skill, mark, _) in enumerate(groups):
        by_mark[skill, mark].append(g)
    marks_of: dict[str, list[int]] = defaultdict(list)  # item id -> earmarks allowing it
    for allowed, mark in earmarks.items():
        for item_id in allowed:
            marks_of[item_id].append(mark)
    demands: list[tuple[int, str]] = []
    use: list[tuple[int, int, int]] = []
    use_cost: list[float] = []
    use_upper: list[float] = []
    for n, item in enumerate(problem.items):
        first = 1 if any(effort[problem.index[d]] > 0 for d in item.depends_on) else 0
        is_timed = item.id in timed
        for skill, required in problem.requirements[item.id].items():
            if required <= 0:
                continue
            eligible = [g for m in [-1, *marks_of.get(item.id, [])] for g in by_mark[skill, m]]
            if not eligible:
                continue
            d = len(demands)
            demands.append((n, skill))
            for g in eligible:
                gain = float(item.weight) * (1 + level_bonus * (groups[g][2] - 1))
                price = -gain + penalty / effort[n]
                if is_timed:
                    slots = [t for t in range(first, periods) if has[g, t] > 0]
                else:
                    slots = [-1] if ever[g] else []
                for t in slots:
                    use.append((g, d, t))
                    use_cost.append(price)
                    use_upper.append(required)
    if not use:
        return None
    pooled = sorted({g for g, _, t in use if t < 0})
    pool = [(g, t) for g in pooled for t in range(periods) if has[g, t] > 0]
    n_supply, n_use, n_pool = len(supply), len(use), len(pool)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []

    def new_row(low: float, high: float) -> int:
        lo.append(low)
        hi.append(high)
        return len(lo) - 1

    def put(row: int, col: int, val: float) -> None:
        rows.append(row)
        cols.append(col)
        vals.append(val)

    def put_ones(row: int, some: list[int]) -> None:
        rows.extend([row] * len(some))
        cols.extend(some)
        vals.extend([1.0] * len(some))

    # Capacity: the supply of a kind of people to all their groups in t.
    cap_row: dict[tuple[int, int], int] = {}
    for j, (k, _, t) in enumerate(supply):
        if (k, t) not in cap_row:
            cap_row[k, t] = new_row(-math.inf, float(capacity[k, t]))
        put(cap_row[k, t], j, 1.0)
    # Group nodes: supply in t covers the uses in t and what goes to the pool in t.
    node_row: dict[tuple[int, int], int] = {}
    for j, (_, g, t) in enumerate(supply):
        if (g, t) not in node_row:
            node_row[g, t] = new_row(0.0, math.inf)
        put(node_row[g, t], j, 1.0)
    pool_row = {g: new_row(0.0, math.inf) for g in pooled}
    for k, (g, t) in enumerate(pool):
        put(node_row[g, t], n_supply + n_use + k, -1.0)
        put(pool_row[g], n_supply + n_use + k, 1.0)
    demand_row = [
        new_row(-math.inf, problem.requirements[problem.items[n].id][s]) for n, s in demands
    ]
    work_cols: dict[tuple[int, int], list[int]] = defaultdict(list)  # (demand, t) -> columns
    for k, (g, d, t) in enumerate(use):
        j = n_supply + k
        put(node_row[g, t] if t >= 0 else pool_row[g], j, -1.0)
        put(demand_row[d], j, 1.0)
        if t >= 0:
            work_cols[d, t].append(j)
    of_item: dict[int, list[int]] = defaultdict(list)  # item position -> its demands
    for d, (n, _) in enumerate(demands):
        of_item[n].append(d)

    def upto(d: int, t: int) -> list[int]:
        """The columns of demand ``d``'s work up to the end of ``t``."""
        return [j for s in range(t + 1) for j in work_cols.get((d, s), [])]

    # Dependency timing. The flag (a, t) is 1 only if a is complete by the end of t, that is
    # each of a's item-skills: sum_{t' <= t} work(a, s, t') >= r(a, s) * flag(a, t), flags
    # never drop back, and b may have worked at all by the end of t only if each a it depends
    # on was flagged in t - 1: sum_{t' <= t} work(b, s, t') <= r(b, s) * flag(a, t - 1). A
    # plan of the model meets these with its own flags (work on b in t' <= t needs a flagged
    # in t' - 1 <= t - 1), so they only cut fractional points: the LP bound is tighter than
    # with the model's own rows, and still a bound.
    first_flag = n_supply + n_use + n_pool
    flags: dict[tuple[int, int], int] = {}
    needed = sorted(
        {problem.index[d] for item in problem.items for d in item.depends_on}
        - {n for n, e in enumerate(effort) if e <= 0}
    )
    for a in needed:
        for t in range(periods - 1):
            column = first_flag + len(flags)
            flags[a, t] = column
            for d in of_item.get(a, []):
                row = new_row(0.0, math.inf)
                put_ones(row, upto(d, t))
                put(row, column, -problem.requirements[problem.items[a].id][demands[d][1]])
            if len(of_item.get(a, [])) < sum(
                r > 0 for r in problem.requirements[problem.items[a].id].values()
            ):
                # Nobody can work on some skill of a: it never completes.
                row = new_row(-math.inf, 0.0)
                put(row, column, 1.0)
            if t > 0:
                row = new_row(-math.inf, 0.0)
                put(row, flags[a, t - 1], 1.0)
                put(row, column, -1.0)
    needed_set = set(needed)
    for b, item in enumerate(problem.items):
        for a in sorted({problem.index[d] for d in item.depends_on} & needed_set):
            for t in range(1, periods):
                for d in of_item.get(b, []):
                    cols_bt = upto(d, t)
                    if cols_bt:
                        row = new_row(-math.inf, 0.0)
                        put_ones(row, cols_bt)
                        put(row, flags[a, t - 1], -problem.requirements[item.id][demands[d][1]])
    n = first_flag + len(flags)
    matrix = csc_array((vals, (rows, cols)), shape=(len(lo), n))
    matrix.sum_duplicates()
    matrix.sort_indices()
    upper = np.concatenate(
        (
            [capacity[k, t] for k, _, t in supply],
            use_upper,
            [has[g, t] for g, t in pool],
            np.ones(len(flags)),
        )
    )
    cost = np.concatenate(
        (np.zeros(n_supply), use_cost, np.zeros(n_pool), np.full(len(flags), -early_bonus * unit))
    )
    integer = np.r_[np.zeros(first_flag, dtype=bool), np.ones(len(flags), dtype=bool)]
    return Network(
        matrix,
        cost,
        upper,
        np.array(lo),
        np.array(hi),
        integer,
        np.array(supply, dtype=np.int64).reshape(-1, 3),
        np.array(use, dtype=np.int64).reshape(-1, 3),
        np.array(pool, dtype=np.int64).reshape(-1, 2),
        flags,
        demands,
        groups,
        kinds,
    )


@dataclass(frozen=True)
class FlowResult:
    """The network solved: a proven upper bound on the model's optimum (None without one) and
    a point of the network whose "finished by" flags are integral (None without one)."""

    bound: float | None
    values: np.ndarray | None


def solve_network(network: Network, problem: StaffingProblem, deadline: float) -> FlowResult:
    """The network's LP, its bound computed from the duals by :func:`dual_bound`; then a dive
    to integral "finished by" flags: each flag is fixed to whether the point completes its
    item by then (counting only work the item's own dependencies allow, items after their
    dependencies), and the LP re-solved from its basis, again while the new point completes
    more, by ``deadline``. Fixing a flag to 1 where the point completes the item, and to 0
    elsewhere, keeps that point (less the work the 0s forbid) feasible, so each re-solve is
    feasible and never worse than the one before."""
    solver = highs()
    # Measured: HiGHS's presolve takes longer than it saves here (0.2 s against 0.1 s at 400
    # staff x 1,200 items, 0.6 s against 0.45 s at 200 x 3,000).
    solver.setOptionValue("presolve", "off")
    pass_lp(solver, network.matrix, network.cost, network.upper, network.lo, network.hi)
    solver.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.01))
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return FlowResult(None, None)
    solution = solver.getSolution()
    bound, _ = dual_bound(
        network.matrix,
        network.cost,
        network.upper,
        network.lo,
        network.hi,
        np.asarray(solution.row_dual),
    )
    values = np.clip(np.asarray(solution.col_value), 0, network.upper)
    if not network.flags:
        return FlowResult(bound, values)
    columns = np.array(list(network.flags.values()), dtype=np.int32)
    fixed: np.ndarray | None = None
    while True:
        flags = _completed_flags(network, problem, values)
        if fixed is not None and np.array_equal(flags, fixed):
            return FlowResult(bound, values)
        if fixed is not None and time.perf_counter() >= deadline:
            return FlowResult(bound, values)  # the last re-solve's point: integral flags
        solver.changeColsBounds(len(columns), columns, flags, flags)
        solver.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.01))
        solver.run()
        if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return FlowResult(bound, None if fixed is None else values)
        fixed = flags
        values = np.clip(np.asarray(solver.getSolution().col_value), 0, network.upper)
        values[columns] = flags


def _completed_flags(network: Network, problem: StaffingProblem, values: np.ndarray) -> np.ndarray:
    """Each "finished by" flag set to whether the point's work completes its item by then,
    counting an item's work only from the sub-period after its dependencies complete."""
    periods = problem.periods
    use = network.use
    timed = np.flatnonzero(use[:, 2] >= 0)
    done: dict[int, list[float]] = defaultdict(lambda: [0.0] * periods)
    amounts = values[network.first_use + timed].tolist()
    for (_, d, t), w in zip(use[timed].tolist(), amounts, strict=True):
        done[network.demands[d][0]][t] += w
    relevant = {a for a, _ in network.flags}
    ready: dict[int, int] = {}  # first sub-period an item's dependents may work (periods: never)
    for item_id in problem.order:
        n = problem.index[item_id]
        effort = sum(problem.requirements[item_id].values())
        if n not in relevant:
            ready[n] = 0 if effort <= 0 else periods  # only needed items' readiness counts
            continue
        start = max((ready[problem.index[d]] for d in problem.items[n].depends_on), default=0)
        ready[n] = periods
        total = 0.0
        for t in range(start, periods):
            total += done[n][t]
            if total >= effort - TOLERANCE * max(1.0, effort):
                ready[n] = t + 1
                break
    return np.array([1.0 if ready[a] <= t + 1 else 0.0 for a, t in network.flags])


def split_flow(problem: StaffingProblem, network: Network, values: np.ndarray) -> Weeks:
    """Person-weeks from a flow, item by item so that few (person, item) pairs arise.

    Each sub-period in turn, then the pool (what each kind supplies that the sub-periods' uses
    left over, against each person's capacity left over), serves the items' uses, the largest
    item first: first by people already on the item, then by the kind that can serve the most
    of the item's remaining uses (all its skills, where one kind has them), through the kind's
    person whose capacity fits that most tightly (else the one with the most). A use of group
    g by kind k takes from what the flow says k supplies to g, so nothing gets stuck: a kind's
    people always have at least that much capacity left. Sub-period-free work is then placed
    by :func:`place_loose`. The result may still break capacity or requirements by the
    solver's tolerances: see :func:`repair`."""
    split = _Split(problem, network, values)
    for t in [*range(problem.periods), -1]:
        split.phase(t)
    return place_loose(problem, split.weeks, split.loose)


class _Split:
    """The state of :func:`split_flow`: what each kind still supplies to each group, each
    person's capacity left, and the person-weeks so far."""

    def __init__(self, problem: StaffingProblem, network: Network, values: np.ndarray) -> None:
        self.problem, self.network = problem, network
        self.kind_of = {p: k for k, people in enumerate(network.kinds) for p in people}
        self.kinds_in: dict[int, list[int]] = defaultdict(list)  # group -> kinds supplying it
        self.groups_of: dict[int, set[int]] = defaultdict(set)  # kind -> its groups
        self.supplied: dict[tuple[int, int, int], float] = defaultdict(float)  # (k, g, t)
        for j, (k, g, t) in enumerate(network.supply.tolist()):
            if g not in self.groups_of[k]:
                self.groups_of[k].add(g)
                self.kinds_in[g].append(k)
            if values[j] > _EPS:
                self.supplied[k, g, t] = float(values[j])
        self.needs: dict[int, dict[int, list[list[float]]]] = defaultdict(
            lambda: defaultdict(list)
        )  # t -> item -> [group, demand, amount]
        for k, (g, d, t) in enumerate(network.use.tolist()):
            amount = float(values[network.first_use + k])
            if amount > _EPS:
                self.needs[t][network.demands[d][0]].append([g, d, amount])
        self.room = [[float(c) for c in person.capacity] for person in problem.staff]
        self.on_item: dict[int, set[int]] = defaultdict(set)  # item -> people on it
        self.weeks: dict[tuple[str, str, str, int], float] = {}
        self.loose: list[tuple[int, str, str, float]] = []
        self.t = 0
        self.left: dict[int, float] = {}
        self.members: dict[int, list[tuple[float, int]]] = {}

    def phase(self, t: int) -> None:
        """Serve the uses of sub-period ``t`` (-1: the pool)."""
        self.t = t
        if t < 0:  # the pool: what is left of each kind's supply and each person's capacity
            for (k, g, s), w in list(self.supplied.items()):
                if s >= 0:
                    self.supplied[k, g, -1] += w
            self.left = {p: sum(max(c, 0.0) for c in cs) for p, cs in enumerate(self.room)}
        else:
            self.left = {p: cs[t] for p, cs in enumerate(self.room)}
        self.members = {
            k: sorted((self.left[p], p) for p in people if self.left[p] > _EPS)
            for k, people in enumerate(self.network.kinds)
        }
        items = self.needs.get(t, {})
        for item in sorted(items, key=lambda n: (-sum(x[2] for x in items[n]), n)):
            self.serve(item, items[item])

    def serve(self, item: int, wanted: list[list[float]]) -> None:
        """Cover an item's uses in the current phase: people already on it first, then the
        kind and person that serve most of what is left, the tightest fit first."""
        for p in sorted(self.on_item[item]):
            if self.left.get(p, 0.0) > _EPS:
                self.take(p, self.kind_of[p], item, wanted)
        while True:
            open_needs = [x for x in wanted if x[2] > _EPS]
            if not open_needs:
                return
            first = int(max(open_needs, key=lambda x: x[2])[0])
            best: tuple[float, float, int, int] | None = None
            for k in self.kinds_in[first]:
                if self.supplied.get((k, first, self.t), 0.0) <= _EPS or not self.members[k]:
                    continue
                could = sum(
                    min(x[2], self.supplied.get((k, int(x[0]), self.t), 0.0))
                    for x in open_needs
                    if int(x[0]) in self.groups_of[k]
                )
                row = self.members[k]
                at = bisect.bisect_left(row, (could - _EPS, -1))
                fit, p = row[at] if at < len(row) else row[-1]
                served = min(could, fit)
                score = (served, served - fit, -k, -p)  # most served, tightest, first
                if best is None or score > best:
                    best = score
            if best is None:
                return
            self.take(-best[3], -best[2], item, wanted)

    def take(self, p: int, k: int, item: int, wanted: list[list[float]]) -> None:
        """Give person ``p`` (of kind ``k``) what they can take of the item's uses."""
        t = self.t
        for need in sorted(wanted, key=lambda x: -x[2]):
            g, d = int(need[0]), int(need[1])
            if g not in self.groups_of[k]:
                continue
            w = min(need[2], self.supplied.get((k, g, t), 0.0), self.left[p])
            if w <= _EPS:
                continue
            need[2] -= w
            self.supplied[k, g, t] -= w
            before = self.left[p]
            self.left[p] -= w
            row = self.members[k]
            del row[bisect.bisect_left(row, (before, p))]
            if self.left[p] > _EPS:
                bisect.insort(row, (self.left[p], p))
            self.on_item[item].add(p)
            item_id, skill = self.problem.items[item].id, self.network.demands[d][1]
            if t >= 0:
                key = (self.problem.staff[p].id, item_id, skill, t)
                self.weeks[key] = self.weeks.get(key, 0.0) + w
                self.room[p][t] -= w
            else:
                self.loose.append((p, item_id, skill, w))


_EPS = 1e-9


def repair(problem: StaffingProblem, weeks: Weeks) -> dict[tuple[str, str, str, int], float]:
    """A plan of the model from ``weeks``: each item-skill scaled down to its requirement and
    each person's sub-period to their capacity where rounding made them exceed it, then work on
    an item before everything it depends on is complete (or on one whose dependency never
    completes) dropped, items taken after their dependencies."""
    fixed = {k: w for k, w in weeks.items() if w > 1e-12}
    total: dict[tuple[str, str], float] = defaultdict(float)
    for (_, item_id, skill, _), w in fixed.items():
        total[item_id, skill] += w
    for key in fixed:
        required = problem.requirements[key[1]][key[2]]
        if total[key[1], key[2]] > required:
            fixed[key] *= required / total[key[1], key[2]]
    load: dict[tuple[str, int], float] = defaultdict(float)
    for (staff_id, _, _, t), w in fixed.items():
        load[staff_id, t] += w
    capacity = {person.id: person.capacity for person in problem.staff}
    for key in fixed:
        cap = float(capacity[key[0]][key[3]])
        if load[key[0], key[3]] > cap:
            fixed[key] *= cap / load[key[0], key[3]]
    by_item: dict[str, list[tuple[str, str, str, int]]] = defaultdict(list)
    for key in fixed:
        by_item[key[1]].append(key)
    by_id = {item.id: item for item in problem.items}
    ready: dict[str, int | None] = {}  # first sub-period its dependents may work; None: never
    for item_id in problem.order:
        effort = sum(problem.requirements[item_id].values())
        starts = [ready[d] for d in by_id[item_id].depends_on]
        start = None if None in starts else max((s for s in starts if s is not None), default=0)
        done = np.zeros(problem.periods)
        for key in by_item.get(item_id, []):
            if start is None or key[3] < start:
                del fixed[key]
            else:
                done[key[3]] += fixed[key]
        if effort <= 0:
            ready[item_id] = 0
            continue
        complete = np.flatnonzero(np.cumsum(done) >= effort - TOLERANCE * max(1.0, effort))
        ready[item_id] = int(complete[0]) + 1 if len(complete) and start is not None else None
    return fixed


def consolidate(problem: StaffingProblem, weeks: Weeks, timed: set[str]) -> Weeks:
    """Fewer (person, item) pairs at the same coverage: for each item worked by several
    people, the one with the least work on it hands all of it to the others already on it
    who have the skill and capacity to spare (in the same sub-period for an item in a
    dependency relation, in any for the others), when they can take all of it. Coverage per
    item, skill and (for dependency-bound items) sub-period is unchanged, so the plan stays a
    plan of the model."""
    periods = problem.periods
    people = {person.id: person for person in problem.staff}
    spare = {person.id: [float(c) for c in person.capacity] for person in problem.staff}
    plan: dict[tuple[str, str, str, int], float] = {k: w for k, w in weeks.items() if w > _EPS}
    on: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
    for (staff_id, item_id, skill, t), w in plan.items():
        spare[staff_id][t] -= w
        on[item_id][staff_id].append((skill, t))
    for item in problem.items:
        workers = on.get(item.id)
        if not workers or len(workers) < 2:
            continue
        anywhen = item.id not in timed
        by_work = sorted(
            workers, key=lambda q: (sum(plan[q, item.id, s, t] for s, t in workers[q]), q)
        )
        for q in by_work:
            others = [p for p in workers if p != q]
            if not others:
                break
            moves: list[tuple[str, str, int, float]] = []  # (to, skill, t, weeks)
            room = {p: list(spare[p]) for p in others}
            ok = True
            for skill, t in workers[q]:
                left = plan[q, item.id, skill, t]
                for p in others:
                    if not problem.can_work(people[p], item.id, skill):
                        continue
                    for s in range(periods) if anywhen else (t,):
                        w = min(left, room[p][s])
                        if w > _EPS:
                            moves.append((p, skill, s, w))
                            room[p][s] -= w
                            left -= w
                    if left <= _EPS:
                        break
                if left > _EPS:
                    ok = False
                    break
            if not ok:
                continue
            for skill, t in workers.pop(q):
                w = plan.pop((q, item.id, skill, t))
                spare[q][t] += w
            for p, skill, s, w in moves:
                key = (p, item.id, skill, s)
                if key not in plan:
                    workers[p].append((skill, s))
                plan[key] = plan.get(key, 0.0) + w
                spare[p][s] -= w
    return plan
