"""Staff assignment: the MILP (HiGHS) against the greedy baseline on synthetic, seeded instances.

Prints, per size: solve time, status, the relative gap to the solver's bound, the covered share
of effort and the weighted covered effort, for greedy, the MILP with its default continuity
penalty, and the MILP without continuity indicators ("milp-nc", ``person_item_penalty=0``), and
their ratios. Never asserts.

    python bench/assignment.py --quick     # small sizes, short time limits (about a minute)
    python bench/assignment.py             # 60 staff x 600 items, then up to 200 x 3,000
    python bench/assignment.py --goals     # issue 17's two goals
    python bench/assignment.py --scenarios # the 100x data's three scenarios' assignments

The instance: ``skills`` skill slugs, staff with 2-4 of them at levels 1-3, monthly capacity of
about 4.3 person-weeks (a fifth part-time, some months of leave), one in seven staff earmarked
to a fifth of the items; items needing 1-3 skills and 0.5-8 person-weeks, one in six depending
on one or two more important items, weights 10 (first funded) down to 1 (last). Total demand is
about 1.2 times total capacity, so even a perfect plan leaves gaps.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import random
import time

from roadmap.allocation.staffing import StaffPlan, Worker, WorkItem, assign_staff, greedy_assignment


def synthetic_instance(
    n_staff: int, n_items: int, n_skills: int, periods: int, seed: int
) -> tuple[list[WorkItem], list[Worker]]:
    """Seeded staff and funded items as described in the module docstring."""
    rng = random.Random(seed)
    skills = [f"skill-{k:02d}" for k in range(n_skills)]
    popularity = [rng.uniform(0.5, 2.0) for _ in skills]
    staff = []
    for n in range(n_staff):
        full = 4.3 if rng.random() > 0.2 else 2.2
        capacity = [0.0 if rng.random() < 0.08 else full for _ in range(periods)]
        own = sorted(set(rng.choices(skills, weights=popularity, k=rng.randint(2, 4))))
        staff.append(Worker(f"staff-{n:03d}", {s: rng.randint(1, 3) for s in own}, capacity))
    total = sum(sum(p.capacity) for p in staff)
    efforts = [rng.uniform(0.5, 8.0) for _ in range(n_items)]
    scale = 1.2 * total / sum(efforts)
    items: list[WorkItem] = []
    for n, effort in enumerate(efforts):
        needs = list(dict.fromkeys(rng.choices(skills, weights=popularity, k=rng.randint(1, 3))))
        deps: list[str] = []
        if items and rng.random() < 1 / 6:
            deps = rng.sample([i.id for i in items[-50:]], min(len(items[-50:]), rng.randint(1, 2)))
        weight = 1 + 9 * (n_items - n) / n_items
        items.append(WorkItem(f"item-{n:04d}", round(effort * scale, 1), needs, deps, weight))
    funded_by = {i.id for i in items if rng.random() < 0.2}
    for n in range(0, n_staff, 7):
        staff[n] = Worker(staff[n].id, staff[n].skills, staff[n].capacity, allowed_items=funded_by)
    return items, staff


def line(name: str, plan: StaffPlan, seconds: float) -> str:
    gap = "-" if plan.relative_gap is None else f"{100 * plan.relative_gap:.3f}%"
    bound = "-" if plan.bound is None else f"{plan.bound:,.1f}"
    return (
        f"  {name:7s} {seconds:8.1f} s  status {plan.status.value:12s} gap {gap:>8s}"
        f"  objective {plan.objective:>10,.1f}  bound {bound:>10s}"
        f"  covered {plan.covered_effort:>8,.1f} / {plan.required_effort:,.1f} pw"
        f" ({100 * plan.covered_share:.1f}%)  weighted {plan.weighted_covered:,.1f}"
        f"  assignments {len(plan.assignments)}"
    )


def pairs(plan: StaffPlan) -> set[tuple[str, str]]:
    return {(a.staff_id, a.item_id) for a in plan.assignments}


def run(n_staff: int, n_items: int, n_skills: int, periods: int, limit: float, seed: int) -> None:
    items, staff = synthetic_instance(n_staff, n_items, n_skills, periods, seed)
    print(
        f"{n_staff} staff, {n_items} items, {n_skills} skills, {periods} sub-periods,"
        f" time limit {limit:g} s, seed {seed}",
        flush=True,
    )
    start = time.perf_counter()
    greedy = greedy_assignment(items, staff)
    print(line("greedy", greedy, time.perf_counter() - start), flush=True)
    start = time.perf_counter()
    plan = assign_staff(items, staff, time_limit=limit, mip_rel_gap=1e-4)
    print(line("milp", plan, time.perf_counter() - start), flush=True)
    if plan.message:
        print(f"  milp message: {plan.message}")
    start = time.perf_counter()
    bare = assign_staff(items, staff, person_item_penalty=0, time_limit=limit, mip_rel_gap=1e-4)
    print(line("milp-nc", bare, time.perf_counter() - start), flush=True)
    people, greedy_people = len(pairs(plan)), len(pairs(greedy))
    print(
        f"  ratio   covered milp/greedy {plan.covered_effort / greedy.covered_effort:.3f}"
        f"  weighted milp/greedy {plan.weighted_covered / greedy.weighted_covered:.3f}"
        f"  covered milp-nc/greedy {bare.covered_effort / greedy.covered_effort:.3f}"
        f"  person-item pairs milp {people} milp-nc {len(pairs(bare))} greedy {greedy_people}\n",
        flush=True,
    )


GOALS = [
    # staff, items, skills, sub-periods, seconds allowed, relative gap wanted (issue 17)
    (60, 600, 12, 6, 5.0, 0.005),
    (200, 3000, 12, 6, 30.0, 0.01),
]


def goals(seed: int, runs: int) -> None:
    """Issue 17's goals: the default assignment (continuity penalty 0.1) with the goal's time
    as its time limit; time (model building included), gap to the reported bound, coverage
    and the objective against greedy's under the same objective."""
    for n_staff, n_items, n_skills, periods, seconds, wanted in GOALS:
        items, staff = synthetic_instance(n_staff, n_items, n_skills, periods, seed)
        greedy = greedy_assignment(items, staff)
        unit = min(i.weight for i in items)
        greedy_objective = greedy.weighted_covered - 0.1 * unit * len(pairs(greedy))
        print(
            f"goal {n_staff} x {n_items} x {periods}: within {100 * wanted:g}% of a proven bound"
            f" in <= {seconds:g} s; greedy objective {greedy_objective:,.1f},"
            f" covered {greedy.covered_effort:,.1f} pw, pairs {len(pairs(greedy))}",
            flush=True,
        )
        for _ in range(runs):
            load = os.getloadavg()[0]
            start = time.perf_counter()
            plan = assign_staff(items, staff, time_limit=seconds, mip_rel_gap=1e-4)
            took = time.perf_counter() - start
            gap = "no bound" if plan.relative_gap is None else f"{100 * plan.relative_gap:.3f}%"
            met = plan.relative_gap is not None and plan.relative_gap <= wanted and took <= seconds
            print(
                f"  {took:6.1f} s  gap {gap:>9s}  status {plan.status.value}"
                f"  objective {plan.objective:,.1f} (greedy {greedy_objective:,.1f})"
                f"  bound {plan.bound if plan.bound is None else f'{plan.bound:,.1f}'}"
                f"  covered {plan.covered_effort:,.1f} pw ({100 * plan.covered_share:.1f}%)"
                f"  pairs {len(pairs(plan))}  load {load:.1f}  goal {'met' if met else 'missed'}",
                flush=True,
            )


