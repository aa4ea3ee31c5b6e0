"""Every page's rerun time on the demo data and on data about 100 times larger, as a ratio.

For every page in ``roadmap.ui.registry.PAGES`` and the role(s) that see the most data on it,
the page script runs under ``streamlit.testing.v1.AppTest`` against the demo database and the
big one (``bench/bigdata.py``): a first run (a new AppTest), then ``--runs`` reruns of the
same AppTest, demo and big interleaved; the line gives the wall time of the first run, the
median wall and CPU time of the reruns (CPU time of this process, every thread: what other
work on a shared machine disturbs least) and the ratios big/demo of both medians, and flags a
page when both ratios are above 3 (the goal of issue 7). The
plan pages run on the "planned" variant of each data set (a plan published); the others on
the signalling state (no plan yet, every in-scope item open to signals). Then the scenarios'
heavy part, ``scenarios.run_scenario`` (funding and staff assignment, what "Run scenarios"
does), once per rule, when asked (``--scenarios``). Nothing is asserted.

    python bench/pages.py                       # every page, 5 reruns
    python bench/pages.py --runs 3 --pages roadmap audit
    python bench/pages.py --pages scenarios --scenarios greedy   # + the heavy run
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("ROADMAP_ARGON2_PROFILE", "CHEAPEST")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bigdata
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from roadmap import config
from roadmap.allocation.staffing import PlanCache
from roadmap.domain.access import Actor
from roadmap.domain.enums import AllocationRule, ItemStatus
from roadmap.services import periods, scenarios
from roadmap.services.context import Context
from roadmap.services.sessions import actor_from_row
from roadmap.store.engine import make_engine, reading
from roadmap.store.tables import CommentRow, ItemRow, UserRow
from roadmap.ui import registry, session

# Quiet the "missing ScriptRunContext" warnings of st touched outside a script run.
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").disabled = True
ROOT = Path(__file__).resolve().parents[1]
GOAL = 3.0
DEMO_USERS = ["admin", "exec", "lead", "orgrep", "staff", "member", None]

# (page, username or None for signed out, planned data set?)
CASES: list[tuple[str, str | None, bool]] = [
    ("roadmap", None, False),
    ("roadmap", "exec", False),
    # The roadmap's other views ("page:view" sets the page's view switch before its run).
    ("roadmap:board", None, False),
    ("roadmap:timeline", None, True),
    ("item", "member", False),
    ("my_items", "lead", False),
    ("review", "exec", False),
    ("audit", "exec", False),
    ("members", None, False),
    ("signals", "orgrep", False),
    ("signals_overview", "exec", False),
    ("signals_overview", "member", False),
    ("period", "exec", False),
    ("organizations", "admin", False),
    ("plan", None, True),
    ("plan", "exec", True),
    ("my_plan", "staff", True),
    ("scenarios", "exec", False),
    ("staff_admin", "admin", False),
    ("sign_in", None, False),
    ("account", "member", False),
    ("admin_users", "admin", False),
    # The home page of each role: the plan's roles on the planned data (reports, months).
    ("home", "exec", True),
    ("home", "staff", True),
    ("home", "lead", False),
    ("home", "orgrep", False),
    ("home", "member", False),
]


class Target:
    """One database: its context, and the actors and item id the pages run with."""

    def __init__(self, path: Path) -> None:
        self.ctx = Context(make_engine(f"sqlite:///{path}"))
        with reading(self.ctx.engine) as s:
            self.actors = {u.username: actor_from_row(u) for u in s.scalars(select(UserRow))}
            # The in-comment item with the most comments: the comment box, comments, history.
            self.item = s.scalars(
                select(ItemRow.id)
                .join(CommentRow, CommentRow.item_id == ItemRow.id)
                .where(ItemRow.status == ItemStatus.IN_COMMENT.value)
                .group_by(ItemRow.id)
                .order_by(ItemRow.id)
            ).first()

    def actor(self, username: str | None) -> Actor:
        return Actor.public() if username is None else self.actors[username]


def _use(target: Target, username: str | None) -> None:
    actor = target.actor(username)
    session.context = lambda: target.ctx
    session.current_actor = lambda: actor


def _timed(action: Callable[[], AppTest]) -> tuple[AppTest, tuple[float, float]]:
    """The result, the wall time and the process's CPU time (every thread: AppTest runs the
    script in a thread of this process) of ``action``."""
    wall, cpu = time.perf_counter(), time.process_time()
    at = action()
    return at, (time.perf_counter() - wall, time.process_time() - cpu)


def _first(page: str, target: Target, username: str | None) -> tuple[AppTest, tuple[float, float]]:
    _use(target, username)

    def run() -> AppTest:
        script, _, view = page.partition(":")
        at = AppTest.from_file(str(ROOT / "pages" / f"{script}.py"), default_timeout=600)
        if view:
            at.session_state["roadmap-view"] = view.capitalize()
        if page == "item":
            at.query_params["id"] = str(target.item)
        return at.run()

    at, seconds = _timed(run)
    if at.exception:
        raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")
    return at, seconds


def _rerun(at: AppTest, target: Target, username: str | None) -> tuple[float, float]:
    _use(target, username)
    return _timed(at.run)[1]


def bench_page(
    page: str, username: str | None, small: Target, big: Target, runs: int
) -> list[float]:
    """First run (wall), median rerun wall and CPU time: demo, then big."""
    at_small, first_small = _first(page, small, username)
    at_big, first_big = _first(page, big, username)
    times_small, times_big = [], []
    for _ in range(runs):
        times_small.append(_rerun(at_small, small, username))
        times_big.append(_rerun(at_big, big, username))
    out = []
    for first, times in ((first_small, times_small), (first_big, times_big)):
        out += [first[0], statistics.median(t[0] for t in times)]
        out += [statistics.median(t[1] for t in times)]
    return out


def bench_scenarios(small: Target, big: Target, rules: list[AllocationRule]) -> None:
    print("\nscenario runs (scenarios.run_scenario: funding, then staff assignment; one run each)")
    print(f"{'rule':<14}{'demo':>10}{'big':>10}{'ratio':>9}  big: funded, assignments, solver")
    for rule in rules:
        times = []
        for target in (small, big):
            envelope = periods.get_period(target.ctx).settings.envelope
            envelope = envelope.model_copy(update={"rule": rule})
            started = time.perf_counter()
            scenario = scenarios.run_scenario(target.ctx, target.actor("exec"), envelope)
            times.append(time.perf_counter() - started)
        staffing = scenario.staffing
        print(
            f"{rule.value:<14}{times[0]:>9.2f}s{times[1]:>9.2f}s{times[1] / times[0]:>8.0f}x"
            f"  {len(scenario.funding.funded)}, {len(staffing.assignments)}, "
            f"{staffing.status.value}",
            flush=True,
        )
    # Issue 17's memory goal: the whole process's peak resident set (ru_maxrss is in KiB on
    # Linux), data sets and every run above included.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MB (goal: the 100x run within 1 GB)")


def bench_run_scenarios(big: Target, runs: int) -> None:
    """Issue 17's goal: "Run scenarios" with three scenarios (one per rule: funding with its
    explanations, staff assignment, snapshot) on the 100x data, as the page runs it
    (``scenarios.run_scenarios``): wall time against the 3 s goal, and the peak resident
    memory of this process and of each worker process."""
    base = periods.get_period(big.ctx).settings.envelope
    named = [(r.value, base.model_copy(update={"rule": r})) for r in AllocationRule]
    processes = min(config.scenario_processes(), len(named))
    print(
        f"\n'Run scenarios' on the big data, three scenarios ({', '.join(n for n, _ in named)}),"
        f" {processes} worker process(es); goal: 3 s wall"
    )
    for run in range(runs):
        # Fresh workers each run (their plan caches empty: nothing is solved in advance),
        # started and warmed before the clock starts; the first run also prints a cold start.
        scenarios._POOL = None
        scenarios._PLANS = PlanCache(16)  # nor the server's: each run solves its plans
        started = time.perf_counter()
        pool = scenarios._pool(processes)
        list(pool.map(abs, range(processes * 4)))  # every worker up and importing done
        warm = time.perf_counter() - started
        began = time.perf_counter()
        heard: list[str] = []

        def stage(sentence: str, began: float = began, heard: list[str] = heard) -> None:
            heard.append(f"    {time.perf_counter() - began:5.1f} s  {sentence}")

        outcomes = scenarios.run_scenarios(big.ctx, big.actor("exec"), named, progress=stage)
        wall = time.perf_counter() - began
        solved = ", ".join(
            f"{o.name}: {len(o.get().snapshot.funded)} funded, gap "
            f"{(o.get().snapshot.solver.gap or 0) * 100:.2f} %"
            for o in outcomes
        )
        print(
            f"  run {run + 1}: {wall:.2f} s wall (workers started in {warm:.1f} s before it;"
            f" load {os.getloadavg()[0]:.1f}); {solved}"
        )
        print("\n".join(heard), flush=True)
    peaks = []
    for pid in list(getattr(scenarios._POOL, "_processes", {}) or {}):
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  peak resident memory: this process {own:.0f} MB, workers "
        f"{', '.join(f'{p:.0f}' for p in peaks) or 'none'} MB; together {own + sum(peaks):.0f} MB"
        " (goal: within 1 GB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="reruns per page and data set")
    parser.add_argument("--pages", nargs="*", help="only these page keys")
    parser.add_argument(
        "--scenarios",
        nargs="*",
        choices=[r.value for r in AllocationRule],
        help="also time 'Run scenarios' (scenarios.run_scenario) with these rules (all when none is"
        " named); minutes on the big data",
    )
    parser.add_argument(
        "--run-scenarios",
        type=int,
        default=0,
        metavar="RUNS",
        help="time 'Run scenarios' as the page runs it (three scenarios, worker processes) on the"
        " big data this many times (issue 17's 3 s goal), and nothing else",
    )
    args = parser.parse_args()
    if args.run_scenarios:
        bench_run_scenarios(Target(bigdata.database(True, False)), args.run_scenarios)
        return

    targets: dict[tuple[bool, bool], Target] = {}

    def target(big: bool, planned: bool) -> Target:
        if (big, planned) not in targets:
            targets[(big, planned)] = Target(bigdata.database(big, planned))
        return targets[(big, planned)]

    print(
        f"{datetime.date.today()}, {os.cpu_count()} CPUs, python {platform.python_version()}; "
        f"load average at start {os.getloadavg()[0]:.2f}"
    )
    for big in (False, True):
        sizes = bigdata.sizes(bigdata.database(big))
        print(f"{'big ' if big else 'demo'}: " + ", ".join(f"{v} {k}" for k, v in sizes.items()))
    print(
        f"wall time of the first run, then the median wall and CPU time of {args.runs} reruns;"
        " ratio = big / demo median rerun, by wall and by CPU time (the CPU time of this"
        " process is what other work on a shared machine disturbs least)\n"
    )
    print(
        f"{'page':<18}{'as':<9}{'demo: first':>11}{'rerun':>8}{'cpu':>7}"
        f"{'big: first':>11}{'rerun':>8}{'cpu':>7}{'ratio':>7}{'cpu':>7}"
    )
    # A page added to the registry since: run it as the first demo account it allows.
    cases = list(CASES)
    for spec in registry.PAGES:
        if spec.key not in {page for page, _, _ in CASES}:
            demo = target(False, False)
            allowed = [u for u in DEMO_USERS if spec.allows(demo.actor(u))]
            cases.append((spec.key, allowed[0], False))
    over = []
    for page, username, planned in cases:
        if args.pages and page not in args.pages:
            continue
        f_small, r_small, c_small, f_big, r_big, c_big = bench_page(
            page, username, target(False, planned), target(True, planned), args.runs
        )
        ratio, cpu_ratio = r_big / r_small, c_big / max(c_small, 1e-6)
        flag = f"  > {GOAL:g}x" if min(ratio, cpu_ratio) > GOAL else ""
        if flag:
            over.append(f"{page} ({username or 'public'})")
        print(
            f"{page:<18}{username or '(public)':<9}{f_small:>10.3f}s{r_small:>7.3f}s"
            f"{c_small:>6.3f}s{f_big:>10.3f}s{r_big:>7.3f}s{c_big:>6.3f}s"
            f"{ratio:>6.1f}x{cpu_ratio:>6.1f}x{flag}",
            flush=True,
        )
    print(f"\nload average at end {os.getloadavg()[0]:.2f}")
    print(f"over {GOAL:g}x by both wall and CPU time: {', '.join(over) or 'none'}")
    if args.scenarios is not None:
        rules = [AllocationRule(r) for r in args.scenarios] or list(AllocationRule)
        bench_scenarios(target(False, False), target(True, False), rules)


if __name__ == "__main__":
    main()
