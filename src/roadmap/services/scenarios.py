"""Scenarios: fund items by an envelope's rule, assign staff to them, and freeze the result
as a plan snapshot. Nothing here writes; publishing and keeping a comparison do.

The one place the app speaks to the staff-assignment engine of ``roadmap.allocation``.
"""

from __future__ import annotations

import gc
import heapq
import multiprocessing
import multiprocessing.spawn
import os
import pickle
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import select
from threadpoolctl import threadpool_limits

from roadmap import config
from roadmap.allocation import HeldElsewhere, Probe
from roadmap.allocation.staffing import (
    PlanCache,
    StaffPlan,
    Worker,
    WorkItem,
    assign_staff,
    plan_key,
)
from roadmap.domain import boundary
from roadmap.domain.access import Actor, require
from roadmap.domain.enums import AllocationRule, Role
from roadmap.domain.errors import RoadmapError
from roadmap.domain.periods import Envelope
from roadmap.domain.plans import (
    AccountLine,
    AssignmentLine,
    CoverageLine,
    FundedLine,
    GapLine,
    PlanSnapshot,
    SolverOutcome,
    UnfundedLine,
)
from roadmap.services import planning
from roadmap.services.context import Context
from roadmap.services.periods import find_period_row
from roadmap.services.planning import Funding, Loaded
from roadmap.store.engine import reading
from roadmap.store.tables import OrganizationRow, StaffRow

TIME_LIMIT = 20.0
"""Seconds a scenario's staff assignment may take at most."""

GAP = 1e-4
"""The assignment stops once its plan is proven within this share of the best possible one
(0.01 %): the flow network's plan reaches it in under a second on the 100x data (0.004 %);
a plan stopped by the time limit shows the gap it reached."""


@dataclass(frozen=True)
class Scenario:
    funding: Funding
    staffing: StaffPlan
    staff_names: dict[str, str]
    subperiods: list[str]


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario as an executive compares it: its name, envelope and snapshot."""

    name: str
    envelope: Envelope
    snapshot: PlanSnapshot


def subperiods(start: date, end: date) -> list[str]:
    """The months of a period, as ``YYYY-MM`` labels: the plan's sub-periods."""
    labels, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


@dataclass(frozen=True)
class StaffLine:
    """A staff member as the assignment reads them (plain data: it crosses to a worker
    process)."""

    key: str
    name: str
    skills: dict[str, int]
    capacity: list[float]
    active: bool
    paid_by: str | None  # the paying organization's key, if earmarked


@dataclass(frozen=True)
class ScenarioInputs:
    """Everything the scenarios of a period run on, read once for all of them."""

    loaded: Loaded
    staff: list[StaffLine]
    subperiods: list[str]


def read_inputs(ctx: Context, period_key: str | None = None) -> ScenarioInputs:
    """Read what every scenario of the period runs on (no role check: it holds every
    organization's signal; callers check the role)."""
    with reading(ctx.engine) as session:  # one read: the staff and the signals agree
        period = find_period_row(session, period_key)
        loaded = planning.read_in(session, period)
        months = subperiods(period.start, period.end)
        org_keys = dict(session.execute(select(OrganizationRow.id, OrganizationRow.key)).all())
        staff = [
            StaffLine(
                s.key,
                s.name,
                dict(s.skills),
                _capacity(s.capacity_by_subperiod, s.capacity_weeks, len(months)),
                s.active,
                None if s.paid_by_id is None else org_keys[s.paid_by_id],
            )
            for s in session.scalars(select(StaffRow).order_by(StaffRow.key))
        ]
    return ScenarioInputs(loaded, staff, months)


