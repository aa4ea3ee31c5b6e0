"""Equal shares with unequal voter weights against equal weights, on a synthetic election
shaped like the product's planning data (many items, hundreds of organizations with
voice weights): prints both times, their ratio, and whether the float run had to be redone
in exact arithmetic (the slow part).

    .venv/bin/python bench/weighted.py                       # 1,820 items, 800 organizations
    .venv/bin/python bench/weighted.py --projects 900 --voters 400
"""

from __future__ import annotations

import argparse
import random
import time
from fractions import Fraction

from roadmap.allocation import Election, Project, Voter
from roadmap.allocation.election import BallotType
from roadmap.allocation.mes_core import NeedExact, run_mes
from roadmap.allocation.prepared import prepare
from roadmap.allocation.prepass import start
from roadmap.allocation.rules import allocate


def election(m: int, n: int, seed: int) -> tuple[Election, list[Fraction]]:
    """Items costing 1 to 40 person-weeks (halves), popularity heavy-tailed; each organization
    supports 5 to 60 items; weights like voice shares rounded to 12 decimals."""
    rng = random.Random(seed)
    projects = tuple(Project(str(k), Fraction(rng.randint(2, 80), 2)) for k in range(m))
    popularity = [rng.paretovariate(1.2) for _ in range(m)]
    voters = []
    for i in range(n):
        items = set(rng.choices(range(m), weights=popularity, k=rng.randint(5, 60)))
        voters.append(Voter(f"o{i}", tuple(str(p) for p in sorted(items))))
    raw = [rng.random() + 0.2 for _ in range(n)]
    total = sum(raw)
    weights = [Fraction(round(r / total, 12)).limit_denominator(10**12) for r in raw]
    weights[-1] += 1 - sum(weights)
    return Election(Fraction(4000), BallotType.APPROVAL, projects, tuple(voters)), weights


def needs_exact(e: Election, weights: list[Fraction] | None) -> bool:
    prep = prepare(e, weights)
    begin = start(prep)
    try:
        run_mes(prep, begin, begin.budget, exact=False)
    except NeedExact:
        return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1820)
    parser.add_argument("--voters", type=int, default=800)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    e, weights = election(args.projects, args.voters, args.seed)
    print(f"{args.projects} items, {args.voters} organizations, equal shares (plain):")
    times = {}
    for name, w in (("equal weights", None), ("unequal weights", weights)):
        clock = time.perf_counter()
        result = allocate(e, "equal-shares", weights=w, explain=False)
        times[name] = time.perf_counter() - clock
        print(
            f"   {name:<16} {times[name]:8.2f}s  funded {len(result.selected):>5}  "
            f"float run redone exactly: {needs_exact(e, w)}"
        )
    print(f"   unequal / equal: {times['unequal weights'] / times['equal weights']:.0f}x")


if __name__ == "__main__":
    main()
