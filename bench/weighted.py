"""Equal shares with unequal voter weights against equal weights, on a synthetic election
shaped like the product's planning data (many items, hundreds of organizations with
voice weights): prints both times, their ratio, and whether the float run had to be redone
in exact arithmetic (the slow part).

    .venv/bin/python bench/weighted.py                       # 1,820 items, 800 organizations
    .venv/bin/python bench/weighted.py --projects 900 --voters 400
"""

from __future__ import annotations

import argparse
import sys
import time
from fractions import Fraction
from pathlib import Path

from roadmap.allocation import Election
from roadmap.allocation.mes_core import NeedExact, run_mes
from roadmap.allocation.prepared import prepare
from roadmap.allocation.prepass import start
from roadmap.allocation.rules import allocate

# The election generator is the tests' (tests/unit/allocation/allocation_support.py), so the
# bench times the very shape the tests check against the exact run.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "unit" / "allocation"))
from allocation_support import planning_like


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
    e, weights = planning_like(args.projects, args.voters, args.seed)
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