def run_scenario(
    ctx: Context,
    actor: Actor,
    envelope: Envelope,
    name: str = "scenario",
    period_key: str | None = None,
    time_limit: float = TIME_LIMIT,
    progress: Callable[[str], None] | None = None,
) -> Scenario:
    """Fund items by the envelope's rule, then assign staff to them (nothing is written);
    ``progress`` hears a sentence as each of the two stages ends."""
    require(actor, Role.EXECUTIVE, to="run allocation scenarios")
    name = boundary.text(name, "scenario name")
    inputs = read_inputs(ctx, period_key)
    planning.check_envelope(inputs.loaded, envelope)
    return compute(inputs, envelope, name, time_limit, progress)


def compute(
    inputs: ScenarioInputs,
    envelope: Envelope,
    name: str,
    time_limit: float = TIME_LIMIT,
    progress: Callable[[str], None] | None = None,
) -> Scenario:
    """A scenario from what :func:`read_inputs` read (pure: no database, no role check):
    its stages one after the other, in this process (:func:`run_scenarios` runs the same
    stages side by side in worker processes)."""
    say = progress or _silent
    began = time.perf_counter()
    funding = planning.fund(inputs.loaded, envelope, name, supports=False)
    say(_funded_sentence(funding, time.perf_counter() - began))
    request = planning.support_request(funding)
    if request is not None:
        began = time.perf_counter()
        funding = planning.with_supports(funding, planning.effective_support(request))
        say(_supports_sentence(name, request, time.perf_counter() - began))
    began = time.perf_counter()
    staffing = _assign(*_problem(inputs, funding), time_limit)
    say(_staffed_sentence(name, time.perf_counter() - began))
    return Scenario(funding, staffing, {s.key: s.name for s in inputs.staff}, inputs.subperiods)


def _silent(_: str) -> None:
    pass


def _funded_sentence(funding: Funding, seconds: float) -> str:
    return (
        f"{funding.name}: {len(funding.funded)} items funded by {funding.envelope.rule.label}, "
        f"each explained, in {seconds:.1f} s."
    )


def _supports_sentence(name: str, request: planning.SupportRequest, seconds: float) -> str:
    return (
        f"{name}: how close each of the {len(request.items):,} items left out came to being "
        f"funded (effective support), worked out in {seconds:.1f} s."
    )


def _staffed_sentence(name: str, seconds: float, shared: str | None = None) -> str:
    if shared is not None:
        return f"{name}: staff assigned (the same items as {shared}: one plan for both)."
    return f"{name}: staff assigned in {seconds:.1f} s."


def _problem(inputs: ScenarioInputs, funding: Funding) -> tuple[list[WorkItem], list[Worker]]:
    """The staff assignment a funding asks for: the funded items, most important first,
    and the staff."""
    funded = set(funding.funded_ids)
    n = len(funding.funded)
    work = [
        WorkItem(
            str(f.item.id),
            f.item.cost,
            f.item.skills or ["general"],
            tuple(str(d) for d in f.item.depends_on if d in funded),
            # Funded earlier means more important: weights n, n-1, ..., 1.
            weight=float(n - rank),
        )
        for rank, f in enumerate(funding.funded)
    ]
    staff = [
        Worker(
            s.key,
            s.skills,
            s.capacity,
            s.active,
            # Restricted money: only items the paying organization asked for.
            None
            if s.paid_by is None
            else sorted(str(i) for i in funding.supported.get(s.paid_by, set()) if i in funded),
        )
        for s in inputs.staff
    ]
    return work, staff


_PLANS = PlanCache(16)
_PLANS_LOCK = threading.Lock()


def _assign(work: list[WorkItem], staff: list[Worker], time_limit: float) -> StaffPlan:
    """The staff plan, solved once per distinct input in this process (scenarios that fund
    the same items, and publishing the scenario just run, share it)."""
    with _PLANS_LOCK:
        return _PLANS.assign(work, staff, **_options(time_limit))


def _options(time_limit: float) -> dict[str, Any]:
    """The staff assignment's options (what its plan is cached under, with its input)."""
    return {"time_limit": time_limit, "mip_rel_gap": GAP}


