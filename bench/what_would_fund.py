"""``roadmap pb FILE --json --what-would-fund`` (issue 13's speed goal: equal shares on Warszawa
2026, the whole process within 1 s): whole-process wall and CPU time against the same command
without ``--what-would-fund``, interleaved, medians; then, in this process, how many runs of the
rule the answers took. Prints, never asserts.

    python bench/what_would_fund.py                       # Warszawa 2026, equal shares, 9 runs
    python bench/what_would_fund.py --runs 15 --file Poland_Wroclaw_2017.pb --rule greedy
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

from roadmap.allocation import allocate, read_pabulib
from roadmap.allocation import counterfactual as cf

ROOT = Path(__file__).resolve().parents[1]
PABULIB = Path(os.environ.get("ROADMAP_PABULIB_DIR", ROOT.parent / "shared" / "pabulib"))


def launch(argv: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} / {five:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default="Poland_Warszawa_2026.pb")
    parser.add_argument("--rule", default="equal-shares")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    path = PABULIB / args.file
    script = Path(sys.executable).parent / "roadmap"
    plain = [str(script), "pb", str(path), "--rule", args.rule, "--json"]
    commands = {"without": plain, "with --what-would-fund": [*plain, "--what-would-fund"]}
    # Bytecode compiled once, as an install would (see bench/allocation.py).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    before = load()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, argv in commands.items():
            times[name].append(launch(argv))
    print(f"whole process, medians of {args.runs} ({before} before, {load()} after):")
    for name, values in times.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        print(f"   {name:<24} wall {wall:6.3f}s   cpu {cpu:6.3f}s")
    print(f"   command: {shlex.join(commands['with --what-would-fund'])}")

    election = read_pabulib(path)
    funded = allocate(election, args.rule, explain=False).selected
    counted = {"runs": 0}
    real = cf._Rerun.__init__

    def counting(self: cf._Rerun, *a: object, **k: object) -> None:
        real(self, *a, **k)  # type: ignore[arg-type]
        counted["rerun"] = self  # type: ignore[assignment]

    cf._Rerun.__init__ = counting  # type: ignore[method-assign]
    start = time.process_time()
    answers = cf.largest_funded_costs(election, args.rule, funded=funded)
    cpu = time.process_time() - start
    runs = counted["rerun"].runs  # type: ignore[attr-defined]
    found = sum(c is not None for c in answers.values())
    print(
        f"in process: {len(answers)} items not funded ({found} with a cost that funds them), "
        f"{runs} runs of the rule after the observed one, {cpu:.3f}s cpu"
    )


if __name__ == "__main__":
    main()
