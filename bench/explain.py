"""Issue 13's speed rule for the explanations: the scenarios page with every explanation, on
the demo data and on 100 times the demo (``bench/bigdata.py``), against the same without
them, as ratios; and what computing every "what would fund it" eagerly would cost.

Three measurements per data set (nothing is asserted):

1. *The run*: ``planning.run_funding`` (the rule, what "Run scenarios" waits for before the
   staff assignment) with the effective supports the snapshot now records, against the same
   with them switched off; and the whole ``scenarios.scenario_result`` (funding and staff
   assignment) with and without them.
2. *The page*: the scenarios page's rerun (``AppTest``) with a kept comparison of that
   scenario, with the explanations (every item's sentences, one item in full) against the
   page with the explanation view switched off.
3. *Eager counterfactuals*: on the demo, the time to work out "what would fund it" for every
   item left out (all three answers, cache cleared) against the scenario's run; on the big
   data, one run of the rule times three runs per item left out: a lower bound (the
   equal-shares completion is not monotone, so each answer scans many runs).

    python bench/explain.py              # demo 5 runs, big 1 run (about 10 minutes)
    python bench/explain.py --demo-only
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("ROADMAP_ARGON2_PROFILE", "CHEAPEST")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bigdata
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from roadmap.allocation import allocate
from roadmap.services import comparisons, explanations, periods, planning, scenarios
from roadmap.services.context import Context
from roadmap.services.sessions import actor_from_row
from roadmap.store.engine import make_engine, reading
from roadmap.store.tables import UserRow
from roadmap.ui import explanation_view, session

logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").disabled = True
ROOT = Path(__file__).resolve().parents[1]
GOAL = 1.5


@contextmanager
def without_explanations() -> Iterator[None]:
    """Effective support and the explanation view switched off."""
    supports, view = planning.effective_supports, explanation_view.scenario
    planning.effective_supports = lambda *a, **k: {}
    explanation_view.scenario = lambda *a, **k: None
    try:
        yield
    finally:
        planning.effective_supports = supports
        explanation_view.scenario = view


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    out = action()
    return out, time.perf_counter() - started


def paired(action: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Median seconds of ``action`` with and without the explanations, interleaved."""
    on, off = [], []
    for _ in range(runs):
        on.append(timed(action)[1])
        with without_explanations():
            off.append(timed(action)[1])
    return statistics.median(on), statistics.median(off)


def bench(cached: Path, runs: int, big: bool) -> None:
    # A copy: keeping a comparison must not change the cached data set other benches read.
    path = Path(tempfile.mkdtemp()) / cached.name
    shutil.copy(cached, path)
    ctx = Context(make_engine(f"sqlite:///{path}"))
    with reading(ctx.engine) as s:
        row = s.scalar(select(UserRow).where(UserRow.username == "exec"))
        assert row is not None
        actor = actor_from_row(row)
    envelope = periods.get_period(ctx).settings.envelope
    label = "big " if big else "demo"

    on, off = paired(lambda: planning.run_funding(ctx, actor, envelope), runs)
    print(f"{label} funding (the rule)      with {on:8.2f}s  without {off:8.2f}s  {on / off:5.2f}x")
    result, _ = timed(lambda: scenarios.scenario_result(ctx, actor, envelope, "Bench"))
    on, off = paired(lambda: scenarios.scenario_result(ctx, actor, envelope, "Bench"), runs)
    print(f"{label} whole scenario          with {on:8.2f}s  without {off:8.2f}s  {on / off:5.2f}x")

    comparisons.keep_comparison(ctx, actor, [result])
    session.context = lambda: ctx
    session.current_actor = lambda: actor
    at = AppTest.from_file(str(ROOT / "pages" / "scenarios.py"), default_timeout=900)
    at.run()
    assert not at.exception, at.exception
    on, off = paired(lambda: at.run(), max(runs, 3))
    print(f"{label} scenarios page rerun    with {on:8.2f}s  without {off:8.2f}s  {on / off:5.2f}x")

    snap = result.snapshot
    funded = [f.item for f in snap.funded]
    left_out = [u.item for u in snap.unfunded]
    if not big:
        explanations._CACHE.clear()
        explanations._FUNDED.clear()
        _, eager = timed(
            lambda: [
                explanations.what_would_fund_in_scenario(ctx, actor, envelope, i, funded)
                for i in left_out
            ]
        )
        _, one = timed(lambda: scenarios.scenario_result(ctx, actor, envelope, "Bench"))
        per = eager / max(len(left_out), 1)
        print(
            f"{label} every 'what would fund it' eagerly: {eager:.2f}s for {len(left_out)} items "
            f"({per:.2f}s each) on top of the scenario's {one:.2f}s: "
            f"{(one + eager) / one:.1f}x"
        )
    else:
        run = planning.funding_input(ctx, envelope)
        _, rule = timed(
            lambda: allocate(
                run.election,
                run.rule,
                weights=run.weights,
                constraints=run.constraints,
                explain=False,
            )
        )
        bound = 3 * len(left_out) * rule
        print(
            f"{label} every 'what would fund it' eagerly: at least {bound / 3600:.1f} h "
            f"({len(left_out)} items left out x 3 answers x one run of the rule, {rule:.1f}s)"
        )
    ctx.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="paired runs on the demo")
    parser.add_argument("--big-runs", type=int, default=1, help="paired runs on the big data")
    parser.add_argument("--demo-only", action="store_true")
    parser.add_argument("--big-only", action="store_true")
    args = parser.parse_args()
    print(f"goal: with explanations at most {GOAL:g}x the time without; medians, interleaved")
    if not args.big_only:
        bench(bigdata.database(False), args.runs, big=False)
    if not args.demo_only:
        bench(bigdata.database(True), args.big_runs, big=True)
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