def scenario_result(
    ctx: Context,
    actor: Actor,
    envelope: Envelope,
    name: str,
    period_key: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScenarioResult:
    """Run a scenario and freeze it, ready to compare (nothing is written); ``progress``
    hears a sentence as each stage ends (:func:`run_scenario`)."""
    scenario = run_scenario(ctx, actor, envelope, name, period_key, progress=progress)
    return ScenarioResult(scenario.funding.name, envelope, snapshot(scenario))


@dataclass(frozen=True)
class Outcome:
    """One scenario of a run: its result, or the sentence that refused it."""

    name: str
    result: ScenarioResult | None = None
    error: RoadmapError | None = None

    def get(self) -> ScenarioResult:
        """The result; raises the refusal."""
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def run_scenarios(
    ctx: Context,
    actor: Actor,
    named: Sequence[tuple[str, Envelope]],
    period_key: str | None = None,
    progress: Callable[[str], None] | None = None,
    parallel_from: int | None = None,
) -> list[Outcome]:
    """Run several scenarios of the period (nothing is written): read once, then computed
    side by side in worker processes on a period of at least ``parallel_from`` candidate
    items (default :func:`roadmap.config.scenario_parallel_from`: below it a worker's start
    and the copy of the inputs would cost more than they save). ``progress`` hears each
    stage's sentence as it ends. An envelope the period cannot fund is refused alone; the
    others still run."""
    require(actor, Role.EXECUTIVE, to="run allocation scenarios")
    with _collection_paused():  # a read of thousands of rows (see _collection_paused)
        inputs = read_inputs(ctx, period_key)
    outcomes: list[Outcome] = []
    todo: list[tuple[int, str, Envelope]] = []
    for name, envelope in named:
        try:
            clean = boundary.text(name, "scenario name")
            planning.check_envelope(inputs.loaded, envelope)
        except RoadmapError as exc:
            outcomes.append(Outcome(name, error=exc))
            continue
        todo.append((len(outcomes), clean, envelope))
        outcomes.append(Outcome(clean))
    # Equal shares' search runs on two workers at once (_SideBySide): two tasks at the start.
    searches = sum(1 for _, _, envelope in todo if envelope.rule == AllocationRule.EQUAL_SHARES)
    processes = min(config.scenario_processes(), len(todo) + searches)
    threshold = config.scenario_parallel_from() if parallel_from is None else parallel_from
    if processes <= 1 or len(inputs.loaded.items) < threshold:
        for k, name, envelope in todo:
            scenario = compute(inputs, envelope, name, progress=progress)
            outcomes[k] = Outcome(name, ScenarioResult(name, envelope, snapshot(scenario)))
        return outcomes
    snapshots = _SideBySide(inputs, processes, progress or _silent).run(
        [(name, envelope) for _, name, envelope in todo]
    )
    for (k, name, envelope), frozen in zip(todo, snapshots, strict=True):
        outcomes[k] = Outcome(name, ScenarioResult(name, envelope, frozen))
    return outcomes


# Which scenarios' funding to start first: the rule that takes longest (equal shares runs the
# rule several times, add1) goes first, so that its later stages do not end the run alone.
_FIRST = {AllocationRule.EQUAL_SHARES: 0, AllocationRule.PHRAGMEN: 1, AllocationRule.GREEDY: 2}
_SECOND = 3  # equal shares' second worker on its search: after the other scenarios' stages


@dataclass(frozen=True)
class _Funded:
    """A scenario's funding stage, as it comes back from a worker process: the snapshot's
    funding part (effective supports not yet in), the staff assignment it asks for, and
    what working out its effective supports takes."""

    lines: dict[str, Any]
    problem: tuple[list[WorkItem], list[Worker]]
    request: planning.SupportRequest | None
    sentence: str


def _fund_task(
    inputs: ScenarioInputs, envelope: Envelope, name: str, folder: str | None = None
) -> _Funded | None:
    """A worker's part of a scenario's funding: all of it, or with ``folder``, its share of
    equal shares' search (:class:`_FolderSearch`): None when another worker returns it."""
    began = time.perf_counter()
    try:
        funding = planning.fund(
            inputs.loaded,
            envelope,
            name,
            supports=False,
            shared=None if folder is None else _FolderSearch(folder),
        )
    except HeldElsewhere:
        return None
    return _Funded(
        _funding_part(funding, inputs.subperiods),
        _problem(inputs, funding),
        planning.support_request(funding),
        _funded_sentence(funding, time.perf_counter() - began),
    )


class _FolderSearch:
    """Equal shares' add1 search shared by the workers through a folder
    (``roadmap.allocation.SharedSearch``): a claim is a file made once (``O_EXCL``), a probe a
    file written whole, then renamed into place. The server removes the folder once the
    funding has come back: a worker still searching then stops (``HeldElsewhere``)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def claim(self, k: int) -> bool:
        try:
            os.close(os.open(self._path(k, "claim"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        except FileNotFoundError:
            raise HeldElsewhere from None  # the folder is gone: the funding is back
        return True

    def record(self, k: int, probe: Probe) -> None:
        path = self._path(k, "probe")
        part = f"{path}.{os.getpid()}"
        try:
            with open(part, "wb") as out:
                pickle.dump(probe, out)
            os.replace(part, path)
        except FileNotFoundError:
            raise HeldElsewhere from None

    def result(self, k: int) -> Probe | None:
        try:
            with open(self._path(k, "probe"), "rb") as done:
                probe = pickle.load(done)
        except FileNotFoundError:
            if not os.path.isdir(self.folder):
                raise HeldElsewhere from None
            return None
        assert isinstance(probe, Probe)
        return probe

    def _path(self, k: int, kind: str) -> str:
        return os.path.join(self.folder, f"{k}.{kind}")


def _staff_task(
    work: list[WorkItem], staff: list[Worker], options: dict[str, Any]
) -> tuple[StaffPlan, float]:
    began = time.perf_counter()
    plan = assign_staff(work, staff, **options)
    return plan, time.perf_counter() - began


def _supports_task(request: planning.SupportRequest) -> tuple[dict[str, int], float]:
    began = time.perf_counter()
    supports = planning.effective_support(request)
    return supports, time.perf_counter() - began


class _SideBySide:
    """Several scenarios' stages spread over the worker processes: each scenario's funding
    (equal shares' on two workers at once, which share its search: ``_FolderSearch``), then
    its staff assignment and its effective supports, which need only the funding and run at
    the same time on two workers. This run keeps no more stages in the pool than it has
    workers, and picks the next one by what ends the run soonest: fundings first (equal
    shares first: the longest), then the later stages (equal shares' first), then equal
    shares' second search worker (measured: earlier, it held up the other scenarios' staff
    assignments more than it sped the search). Each stage's sentence is heard as it ends;
    a staff assignment asked twice (two scenarios that fund the same items) is solved once,
    and kept for publishing (:data:`_PLANS`)."""

    def __init__(
        self, inputs: ScenarioInputs, processes: int, progress: Callable[[str], None]
    ) -> None:
        self.inputs, self.processes, self.progress = inputs, processes, progress
        self.ready: list[tuple[tuple[int, int, int], Callable[..., Any], tuple[Any, ...]]] = []
        self.then: dict[tuple[int, int, int], Callable[[Any], None]] = {}
        self.helping: dict[tuple[int, int, int], int] = {}  # a search's second worker: whose
        self.searching: dict[tuple[int, int, int], int] = {}  # both workers of a search
        self.running: dict[Future[Any], tuple[int, int, int]] = {}
        self.folders: dict[int, str] = {}  # equal shares' shared searches, by scenario
        self.funded: dict[int, _Funded] = {}
        self.plans: dict[int, StaffPlan] = {}
        self.supports: dict[int, dict[str, int]] = {}
        self.solving: dict[Hashable, list[int]] = {}  # a staff plan being solved: for whom
        self.count = 0

    def run(self, named: list[tuple[str, Envelope]]) -> list[PlanSnapshot]:
        self.named = named
        try:
            for k, (name, envelope) in enumerate(named):
                folder = None
                if envelope.rule == AllocationRule.EQUAL_SHARES:
                    folder = self.folders[k] = tempfile.mkdtemp(prefix="roadmap-search-")
                    rank = self._queue(
                        1,
                        _SECOND,
                        _fund_task,
                        (self.inputs, envelope, name, folder),
                        partial(self._funded, k),
                    )
                    self.helping[rank] = self.searching[rank] = k
                rank = self._queue(
                    0,
                    _FIRST[envelope.rule],
                    _fund_task,
                    (self.inputs, envelope, name, folder),
                    partial(self._funded, k),
                )
                if folder is not None:
                    self.searching[rank] = k
            pool = _pool(self.processes)
            with _collection_paused():
                try:
                    self._drive(pool)
                finally:
                    for future in self.running:
                        future.cancel()
                return [self._snapshot(k) for k in range(len(named))]
        finally:
            for folder in self.folders.values():
                shutil.rmtree(folder, ignore_errors=True)

    def _drive(self, pool: ProcessPoolExecutor) -> None:
        """Hand the ready stages to the pool, no more at once than it has workers, until
        every stage has ended (a search's second worker is not started once its funding is
        back; one still searching then stops at its next step, and is not waited for)."""
        running = self.running
        while self.ready or running:
            while self.ready and len(running) < self.processes:
                rank, task, args = heapq.heappop(self.ready)
                if self.helping.get(rank) in self.funded:
                    self.then.pop(rank)
                    continue
                with _without_main():  # a submit may start a worker
                    running[pool.submit(task, *args)] = rank
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                if future in running:  # (not one a funding just before it let go)
                    self.then.pop(running.pop(future))(future.result())

    def _queue(
        self,
        stage: int,
        first: int,
        task: Callable[..., Any],
        args: tuple[Any, ...],
        then: Callable[[Any], None],
    ) -> tuple[int, int, int]:
        self.count += 1
        rank = (stage, first, self.count)
        heapq.heappush(self.ready, (rank, task, args))
        self.then[rank] = then
        return rank

    def _funded(self, k: int, funded: _Funded | None) -> None:
        if funded is None or k in self.funded:
            return  # the other worker of its search returns it (or did)
        self.funded[k] = funded
        if k in self.folders:  # a worker still searching stops; nothing waits for it
            shutil.rmtree(self.folders[k], ignore_errors=True)
            for future, rank in list(self.running.items()):
                if self.searching.get(rank) == k:
                    del self.running[future]
                    self.then.pop(rank)
        self.progress(funded.sentence)
        first = _FIRST[self.named[k][1].rule]
        if funded.request is not None:
            self._queue(1, first, _supports_task, (funded.request,), partial(self._supported, k))
        work, staff = funded.problem
        options = _options(TIME_LIMIT)
        key = plan_key(work, staff, options)
        with _PLANS_LOCK:
            known = _PLANS.known(key)
        if known is not None:
            self._staffed([k], key, (known, 0.0))
        elif key in self.solving:
            self.solving[key].append(k)  # solved once, for both
        else:
            self.solving[key] = [k]
            self._queue(
                1,
                first,
                _staff_task,
                (work, staff, options),
                partial(self._solved, key),
            )

    def _solved(self, key: Hashable, done: tuple[StaffPlan, float]) -> None:
        self._staffed(self.solving.pop(key), key, done)

    def _staffed(self, ks: list[int], key: Hashable, done: tuple[StaffPlan, float]) -> None:
        plan, seconds = done
        with _PLANS_LOCK:
            _PLANS.keep(key, plan)
        for n, k in enumerate(ks):
            self.plans[k] = plan
            shared = None if n == 0 else self.named[ks[0]][0]
            self.progress(_staffed_sentence(self.named[k][0], seconds, shared))

    def _supported(self, k: int, done: tuple[dict[str, int], float]) -> None:
        self.supports[k], seconds = done
        request = self.funded[k].request
        assert request is not None
        self.progress(_supports_sentence(self.named[k][0], request, seconds))

    def _snapshot(self, k: int) -> PlanSnapshot:
        lines = dict(self.funded[k].lines)
        if k in self.supports:
            lines["unfunded"] = _with_supports(lines["unfunded"], self.supports[k])
        names = {s.key: s.name for s in self.inputs.staff}
        return PlanSnapshot(**lines, **_staffing_part(self.plans[k], names))


def warm_up(ctx: Context, actor: Actor, period_key: str | None = None) -> bool:
    """Start the worker processes in the background when the period is large enough to run
    its scenarios in them, so that the first "Run scenarios" does not wait for their start
    (about a second of imports each, more on a busy machine). Returns whether it started
    them; nothing is computed or written."""
    require(actor, Role.EXECUTIVE, to="run allocation scenarios")
    processes = min(config.scenario_processes(), 3)
    if processes <= 1:
        return False
    with reading(ctx.engine) as session:
        candidates = planning.candidate_count(session)
    if candidates < config.scenario_parallel_from():
        return False

    threading.Thread(target=_pool, args=(processes,), name="scenario-workers", daemon=True).start()
    return True


_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0
_POOL_LOCK = threading.Lock()


def _pool(processes: int) -> ProcessPoolExecutor:
    """The worker processes, started once and kept (a start costs about a second of imports).
    They are forked from a clean server process ("forkserver"), never from the app's own,
    which runs threads; a pool a dead worker broke is replaced."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        broken = _POOL is not None and getattr(_POOL, "_broken", False)
        if _POOL is None or processes > _POOL_SIZE or broken:
            if _POOL is not None:
                _POOL.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["roadmap.services.scenarios"])
            _POOL = ProcessPoolExecutor(processes, mp_context=context, initializer=_started)
            _POOL_SIZE = processes
            # Start every worker now (a submit starts one while fewer are idle), without the
            # app's main module: see _without_main.
            with _without_main():
                for _ in range(processes):
                    _POOL.submit(int)
        return _POOL


def _started() -> None:
    """A worker's start.

    * What its imports made lives as long as it does, so the cyclic garbage collector stops
      looking at it (``gc.freeze``); measured, its full collections took 0.15 to 0.2 s of
      each scenario, 0.02 to 0.04 s once frozen.
    * One thread for the linear algebra (threadpoolctl): the workers already run side by
      side, one per CPU, and OpenBLAS's idle threads spin, measured at 0.1 s of CPU time
      taken from the other worker by each staff assignment."""
    gc.collect()
    gc.freeze()
    threadpool_limits(1)


_PAUSES = 0
_PAUSES_LOCK = threading.Lock()


@contextmanager
def _collection_paused() -> Iterator[None]:
    """No automatic cyclic garbage collection in this (the server's) process while a run
    reads the period and while it waits for its workers: each of the collections that
    making so many objects set off looked at the whole server's objects, 0.15 to 0.2 s, two
    or three a run, during which nothing was handed to an idle worker. Runs at the same time
    share the pause; what was left is collected as usual after it."""
    global _PAUSES
    with _PAUSES_LOCK:
        _PAUSES += 1
        if _PAUSES == 1:
            gc.disable()
    try:
        yield
    finally:
        with _PAUSES_LOCK:
            _PAUSES -= 1
            if _PAUSES == 0:
                gc.enable()


def stop_workers() -> None:
    """Stop the worker processes (they start again when next needed)."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL is not None:
            _POOL.shutdown(wait=True, cancel_futures=True)
        _POOL, _POOL_SIZE = None, 0


_PLAIN = threading.local()


@contextmanager
def _without_main() -> Iterator[None]:
    """Start worker processes, in this thread, without running the parent's ``__main__`` in
    them: multiprocessing runs the parent's main script again in each new process ("spawn"
    and "forkserver"), and here that is Streamlit's current page script, or in the tests an
    AppTest script, which must not run in a worker (they need only this module)."""
    _PLAIN.on = True
    try:
        yield
    finally:
        _PLAIN.on = False


_PREPARATION = multiprocessing.spawn.get_preparation_data


def _preparation(name: str) -> dict[str, Any]:
    data = _PREPARATION(name)
    if getattr(_PLAIN, "on", False):
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


multiprocessing.spawn.get_preparation_data = _preparation


def _capacity(by_month: list[Any] | None, total: float, months: int) -> list[float]:
    if by_month and len(by_month) == months:
        return [float(x) for x in by_month]
    return [total / months] * months


def snapshot(scenario: Scenario) -> PlanSnapshot:
    """Everything a reader of the published plan needs, frozen."""
    return PlanSnapshot(
        **_funding_part(scenario.funding, scenario.subperiods),
        **_staffing_part(scenario.staffing, scenario.staff_names),
    )


def _with_supports(unfunded: list[UnfundedLine], supports: dict[str, int]) -> list[UnfundedLine]:
    """The unfunded lines with their effective supports (``planning.with_supports``)."""
    return [u.model_copy(update={"effective_support": supports.get(str(u.item))}) for u in unfunded]


def _funding_part(f: Funding, subperiods: list[str]) -> dict[str, Any]:
    """The snapshot's fields that come from the funding."""
    candidates = {x.item.id for x in f.funded} | {u.item.id for u in f.unfunded}
    return dict(
        format=3,
        name=f.name,
        envelope=f.envelope,
        budget=f.budget,
        reserve=f.reserve,
        spent=f.spent,
        subperiods=subperiods,
        funded=[
            FundedLine(
                item=x.item.id,
                title=x.item.title,
                subcommunity=x.item.subcommunity,
                theme=x.item.theme,
                effort=x.item.cost,
                stage=x.stage,
                pledged=x.pledged,
                payments=x.payments,
                pledges=x.pledges,
            )
            for x in f.funded
        ],
        unfunded=[
            UnfundedLine(
                item=u.item.id,
                title=u.item.title,
                effort=u.item.cost,
                reason=u.reason,
                effective_support=u.effective_support,
            )
            for u in f.unfunded
        ],
        accounts=[
            AccountLine(
                org=a.key,
                name=a.name,
                voice=a.voice,
                paid=a.paid,
                supported_effort=a.supported_effort,
                effort_share=a.effort_share,
                supported=sorted(i for i in f.supported.get(a.key, set()) if i in candidates),
            )
            for a in f.accounts
        ],
        carried=f.carried,
    )


def _staffing_part(s: StaffPlan, names: dict[str, str]) -> dict[str, Any]:
    """The snapshot's fields that come from the staff plan."""
    return dict(
        assignments=[
            AssignmentLine(
                staff=a.staff_id,
                name=names.get(a.staff_id, a.staff_id),
                item=int(a.item_id),
                skill=a.skill,
                subperiod=a.period,
                weeks=a.weeks,
            )
            for a in s.assignments
        ],
        coverage=[
            CoverageLine(item=int(c.item_id), required=c.required, covered=c.covered, gap=c.gap)
            for c in s.coverage
        ],
        gaps=[
            GapLine(
                skill=g.skill,
                subperiod=g.period,
                weeks=g.weeks,
                items=[int(i) for i in g.item_ids],
            )
            for g in s.gaps
        ],
        solver=SolverOutcome(status=s.status.value, gap=s.relative_gap, message=s.message),
    )