RULES = ("equal_shares", "greedy", "phragmen")


def scenario_instances() -> dict[str, tuple[list[WorkItem], list[Worker], dict[str, float]]]:
    """The staff assignment each of "Run scenarios"' three rules asks for on the 100x data set
    (``bench/bigdata.py``, built or found in its cache): the items it funds and the staff, as
    ``roadmap.services.scenarios.run_scenario`` passes them, with its options."""
    import sys

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bigdata

    import pages
    from roadmap.domain.enums import AllocationRule
    from roadmap.services import periods, scenarios

    class Captured(Exception):
        pass

    taken: dict[str, tuple[list[WorkItem], list[Worker], dict[str, float]]] = {}

    def capture(work: list[WorkItem], staff: list[Worker], time_limit: float) -> StaffPlan:
        taken[rule] = (work, staff, {"time_limit": time_limit, "mip_rel_gap": scenarios.GAP})
        raise Captured

    big = pages.Target(bigdata.database(True, False))
    real = scenarios._assign
    scenarios._assign = capture
    try:
        for rule in RULES:
            envelope = periods.get_period(big.ctx).settings.envelope.model_copy(
                update={"rule": AllocationRule(rule)}
            )
            with contextlib.suppress(Captured):
                scenarios.run_scenario(big.ctx, big.actor("exec"), envelope)
    finally:
        scenarios._assign = real
    return taken


