"""How our rules scale on synthetic approval elections: time against voters and against projects,
with the growth exponent (slope of log time over log size). Prints, never asserts.

    python bench/scaling.py            # up to 200,000 voters and 2,000 projects
    python bench/scaling.py --quick    # up to 50,000 voters and 500 projects

Each voter approves 1 to 5 projects drawn by a Zipf-like popularity; costs are 10,000 to
1,000,000 in steps of 10,000; the budget is a quarter of the total cost.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import time
from collections.abc import Callable
from functools import partial

from roadmap.allocation import BallotType, Election, Project, Voter, allocate

RULES = ["equal-shares", "greedy", "phragmen"]


def synthetic(voters: int, projects: int, seed: int = 7) -> Election:
    rng = random.Random(seed)
    ids = [f"p{k}" for k in range(projects)]
    popularity = [1 / (k + 1) ** 0.8 for k in range(projects)]
    items = [Project(pid, rng.randrange(1, 101) * 10_000) for pid in ids]
    ballots = []
    for i in range(voters):
        size = rng.randint(1, 5)
        chosen = set(rng.choices(ids, weights=popularity, k=size))
        ballots.append(Voter(str(i), tuple(sorted(chosen))))
    budget = sum(p.cost for p in items) // 4
    return Election(budget, BallotType.APPROVAL, tuple(items), tuple(ballots))


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def exponent(sizes: list[int], times: list[float]) -> float:
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def sweep(label: str, sizes: list[int], build: Callable[[int], Election], runs: int) -> None:
    one, five, _ = os.getloadavg()
    print(f"\ntime against {label} (load {one:.1f} / {five:.1f})")
    print(f"{label:>10} " + " ".join(f"{r:>14}" for r in RULES))
    table: dict[str, list[float]] = {r: [] for r in RULES}
    for size in sizes:
        election = build(size)
        row = []
        for rule in RULES:
            t = median_time(partial(allocate, election, rule, explain=False), runs)
            table[rule].append(t)
            row.append(f"{t:13.3f}s")
        print(f"{size:>10} " + " ".join(row), flush=True)
    print(f"{'exponent':>10} " + " ".join(f"{exponent(sizes, table[r]):14.2f}" for r in RULES))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    top_voters, top_projects = (50_000, 500) if args.quick else (200_000, 2_000)
    voters = [top_voters // 16, top_voters // 8, top_voters // 4, top_voters // 2, top_voters]
    projects = [top_projects // 16, top_projects // 8, top_projects // 4, top_projects // 2]
    projects.append(top_projects)
    sweep("voters", voters, lambda n: synthetic(n, 200), args.runs)
    sweep("projects", projects, lambda m: synthetic(50_000, m), args.runs)


if __name__ == "__main__":
    main()
