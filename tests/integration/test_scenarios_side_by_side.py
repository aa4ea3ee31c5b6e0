"""Several scenarios in one run (``scenarios.run_scenarios``, what "Run scenarios" calls):
the period is read once and, on a large period, the scenarios are computed side by side in
worker processes. Whichever way they run, each scenario's snapshot is the one a scenario run
alone gives; an envelope the period cannot fund is refused alone while the others run."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import Clock

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import AllocationRule
from roadmap.domain.errors import PermissionDenied, ValidationError
from roadmap.domain.periods import Envelope
from roadmap.services import demo, periods, scenarios
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate


@pytest.fixture(autouse=True, scope="module")
def _workers_stopped() -> Iterator[None]:
    """The worker processes these tests start are stopped with them (not left to the test
    process's exit)."""
    yield
    scenarios.stop_workers()


@pytest.fixture
def demo_ctx(ctx: Context, clock: Clock) -> Context:
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    return ctx


def who(ctx: Context, username: str) -> Actor:
    actor = authenticate(ctx, username, "demo")
    assert actor is not None
    return actor


def _named(ctx: Context) -> list[tuple[str, Envelope]]:
    base = periods.get_period(ctx).settings.envelope
    return [
        ("shares", base),
        ("greedy", base.model_copy(update={"rule": AllocationRule.GREEDY})),
        ("too much kept back", base.model_copy(update={"reserve_weeks": 10_000.0})),
        ("phragmen", base.model_copy(update={"rule": AllocationRule.PHRAGMEN})),
    ]


@pytest.mark.parametrize("processes", ["1", "2"])
def test_scenarios_run_together_give_each_scenario_run_alone(
    demo_ctx: Context, monkeypatch: pytest.MonkeyPatch, processes: str
) -> None:
    """In the server's process, and in two worker processes (the demo is small: the
    threshold is lowered to 0 to force them): the same snapshots as one scenario at a time,
    in the order asked, the refused envelope in its place with its sentence, and each
    scenario's stages heard."""
    monkeypatch.setenv("ROADMAP_SCENARIO_PROCESSES", processes)
    pools: list[int] = []
    real_pool = scenarios._pool

    def pool(size: int) -> object:
        pools.append(size)
        return real_pool(size)

    monkeypatch.setattr(scenarios, "_pool", pool)
    execu = who(demo_ctx, "exec")
    named = _named(demo_ctx)
    heard: list[str] = []
    outcomes = scenarios.run_scenarios(
        demo_ctx, execu, named, progress=heard.append, parallel_from=0
    )
    assert [o.name for o in outcomes] == [name for name, _ in named]
    assert pools == ([] if processes == "1" else [2])  # worker processes ran them, or none
    refused = outcomes[2]
    assert refused.result is None and isinstance(refused.error, ValidationError)
    assert "reserve (10000 person-weeks) is larger" in str(refused.error)
    with pytest.raises(ValidationError):
        refused.get()
    for outcome, (name, envelope) in zip(outcomes, named, strict=True):
        if outcome.error is not None:
            continue
        alone = scenarios.scenario_result(demo_ctx, execu, envelope, name)
        assert outcome.get().snapshot == alone.snapshot, name
        assert any(s.startswith(f"{name}: ") and "items funded by" in s for s in heard)
        assert f"{name}: staff assigned in" in " ".join(heard)


def test_only_the_executive_runs_scenarios_together(demo_ctx: Context) -> None:
    with pytest.raises(PermissionDenied):
        scenarios.run_scenarios(demo_ctx, who(demo_ctx, "orgrep"), _named(demo_ctx))


def test_opening_scenarios_starts_the_workers_only_for_a_large_period(
    demo_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo period is small: no worker is started. With the threshold at 0 (as for a
    large period) they are started in the background; only the executive may."""
    execu = who(demo_ctx, "exec")
    monkeypatch.setenv("ROADMAP_SCENARIO_PROCESSES", "2")
    started: list[int] = []
    monkeypatch.setattr(scenarios, "_pool", started.append)
    monkeypatch.setattr(scenarios.threading, "Thread", _Inline)
    assert scenarios.warm_up(demo_ctx, execu) is False
    assert started == []
    monkeypatch.setenv("ROADMAP_SCENARIO_PARALLEL_FROM", "0")
    assert scenarios.warm_up(demo_ctx, execu) is True
    assert started == [2]
    monkeypatch.setenv("ROADMAP_SCENARIO_PROCESSES", "1")
    assert scenarios.warm_up(demo_ctx, execu) is False
    assert started == [2]
    with pytest.raises(PermissionDenied):
        scenarios.warm_up(demo_ctx, who(demo_ctx, "orgrep"))


class _Inline:
    """A thread that runs its target at once (the warm-up's start, checked in line)."""

    def __init__(self, target: object, args: tuple[object, ...] = (), **_: object) -> None:
        self.target, self.args = target, args

    def start(self) -> None:
        self.target(*self.args)  # type: ignore[operator]


def test_workers_never_run_the_parents_main_script(
    demo_ctx: Context, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A new worker process must not run the parent's ``__main__`` again: in the app that is
    Streamlit's page script, in the tests an AppTest script (which broke the workers once).
    Here the parent's main is a script that kills any process running it."""
    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('the main script ran in a worker')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setattr(scenarios, "_POOL", None)  # new workers, started from here
    monkeypatch.setenv("ROADMAP_SCENARIO_PROCESSES", "2")
    outcomes = scenarios.run_scenarios(
        demo_ctx, who(demo_ctx, "exec"), _named(demo_ctx)[:2], parallel_from=0
    )
    assert [len(o.get().snapshot.funded) > 0 for o in outcomes] == [True, True]
    scenarios.stop_workers()  # these workers, before the pool before them comes back


def test_in_workers_each_stage_is_heard_as_it_ends_and_one_staff_plan_serves_twins(
    demo_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In worker processes a scenario's stages run apart: its funding, then its staff
    assignment and (equal shares) its effective supports. Each is heard once, the funding
    first; two scenarios that fund the same items share one staff plan (solved once); the
    plans solved in the workers are kept in the server's plan cache, so publishing the
    scenario just run does not solve it again."""
    monkeypatch.setenv("ROADMAP_SCENARIO_PROCESSES", "2")
    monkeypatch.setattr(scenarios, "_PLANS", scenarios.PlanCache(16))
    execu = who(demo_ctx, "exec")
    base = periods.get_period(demo_ctx).settings.envelope
    named = [
        ("shares", base),
        ("greedy", base.model_copy(update={"rule": AllocationRule.GREEDY})),
        ("shares again", base),
    ]
    heard: list[str] = []
    outcomes = scenarios.run_scenarios(
        demo_ctx, execu, named, progress=heard.append, parallel_from=0
    )
    for name in ("shares", "greedy", "shares again"):
        mine = [s for s in heard if s.startswith(f"{name}: ")]
        assert "items funded by" in mine[0], mine  # the funding comes first
        assert len([s for s in mine if "items funded by" in s]) == 1
        assert len([s for s in mine if "staff assigned" in s]) == 1
    supports = [s for s in heard if "came to being funded (effective support), worked out in" in s]
    assert sorted(s.split(":")[0] for s in supports) == ["shares", "shares again"]
    shared = {
        "shares again: staff assigned (the same items as shares: one plan for both).",
        "shares: staff assigned (the same items as shares again: one plan for both).",
    }
    assert len(shared & set(heard)) == 1  # whichever was funded second
    assert scenarios._PLANS.misses == 0  # nothing was solved in this (the server's) process
    first, _, again = (o.get().snapshot for o in outcomes)
    assert again == first.model_copy(update={"name": "shares again"})
    # Publishing runs the scenario here again: its staff plan comes from the cache.
    monkeypatch.setattr(
        scenarios.PlanCache, "assign", _counting(scenarios.PlanCache.assign, calls := [])
    )
    alone = scenarios.scenario_result(demo_ctx, execu, base, "shares")
    assert alone.snapshot == first
    assert calls == [1] and scenarios._PLANS.misses == 0 and scenarios._PLANS.hits >= 1


def _counting(method: object, calls: list[int]) -> object:
    def counted(self: scenarios.PlanCache, *args: object, **kwargs: object) -> object:
        calls.append(1)
        return method(self, *args, **kwargs)  # type: ignore[operator]

    return counted


def test_the_server_collects_garbage_again_after_a_run_in_workers_even_a_failed_one(
    demo_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a run waits for its workers the server's automatic garbage collection is
    paused (its full collections held up the handing out of stages); it is back on once the
    run ends, and when a stage fails the failure reaches the caller and the pause ends too."""
    import gc

    monkeypatch.setenv("ROADMAP_SCENARIO_PROCESSES", "2")
    execu = who(demo_ctx, "exec")
    named = _named(demo_ctx)[:2]
    assert gc.isenabled()
    paused: list[bool] = []
    real_funded = scenarios._SideBySide._funded

    def watching(self: object, k: int, funded: object) -> None:
        paused.append(not gc.isenabled())
        real_funded(self, k, funded)  # type: ignore[arg-type]

    monkeypatch.setattr(scenarios._SideBySide, "_funded", watching)
    scenarios.run_scenarios(demo_ctx, execu, named, parallel_from=0)
    assert len(paused) >= 2 and all(paused) and gc.isenabled()  # (a search: two workers)

    def failing(self: object, k: int, funded: object) -> None:
        raise RuntimeError("a stage failed")

    monkeypatch.setattr(scenarios._SideBySide, "_funded", failing)
    with pytest.raises(RuntimeError, match="a stage failed"):
        scenarios.run_scenarios(demo_ctx, execu, named, parallel_from=0)
    assert gc.isenabled()
