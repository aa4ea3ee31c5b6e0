"""Our allocation rules and pabulib reader against pabutools, on the same parsed elections.

Prints, per file and rule: instance size, our median time, pabutools' time, the ratio, whether
the funded sets are identical, and peak traced memory (tracemalloc) of both. Never asserts.

    python bench/allocation.py --quick      # small files, a few minutes
    python bench/allocation.py              # also the five largest files
    python bench/allocation.py --files Poland_Warszawa_2026.pb --rules equal-shares greedy

pabutools' add1 reruns its equal shares once per unit step; on the large files that is hours,
so unless ``--pabutools-add1-big`` is given we print an estimate (one pabutools run times the
number of unit steps the literal loop makes) and say so.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from roadmap.allocation import allocate, read_pabulib

# pabutools is called exactly as the tests call it (tests/unit/allocation/allocation_support.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "unit" / "allocation"))
from allocation_support import pabutools_rule

ROOT = Path(__file__).resolve().parents[1]
PABULIB = Path(os.environ.get("ROADMAP_PABULIB_DIR", ROOT.parent / "shared" / "pabulib"))
BIG = [
    "Poland_Warszawa_2026.pb",
    "Poland_Wroclaw_2017.pb",
    "Poland_Lodz_2022.pb",
    "Poland_Krakow_2024.pb",
    "Poland_Katowice_2023.pb",
]
ADD1_HOURS = {"Poland_Warszawa_2020_Praga-Poludnie.pb"}  # 13 s per pabutools run, ~700 steps
RULES = ["equal-shares", "equal-shares-add1", "equal-shares-add1-greedy", "greedy", "phragmen"]


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time of ``runs`` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peak_memory(fn: Callable[[], Any]) -> float:
    """Peak traced allocation of one call, in MB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def bench_file(path: Path, rules: list[str], runs: int, args: argparse.Namespace) -> None:
    from pabutools.election import parse_pabulib

    big = path.name in BIG
    ours_parse, election = timed(lambda: read_pabulib(path), runs)
    their_runs = 1 if big else runs
    their_parse, (instance, profile) = timed(lambda: parse_pabulib(str(path)), their_runs)
    pairs = sum(len(v.items) for v in election.voters)
    print(
        f"\n== {path.name}: {len(election.projects)} projects, {len(election.voters)} voters, "
        f"{pairs} ballot entries, {election.ballot_type} ({_load()})"
    )
    print(
        f"   parse       ours {ours_parse:8.3f}s  pabutools {their_parse:8.2f}s  "
        f"x{their_parse / ours_parse:6.1f}"
    )
    one_run: float | None = None  # pabutools' plain equal shares, for the add1 estimates
    for rule in rules:
        if rule == "phragmen" and election.ballot_type.has_points:
            continue
        ours_time, ours = timed(partial(allocate, election, rule, explain=False), runs)
        ours_mem = peak_memory(partial(allocate, election, rule, explain=False))
        line = f"   {rule:<26} ours {ours_time:8.3f}s {ours_mem:7.1f}MB"
        if election.ballot_type == "ordinal":  # pabutools has no Cost_Sat on rankings
            print(line + "  pabutools n/a (ordinal ballots)", flush=True)
            continue
        theirs_fn = pabutools_rule(rule, instance, profile)
        hours = big or path.name in ADD1_HOURS or (args.quick and len(election.voters) > 1000)
        if "add1" in rule and hours and not args.pabutools_add1_big:
            if one_run is None:
                one_run, _ = timed(pabutools_rule("equal-shares", instance, profile), 1)
            one = one_run
            steps = _unit_steps(ours, election)
            estimate = one * steps
            line += (
                f"  pabutools ~{estimate:9.0f}s ESTIMATED ({steps} unit steps x {one:.1f}s "
                f"per run; not run)  x~{estimate / ours_time:7.0f}"
            )
        elif args.skip_pabutools_big and big:
            line += "  pabutools skipped (--quick, large file)"
        else:
            their_time, theirs = timed(theirs_fn, 1 if big or "add1" in rule else runs)
            if rule == "equal-shares":
                one_run = their_time
            traced = args.memory and (not big or args.pabutools_memory_big)
            their_mem = peak_memory(theirs_fn) if traced else float("nan")
            same = theirs == set(ours.selected)
            line += (
                f"  pabutools {their_time:9.2f}s {their_mem:7.1f}MB  "
                f"x{their_time / ours_time:7.1f}  identical={same}"
            )
        print(line, flush=True)


