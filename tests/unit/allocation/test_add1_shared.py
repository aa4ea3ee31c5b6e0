"""add1's search shared between processes (``equal_shares(shared=...)``): whichever way its
steps are split, exactly one process returns the allocation, and it is the one the search
alone gives (same funded items, payments, total and count of runs); the others raise
``HeldElsewhere``. Here the processes are threads sharing a search in memory; the app shares
it between worker processes through a folder (``services.scenarios._FolderSearch``)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from allocation_strategies import constraints_for, elections, weights_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.allocation import (
    Allocation,
    Constraints,
    Election,
    HeldElsewhere,
    Probe,
    equal_shares,
)
from roadmap.allocation import mes as mes_module

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Memory:
    """A search shared in memory (claims and probes under one lock)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.claims: list[int] = []
        self.probes: dict[int, Probe] = {}

    def claim(self, k: int) -> bool:
        with self.lock:
            if k in self.claims:
                return False
            self.claims.append(k)
            return True

    def record(self, k: int, probe: Probe) -> None:
        with self.lock:
            self.probes[k] = probe

    def result(self, k: int) -> Probe | None:
        with self.lock:
            return self.probes.get(k)


def _same(a: Allocation, b: Allocation) -> None:
    assert a.selected == b.selected
    assert a.explanation == b.explanation
    assert a.extra["total"] == b.extra["total"]
    assert a.extra["runs"] == b.extra["runs"]


def _together(count: int, **kw: Any) -> tuple[list[Allocation], int, Memory]:
    """``count`` threads run the same shared search: the allocations returned, and how many
    raised HeldElsewhere."""
    share = Memory()
    got: list[Allocation] = []
    elsewhere: list[int] = []
    failed: list[BaseException] = []

    def one() -> None:
        try:
            got.append(equal_shares(shared=share, **kw))
        except HeldElsewhere:
            elsewhere.append(1)
        except BaseException as exc:  # pragma: no cover - reported below
            failed.append(exc)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failed, failed
    return got, len(elsewhere), share


@SETTINGS
@given(data=st.data(), count=st.sampled_from([1, 2, 3]))
def test_a_shared_search_gives_the_search_alone_s_allocation_once(
    data: st.DataObject, count: int
) -> None:
    election = data.draw(elections(max_voters=6, max_projects=6))
    weights = data.draw(weights_for(election))
    constraints = data.draw(st.sampled_from([Constraints(), data.draw(constraints_for(election))]))
    completion = data.draw(st.sampled_from(["none", "add1", "add1-greedy"]))
    kw = {
        "election": election,
        "weights": weights,
        "constraints": constraints,
        "completion": completion,
    }
    alone = equal_shares(**kw)  # type: ignore[arg-type]
    got, elsewhere, _ = _together(count, **kw)
    assert len(got) >= 1 and len(got) + elsewhere == count
    for allocation in got:  # two only if one waited too long and ran the kept step too
        _same(allocation, alone)


def _step_election() -> Election:
    """An election whose add1 search takes several steps (the total grows by the number of
    voters a step and the outcome changes on the way)."""
    from roadmap.allocation import BallotType, Project, Voter

    projects = [Project(f"p{i}", c) for i, c in enumerate([30, 40, 50, 60, 25, 35])]
    ballots = [
        ["p0", "p1"],
        ["p1", "p2", "p3"],
        ["p2", "p4"],
        ["p3", "p5", "p0"],
        ["p4", "p5"],
        ["p0", "p3"],
        ["p1", "p5"],
    ]
    voters = tuple(Voter(f"v{i}", tuple(b)) for i, b in enumerate(ballots))
    return Election(100, BallotType.APPROVAL, tuple(projects), voters)


def test_steps_another_process_ran_are_read_not_run_again_and_a_late_one_runs_nothing(
    monkeypatch: Any,
) -> None:
    """A process finding some steps already probed by another runs only the others; one that
    comes when the search is over (every step known, the kept one run elsewhere) runs
    nothing and raises HeldElsewhere."""
    election = _step_election()
    alone = equal_shares(election, completion="add1")
    assert alone.extra["runs"] >= 3, "the example must take several steps"
    ran: list[Any] = []
    real = mes_module._run

    def counted(prep: Any, begin: Any, total: Any, *args: Any, **kw: Any) -> Any:
        ran.append(total)
        return real(prep, begin, total, *args, **kw)

    monkeypatch.setattr(mes_module, "_run", counted)
    # The whole search in one process, recorded in the share.
    share = Memory()
    first = equal_shares(election, completion="add1", shared=share)
    _same(first, alone)
    everything = list(ran)
    # A second process on the same share: nothing left to run, and not its outcome.
    ran.clear()
    try:
        equal_shares(election, completion="add1", shared=share)
        raise AssertionError("the late process returned an allocation")
    except HeldElsewhere:
        pass
    assert ran == []
    # A fresh share holding the first steps' probes (run by "another process"): this one runs
    # only the rest, and the step kept if it was among them... or raises if it was not.
    partial = Memory()
    for k in list(share.probes)[:2]:
        partial.claims.append(k)
        partial.probes[k] = share.probes[k]
    ran.clear()
    try:
        again = equal_shares(election, completion="add1", shared=partial)
        _same(again, alone)
    except HeldElsewhere:
        pass
    assert len(ran) == len(everything) - 2


@SETTINGS
@given(data=st.data(), exactly=st.booleans())
def test_effective_supports_read_from_the_rule_s_trace_are_those_of_a_fresh_run(
    data: st.DataObject, exactly: bool
) -> None:
    """The rule records the rounds of the run it kept (``extra["traces"]``); effective
    supports read from them, instead of running equal shares again, give the same figure for
    every item, in exact arithmetic and in floats (the two ways ``effective_supports`` runs,
    by election size)."""
    from roadmap.allocation import support

    election = data.draw(elections(max_voters=6, max_projects=6))
    weights = data.draw(weights_for(election))
    constraints = data.draw(st.sampled_from([Constraints(), data.draw(constraints_for(election))]))
    completion = data.draw(st.sampled_from(["none", "add1", "add1-greedy"]))
    result = equal_shares(election, weights=weights, constraints=constraints, completion=completion)
    trace = result.extra["traces"].get(exactly)
    if trace is None:
        return  # no run kept in that arithmetic (a float search that needed exact amounts)
    kw = {
        "weights": weights,
        "constraints": constraints,
        "total": result.extra["total"],
        "items": [u.item_id for u in result.explanation.unfunded],
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(support, "EXACT_UP_TO", 10**9 if exactly else -1)
        fresh = support.effective_supports(election, **kw)  # type: ignore[arg-type]
        patch.setattr(support, "run_mes", _not_again)  # read, not run
        read = support.effective_supports(election, trace=trace, **kw)  # type: ignore[arg-type]
    assert read == fresh


def _not_again(*args: object, **kwargs: object) -> None:
    raise AssertionError("equal shares ran again instead of reading the trace")