def scenario_runs(runs: int) -> None:
    """The assignment of each of the three scenarios on the 100x data, with the options the
    service passes (``time_limit=20``, ``mip_rel_gap=scenarios.GAP``): time, status, gap,
    objective, bound, coverage, pairs, against greedy's objective."""
    for rule, (work, staff, options) in scenario_instances().items():
        greedy = greedy_assignment(work, staff)
        unit = min(i.weight for i in work)
        greedy_objective = greedy.weighted_covered - 0.1 * unit * len(pairs(greedy))
        print(
            f"scenario {rule}: {len(work)} items, {len(staff)} staff, {options};"
            f" greedy objective {greedy_objective:,.1f}, covered {greedy.covered_effort:,.1f} pw",
            flush=True,
        )
        for _ in range(runs):
            load = os.getloadavg()[0]
            start, cpu = time.perf_counter(), time.process_time()
            plan = assign_staff(work, staff, **options)  # type: ignore[arg-type]
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
            gap = "no bound" if plan.relative_gap is None else f"{100 * plan.relative_gap:.4f}%"
            bound = "none" if plan.bound is None else f"{plan.bound:,.1f}"
            print(
                f"  {took:6.2f} s (cpu {cpu:.2f} s)  gap {gap:>9s}  status {plan.status.value}"
                f"  objective {plan.objective:,.1f}  bound {bound}"
                f"  covered {plan.covered_effort:,.1f} pw ({100 * plan.covered_share:.1f}%)"
                f"  pairs {len(pairs(plan))}  load {load:.1f}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, short limits")
    parser.add_argument("--goals", action="store_true", help="issue 17's two goals only")
    parser.add_argument(
        "--scenarios", action="store_true", help="the 100x data's three scenarios' assignments"
    )
    parser.add_argument("--runs", type=int, default=1, help="runs each (--goals, --scenarios)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(
        f"bench/assignment.py  {datetime.date.today()}  {platform.python_version()}"
        f"  {os.cpu_count()} cores  {platform.machine()}\n"
    )
    if args.goals:
        goals(args.seed, args.runs)
        return
    if args.scenarios:
        scenario_runs(args.runs)
        return
    if args.quick:
        sizes = [(20, 150, 8, 6, 20.0), (60, 600, 12, 6, 30.0)]
    else:
        sizes = [
            (60, 600, 12, 6, 120.0),
            (100, 1000, 12, 6, 120.0),
            (200, 3000, 12, 6, 300.0),
        ]
    for n_staff, n_items, n_skills, periods, limit in sizes:
        run(n_staff, n_items, n_skills, periods, limit, args.seed)


if __name__ == "__main__":
    main()