def _unit_steps(allocation: Any, election: Any) -> int:
    """How many equal-shares runs the literal add1 loop makes (kept step + the failing one)."""
    n = len(election.voters)
    return int((allocation.extra["total"] - election.budget) / n) + 2


def process_time(path: Path, runs: int) -> None:
    """Whole-process time of ``roadmap pb`` (the console script, and ``python -m``) against
    ``python -c pass``, interleaved, medians of ``runs``."""
    tail = [str(path), "--rule", "equal-shares", "--json"]
    script = Path(sys.executable).parent / "roadmap"
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        # Where the time goes: NumPy's import alone, then every import `roadmap pb` makes.
        "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
        "imports of roadmap pb only": [
            sys.executable,
            "-c",
            "import roadmap.allocation.pb_command, roadmap.allocation.rules",
        ],
        "roadmap pb": [str(script), "pb", *tail],
        "python -m roadmap.allocation.pb_command": [
            sys.executable,
            "-m",
            "roadmap.allocation.pb_command",
            *tail,
        ],
    }
    if not script.exists():
        del commands["roadmap pb"]

    def launch(argv: list[str]) -> tuple[float, float]:
        """Wall time and CPU time (user + system) of one process."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        return wall, cpu

    # An installed package has its bytecode compiled (pip does it); an editable checkout gets
    # it on first import, unless PYTHONDONTWRITEBYTECODE is set (it is on some machines): then
    # every run would compile our modules again. Compile once, as an install would.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            times[name].append(launch(argv))
    bare = statistics.median(w for w, _ in times["python -c pass"])
    bare_cpu = statistics.median(c for _, c in times["python -c pass"])
    print(f"\nwhole process, {path.name} --rule equal-shares --json ({_load()}):")
    for name, values in times.items():
        full = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        print(
            f"   {name:<42} wall {full:6.3f}s (+{full - bare:.3f}s)   "
            f"cpu {cpu:6.3f}s (+{cpu - bare_cpu:.3f}s over python -c pass)"
        )


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} / {five:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small files; no pabutools on big")
    parser.add_argument("--files", nargs="*", help="file names in the pabulib folder")
    parser.add_argument("--rules", nargs="*", default=RULES, choices=RULES)
    parser.add_argument("--runs", type=int, default=3, help="repetitions for medians")
    parser.add_argument("--pabutools-add1-big", action="store_true", help="really run it (hours)")
    parser.add_argument("--no-memory", dest="memory", action="store_false")
    parser.add_argument(
        "--pabutools-memory-big",
        action="store_true",
        help="trace pabutools' memory on the big files too (a second, traced run: minutes)",
    )
    parser.add_argument("--no-process", dest="process", action="store_false")
    parser.add_argument("--process-only", action="store_true", help="only the process timing")
    args = parser.parse_args()
    args.skip_pabutools_big = args.quick
    if args.process_only:
        process_time(PABULIB / "Poland_Warszawa_2026.pb", 9)
        return
    if args.files:
        files = [PABULIB / f for f in args.files]
    else:
        small = sorted(p for p in PABULIB.glob("*.pb") if p.name not in BIG)
        if args.quick:  # Praga-Południe (15,000 voters) alone costs pabutools minutes
            small = [p for p in small if p.name not in ADD1_HOURS]
        files = small if args.quick else small + [PABULIB / f for f in BIG]
    print(
        f"pabulib folder: {PABULIB}; {os.cpu_count()} CPUs; python {sys.version.split()[0]}; "
        f"{_load()}"
    )
    for path in files:
        bench_file(path, args.rules, args.runs, args)
    if args.process:
        process_time(PABULIB / "Poland_Warszawa_2026.pb", 9)
    print(f"\ndone ({_load()})")


if __name__ == "__main__":
    main()
